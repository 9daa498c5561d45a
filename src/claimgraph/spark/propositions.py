"""Claims grouped into propositions across the corpus, by blocks: the proposition step of
``spark narratives``.

Each statement's content is embedded on the executors (the packaged MiniLM,
:func:`~claimgraph.narratives.embed_claims`, loaded once per Python worker) and given an
*embedding bucket*: the signs of its vector against ``bits`` random hyperplanes (the same
seeded hyperplanes on every executor), so that claims about one thing, whose vectors are
close, mostly share a bucket.  The claims of a bucket are brought together (one shuffle)
and placed in publication order by a
:class:`~claimgraph.narratives.PropositionIndex`, exactly as the single-machine index
places them.  ``bits`` grows with the number of claims so that a bucket holds about
``block_size`` claims: each claim is compared with the propositions of its own bucket
only, and the stage stays linear in the claims.

What bucketing gives up: two near claims on opposite sides of a hyperplane land in
different buckets and so in different propositions.

Written: ``statement_propositions`` (``statement_id``, ``article_id``, ``proposition``,
``label``, ``bucket``), where ``proposition`` is ``bucket/number``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

#: Claims per bucket the number of hyperplanes aims at.
BLOCK_SIZE = 2000
_SEED = 20_250_611
_DIMENSIONS = 384
_EMBED_BATCH = 256


def bucket_bits(claims: int, block_size: int = BLOCK_SIZE) -> int:
    """Hyperplanes for ``claims`` claims: about ``block_size`` claims per bucket."""
    return max(0, math.ceil(math.log2(max(claims, 1) / block_size)))


def hyperplanes(bits: int) -> np.ndarray:
    """The ``bits`` random hyperplanes every executor uses (seeded)."""
    rng = np.random.default_rng(_SEED)
    return rng.standard_normal((bits, _DIMENSIONS)).astype(np.float32)


def buckets(vectors: np.ndarray, planes: np.ndarray) -> list[str]:
    """The bucket of each vector: its signs against ``planes``, as a bit string."""
    if not len(planes):
        return ["-"] * len(vectors)
    signs = (vectors @ planes.T) >= 0
    return ["".join("1" if s else "0" for s in row) for row in signs]


def embed_partition(
    rows: Iterable[tuple[str, str, str, str]], bits: int
) -> Iterator[tuple[str, tuple[str, str, str, str, bytes]]]:
    """``(bucket, (date, article_id, statement_id, content, vector bytes))`` for each
    ``(date, article_id, statement_id, content)`` row of a partition, embedded in
    batches."""
    from transformers.utils import logging as transformers_logging

    from claimgraph.narratives.propositions import embed_claims

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    planes = hyperplanes(bits)
    batch: list[tuple[str, str, str, str]] = []

    def flush() -> Iterator[tuple[str, tuple[str, str, str, str, bytes]]]:
        vectors = embed_claims([row[3] for row in batch], batch_size=64)
        for row, vector, bucket in zip(batch, vectors, buckets(vectors, planes), strict=True):
            yield bucket, (*row, vector.astype(np.float32).tobytes())
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= _EMBED_BATCH:
            yield from flush()
    if batch:
        yield from flush()


def group_bucket(
    bucket: str, claims: Iterable[tuple[str, str, str, str, bytes]]
) -> Iterator[tuple[str, str, str, str, str]]:
    """Place a bucket's claims in publication order (then article, statement id):
    ``(statement_id, article_id, proposition, label, bucket)`` per claim."""
    from claimgraph.narratives.propositions import PropositionIndex

    index = PropositionIndex()
    placed: list[tuple[str, str, int]] = []
    for _, article_id, statement_id, content, vector in sorted(claims, key=lambda c: c[:3]):
        number = index.add(statement_id, content, np.frombuffer(vector, dtype=np.float32))
        placed.append((statement_id, article_id, number))
    for statement_id, article_id, number in placed:
        yield statement_id, article_id, f"{bucket}/{number}", index.label(number), bucket


def run_propositions(
    spark: Any, source: str, out: str, *, partitions: int | None, mode: str
) -> int:
    """Group the statements of the ``spark analyze`` output ``source`` into propositions
    and write ``out/statement_propositions``; returns its rows."""
    from pyspark.sql import functions as f
    from pyspark.sql import types as st

    statements = spark.read.parquet(source.rstrip("/") + "/statements")
    # the partition column reads back as a date: sort keys are its ISO text
    day = f.col("date").cast("string")
    claims = statements.select(day, "article_id", "id", "content").rdd.map(
        lambda r: (r[0] or "", r[1], r[2], r[3])
    )
    bits = bucket_bits(claims.count())
    grouped = claims.mapPartitions(lambda rows: embed_partition(rows, bits)).groupByKey(
        numPartitions=partitions or spark.sparkContext.defaultParallelism
    )
    rows = grouped.flatMap(lambda pair: group_bucket(pair[0], pair[1]))
    schema = st.StructType(
        [
            st.StructField(name, st.StringType())
            for name in ("statement_id", "article_id", "proposition", "label", "bucket")
        ]
    )
    frame = spark.createDataFrame(rows, schema).cache()
    try:
        frame.write.mode(mode).parquet(out.rstrip("/") + "/statement_propositions")
        return int(frame.count())
    finally:
        frame.unpersist()


def simulate_blocks(
    claims: int,
    *,
    block_size: int = BLOCK_SIZE,
    topics_per_block: int = 40,
    dimensions: int = 384,
    seed: int = 13,
) -> dict[str, float]:
    """The proposition step's cost over ``claims`` synthetic claims in blocks of about
    ``block_size`` (each block its own topics: unit vectors around random centres), run
    block after block with :class:`~claimgraph.narratives.PropositionIndex` as each task
    runs it.  Returns the claims, blocks, seconds, claims per second and propositions;
    with blocks of bounded size the seconds grow linearly with the claims."""
    from claimgraph.narratives.propositions import PropositionIndex

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    remaining, blocks, propositions = claims, 0, 0
    while remaining > 0:
        size = min(remaining, int(rng.integers(block_size // 2, block_size * 3 // 2 + 1)))
        centres = rng.standard_normal((topics_per_block, dimensions)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        picks = rng.integers(0, topics_per_block, size)
        noise = rng.standard_normal((size, dimensions)).astype(np.float32) * 0.035
        vectors = centres[picks] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = PropositionIndex()
        for i, vector in enumerate(vectors):
            index.add(str(i), "", vector)
        propositions += len(index)
        remaining -= size
        blocks += 1
    seconds = time.perf_counter() - started
    return {
        "claims": claims,
        "blocks": blocks,
        "seconds": round(seconds, 2),
        "claims_per_s": round(claims / seconds),
        "propositions": propositions,
    }


__all__ = [
    "BLOCK_SIZE",
    "bucket_bits",
    "buckets",
    "embed_partition",
    "group_bucket",
    "hyperplanes",
    "run_propositions",
    "simulate_blocks",
]
