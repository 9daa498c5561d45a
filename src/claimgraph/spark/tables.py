"""The Parquet tables of a Spark run: the store's tables (:mod:`claimgraph.store.schema`),
column for column, so ``claimgraph ingest --from-parquet`` loads them as they are.

Spark types follow the columns' SQL types; JSON columns hold their JSON text.  The
tables of an article's rows carry one more column, ``date`` (the article's publication
day, ``YYYY-MM-DD``, or empty), by which they are partitioned on disk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, Table

from claimgraph.model import ArticleAnalysis, Failure
from claimgraph.store import schema as t
from claimgraph.store.rows import (
    analysis_rows,
    article_row,
    failure_row,
    published_at,
    unlinked_actor_rows,
)

#: The partition column of the article tables.
DATE = "date"

#: Tables written by ``spark analyze``, each with its partition columns.  (The entity
#: tables and ``speech_act_targets`` need entities; the store fills them when it loads
#: the rows, ``spark narratives`` computes the entities across the corpus.)
ANALYSIS_TABLES: dict[str, tuple[str, ...]] = {
    "articles": (DATE,),
    "actors": (DATE,),
    "statements": (DATE,),
    "speech_acts": (DATE,),
    "evidence": (DATE,),
    "credibility": (DATE,),
    "failures": (),
}


def _spark_type(column: Column[Any]) -> Any:
    from pyspark.sql import types as st

    kind = column.type
    if isinstance(kind, JSON):
        return st.StringType()
    if isinstance(kind, Boolean):
        return st.BooleanType()
    if isinstance(kind, Integer):
        return st.LongType()
    if isinstance(kind, Float):
        return st.DoubleType()
    if isinstance(kind, DateTime):
        return st.TimestampType()
    return st.StringType()


def columns(table: str) -> list[str]:
    """The Parquet columns of ``table``, in order (the store's, then partitions)."""
    return [c.name for c in _table(table).columns] + list(ANALYSIS_TABLES.get(table, ()))


def spark_schema(table: str) -> Any:
    """The Spark ``StructType`` of ``table``."""
    from pyspark.sql import types as st

    source = _table(table)
    fields = [st.StructField(c.name, _spark_type(c), nullable=True) for c in source.columns]
    fields += [st.StructField(name, st.StringType()) for name in ANALYSIS_TABLES.get(table, ())]
    return st.StructType(fields)


def _table(name: str) -> Table:
    return t.metadata.tables[name]


def _json_columns(table: str) -> frozenset[str]:
    return frozenset(c.name for c in _table(table).columns if isinstance(c.type, JSON))


_JSON = {name: _json_columns(name) for name in ANALYSIS_TABLES}
_ORDER = {name: columns(name) for name in ANALYSIS_TABLES}


def _tuple(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    json_columns = _JSON[table]
    return tuple(
        json.dumps(row[name], ensure_ascii=False) if name in json_columns else row.get(name)
        for name in _ORDER[table]
    )


def day(analysis: ArticleAnalysis) -> str | None:
    """The article's publication day (UTC), the partition it is written in."""
    published = published_at(analysis.article.published)
    return published.astimezone(dt.UTC).date().isoformat() if published else None


def result_rows(
    result: ArticleAnalysis | Failure, *, weights_hash: str
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(table, row)`` for every row of one analysis (or its failure), rows as tuples in
    the order of :func:`columns`."""
    if isinstance(result, Failure):
        yield "failures", _tuple("failures", failure_row(result, run_id=None))
        return
    date = {DATE: day(result)}
    yield "articles", _tuple(
        "articles", {**article_row(result, run_id=None, weights_hash=weights_hash), **date}
    )
    for row in unlinked_actor_rows(result):
        yield "actors", _tuple("actors", {**row, **date})
    for table, rows in analysis_rows(result, {}).items():
        if table in ANALYSIS_TABLES:
            for row in rows:
                yield table, _tuple(table, {**row, **date})


def write_tables(
    spark: Any,
    rows: Any,
    schemas: dict[str, Any],
    out: str,
    *,
    mode: str,
    partition_by: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    """Write an RDD of ``(table, row)`` pairs as one Parquet table under ``out`` per name
    of ``schemas`` (with its Spark schema; partitioned by ``partition_by[name]`` where
    given); returns the rows of each table.  ``rows`` is read once per table: persist it."""
    counts = dict(rows.map(lambda pair: pair[0]).countByValue())
    for table, schema in schemas.items():
        selected = rows.filter(lambda pair, name=table: pair[0] == name).map(lambda p: p[1])
        writer = spark.createDataFrame(selected, schema).write.mode(mode)
        if partition_by and partition_by.get(table):
            writer = writer.partitionBy(*partition_by[table])
        writer.parquet(out.rstrip("/") + "/" + table)
    return {table: int(counts.get(table, 0)) for table in schemas}


__all__ = [
    "ANALYSIS_TABLES",
    "DATE",
    "columns",
    "day",
    "result_rows",
    "spark_schema",
    "write_tables",
]
