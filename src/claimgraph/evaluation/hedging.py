"""Evaluation of hedging on MEANTIME-style JSONL data: the certainty reading that the
evidence stage uses, scored on event mentions.

Each line of the data is one event mention: ``id``, ``doc``, ``sentence_index``,
``text`` (the sentence), ``event_char_start``/``event_char_end`` and the gold ``label``
(``certain``/``uncertain``), plus MEANTIME's ``certainty``, ``polarity`` and ``time``.
Every distinct sentence is parsed once (batched); each event is scored from its
sentence alone.  Folds are keyed by ``doc`` so an article never straddles folds.

Each event gets :func:`claimgraph.evidence.certainty.read`, the reading that marks a
claim ``hedged`` in ``claimgraph analyze``.  The headline metric ``hedging_f1`` is the
F1 of ``uncertain``, which is the reading ``hedged`` or ``irrealis`` (MEANTIME's notion:
future and intended events are not certain either).  The ``hedged`` part alone, what
``analyze`` reports, is scored on the same mentions as ``hedged_uncertain_p/_r/_f1``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.report import EvalReport

if TYPE_CHECKING:
    from claimgraph.config import Config
    from claimgraph.evidence.certainty import CertaintyModel
    from claimgraph.model import Span

logger = logging.getLogger(__name__)

HEADLINE = "hedging_f1"
LABELS: tuple[str, ...] = ("certain", "uncertain")


@dataclass(frozen=True)
class EventMention:
    """One annotated event mention and its sentence."""

    id: str
    doc: str
    sentence_index: int
    text: str
    start: int
    end: int
    label: str
    certainty: str | None = None
    polarity: str | None = None

    @property
    def sentence_key(self) -> tuple[str, int, str]:
        return (self.doc, self.sentence_index, self.text)


def _parse_row(data: object) -> EventMention:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    for key in ("id", "text", "event_char_start", "event_char_end"):
        if key not in data:
            raise ValueError(f"missing key {key!r}")
    text = str(data["text"])
    start, end = int(data["event_char_start"]), int(data["event_char_end"])
    if not 0 <= start < end <= len(text):
        raise ValueError(f"event span {start}:{end} outside a text of {len(text)} characters")
    label = str(data.get("label", "certain"))
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}; expected one of {LABELS}")
    return EventMention(
        id=str(data["id"]),
        doc=str(data.get("doc", data["id"])),
        sentence_index=int(data.get("sentence_index", 0)),
        text=text,
        start=start,
        end=end,
        label=label,
        certainty=data.get("certainty"),
        polarity=data.get("polarity"),
    )


def iter_mentions(path: Path, *, fold: Fold = "all") -> Iterator[EventMention]:
    """Yield the event mentions of ``path`` whose ``doc`` is in ``fold``.

    Raises :class:`EvaluationError` naming the file and line of a malformed record.
    """
    for mention in read_records(path, _parse_row):
        if in_fold(mention.doc, fold):
            yield mention


def _read_mentions(
    mentions: list[EventMention], *, config: Config | None, progress: bool
) -> tuple[list[dict[str, float]], list[list[Span]]]:
    """Each mention's certainty-model features and its claim hedges
    (:func:`~claimgraph.evidence.certainty.find_hedges`, as ``config`` says), the two halves of
    :func:`~claimgraph.evidence.certainty.read`; each distinct sentence is parsed once, by
    the analysis pipeline's parse loop."""
    from claimgraph.config import Config
    from claimgraph.evidence.certainty import find_hedges, hedge_reader, reading_features
    from claimgraph.model import Article, Failure
    from claimgraph.pipeline import Pipeline

    config = config or Config()
    pipeline = Pipeline(config, stages=())  # the analysis parse, no stages
    hedges_by = hedge_reader(config)
    by_sentence: dict[tuple[str, int, str], list[int]] = {}
    for i, mention in enumerate(mentions):
        by_sentence.setdefault(mention.sentence_key, []).append(i)
    keys = list(by_sentence)
    feats: list[dict[str, float]] = [{"bias": 1.0} for _ in mentions]
    hedges: list[list[Span]] = [[] for _ in mentions]
    sentences = [
        Article(id=Article.make_id(text), text=text, source_name=f"{doc}#{index}")
        for doc, index, text in keys
    ]
    for n, (key, parsed) in enumerate(zip(keys, pipeline.parse(sentences), strict=True), start=1):
        if isinstance(parsed, Failure):
            logger.warning("%s: [%s] %s", parsed.input, parsed.code, parsed.message)
            continue
        doc = parsed[0]
        for i in by_sentence[key]:
            start, end = mentions[i].start, mentions[i].end
            hedges[i] = find_hedges(doc, start, end, text=key[2], hedges_by=hedges_by)
            feats[i] = reading_features(doc, start, end, hedges[i])
        if progress and n % 100 == 0:
            logger.info("hedging: %d/%d sentences", n, len(keys))
    return feats, hedges


def mention_features(
    mentions: list[EventMention], *, config: Config | None = None, progress: bool = False
) -> tuple[list[dict[str, float]], list[bool]]:
    """Certainty-model features of every mention and whether a claim hedge governs it;
    each distinct sentence is parsed once."""
    feats, hedges = _read_mentions(mentions, config=config, progress=progress)
    return feats, [bool(h) for h in hedges]


def score(gold: list[str], pred: list[str]) -> dict[str, float]:
    """Per-class P/R/F1 (``{label}_p`` ...), accuracy and the headline ``hedging_f1``."""
    metrics: dict[str, float] = {"n": float(len(gold))}
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        n_pred = sum(p == label for p in pred)
        n_gold = sum(g == label for g in gold)
        p, r, f = prf(tp, n_pred, n_gold)
        metrics[f"{label}_p"] = p
        metrics[f"{label}_r"] = r
        metrics[f"{label}_f1"] = f
        metrics[f"{label}_support"] = float(n_gold)
    metrics["accuracy"] = (
        sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    )
    metrics[HEADLINE] = metrics["uncertain_f1"]
    return metrics


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
    model: CertaintyModel | None = None,
) -> EvalReport:
    """Read the certainty of every event mention of ``data`` in ``fold`` and score
    ``uncertain`` (the reading ``hedged`` or ``irrealis``).

    Uses the packaged model unless ``model`` is given.  When ``predictions`` is given,
    one JSON line per mention (``id``, ``label``, ``reading``, ``uncertainty``,
    ``hedges``) is written there.
    Raises :class:`EvaluationError` on malformed data or an empty fold.
    """
    from claimgraph.config import Config
    from claimgraph.evidence.certainty import CertaintyReading, load_model

    config = config or Config()
    model = model or load_model(config.hedging.weights)
    mentions = list(iter_mentions(data, fold=fold))
    if not mentions:
        raise EvaluationError(f"no event mentions in fold {fold!r}", input=str(data))
    feats, hedges = _read_mentions(mentions, config=config, progress=progress)
    readings = [CertaintyReading(hedges=h, probability=model.probability(f),
                                 threshold=model.threshold)
                for f, h in zip(feats, hedges, strict=True)]
    pred = ["uncertain" if r.uncertain else "certain" for r in readings]
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for mention, reading in zip(mentions, readings, strict=True):
                row = {"id": mention.id, "label": "uncertain" if reading.uncertain else "certain",
                       "reading": reading.label, "uncertainty": round(reading.probability, 4),
                       "hedges": [h.text for h in reading.hedges]}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    gold = [m.label for m in mentions]
    metrics = score(gold, pred)
    hedged = score(gold, ["uncertain" if r.label == "hedged" else "certain" for r in readings])
    metrics.update({f"hedged_{k}": v for k, v in hedged.items() if k.startswith("uncertain_")})
    table: list[tuple[str, ...]] = [
        (label, f"{metrics[f'{label}_p']:.3f}", f"{metrics[f'{label}_r']:.3f}",
         f"{metrics[f'{label}_f1']:.3f}", str(int(metrics[f"{label}_support"])))
        for label in LABELS
    ]
    n_docs = len({m.doc for m in mentions})
    counts = {label: sum(r.label == label for r in readings)
              for label in ("hedged", "irrealis", "certain")}
    notes = [
        f"fold={fold}; mentions={len(mentions)}; model={model.name}; "
        f"threshold={model.threshold:.3f}; accuracy={metrics['accuracy']:.3f}",
        "readings (claimgraph.evidence.certainty.read, as in analyze): "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + "; uncertain = hedged or irrealis",
        "the hedged reading alone (the evidence status hedged of analyze) as a classifier "
        f"of uncertain events: P {hedged['uncertain_p']:.3f} R {hedged['uncertain_r']:.3f} "
        f"F1 {hedged['uncertain_f1']:.3f}",
    ]
    notes += in_sample_note(
        "this model",
        fold=fold,
        fitted_on=model.fitted_on,
        plural=False,
        refit="fit one with `python -m claimgraph.training.hedging --fold train` and set "
        "[hedging] weights = build/hedging.json (see docs/quality.md)",
    )
    return EvalReport(
        task="hedging",
        n_documents=n_docs,
        metrics=metrics,
        headline=HEADLINE,
        table=table,
        table_header=("label", "P", "R", "F1", "support"),
        notes=notes,
    )


__all__ = ["HEADLINE", "LABELS", "EventMention", "evaluate", "iter_mentions", "mention_features",
           "score"]
