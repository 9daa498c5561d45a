"""Evaluation of stance on Emergent (claim vs headline) and FNC-1 (headline vs body).

Data: ``shared/data/stance/emergent_dev.jsonl`` (``id``, ``claim_id``, ``claim``,
``headline``, ``label`` in for/against/observing) or ``fnc1_dev.jsonl`` (``id``,
``headline``, ``body_id``, ``label`` in agree/disagree/discuss/unrelated) with its bodies
(``--bodies fnc1_dev_bodies.jsonl``: ``body_id``, ``text``).  The corpus is told from the
fields.  Predictions use the corpus's own label names.

Folds are by topic: Emergent by ``claim_id``; FNC-1 by story, the groups of headlines
and bodies joined by related (not ``unrelated``) pairs, so that no held-out headline or
body is seen in training (:func:`fnc_folds`).  The packaged model is fitted on the train
folds, so ``--fold heldout`` is an honest score.

Metrics: per-class F1, macro F1 and accuracy; for FNC-1 also the official weighted score
(+0.25 for each correct related/unrelated decision, +0.75 more for the exact related
label), relative to the best possible score, in percent.  Headlines:
``stance_macro_f1`` (Emergent) and ``stance_fnc_score`` (FNC-1).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note, is_heldout
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.report import EvalReport

if TYPE_CHECKING:
    from claimgraph.config import Config
    from claimgraph.narratives.stance import StanceModel

logger = logging.getLogger(__name__)

EMERGENT = ("for", "against", "observing")
FNC = ("agree", "disagree", "discuss", "unrelated")


@dataclass(frozen=True)
class StancePair:
    """One labelled claim/text pair; ``group`` is its topic (for folds)."""

    id: str
    claim: str
    text: str
    label: str
    group: str
    corpus: str  # "emergent" or "fnc1"
    text_key: str  # the headline or the body id (FNC-1 folds)


def _emergent(data: Any) -> StancePair:
    if data["label"] not in EMERGENT:
        raise ValueError(f"unknown Emergent label {data['label']!r}")
    return StancePair(
        id=str(data["id"]),
        claim=str(data["claim"]),
        text=str(data["headline"]),
        label=data["label"],
        group=str(data["claim_id"]),
        corpus="emergent",
        text_key=str(data.get("article_id", data["id"])),
    )


def load_fnc(path: Path, bodies: Path) -> list[StancePair]:
    """FNC-1 pairs of ``path`` with the body texts of ``bodies``; ``group`` is the story
    (see :func:`fnc_folds`)."""
    texts: dict[str, str] = {}
    for body_id, text in read_records(bodies, lambda d: (str(d["body_id"]), str(d["text"]))):
        texts[body_id] = text
    raw = list(read_records(path, lambda d: d))
    missing = sorted({str(d.get("body_id")) for d in raw} - set(texts))
    if missing:
        raise EvaluationError(
            f"{len(missing)} body ids have no text in {bodies} (e.g. {missing[0]})",
            input=str(path),
        )
    groups = fnc_folds([(str(d["headline"]), str(d["body_id"]), str(d["label"])) for d in raw])
    pairs = []
    for d in raw:
        if d["label"] not in FNC:
            raise EvaluationError(f"unknown FNC-1 label {d['label']!r}", input=str(path))
        pairs.append(
            StancePair(
                id=str(d["id"]),
                claim=str(d["headline"]),
                text=texts[str(d["body_id"])],
                label=str(d["label"]),
                group=groups[str(d["body_id"])],
                corpus="fnc1",
                text_key=str(d["headline"]),
            )
        )
    return pairs


def fnc_folds(pairs: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """The story of each body id: the connected group of headlines and bodies joined by
    related pairs (``(headline, body_id, label)``), named by its smallest body id."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for headline, body_id, label in pairs:
        find("b:" + body_id)
        if label != "unrelated":
            a, b = find("h:" + headline), find("b:" + body_id)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for node in list(parent):
        if node.startswith("b:"):
            members.setdefault(find(node), []).append(node[2:])
    return {body: min(bodies) for bodies in members.values() for body in bodies}


def split_fnc(pairs: Sequence[StancePair], fold: Fold) -> list[StancePair]:
    """FNC-1 pairs of ``fold``: held-out pairs have a held-out body; training pairs have
    a training body and no headline of a held-out story."""
    if fold == "all":
        return list(pairs)
    heldout_headlines = {p.claim for p in pairs if p.label != "unrelated" and is_heldout(p.group)}
    if fold == "heldout":
        return [p for p in pairs if is_heldout(p.group)]
    return [p for p in pairs if not is_heldout(p.group) and p.claim not in heldout_headlines]


def load_pairs(path: Path, *, bodies: Path | None = None, fold: Fold = "all") -> list[StancePair]:
    """The pairs of ``path`` in ``fold`` (FNC-1 needs ``bodies``)."""
    with Path(path).open(encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "")
    try:
        head = json.loads(first) if first else {}
    except json.JSONDecodeError:
        head = {}
    if isinstance(head, dict) and "body_id" in head:
        if bodies is None:
            raise EvaluationError(
                "FNC-1 data needs the article bodies: add --bodies fnc1_dev_bodies.jsonl",
                input=str(path),
            )
        return split_fnc(load_fnc(path, bodies), fold)
    pairs = list(read_records(path, _emergent))
    return [p for p in pairs if in_fold(p.group, fold)]


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> float:
    """The FNC-1 weighted score relative to the best possible, in percent."""
    score = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        best += 0.25 if g == "unrelated" else 1.0
        if (g == "unrelated") == (p == "unrelated"):
            score += 0.25
            if g != "unrelated" and g == p:
                score += 0.75
    return 100.0 * score / best if best else 0.0


def class_metrics(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    """Per-class F1, macro F1 and accuracy."""
    metrics: dict[str, float] = {}
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        _, _, f1 = prf(tp, sum(1 for p in pred if p == label), sum(1 for g in gold if g == label))
        metrics[f"f1_{label}"] = f1
        f1s.append(f1)
    metrics["macro_f1"] = sum(f1s) / len(f1s)
    metrics["accuracy"] = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / max(
        1, len(gold)
    )
    return metrics


def predict_pairs(pairs: Sequence[StancePair], model: StanceModel | None = None) -> list[str]:
    """The corpus-label prediction for each pair: Emergent headlines by the short-text
    model (words and cues), FNC-1 bodies by the network."""
    from claimgraph.narratives.stance import (
        EMERGENT_LABELS,
        FNC_LABELS,
        StanceEncoder,
        load_model,
        short_probabilities,
    )

    by_id: dict[str, str] = {}
    emergent = [p for p in pairs if p.corpus == "emergent"]
    back = {ours: theirs for theirs, ours in EMERGENT_LABELS.items()}
    for pair, answer in zip(
        emergent,
        short_probabilities([p.claim for p in emergent], [p.text for p in emergent]),
        strict=True,
    ):
        by_id[pair.id] = back[max(answer, key=lambda k: answer[k])]
    fnc = [p for p in pairs if p.corpus == "fnc1"]
    if fnc:
        model = model or load_model()
        features = StanceEncoder().features([p.claim for p in fnc], [p.text for p in fnc])
        probs = model.probabilities(features)
        back = {ours: theirs for theirs, ours in FNC_LABELS.items()}
        for pair, row in zip(fnc, probs, strict=True):
            by_id[pair.id] = back[model.labels[int(row.argmax())]]
    return [by_id[p.id] for p in pairs]


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
    bodies: Path | None = None,
) -> EvalReport:
    """Predict the stance of every pair of ``fold`` and score it (module docstring)."""
    from claimgraph.narratives.stance import load_model, load_short_model

    del config
    pairs = load_pairs(data, bodies=bodies, fold=fold)
    if not pairs:
        raise EvaluationError(f"no records in fold {fold!r}", input=str(data))
    model = load_model()
    short = load_short_model()
    if progress:
        logger.info("stance: %d pairs", len(pairs))
    pred = predict_pairs(pairs, model)
    gold = [p.label for p in pairs]
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for pair, label in zip(pairs, pred, strict=True):
                out.write(json.dumps({"id": pair.id, "label": label}) + "\n")
    fnc = pairs[0].corpus == "fnc1"
    labels = FNC if fnc else EMERGENT
    metrics = class_metrics(gold, pred, labels)
    headline = "stance_fnc_score" if fnc else "stance_macro_f1"
    metrics[headline] = fnc_score(gold, pred) if fnc else metrics["macro_f1"]
    table: list[tuple[str, ...]] = [
        (
            label,
            str(sum(1 for g in gold if g == label)),
            str(sum(1 for p in pred if p == label)),
            f"{metrics['f1_' + label]:.3f}",
        )
        for label in labels
    ]
    fitted_on = model.fitted_on if fnc else short.fitted_on
    notes = [
        f"fold={fold}; corpus={pairs[0].corpus}; "
        f"model={model.name if fnc else 'short-text words and cues'}; "
        f"macro F1={metrics['macro_f1']:.4f}; accuracy={metrics['accuracy']:.4f}"
    ]
    notes += in_sample_note(
        "the stance model",
        fold=fold,
        fitted_on=fitted_on,
        refit="fit it on the train fold (python -m claimgraph.training.stance).",
        plural=False,
    )
    return EvalReport(
        task="stance",
        n_documents=len(pairs),
        metrics=metrics,
        headline=headline,
        table_header=("label", "gold", "predicted", "F1"),
        table=table,
        notes=notes,
    )


__all__ = [
    "EMERGENT",
    "FNC",
    "StancePair",
    "class_metrics",
    "evaluate",
    "fnc_folds",
    "fnc_score",
    "load_pairs",
    "predict_pairs",
    "split_fnc",
]
