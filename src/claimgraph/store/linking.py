"""The store's side of linking actors to entities: for one article, read every
candidate entity its actors may be asked about in a few queries
(:func:`~claimgraph.store.entities.questions`), link the actors in order
(:func:`~claimgraph.store.entities.link_actor`), then write new and changed entities,
their new aliases and the actor rows with one statement per table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from claimgraph.actors import government_key
from claimgraph.model import Actor, ArticleAnalysis, Entity, SpeechActClass, stable_id
from claimgraph.store import schema as t
from claimgraph.store.entities import (
    Questions,
    fold_name,
    link_actor,
    questions,
    with_aliases,
)
from claimgraph.store.rows import actor_row


def link_actors(connection: Connection, analysis: ArticleAnalysis) -> dict[str, str]:
    """Link each actor to an entity (creating or extending entities); returns the
    entity id of each actor id.  The candidates of the whole article are read in a
    few queries and the changes written in one statement per table."""
    pairs = linking_pairs(analysis)
    lookup = ArticleLookup.fetch(connection, questions(pairs))
    links: dict[str, str] = {}
    actor_rows: list[dict[str, Any]] = []
    for actor, government in pairs:
        link = link_actor(actor, lookup, government=government)
        entity = link.entity
        if link.new and entity.id in lookup.entities:
            # a namesake the linker kept apart: an id of its own (stored already when
            # the article is analysed again)
            own = stable_id(entity.id, analysis.article.id, actor.id, prefix="ent_")
            stored = lookup.load(connection, own)
            entity = (
                with_aliases(stored, actor.aliases)
                if stored is not None
                else entity.model_copy(update={"id": own})
            )
        lookup.record(entity)
        links[actor.id] = entity.id
        actor_rows.append(
            {
                **actor_row(analysis.article.id, actor),
                "entity_id": entity.id,
                "link_reason": link.reason,
                "link_confidence": link.confidence,
            }
        )
    new_rows, changed_rows, alias_rows = [], [], []
    for entity_id in lookup.added:
        entity = lookup.entities[entity_id]
        old = lookup.stored.get(entity_id)
        row = {**entity_row(entity), "linked": lookup.linked[entity_id]}
        if old is None:
            new_rows.append(row)
        else:
            changed_rows.append(
                {
                    "eid": entity_id,
                    "ename": entity.name,
                    "ealiases": entity.aliases,
                    "elinked": row["linked"],
                }
            )
        known = set(old.aliases) if old is not None else set()
        for alias in entity.aliases:
            if alias not in known:
                folded = fold_name(alias)
                words = folded.split()
                alias_rows.append(
                    {
                        "entity_id": entity_id,
                        "alias": alias,
                        "folded": folded,
                        "last_word": words[-1] if len(words) > 1 else None,
                    }
                )
    if new_rows:
        connection.execute(insert(t.entities), new_rows)
    if changed_rows:
        connection.execute(_UPDATE_ENTITY, changed_rows)
    if alias_rows:
        connection.execute(insert(t.entity_aliases), alias_rows)
    if actor_rows:
        connection.execute(insert(t.actors), actor_rows)
    return links


def linking_pairs(analysis: ArticleAnalysis) -> list[tuple[Actor, str | None]]:
    """Each actor of the article with the country it stands for, when it is a capital
    that speaks, acts, or is acted upon (accused, praised, threatened...); the topics of
    an assertion do not count."""
    acting = {s.speaker.actor_id for s in analysis.statements if s.speaker}
    for act in analysis.speech_acts:
        acting.add(act.source_actor)
        if act.act is not SpeechActClass.ASSERT:
            acting.update(act.target_actors)
    return [
        (actor, government_key(actor) if actor.id in acting else None)
        for actor in analysis.actors
    ]


class ArticleLookup:
    """The linker's view of the entities (an
    :class:`~claimgraph.store.entities.EntityLookup`) for one article: the candidates its
    actors may ask about, read at once, plus what linking the article changes."""

    def __init__(self, entities: Iterable[Entity], linked: dict[str, int]) -> None:
        entities = list(entities)
        self.entities: dict[str, Entity] = {}
        #: the entities as read from the store
        self.stored = {entity.id: entity for entity in entities}
        self.linked = dict(linked)
        #: entities created or changed by this article (in first-touched order)
        self.added: dict[str, None] = {}
        self._keys: dict[str, str] = {}
        self._names: dict[str, set[str]] = defaultdict(set)
        self._last: dict[str, set[str]] = defaultdict(set)
        for entity in entities:
            self._index(entity)

    @classmethod
    def fetch(cls, connection: Connection, asked: Questions) -> ArticleLookup:
        ids: set[str] = set(asked.new_ids)
        alias = t.entity_aliases.c
        if asked.names:
            ids.update(
                connection.execute(
                    select(alias.entity_id).where(alias.folded.in_(sorted(asked.names)))
                ).scalars()
            )
        if asked.last_words:
            ids.update(
                connection.execute(
                    select(alias.entity_id).where(alias.last_word.in_(sorted(asked.last_words)))
                ).scalars()
            )
        condition: ColumnElement[bool] = t.entities.c.id.in_(sorted(ids))
        if asked.dictionary_keys:
            condition = or_(
                condition, t.entities.c.dictionary_key.in_(sorted(asked.dictionary_keys))
            )
        rows = connection.execute(select(t.entities).where(condition)).mappings().all()
        linked = {row["id"]: row["linked"] for row in rows}
        return cls([entity_from_row(row) for row in rows], linked)

    def load(self, connection: Connection, entity_id: str) -> Entity | None:
        """The stored entity ``entity_id`` (read now, if it was not a candidate)."""
        if entity_id not in self.stored:
            row = (
                connection.execute(select(t.entities).where(t.entities.c.id == entity_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            self.stored[entity_id] = entity_from_row(row)
            self.linked[entity_id] = row["linked"]
            self._index(self.stored[entity_id])
        return self.entities[entity_id]

    def _index(self, entity: Entity) -> None:
        self.entities[entity.id] = entity
        self.linked.setdefault(entity.id, 0)
        if entity.dictionary_key:
            self._keys[entity.dictionary_key] = entity.id
        for alias in entity.aliases:
            words = fold_name(alias).split()
            self._names[" ".join(words)].add(entity.id)
            if len(words) > 1:
                self._last[words[-1]].add(entity.id)

    def record(self, entity: Entity) -> None:
        """One more actor linked to ``entity`` (new, or with new aliases)."""
        self._index(entity)
        self.linked[entity.id] += 1
        self.added[entity.id] = None

    def _ranked(self, ids: Iterable[str]) -> list[Entity]:
        """The entities ``ids``, the most linked first (ties by id)."""
        return [
            self.entities[i] for i in sorted(set(ids), key=lambda i: (-self.linked[i], i))
        ]

    def by_dictionary_key(self, key: str) -> Entity | None:
        found = self._keys.get(key)
        return self.entities[found] if found is not None else None

    def by_alias(self, folded: str) -> list[Entity]:
        return self._ranked(self._names.get(folded, ()))

    def by_last_word(self, folded_word: str) -> list[Entity]:
        return self._ranked(self._last.get(folded_word, ()))


_UPDATE_ENTITY = (
    update(t.entities)
    .where(t.entities.c.id == bindparam("eid"))
    .values(name=bindparam("ename"), aliases=bindparam("ealiases"), linked=bindparam("elinked"))
)


def entity_from_row(row: Any) -> Entity:
    return Entity(
        id=row["id"],
        name=row["name"],
        type=row["type"],
        code=row["code"],
        dictionary_key=row["dictionary_key"],
        aliases=list(row["aliases"] or []),
    )


def entity_row(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type.value,
        "code": entity.code,
        "dictionary_key": entity.dictionary_key,
        "aliases": list(entity.aliases),
    }


__all__ = [
    "ArticleLookup",
    "actor_row",
    "entity_from_row",
    "entity_row",
    "link_actors",
    "linking_pairs",
]
