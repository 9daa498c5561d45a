"""Evaluation of the machine-generated text detector on XSum-MGT data.

Data: ``shared/data/credibility/xsum_mgt_dev.jsonl`` (``id``, ``text``, ``label``
human|machine, ``generator``, ``pair_generator``, ``group``). Folds are drawn on the
``group`` key (the source article), so an article's human and machine texts always fall
on the same side; the packaged detector is fitted on the ``train`` fold only (its
weights record it), so only ``--fold heldout`` is an honest score.

The headline metric is ``credibility_auc``: AUROC with machine as the positive class.
Also reported: accuracy, per-class P/R/F1 and macro-F1 at threshold 0.5, and the AUROC
of each generator against its paired human texts.

Refit the detector with ``python -m claimgraph.training.machine_text``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import auroc, prf
from claimgraph.evaluation.report import EvalReport

if TYPE_CHECKING:
    from claimgraph.config import Config

logger = logging.getLogger(__name__)

HEADLINE = "credibility_auc"
LABELS = ("human", "machine")


@dataclass(frozen=True)
class MgtRecord:
    """One labelled text."""

    id: str
    text: str
    label: str
    generator: str
    pair_generator: str
    group: str


def _parse_record(data: Any) -> MgtRecord:
    record = MgtRecord(
        id=str(data["id"]),
        text=str(data["text"]),
        label=str(data["label"]),
        generator=str(data.get("generator", data["label"])),
        pair_generator=str(data.get("pair_generator", "unknown")),
        group=str(data.get("group", data["id"])),
    )
    if record.label not in LABELS:
        raise ValueError(f"label {record.label!r} is not one of {LABELS}")
    return record


def load_records(path: Path, *, fold: Fold = "all") -> list[MgtRecord]:
    """Records of ``path`` whose ``group`` is in ``fold``, in file order.

    Raises :class:`EvaluationError` naming the file and line of a malformed record.
    """
    return [r for r in read_records(path, _parse_record) if in_fold(r.group, fold)]


def score_predictions(
    records: Sequence[MgtRecord], scores: Sequence[float], *, threshold: float = 0.5
) -> dict[str, float]:
    """Metrics of ``scores`` (higher = machine) against the records' labels."""
    y = np.array([r.label == "machine" for r in records], dtype=int)
    s = np.asarray(scores, dtype=float)
    pred = (s >= threshold).astype(int)
    metrics: dict[str, float] = {HEADLINE: auroc(y, s), "accuracy": float((pred == y).mean())}
    f1s = []
    for value, name in ((0, "human"), (1, "machine")):
        tp = int(((pred == value) & (y == value)).sum())
        p, r, f = prf(tp, int((pred == value).sum()), int((y == value).sum()))
        metrics.update({f"{name}_p": p, f"{name}_r": r, f"{name}_f1": f})
        f1s.append(f)
    metrics["macro_f1"] = float(np.mean(f1s))
    for generator in sorted({r.pair_generator for r in records}):
        idx = [i for i, r in enumerate(records) if r.pair_generator == generator]
        metrics[f"auc_{generator}"] = auroc(y[idx], s[idx])
    return metrics


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
) -> EvalReport:
    """Score every record of ``data`` in ``fold`` with the packaged detector.

    Uses the MiniLM variant when ``config.credibility.machine_text_embeddings`` is set, the
    SmolLM2 variant when ``machine_text_lm`` is.
    Writes ``id``, ``label`` and ``score`` per record to ``predictions`` when given.
    Raises :class:`EvaluationError` on malformed or empty data.
    """
    from claimgraph.credibility.machine_text import load_detector, score_texts

    records = load_records(data, fold=fold)
    if not records:
        raise EvaluationError(f"no records in fold {fold!r}", input=str(data))
    section = getattr(config, "credibility", None)
    embeddings = bool(getattr(section, "machine_text_embeddings", False))
    causal_lm = bool(getattr(section, "machine_text_lm", False))
    scores: list[float] = []
    for start in range(0, len(records), 64):
        batch = records[start : start + 64]
        scores.extend(
            score_texts([r.text for r in batch], embeddings=embeddings, causal_lm=causal_lm)
        )
        if progress:
            logger.info("machine text: %d/%d texts", len(scores), len(records))
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for record, value in zip(records, scores, strict=True):
                row = {"id": record.id, "label": record.label, "score": value}
                out.write(json.dumps(row) + "\n")
    metrics = score_predictions(records, scores)
    table: list[tuple[str, ...]] = [
        (
            name,
            f"{metrics[f'{name}_p']:.3f}",
            f"{metrics[f'{name}_r']:.3f}",
            f"{metrics[f'{name}_f1']:.3f}",
            f"{metrics[HEADLINE]:.3f}" if name == "machine" else "",
        )
        for name in LABELS
    ]
    table += [
        (f"vs {key.removeprefix('auc_')}", "", "", "", f"{value:.3f}")
        for key, value in metrics.items()
        if key.startswith("auc_")
    ]
    detector = load_detector(embeddings=embeddings, causal_lm=causal_lm)
    notes = [
        f"fold={fold} (by group); detector={detector.name} embeddings={embeddings} "
        f"language_model={detector.uses_causal_lm}; "
        f"accuracy={metrics['accuracy']:.3f} macro_f1={metrics['macro_f1']:.3f}",
        "weights: grouped 5-fold CV AUROC on train {:.3f}, held-out AUROC {:.3f}".format(
            dict(detector.metrics).get("cv_auc", float("nan")),
            dict(detector.metrics).get("heldout_auc", float("nan")),
        ),
        *in_sample_note(
            "the detector's weights",
            fold=fold,
            fitted_on=detector.fitted_on,
            refit="score --fold heldout (the shipped detector is fitted on the train fold), "
            "or refit with `python -m claimgraph.training.machine_text`",
        ),
    ]
    return EvalReport(
        task="machine_text",
        n_documents=len(records),
        metrics=metrics,
        headline=HEADLINE,
        table=table,
        table_header=("class/generator", "P", "R", "F1", "AUROC"),
        notes=notes,
    )


__all__ = [
    "HEADLINE",
    "MgtRecord",
    "evaluate",
    "load_records",
    "score_predictions",
]
