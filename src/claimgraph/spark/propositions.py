"""Claims grouped into propositions across the corpus, with their stances and
contradictions, by blocks: the narrative step of ``spark narratives``.

The claims are the store's (:func:`claimgraph.narratives.build.article_claims`: every
evidence item of an article, statements and author-voice claims), read from the
``articles`` table's analyses; a speaker's entity comes from the ``actor_links`` the
entity step wrote.  Each claim is embedded on the executors (the packaged MiniLM,
:func:`~claimgraph.narratives.embed_claims`, loaded once per Python worker) and given an
*embedding bucket*: the signs of its vector against ``bits`` random hyperplanes (the same
seeded hyperplanes on every executor), so that claims about one thing, whose vectors are
close, mostly share a bucket.  The claims of a bucket are brought together (one shuffle)
and read as the store's build reads one batch (:mod:`claimgraph.narratives.build`):
placed in publication order by a :class:`~claimgraph.narratives.PropositionIndex`, given
a stance toward their proposition's label, and compared for contradictions (opposite
stances in a proposition; conflicting values of claims that share an event signal).
``bits`` grows with the number of claims so that a bucket holds about ``block_size``
claims: each claim is compared with the claims of its own bucket only, and the stage
stays linear in the claims.

What bucketing gives up: two near claims on opposite sides of a hyperplane land in
different buckets, and so in different propositions, and are never compared.  The
contradictions within one article are the analysis's own (``articles.analysis``).

Written: ``propositions`` (``id`` as ``bucket/number``, ``label``, ``size``, first and
last seen), ``narrative_claims`` (the claim, its span, speaker, proposition and stance)
and ``contradictions`` (the store's columns).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from claimgraph.spark.tables import columns, write_tables

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


#: One claim on its way through the job: (order key, text to embed, claim JSON, speaker
#: entity id), where the order key is "published ISO|article id|position" and the claim
#: JSON holds the store's claim row fields
#: (:func:`claimgraph.narratives.build.article_claims`) and the claim's speech ``act``.
ClaimItem = tuple[str, str, str, str | None]
#: The key a claim meets its speaker's entity by: (article id, speaker actor id or "").
SpeakerKey = tuple[str, str]


def article_claim_items(
    analysis_json: str, site: str | None
) -> list[tuple[SpeakerKey, tuple[str, str, str]]]:
    """The claims of one article of the ``articles`` table, as the store reads them:
    ``(speaker key, (order key, text to embed, claim JSON))`` each."""
    from claimgraph.model import ArticleAnalysis
    from claimgraph.narratives.build import article_claims
    from claimgraph.store.rows import published_at

    analysis = ArticleAnalysis.model_validate_json(analysis_json)
    published = published_at(analysis.article.published)
    speakers = {s.id: s.speaker.actor_id for s in analysis.statements if s.speaker is not None}
    row = {"published": published, "site": site}
    when = published.isoformat() if published else None
    items = []
    for position, claim in enumerate(article_claims(row, {}, analysis)):
        fields = {**claim.row, "published": when, "act": claim.act}
        speaker = speakers.get(claim.row["statement_id"] or "") or ""
        order = f"{when or ''}|{analysis.article.id}|{position:06d}"
        claim_json = json.dumps(fields, ensure_ascii=False)
        items.append(((analysis.article.id, speaker), (order, claim.embed_text, claim_json)))
    return items


def embed_partition(
    items: Iterable[ClaimItem], bits: int
) -> Iterator[tuple[str, tuple[str, str, str, str | None, bytes]]]:
    """``(bucket, (*item, vector bytes))`` for each claim of a partition, embedded in
    batches."""
    from transformers.utils import logging as transformers_logging

    from claimgraph.narratives.propositions import embed_claims

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    planes = hyperplanes(bits)
    batch: list[ClaimItem] = []

    def flush() -> Iterator[tuple[str, tuple[str, str, str, str | None, bytes]]]:
        vectors = embed_claims([item[1] for item in batch])
        for item, vector, bucket in zip(batch, vectors, buckets(vectors, planes), strict=True):
            yield bucket, (*item, vector.astype(np.float32).tobytes())
        batch.clear()

    for item in items:
        batch.append(item)
        if len(batch) >= _EMBED_BATCH:
            yield from flush()
    if batch:
        yield from flush()


def group_bucket(
    bucket: str, claims: Iterable[tuple[str, str, str, str | None, bytes]]
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """A bucket's claims placed in publication order (then article, position) into
    propositions, with their stances and contradictions, exactly as the store's build
    reads one batch (:mod:`claimgraph.narratives.build`): ``(table, row)`` for the
    ``propositions``, ``narrative_claims`` and ``contradictions`` tables."""
    import datetime as dt

    from claimgraph.narratives.build import NewClaim, assign_stances, contradictions_among
    from claimgraph.narratives.contradictions import claim_values
    from claimgraph.narratives.propositions import PropositionIndex

    index = PropositionIndex()
    placed: list[NewClaim] = []
    for _, embed_text, claim_json, entity_id, vector in sorted(claims, key=lambda c: c[0]):
        row = json.loads(claim_json)
        act = row.pop("act")
        published = dt.datetime.fromisoformat(row["published"]) if row["published"] else None
        row.update(published=published, speaker_entity_id=entity_id)
        claim = NewClaim(
            row=row,
            embed_text=embed_text,
            act=act,
            values=claim_values(row["text"]),
            vector=np.frombuffer(vector, dtype=np.float32),
        )
        row["proposition_id"] = index.add(
            row["claim_id"], row["text"], claim.vector, when=published, article=row["article_id"]
        )
        placed.append(claim)
    assign_stances(index, placed)
    for claim in placed:  # proposition ids of the whole corpus: bucket/number
        claim.row["proposition_id"] = f"{bucket}/{claim.row['proposition_id']}"
    for number, proposition in enumerate(index.propositions):
        yield (
            "propositions",
            (
                f"{bucket}/{number}",
                bucket,
                proposition.label,
                proposition.label_key,
                proposition.size,
                proposition.first_seen,
                proposition.last_seen,
            ),
        )
    for claim in placed:
        row = claim.row
        yield (
            "narrative_claims",
            (
                row["claim_id"],
                row["article_id"],
                row["statement_id"],
                row["speaker"],
                row["speaker_entity_id"],
                row["text"],
                row["start"],
                row["end"],
                row["proposition_id"],
                row["stance"],
                float(row["stance_score"]),
                json.dumps(row["signals"]),
                bucket,
            ),
        )
    for found in contradictions_among([c.row for c in placed]):
        yield "contradictions", tuple(found[name] for name in CONTRADICTION_COLUMNS)


#: Columns of the ``contradictions`` table (the store's; ``proposition_id`` is text here,
#: ``bucket/number``).
CONTRADICTION_COLUMNS = tuple(columns("contradictions"))


def _schemas() -> dict[str, Any]:
    from pyspark.sql import types as st

    def fields(*spec: tuple[str, Any]) -> Any:
        return st.StructType([st.StructField(name, kind) for name, kind in spec])

    text, number, real = st.StringType(), st.LongType(), st.DoubleType()
    return {
        "propositions": fields(
            ("id", text),
            ("bucket", text),
            ("label", text),
            ("label_claim_id", text),
            ("size", number),
            ("first_seen", st.TimestampType()),
            ("last_seen", st.TimestampType()),
        ),
        "narrative_claims": fields(
            ("claim_id", text),
            ("article_id", text),
            ("statement_id", text),
            ("speaker", text),
            ("speaker_entity_id", text),
            ("text", text),
            ("start", number),
            ("end", number),
            ("proposition_id", text),
            ("stance", text),
            ("stance_score", real),
            ("signals", text),
            ("bucket", text),
        ),
        "contradictions": fields(
            *[(name, real if name == "score" else text) for name in CONTRADICTION_COLUMNS]
        ),
    }


def run_propositions(
    spark: Any, source: str, out: str, *, partitions: int | None, mode: str
) -> dict[str, int]:
    """Group the claims of the ``spark analyze`` output ``source`` into propositions,
    with stances and contradictions, and write ``out/propositions``,
    ``out/narrative_claims`` and ``out/contradictions``; returns the rows of each.  The
    speakers' entities come from ``out/actor_links`` (written before by
    :func:`~claimgraph.spark.narratives.run_narratives`)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as f

    articles = spark.read.parquet(source.rstrip("/") + "/articles").select("analysis", "site")
    items = articles.rdd.flatMap(lambda r: article_claim_items(r[0], r[1]))
    links = spark.read.parquet(out.rstrip("/") + "/actor_links").select(
        "article_id", f.col("actor_id").alias("speaker_actor_id"), "entity_id"
    )
    link_of = links.rdd.map(lambda r: ((r[0], r[1]), r[2]))

    claims = (
        items.leftOuterJoin(link_of)
        .map(lambda pair: (*pair[1][0], pair[1][1]))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        bits = bucket_bits(claims.count())
        grouped = claims.mapPartitions(lambda part: embed_partition(part, bits)).groupByKey(
            numPartitions=partitions or spark.sparkContext.defaultParallelism
        )
        rows = grouped.flatMap(lambda pair: group_bucket(pair[0], pair[1])).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        try:
            return write_tables(spark, rows, _schemas(), out, mode=mode)
        finally:
            rows.unpersist()
    finally:
        claims.unpersist()


#: Claim texts of the simulation: one event told with other places, counts and stances.
_SIMULATED = (
    "the minister said {n} people were moved to {place} after the attack",
    "officials denied that {n} people were moved to {place}",
    "the attackers tried to flee to {place}, police said",
    "{place} rejected the accusations as lies",
    "reports say {n} people died in the attack near {place}",
)
_PLACES = ("Ukraine", "Belarus", "Poland", "Moscow", "Kyiv", "Minsk")


def simulate_blocks(
    claims: int,
    *,
    block_size: int = BLOCK_SIZE,
    topics_per_block: int = 40,
    dimensions: int = 384,
    seed: int = 13,
    narratives: bool = True,
) -> dict[str, float]:
    """The narrative step's cost over ``claims`` synthetic claims in blocks of about
    ``block_size`` (each block its own topics: unit vectors around random centres), run
    block after block as each task runs it: a
    :class:`~claimgraph.narratives.PropositionIndex` places the block's claims and, with
    ``narratives``, the stance model and the contradiction search read them (texts built
    from a few templates with places and counts, so that claims share event signals).
    Returns the claims, blocks, seconds, claims per second, propositions and
    contradictions; with blocks of bounded size the seconds grow linearly with the
    claims."""
    from claimgraph.narratives.build import NewClaim, assign_stances, contradictions_among
    from claimgraph.narratives.contradictions import claim_values
    from claimgraph.narratives.propositions import PropositionIndex

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    remaining, blocks, propositions, contradictions = claims, 0, 0, 0
    while remaining > 0:
        size = min(remaining, int(rng.integers(block_size // 2, block_size * 3 // 2 + 1)))
        centres = rng.standard_normal((topics_per_block, dimensions)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        picks = rng.integers(0, topics_per_block, size)
        noise = rng.standard_normal((size, dimensions)).astype(np.float32) * 0.035
        vectors = centres[picks] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = PropositionIndex()
        placed: list[NewClaim] = []
        for i, vector in enumerate(vectors):
            text = ""
            if narratives:
                template = _SIMULATED[int(picks[i]) % len(_SIMULATED)]
                place = _PLACES[int(rng.integers(0, len(_PLACES)))]
                text = template.format(n=int(rng.integers(130, 140)), place=place)
            number = index.add(f"{blocks}:{i}", text, vector)
            if narratives:
                values = claim_values(text)
                signals = ["movement"] if values.movement else []
                signals += [f"number:{noun}" for noun in values.numbers]
                row = {
                    "claim_id": f"{blocks}:{i}",
                    "article_id": f"a{blocks}:{i // 20}",
                    "speaker": f"s{int(rng.integers(0, 50))}",
                    "speaker_entity_id": None,
                    "site": None,
                    "text": text,
                    "signals": signals,
                    "proposition_id": number,
                }
                placed.append(NewClaim(row, text, None, values, vector))
        if narratives:
            assign_stances(index, placed)
            contradictions += len(contradictions_among([c.row for c in placed]))
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
        "contradictions": contradictions,
    }


__all__ = [
    "BLOCK_SIZE",
    "CONTRADICTION_COLUMNS",
    "article_claim_items",
    "bucket_bits",
    "buckets",
    "embed_partition",
    "group_bucket",
    "hyperplanes",
    "run_propositions",
    "simulate_blocks",
]
