"""``spark narratives``, the second stage: entities across the corpus, as a Spark job over
the tables of ``spark analyze``.

The store links actors to entities one article at a time against everything stored
before (:mod:`claimgraph.store.linking`).  Across a corpus too large for one machine the
same rules run per *block*: every actor gets one blocking key, the actors of a block are
brought together (one shuffle) and linked in publication order with the store's own
linker (:func:`~claimgraph.store.entities.link_actor` over an in-memory
:class:`~claimgraph.store.linking.ArticleLookup`).  The keys:

* a dictionary actor (and a capital standing for its government) blocks by its
  dictionary key, so "Putin" and "Vladimir Putin" of one dictionary block meet;
* another person blocks by the last word of the folded name, so the short form "Okafor"
  meets "Amara Okafor";
* any other actor blocks by its folded name.

Each block is linked in one task, so the work grows with the corpus and the memory of a
task with its largest block.  What blocking gives up: a link the store would make
between blocks (an organisation named by an alias in one article, by its full name in
another; a short form that matches a dictionary person) stays two entities.

Written under ``--out``: ``entities`` (the store's entity columns) and ``actor_links``
(``article_id``, ``actor_id``, ``entity_id``, ``link_reason``, ``link_confidence``,
``block``); then the claims grouped into propositions by embedding buckets, with their
stances and contradictions (:mod:`claimgraph.spark.propositions`): ``propositions``,
``narrative_claims``, ``contradictions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from claimgraph.model import Actor, ActorType, ArticleAnalysis, Entity, stable_id
from claimgraph.store.entities import fold_name, link_actor, with_aliases
from claimgraph.store.linking import ArticleLookup, entity_row, linking_pairs

#: One actor to link: (article published ISO text or "", article id, position, actor
#: JSON, government key or None).
Member = tuple[str, str, int, str, str | None]

_LINK_COLUMNS = ("article_id", "actor_id", "entity_id", "link_reason", "link_confidence", "block")
_ENTITY_COLUMNS = ("id", "name", "type", "code", "dictionary_key", "aliases", "linked")


def block_key(actor: Actor, government: str | None) -> str:
    """The block an actor is linked in (see the module docstring)."""
    if government:
        return f"key:{government}"
    if actor.dictionary_key:
        return f"key:{actor.dictionary_key}"
    folded = fold_name(actor.name)
    if actor.type in (ActorType.PERSON, ActorType.UNKNOWN) and folded:
        return f"person:{folded.split()[-1]}"
    return f"name:{folded}"


def article_members(analysis_json: str) -> Iterator[tuple[str, Member]]:
    """``(block, member)`` for every actor of one stored analysis."""
    analysis = ArticleAnalysis.model_validate_json(analysis_json)
    published = analysis.article.published or ""
    for position, (actor, government) in enumerate(linking_pairs(analysis)):
        member = (published, analysis.article.id, position, actor.model_dump_json(), government)
        yield block_key(actor, government), member


def link_block(block: str, members: Iterable[Member]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Link the actors of one block in publication order (then article id, then their
    order in the article): ``("actor_links", row)`` per actor, ``("entities", row)`` per
    entity."""
    lookup = ArticleLookup([], {})
    for _, article_id, _, actor_json, government in sorted(members, key=lambda m: m[:3]):
        actor = Actor.model_validate_json(actor_json)
        link = link_actor(actor, lookup, government=government)
        entity = link.entity
        if link.new and entity.id in lookup.entities:
            # a namesake the linker kept apart: an id of its own, as the store gives it
            own = stable_id(entity.id, article_id, actor.id, prefix="ent_")
            known = lookup.entities.get(own)
            entity = (
                with_aliases(known, actor.aliases)
                if known is not None
                else entity.model_copy(update={"id": own})
            )
        lookup.record(entity)
        yield "actor_links", (article_id, actor.id, entity.id, link.reason, link.confidence, block)
    for entity_id in lookup.added:
        yield "entities", _entity_tuple(lookup.entities[entity_id], lookup.linked[entity_id])


def _entity_tuple(entity: Entity, linked: int) -> tuple[Any, ...]:
    row = {**entity_row(entity), "linked": linked}
    row["aliases"] = json.dumps(row["aliases"], ensure_ascii=False)
    return tuple(row[name] for name in _ENTITY_COLUMNS)


def _schemas() -> dict[str, Any]:
    from pyspark.sql import types as st

    from claimgraph.spark.tables import spark_schema

    links = st.StructType(
        [
            st.StructField("article_id", st.StringType()),
            st.StructField("actor_id", st.StringType()),
            st.StructField("entity_id", st.StringType()),
            st.StructField("link_reason", st.StringType()),
            st.StructField("link_confidence", st.DoubleType()),
            st.StructField("block", st.StringType()),
        ]
    )
    return {"entities": spark_schema("entities"), "actor_links": links}


def run_narratives(
    spark: Any,
    source: str,
    out: str,
    *,
    partitions: int | None = None,
    overwrite: bool = False,
    propositions: bool = True,
) -> dict[str, int]:
    """Link the actors of the ``spark analyze`` output ``source`` into entities and
    write ``out/entities`` and ``out/actor_links``; with ``propositions``, also group
    the claims into propositions with their stances and contradictions
    (``out/propositions``, ``out/narrative_claims``, ``out/contradictions``).  Returns the
    rows of each table."""
    from pyspark import StorageLevel

    from claimgraph.spark.job import table_exists
    from claimgraph.spark.tables import write_tables

    articles = source.rstrip("/") + "/articles"
    if not table_exists(spark, articles):
        from claimgraph.errors import ConfigError

        raise ConfigError(f"{source} has no articles table (the --out of spark analyze)")
    analyses = spark.read.parquet(articles).select("analysis").rdd.map(lambda row: row[0])
    blocks = analyses.flatMap(article_members).groupByKey(
        numPartitions=partitions or spark.sparkContext.defaultParallelism
    )
    rows = blocks.flatMap(lambda pair: link_block(pair[0], pair[1])).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    mode = "overwrite" if overwrite else "errorifexists"
    try:
        written = write_tables(spark, rows, _schemas(), out, mode=mode)
    finally:
        rows.unpersist()
    if propositions:
        from claimgraph.spark.propositions import run_propositions

        written.update(run_propositions(spark, source, out, partitions=partitions, mode=mode))
    return written


__all__ = [
    "article_members",
    "block_key",
    "link_block",
    "run_narratives",
]
