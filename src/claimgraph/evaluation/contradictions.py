"""Evaluation of contradiction detection between two reports of the same story.

Data: ``shared/data/contradictions/emergent_pairs_dev.jsonl`` (``id``, ``claim_id``,
``a``, ``b`` — two headlines — and ``label``: ``contradiction`` or ``compatible``).  The
story itself is not given: each pair is judged from the two reports alone, with the
explicit-contradiction rule of :mod:`claimgraph.narratives.contradictions` (exactly one
of the two reports the story as false).  Folds are by ``claim_id``; the packaged polarity
model is fitted on the train fold, so ``--fold heldout`` is an honest score.

Metric: precision, recall and F1 of ``contradiction`` (headline
``contradictions_f1``), and accuracy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.report import EvalReport

if TYPE_CHECKING:
    from claimgraph.config import Config

HEADLINE = "contradictions_f1"
LABELS = ("contradiction", "compatible")


@dataclass(frozen=True)
class ReportPair:
    """Two reports of one story and whether they contradict."""

    id: str
    a: str
    b: str
    label: str
    claim_id: str


def _parse(data: Any) -> ReportPair:
    if data["label"] not in LABELS:
        raise ValueError(f"unknown label {data['label']!r}")
    return ReportPair(
        id=str(data["id"]),
        a=str(data["a"]),
        b=str(data["b"]),
        label=str(data["label"]),
        claim_id=str(data["claim_id"]),
    )


def load_pairs(path: Path, *, fold: Fold = "all") -> list[ReportPair]:
    """The pairs of ``path`` in ``fold`` (folds by ``claim_id``)."""
    return [p for p in read_records(path, _parse) if in_fold(p.claim_id, fold)]


def predict(pairs: list[ReportPair]) -> list[tuple[str, float]]:
    """The label and contradiction score of each pair."""
    from claimgraph.narratives.contradictions import (
        denial_probability,
        load_polarity,
        pair_contradiction,
    )

    model = load_polarity()
    texts = list(dict.fromkeys(t for p in pairs for t in (p.a, p.b)))
    probability = dict(zip(texts, denial_probability(texts, model=model), strict=True))
    out = []
    for pair in pairs:
        score = pair_contradiction(float(probability[pair.a]), float(probability[pair.b]))
        out.append(("contradiction" if score >= model.threshold else "compatible", score))
    return out


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
) -> EvalReport:
    """Judge every pair of ``fold`` and score the ``contradiction`` class."""
    from claimgraph.narratives.contradictions import load_polarity

    del config, progress
    pairs = load_pairs(data, fold=fold)
    if not pairs:
        raise EvaluationError(f"no records in fold {fold!r}", input=str(data))
    predicted = predict(pairs)
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for pair, (label, score) in zip(pairs, predicted, strict=True):
                out.write(
                    json.dumps({"id": pair.id, "label": label, "score": round(score, 4)}) + "\n"
                )
    gold = [p.label == "contradiction" for p in pairs]
    pred = [label == "contradiction" for label, _ in predicted]
    hits = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    precision, recall, f1 = prf(hits, sum(pred), sum(gold))
    accuracy = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(pairs)
    model = load_polarity()
    return EvalReport(
        task="contradictions",
        n_documents=len(pairs),
        metrics={
            "precision": precision,
            "recall": recall,
            HEADLINE: f1,
            "accuracy": accuracy,
        },
        headline=HEADLINE,
        table_header=("", "P", "R", "F1", "gold", "predicted", "accuracy"),
        table=[
            (
                "contradiction",
                f"{precision:.3f}",
                f"{recall:.3f}",
                f"{f1:.3f}",
                str(sum(gold)),
                str(sum(pred)),
                f"{accuracy:.3f}",
            )
        ],
        notes=[
            f"fold={fold}; threshold={model.threshold:.2f}",
            *in_sample_note(
                "the polarity model",
                fold=fold,
                fitted_on=model.fitted_on,
                refit="fit it on the train fold (python -m claimgraph.training.polarity).",
                plural=False,
            ),
        ],
    )


__all__ = ["HEADLINE", "ReportPair", "evaluate", "load_pairs", "predict"]
