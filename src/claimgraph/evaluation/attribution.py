"""Evaluation of the attribution stage (who said what) on PolNeAR-style JSONL data.

The scorer follows ``shared/data/attribution/README.md`` (PARC/PolNeAR/Citron style):

1. spans are compared as sets of ``\\w+`` word tokens (fragments used when present);
2. records sharing an identical cue are merged into one attribution;
3. predicted and gold attributions of a document are aligned one-to-one, greedily by
   content-token Jaccard; only pairs whose contents share a token can align;
4. per role (content, source, cue) an exact credit (identical token sets) and a soft
   overlap credit (|p∩g|/|p| for precision, |p∩g|/|g| for recall) are computed;
5. the joint rows multiply the per-role credits; no source on both sides is agreement;
6. P, R and F1 are micro-averaged over all attributions.

The headline metric is ``attribution_f1_overlap``, the content+source overlap F1.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.predict import analyze_records, failure_notes
from claimgraph.evaluation.report import EvalReport
from claimgraph.model import ArticleAnalysis, FragmentedSpan, Span, Statement

if TYPE_CHECKING:
    from claimgraph.config import Config

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")

#: Roles and joint rows in the order the report lists them.
ROWS: tuple[str, ...] = ("content", "source", "cue", "content+source", "content+source+cue")
HEADLINE = "attribution_f1_overlap"

TokenSet = frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Attribution:
    """One attribution record: optional source, cue and (possibly fragmented) content."""

    cue: FragmentedSpan
    content: FragmentedSpan
    source: FragmentedSpan | None = None
    kind: str = "indirect"


@dataclass(frozen=True)
class AttributionDoc:
    """One document of the evaluation data (or of a prediction file)."""

    id: str
    text: str
    attributions: tuple[Attribution, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Loading and writing
# ---------------------------------------------------------------------------


def _span(value: Any) -> FragmentedSpan:
    if not isinstance(value, dict):
        raise ValueError(f"expected a span object, got {type(value).__name__}")
    return FragmentedSpan.model_validate(value)


def _record(value: Any) -> Attribution:
    if not isinstance(value, dict):
        raise ValueError(f"expected an attribution object, got {type(value).__name__}")
    source = value.get("source")
    return Attribution(
        cue=_span(value.get("cue")),
        content=_span(value.get("content")),
        source=_span(source) if source is not None else None,
        kind=str(value.get("kind", "indirect")),
    )


def parse_doc(data: Any, *, check_text: bool = True) -> AttributionDoc:
    """Build an :class:`AttributionDoc` from one decoded JSON line.

    Raises ``ValueError`` when a key is missing or a span does not match the text.
    """
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    if "id" not in data:
        raise ValueError("missing key 'id'")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise ValueError("'text' is not a string")
    raw = data.get("attributions", [])
    if not isinstance(raw, list):
        raise ValueError("'attributions' is not a list")
    try:
        records = tuple(_record(item) for item in raw)
    except ValidationError as err:
        raise ValueError(f"invalid span: {err.errors()[0]['msg']}") from err
    if check_text and text:
        for record in records:
            for span in (record.cue, record.content, record.source):
                if span is not None:
                    span.check(text)
    meta = data.get("meta") or {}
    return AttributionDoc(id=str(data["id"]), text=text, attributions=records, meta=dict(meta))


def iter_docs(
    path: Path, *, fold: Fold = "all", check_text: bool = True
) -> Iterator[AttributionDoc]:
    """Yield the documents of a JSONL file that belong to ``fold``.

    Raises :class:`EvaluationError` naming the file and line of a malformed record.
    """
    for doc in read_records(path, lambda data: parse_doc(data, check_text=check_text)):
        if in_fold(doc.id, fold):
            yield doc


def load_docs(path: Path, *, fold: Fold = "all") -> list[AttributionDoc]:
    """All documents of ``path`` in ``fold``, in file order (see :func:`iter_docs`)."""
    return list(iter_docs(path, fold=fold))


def _span_json(span: FragmentedSpan | Span) -> dict[str, Any]:
    out: dict[str, Any] = {"start": span.start, "end": span.end, "text": span.text}
    fragments = getattr(span, "fragments", None)
    if fragments:
        out["fragments"] = [{"start": f.start, "end": f.end, "text": f.text} for f in fragments]
    return out


def doc_to_json(doc: AttributionDoc) -> dict[str, Any]:
    """The JSON object of one document in the dev.jsonl schema (without its text)."""
    return {
        "id": doc.id,
        "attributions": [
            {
                "source": _span_json(a.source) if a.source is not None else None,
                "cue": _span_json(a.cue),
                "content": _span_json(a.content),
                "kind": a.kind,
            }
            for a in doc.attributions
        ],
    }


def statements_to_doc(doc_id: str, text: str, statements: Sequence[Statement]) -> AttributionDoc:
    """Turn pipeline statements into an :class:`AttributionDoc` for scoring or writing."""
    records = tuple(
        Attribution(
            cue=FragmentedSpan(start=s.cue.start, end=s.cue.end, text=s.cue.text),
            content=s.content,
            source=(
                FragmentedSpan(start=s.source.start, end=s.source.end, text=s.source.text)
                if s.source is not None
                else None
            ),
            kind=s.kind.value,
        )
        for s in statements
    )
    return AttributionDoc(id=doc_id, text=text, attributions=records)


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def tokens_of(span: FragmentedSpan | Span | None) -> TokenSet:
    """The ``\\w+`` tokens of a span (its fragments when present) as character offsets."""
    if span is None:
        return frozenset()
    pieces = span.pieces() if isinstance(span, FragmentedSpan) else [span]
    return frozenset(
        (piece.start + m.start(), piece.start + m.end())
        for piece in pieces
        for m in _WORD.finditer(piece.text)
    )


@dataclass(frozen=True)
class MergedAttribution:
    cue: TokenSet
    content: TokenSet
    source: TokenSet


def merge_by_cue(records: Iterable[Attribution]) -> list[MergedAttribution]:
    """Merge records that share an identical cue (same pieces) into one attribution."""
    groups: dict[tuple[tuple[int, int], ...], list[Attribution]] = {}
    for record in records:
        key = tuple((p.start, p.end) for p in record.cue.pieces())
        groups.setdefault(key, []).append(record)
    merged: list[MergedAttribution] = []
    for key in sorted(groups):
        items = groups[key]
        merged.append(
            MergedAttribution(
                cue=tokens_of(items[0].cue),
                content=frozenset().union(*(tokens_of(r.content) for r in items)),
                source=frozenset().union(*(tokens_of(r.source) for r in items)),
            )
        )
    return merged


def align(gold: list[MergedAttribution], pred: list[MergedAttribution]) -> list[tuple[int, int]]:
    """Greedy one-to-one alignment by content Jaccard (pairs must share a token)."""
    candidates: list[tuple[float, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            inter = len(g.content & p.content)
            if inter:
                candidates.append((-inter / len(g.content | p.content), gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return pairs


def credits(gold: TokenSet, pred: TokenSet) -> tuple[float, float, float]:
    """(exact, overlap precision, overlap recall) credit of one role on one pair."""
    if not gold and not pred:
        return 1.0, 1.0, 1.0
    if not gold or not pred:
        return 0.0, 0.0, 0.0
    inter = len(gold & pred)
    return float(gold == pred), inter / len(pred), inter / len(gold)


@dataclass
class _Totals:
    n_gold: int = 0
    n_pred: int = 0
    sums: dict[str, list[float]] = field(
        default_factory=lambda: {row: [0.0, 0.0, 0.0] for row in ROWS}
    )  # row -> [exact credit, overlap precision credit, overlap recall credit]

    def add_doc(self, gold: list[MergedAttribution], pred: list[MergedAttribution]) -> None:
        self.n_gold += len(gold)
        self.n_pred += len(pred)
        for gi, pi in align(gold, pred):
            g, p = gold[gi], pred[pi]
            c = credits(g.content, p.content)
            s = credits(g.source, p.source)
            q = credits(g.cue, p.cue)
            rows = {
                "content": c,
                "source": s,
                "cue": q,
                "content+source": (c[0] * s[0], c[1] * s[1], c[2] * s[2]),
                "content+source+cue": (c[0] * s[0] * q[0], c[1] * s[1] * q[1], c[2] * s[2] * q[2]),
            }
            for row, (exact, prec, rec) in rows.items():
                acc = self.sums[row]
                acc[0] += exact
                acc[1] += prec
                acc[2] += rec

    def metrics(self) -> dict[str, float]:
        out: dict[str, float] = {"n_gold": float(self.n_gold), "n_pred": float(self.n_pred)}
        for row in ROWS:
            exact, prec_credit, rec_credit = self.sums[row]
            for name, p_credit, r_credit in (
                ("exact", exact, exact),
                ("overlap", prec_credit, rec_credit),
            ):
                p, r, f = prf(p_credit, self.n_pred, self.n_gold, recall_hits=r_credit)
                out[f"{row}_p_{name}"] = p
                out[f"{row}_r_{name}"] = r
                out[f"{row}_f1_{name}"] = f
        out[HEADLINE] = out["content+source_f1_overlap"]
        return out


def score(
    gold_docs: Iterable[AttributionDoc], pred_docs: Iterable[AttributionDoc]
) -> dict[str, float]:
    """Score predictions against gold documents (matched by id).

    Returns ``{row}_{p|r|f1}_{exact|overlap}`` for every row in :data:`ROWS`, the counts
    ``n_gold``/``n_pred`` (after cue merging) and the headline ``attribution_f1_overlap``.
    Gold documents without a prediction count as predicting nothing; predictions for
    unknown ids are ignored.
    """
    preds: dict[str, AttributionDoc] = {doc.id: doc for doc in pred_docs}
    totals = _Totals()
    for gold in gold_docs:
        pred = preds.get(gold.id)
        totals.add_doc(
            merge_by_cue(gold.attributions), merge_by_cue(pred.attributions if pred else ())
        )
    return totals.metrics()


def report_from_metrics(
    metrics: dict[str, float], n_documents: int, notes: list[str]
) -> EvalReport:
    """An :class:`EvalReport` with one table row per role and joint row."""
    table = []
    for row in ROWS:
        table.append(
            (
                row,
                *(f"{metrics[f'{row}_{m}_exact']:.3f}" for m in ("p", "r", "f1")),
                *(f"{metrics[f'{row}_{m}_overlap']:.3f}" for m in ("p", "r", "f1")),
            )
        )
    return EvalReport(
        task="attribution",
        n_documents=n_documents,
        metrics=metrics,
        headline=HEADLINE,
        table=table,
        table_header=(
            "row",
            "P_exact",
            "R_exact",
            "F1_exact",
            "P_overlap",
            "R_overlap",
            "F1_overlap",
        ),
        notes=notes,
    )


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
) -> EvalReport:
    """Predict attributions for every document of ``data`` in ``fold`` and score them.

    Predictions come from ``text`` alone through the analysis pipeline
    (:func:`~claimgraph.evaluation.predict.analyze_records`: the same parse loop as
    ``claimgraph analyze``, then the attribution stage); a document the pipeline fails
    on counts as predicting nothing.  When
    ``predictions`` is given, they are written there in the dev.jsonl schema.  ``progress``
    logs a line every 50 documents.  Raises :class:`EvaluationError` on malformed data.
    """
    from claimgraph.attribution.tagger import load_taggers
    from claimgraph.config import Config

    config = config or Config()
    gold_docs = load_docs(data, fold=fold)
    if not gold_docs:
        raise EvaluationError(f"no documents in fold {fold!r}", input=str(data))
    pred_docs: list[AttributionDoc] = []
    results = analyze_records([(g.id, g.text) for g in gold_docs], config=config,
                              stages=("attribution",))
    for i, (gold, result) in enumerate(zip(gold_docs, results, strict=True), start=1):
        statements = result.statements if isinstance(result, ArticleAnalysis) else []
        pred_docs.append(statements_to_doc(gold.id, gold.text, statements))
        if progress and i % 50 == 0:
            logger.info("attribution: %d/%d documents", i, len(gold_docs))
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for pred in pred_docs:
                out.write(json.dumps(doc_to_json(pred), ensure_ascii=False) + "\n")
    metrics = score(gold_docs, pred_docs)
    notes = [f"fold={fold}; gold={int(metrics['n_gold'])} predicted={int(metrics['n_pred'])}"]
    notes += failure_notes(results)
    notes += in_sample_note(
        "these weights",
        fold=fold,
        fitted_on=load_taggers(config.attribution.weights).fitted_on,
        refit="fit them with `python -m claimgraph.training.attribution --fold train` and set "
        "[attribution] weights = build/attribution (see docs/quality.md)",
    )
    return report_from_metrics(metrics, len(gold_docs), notes)


__all__ = [
    "HEADLINE",
    "ROWS",
    "Attribution",
    "AttributionDoc",
    "MergedAttribution",
    "align",
    "credits",
    "doc_to_json",
    "evaluate",
    "iter_docs",
    "load_docs",
    "merge_by_cue",
    "parse_doc",
    "report_from_metrics",
    "score",
    "statements_to_doc",
    "tokens_of",
]
