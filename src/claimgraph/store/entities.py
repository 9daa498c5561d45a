"""Actors across articles: which corpus entity an article's actor is.

Rules, in order; each link records its reason and a confidence:

1. **Dictionary entry.**  An actor coded from a CAMEO/Phoenix dictionary entry is the
   entity of that entry (``dictionary_key``): "Putin" and "Vladimir Putin" are one block
   of the dictionary, and so are "Russia", "Russian Federation" and "Russians".  A
   country's block also lists its capital, cities and states ("Moscow", "Utah"): those
   are places of their own (:func:`claimgraph.actors.entity_key`), except a capital
   that speaks, acts, or is accused, praised or threatened: "Moscow denied" stands for
   the government and links to the country (a dateline's "MOSCOW" stays a place).  The
   type an article gave an actor does not matter (ORG in one article, GROUP in
   another), and two different entries are never merged.
2. **Same name.**  An actor without a dictionary entry links to the entity that has its
   full name, or another full name the article gives it (accents, case and
   transliteration variants folded), as an alias, when the types are compatible and the
   codes agree (or one is missing); where several entities carry a full name, the most
   linked one.  A one-word name carried by several entities stays apart.
3. **Short form.**  A person's one-word name ("Putin", "Okafor") links to the one person
   of a compatible code whose longer name ends with it; with two or more it stays apart.
4. Otherwise the actor starts a new entity.

The linker reads candidates through :class:`EntityLookup`, which the store implements
over its tables, so the rules are tested without a database.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from claimgraph.actors.dictionary_parsing import fold_token
from claimgraph.model import Actor, ActorType, Entity, stable_id

#: Types that may be the same entity when articles disagree (an organisation in one
#: article is a group in another).
_COLLECTIVE = frozenset({ActorType.ORGANIZATION, ActorType.GROUP})


@functools.lru_cache(maxsize=65536)
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
        """Entities with this folded alias, the most linked first."""

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


def _as_government(actor: Actor, government: str) -> Actor:
    """The country a capital stands for, as an actor that starts its entity."""
    return actor.model_copy(
        update={
            "dictionary_key": government,
            "type": ActorType.COUNTRY,
            "name": government.title(),
            "code": (actor.code or "")[:3] or None,
        }
    )


def _names(actor: Actor) -> list[str]:
    """The folded names the linker tries: the actor's name, then the article's other full
    names for it ("Donald J. Trump" named "Donald Trump" elsewhere in the article)."""
    folded = fold_name(actor.name)
    others = {fold_name(a) for a in actor.aliases if len(fold_name(a).split()) > 1}
    return [folded, *sorted(others - {folded})]


@dataclass(frozen=True)
class Questions:
    """Everything :func:`link_actor` may ask the lookup about a set of actors, so that a
    store can fetch the candidates of a whole article at once."""

    dictionary_keys: frozenset[str]
    names: frozenset[str]
    last_words: frozenset[str]
    new_ids: frozenset[str]


def questions(actors: Iterable[tuple[Actor, str | None]]) -> Questions:
    """What linking ``(actor, government)`` pairs may ask: dictionary keys, folded names,
    surnames, and the ids of the entities the actors would start."""
    keys: set[str] = set()
    names: set[str] = set()
    last: set[str] = set()
    ids: set[str] = set()
    for actor, government in actors:
        if government:
            keys.add(government)
            ids.add(new_entity(_as_government(actor, government)).id)
            continue
        ids.add(new_entity(actor).id)
        if actor.dictionary_key:
            keys.add(actor.dictionary_key)
            continue
        tried = _names(actor)
        names.update(tried)
        if len(tried[0].split()) == 1 and actor.type is ActorType.PERSON:
            last.add(tried[0])
    return Questions(frozenset(keys), frozenset(names), frozenset(last), frozenset(ids))


def link_actor(actor: Actor, lookup: EntityLookup, *, government: str | None = None) -> Link:
    """The entity of ``actor`` by the rules of the module docstring.  ``government`` is
    the dictionary key of the country when the actor is its capital standing for its
    government (:func:`claimgraph.actors.government_key`, for a capital that speaks, is
    the source of a speech act, or the target of one other than an assertion)."""
    if government:
        found = lookup.by_dictionary_key(government)
        reason = f"capital for its government ({government})"
        if found is not None:
            return Link(with_aliases(found, actor.aliases), reason, 0.85, False)
        return Link(new_entity(_as_government(actor, government)), reason, 0.85, True)
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

    names = _names(actor)
    folded = names[0]
    shared = 0
    for name in names:
        same = [e for e in lookup.by_alias(name) if fits(e)]
        if len(same) == 1 or (same and len(name.split()) > 1):
            # a full name several entities carry: the most linked one (namesakes of it
            # were started while it was ambiguous)
            entity = same[0]
            reason = f"same name as {entity.name}"
            if len(same) > 1:
                reason += f" (the most linked of {len(same)} with this name)"
            return Link(with_aliases(entity, actor.aliases), reason, 0.95, False)
        shared = max(shared, len(same))
    if shared:
        return Link(new_entity(actor), f"{shared} entities share this name", 0.5, True)
    if len(folded.split()) == 1 and actor.type is ActorType.PERSON:
        longer = [
            e
            for e in lookup.by_last_word(folded)
            if fits(e) and e.type in (ActorType.PERSON, ActorType.UNKNOWN)
        ]
        if len(longer) == 1:
            entity = longer[0]
            return Link(
                with_aliases(entity, actor.aliases), f"short form of {entity.name}", 0.8, False
            )
    return Link(new_entity(actor), "a new name", 0.9, True)


__all__ = [
    "EntityLookup",
    "Link",
    "Questions",
    "compatible",
    "fold_name",
    "link_actor",
    "new_entity",
    "questions",
    "with_aliases",
]
