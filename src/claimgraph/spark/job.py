"""``spark analyze``: the per-article pipeline over an RDD of inputs, written as Parquet.

The executors run :meth:`~claimgraph.pipeline.Pipeline.analyze` in ``mapPartitions``;
the pipeline (spaCy, the CRF taggers, the cue encoder) is loaded once per executor
Python process and kept in a module-level cache, so later tasks on that process (Spark
reuses its Python workers) start at once.  The rows of every table come out of one pass
over the inputs, kept (memory and disk) while each table is written.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from claimgraph import __version__
from claimgraph.config import Config
from claimgraph.errors import ConfigError
from claimgraph.model import Article, Failure
from claimgraph.pipeline import Pipeline
from claimgraph.spark.inputs import input_items, list_inputs
from claimgraph.spark.tables import ANALYSIS_TABLES, result_rows, spark_schema, write_tables

logger = logging.getLogger(__name__)

#: The file beside the tables that says what wrote them.
MANIFEST = "_claimgraph.json"

#: Pipelines loaded in this (executor) process, by config digest and encoder thread.
_PIPELINES: dict[tuple[str, bool], Pipeline] = {}


def executor_pipeline(config: Config, *, encoder_thread: bool = False) -> Pipeline:
    """The pipeline of ``config`` in this process, loaded on first use.

    By default its cue encoder runs in the task's own thread, so that a task keeps the
    one core Spark gave it busy (``spark.task.cpus``); ``encoder_thread`` runs it beside
    the parse, as ``claimgraph analyze`` does, and then a task keeps about two busy.
    """
    key = (config.digest(), encoder_thread)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        started = time.perf_counter()
        pipeline = _PIPELINES[key] = Pipeline(config, encoder_thread=encoder_thread)
        logger.info("pipeline loaded in %.1f s", time.perf_counter() - started)
    return pipeline


def analyse_partition(
    items: Iterable[Article | Failure],
    *,
    config: Config,
    weights_hash: str,
    encoder_thread: bool = False,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(table, row)`` for every input of one partition (failures included)."""
    items = iter(items)
    first = next(items, None)
    if first is None:
        return  # an empty partition loads no model
    pipeline = executor_pipeline(config, encoder_thread=encoder_thread)
    for result in pipeline.analyze(itertools.chain([first], items)):
        yield from result_rows(result, weights_hash=weights_hash)


@dataclass
class AnalyzeReport:
    """What one ``spark analyze`` run wrote: rows per table, and where."""

    out: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def articles(self) -> int:
        return self.rows.get("articles", 0)

    @property
    def failures(self) -> int:
        return self.rows.get("failures", 0)


def run_analyze(
    spark: Any,
    inputs: Iterable[str],
    out: str,
    *,
    config: Config | None = None,
    partitions: int | None = None,
    overwrite: bool = False,
    encoder_thread: bool = False,
) -> AnalyzeReport:
    """Analyse ``inputs`` on ``spark`` and write the tables under ``out`` (a directory
    or URI): ``out/articles``, ``out/statements``... (:data:`ANALYSIS_TABLES`) and
    ``out/_claimgraph.json``.

    ``partitions`` is how many tasks share the articles (default: the cluster's default
    parallelism, and at least as many as the inputs give).  ``encoder_thread`` runs each
    task's cue encoder in a second thread (:func:`executor_pipeline`).
    """
    from pyspark import StorageLevel

    from claimgraph.pipeline import weights_hash as weights_digest

    config = config or Config()
    started = time.perf_counter()
    inputs = list(inputs)
    if not overwrite and table_exists(spark, _join(out, "articles")):
        raise ConfigError(f"{out} holds the tables of an earlier run; pass --overwrite")
    digest = weights_digest(config)
    files = list_inputs(spark, inputs)
    items = input_items(spark, files, config.ingest)
    wanted = partitions or spark.sparkContext.defaultParallelism
    if partitions or items.getNumPartitions() < wanted:
        items = items.repartition(wanted)
    rows = items.mapPartitions(
        lambda part: analyse_partition(
            part, config=config, weights_hash=digest, encoder_thread=encoder_thread
        )
    ).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = write_tables(
            spark,
            rows,
            {table: spark_schema(table) for table in ANALYSIS_TABLES},
            out,
            mode="overwrite" if overwrite else "errorifexists",
            partition_by=ANALYSIS_TABLES,
        )
    finally:
        rows.unpersist()
    report = AnalyzeReport(
        out=out,
        rows=counts,
        seconds=time.perf_counter() - started,
    )
    write_text(
        spark,
        _join(out, MANIFEST),
        json.dumps(
            {
                "claimgraph_version": __version__,
                "config_hash": config.digest(),
                "weights_hash": digest,
                "inputs": inputs,
                "rows": report.rows,
                "seconds": round(report.seconds, 1),
            },
            indent=2,
        ),
    )
    return report


def _join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


def _filesystem(spark: Any, uri: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def table_exists(spark: Any, uri: str) -> bool:
    """Whether a table (a folder) exists at ``uri``, on any Hadoop file system."""
    fs, path = _filesystem(spark, uri)
    return bool(fs.exists(path))


def write_text(spark: Any, uri: str, content: str) -> None:
    """Write a small text file at ``uri`` through Hadoop's file system (any scheme)."""
    fs, path = _filesystem(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(content.encode("utf-8")))
    finally:
        stream.close()


__all__ = [
    "MANIFEST",
    "AnalyzeReport",
    "analyse_partition",
    "executor_pipeline",
    "run_analyze",
    "table_exists",
    "write_text",
]
