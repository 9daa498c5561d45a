"""Actors across articles: which corpus entity an article's actor is.

Rules, in order; each link records its reason and a confidence:

1. **Dictionary entry.**  An actor coded from a CAMEO/Phoenix dictionary entry is the
   entity of that entry (``dictionary_key``): "Putin" and "Vladimir Putin" are one block
   of the dictionary, and so are "Moscow" and "Russia" where the dictionary codes the
   capital as the country.  The type an article gave it does not matter (ORG in one
   article, GROUP in another), and two different entries are never merged.
2. **Same name.**  An actor without a dictionary entry links to the entity that has its
   full name (accents, case and transliteration variants folded) as an alias, when the
   types are compatible and the codes agree (or one is missing).
3. **Short form.**  A one-word name ("Putin", "Okafor") links to the one entity of a
   compatible type and code whose longer name ends with it, or that has it as an alias;
   with two or more such entities it stays apart.
4. Otherwise the actor starts a new entity.

The linker reads candidates through :class:`EntityLookup`, which the store implements
over its tables, so the rules are tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from claimgraph.actors.dictionary_parsing import fold_token
from claimgraph.model import Actor, ActorType, Entity, stable_id

#: Types that may be the same entity when articles disagree (an organisation in one
#: article is a group in another).
_COLLECTIVE = frozenset({ActorType.ORGANIZATION, ActorType.GROUP})


def fold_name(name: str) -> str:
    """The matching key of a name: each word folded (:func:`fold_token`), possessive and
    punctuation at the edges dropped."""
    words = name.replace("’", "'").split()
    folded = (fold_token(w.strip(".,;:!?\"'()[]").removesuffix("'s")) for w in words)
    return " ".join(w for w in folded if w)


def compatible(a: ActorType, b: ActorType) -> bool:
    """Whether an actor of type ``a`` can be an entity of type ``b``."""
    return a == b or ActorType.UNKNOWN in (a, b) or {a, b} <= _COLLECTIVE


def _codes_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


class EntityLookup(Protocol):
    """What the linker asks of the store."""

    def by_dictionary_key(self, key: str) -> Entity | None:
        """The entity of a dictionary entry."""

    def by_alias(self, folded: str) -> list[Entity]:
        """Entities with this folded alias."""

    def by_last_word(self, folded_word: str) -> list[Entity]:
        """Entities with a folded alias of two or more words ending with this word."""


@dataclass(frozen=True)
class Link:
    """The linker's answer for one actor: its entity (new, or existing and perhaps with a
    new alias) and why."""

    entity: Entity
    reason: str
    confidence: float
    new: bool


def new_entity(actor: Actor) -> Entity:
    """The entity an actor starts: keyed by its dictionary entry, else by type and name."""
    if actor.dictionary_key:
        entity_id = stable_id("entity", "dictionary", actor.dictionary_key, prefix="ent_")
    else:
        group = "collective" if actor.type in _COLLECTIVE else actor.type.value
        entity_id = stable_id("entity", group, fold_name(actor.name), actor.code, prefix="ent_")
    return Entity(
        id=entity_id,
        name=actor.name,
        type=actor.type,
        code=actor.code,
        dictionary_key=actor.dictionary_key,
        aliases=sorted(set(actor.aliases) | {actor.name}),
    )


def with_aliases(entity: Entity, names: Iterable[str]) -> Entity:
    """``entity`` with ``names`` among its aliases (and the longest name as its name)."""
    aliases = sorted(set(entity.aliases) | set(names))
    name = max([entity.name, *aliases], key=lambda n: (len(n.split()), len(n), n))
    if aliases == entity.aliases and name == entity.name:
        return entity
    return entity.model_copy(update={"aliases": aliases, "name": name})


def link_actor(actor: Actor, lookup: EntityLookup) -> Link:
    """The entity of ``actor`` by the rules of the module docstring."""
    if actor.dictionary_key:
        found = lookup.by_dictionary_key(actor.dictionary_key)
        if found is not None:
            return Link(
                with_aliases(found, actor.aliases),
                f"same dictionary entry ({actor.dictionary_key})",
                1.0,
                False,
            )
        return Link(new_entity(actor), f"dictionary entry {actor.dictionary_key}", 1.0, True)

    def fits(entity: Entity) -> bool:
        return compatible(actor.type, entity.type) and _codes_agree(actor.code, entity.code)

    folded = fold_name(actor.name)
    same_name = [e for e in lookup.by_alias(folded) if fits(e)]
    if len(same_name) == 1:
        entity = same_name[0]
        return Link(with_aliases(entity, actor.aliases), f"same name as {entity.name}", 0.95, False)
    if len(folded.split()) == 1 and not same_name:
        longer = [e for e in lookup.by_last_word(folded) if fits(e)]
        if actor.type is ActorType.PERSON:
            longer = [e for e in longer if e.type in (ActorType.PERSON, ActorType.UNKNOWN)]
        if len(longer) == 1:
            entity = longer[0]
            return Link(
                with_aliases(entity, actor.aliases), f"short form of {entity.name}", 0.8, False
            )
    why = "a new name" if not same_name else f"{len(same_name)} entities share this name"
    return Link(new_entity(actor), why, 0.9 if not same_name else 0.5, True)


__all__ = [
    "EntityLookup",
    "Link",
    "compatible",
    "fold_name",
    "link_actor",
    "new_entity",
    "with_aliases",
]
