"""Evaluation of speech-act / event coding on the CAMEO/PLOVER sentence set.

The scorer follows ``shared/data/events/README.md``:

1. a prediction's coarse class is taken from ``coarse``, else ``code`` (CAMEO), else
   ``plover``;
2. class scores are per (sentence, coarse class): a class is predicted for a sentence
   when any predicted event has it; P/R/F1 per class, and a micro average over the
   verbal classes (all but OTHER);
3. the headline ``event_macro_f1`` is the macro F1 over the verbal classes that have
   gold support;
4. actor accuracy pairs gold and predicted events of the same class in the same
   sentence, greedily by best actor agreement.  Exact: the normalised prediction equals
   the gold code or the gold text.  Lenient: also the first three letters of a CAMEO
   code, or one text contained in the other.  A prediction may carry ``source_text`` /
   ``target_text`` beside a code; a match on either counts.  Roles the gold left empty
   are not scored;
5. also reported: a multiset event-level micro F1 (events counted per class) and the
   event macro F1 per origin.

Negated acts, acts reported inside a denial or an accusation, and plain reports
(``said``) that embed a more specific act are not written as events: CAMEO codes the
most specific act of a sentence, not the report around it.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.predict import analyze_records
from claimgraph.evaluation.report import EvalReport
from claimgraph.model import ArticleAnalysis, SpeechActClass
from claimgraph.speech_acts.learned import codable_acts

if TYPE_CHECKING:
    from claimgraph.config import Config

logger = logging.getLogger(__name__)

HEADLINE = "event_macro_f1"
#: The ten verbal classes, in the order the report lists them.
VERBAL_CLASSES: tuple[str, ...] = tuple(
    c.value for c in SpeechActClass if c is not SpeechActClass.OTHER
)
ALL_CLASSES: tuple[str, ...] = (*VERBAL_CLASSES, SpeechActClass.OTHER.value)
#: PLOVER category -> coarse class, for predictions that carry PLOVER only.
PLOVER_TO_COARSE: dict[str, str] = {
    "AGREE": "INTEND",
    "CONSULT": "CONSULT",
    "SUPPORT": "COOPERATE_PRAISE",
    "REQUEST": "APPEAL_REQUEST",
    "DEMAND": "APPEAL_REQUEST",
    "ACCUSE": "ACCUSE_CRITICIZE",
    "DISAPPROVE": "ACCUSE_CRITICIZE",
    "REJECT": "REJECT_DENY",
    "THREATEN": "THREATEN",
    "PROTEST": "PROTEST",
}
_CODE = re.compile(r"^[A-Z*\-]{3,}[A-Za-z*\-]*$")


# ---------------------------------------------------------------------------
# Reading and writing
# ---------------------------------------------------------------------------


def load_records(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file of ``{"id", "events", ...}`` records.

    Raises :class:`EvaluationError` naming the file and line when a record is malformed.
    """
    return list(read_records(path, _check_record))


def _check_record(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict) or "id" not in record:
        raise ValueError("a record needs an 'id'")
    events = record.get("events", [])
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ValueError("'events' must be a list of objects")
    return record


def event_class(event: dict[str, Any]) -> str | None:
    """The coarse class of one event: from ``coarse``, else ``code``, else ``plover``."""
    from claimgraph.speech_acts import cameo_class

    coarse = event.get("coarse")
    if coarse:
        return str(coarse)
    code = event.get("code")
    if code:
        cls = cameo_class(str(code))
        if cls is not None:
            return cls.value
    plover = event.get("plover")
    if plover:
        return PLOVER_TO_COARSE.get(str(plover).upper(), SpeechActClass.OTHER.value)
    return None


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def _norm(value: Any) -> str:
    text = re.sub(r"\s+", " ", str(value or "")).strip().strip(".,;:'\"`()").strip()
    text = re.sub(r"^(the|a|an) ", "", text, flags=re.IGNORECASE)
    text = re.sub(r"'s$", "", text)
    return text


def _is_code(value: str) -> bool:
    return bool(_CODE.match(value))


def _role_match(gold: dict[str, Any], pred: dict[str, Any], role: str) -> tuple[bool, bool] | None:
    """(exact, lenient) agreement on ``role``; ``None`` when the gold role is empty."""
    g_code = _norm(gold.get(role))
    g_text = _norm(gold.get(f"{role}_text"))
    if not g_code and not g_text:
        return None
    preds = [p for p in (_norm(pred.get(role)), _norm(pred.get(f"{role}_text"))) if p]
    exact = lenient = False
    for p in preds:
        pl = p.lower()
        golds = [g for g in (g_code, g_text) if g]
        if any(pl == g.lower() for g in golds):
            exact = lenient = True
            break
        if g_code and _is_code(g_code) and _is_code(p) and p[:3] == g_code[:3]:
            lenient = True
        texts = [g.lower() for g in golds if not _is_code(g)]
        if any(pl in g or g in pl for g in texts):
            lenient = True
    return exact, lenient


def _agreement(gold: dict[str, Any], pred: dict[str, Any]) -> int:
    score = 0
    for role in ("source", "target"):
        match = _role_match(gold, pred, role)
        if match is not None:
            score += 2 * match[0] + match[1]
    return score


def _by_id(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {str(r["id"]): list(r.get("events", [])) for r in records}


def score(gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Score predicted against gold records (``{"id", "events"}``) as the README says.

    Records of ``pred`` whose id is not in ``gold`` are ignored; gold records missing
    from ``pred`` count as predicting nothing.  Keys: ``<CLASS>_p/_r/_f1/_support``,
    ``verbal_micro_p/_r/_f1``, ``event_macro_f1``, ``event_micro_f1`` (multiset),
    ``source_exact/_lenient``, ``target_exact/_lenient`` (with ``*_pairs`` counts) and
    ``event_macro_f1_<origin>``.
    """
    predicted = _by_id(pred)
    counts = {c: [0, 0, 0] for c in ALL_CLASSES}  # tp, fp, fn
    support: Counter[str] = Counter()
    multiset = [0, 0, 0]
    roles = {f"{r}_{k}": 0 for r in ("source", "target") for k in ("exact", "lenient", "pairs")}
    by_origin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in gold:
        by_origin[str(record.get("origin", ""))].append(record)
        g_events = [e for e in record.get("events", []) if event_class(e)]
        p_events = [e for e in predicted.get(str(record["id"]), []) if event_class(e)]
        g_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
        p_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in g_events:
            g_by[str(event_class(e))].append(e)
        for e in p_events:
            p_by[str(event_class(e))].append(e)
        for cls in set(g_by) | set(p_by):
            if cls not in counts:
                counts[cls] = [0, 0, 0]
            g_has, p_has = bool(g_by.get(cls)), bool(p_by.get(cls))
            support[cls] += g_has
            counts[cls][0] += g_has and p_has
            counts[cls][1] += p_has and not g_has
            counts[cls][2] += g_has and not p_has
            n_g, n_p = len(g_by.get(cls, [])), len(p_by.get(cls, []))
            multiset[0] += min(n_g, n_p)
            multiset[1] += max(0, n_p - n_g)
            multiset[2] += max(0, n_g - n_p)
            _pair_actors(g_by.get(cls, []), p_by.get(cls, []), roles)
    metrics: dict[str, float] = {}
    for cls, (tp, fp, fn) in counts.items():
        p, r, f = prf(tp, tp + fp, tp + fn)
        metrics.update(
            {f"{cls}_p": p, f"{cls}_r": r, f"{cls}_f1": f, f"{cls}_support": float(support[cls])}
        )
    verbal = [counts[c] for c in VERBAL_CLASSES]
    tp, fp, fn = (sum(c[k] for c in verbal) for k in range(3))
    vp, vr, vf = prf(tp, tp + fp, tp + fn)
    metrics.update({"verbal_micro_p": vp, "verbal_micro_r": vr, "verbal_micro_f1": vf})
    supported = [metrics[f"{c}_f1"] for c in VERBAL_CLASSES if support[c]]
    metrics[HEADLINE] = sum(supported) / len(supported) if supported else 0.0
    tp, fp, fn = multiset
    metrics["event_micro_f1"] = prf(tp, tp + fp, tp + fn)[2]
    for role in ("source", "target"):
        pairs = roles[f"{role}_pairs"]
        metrics[f"{role}_pairs"] = float(pairs)
        for kind in ("exact", "lenient"):
            metrics[f"{role}_{kind}"] = roles[f"{role}_{kind}"] / pairs if pairs else 0.0
    if len(by_origin) > 1:
        for origin, records in sorted(by_origin.items()):
            sub = score(records, pred)
            metrics[f"{HEADLINE}_{origin or 'unknown'}"] = sub[HEADLINE]
    return metrics


def _pair_actors(
    gold: list[dict[str, Any]], pred: list[dict[str, Any]], roles: dict[str, int]
) -> None:
    pairs = sorted(
        ((_agreement(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        for role in ("source", "target"):
            match = _role_match(gold[gi], pred[pi], role)
            if match is None:
                continue
            roles[f"{role}_pairs"] += 1
            roles[f"{role}_exact"] += match[0]
            roles[f"{role}_lenient"] += match[1]


# ---------------------------------------------------------------------------
# Prediction
# ---------------------------------------------------------------------------


def events_from_analysis(analysis: ArticleAnalysis) -> list[dict[str, Any]]:
    """The scoreable events of one analysed sentence, in the data set's format.

    ``source`` / ``target`` are the actor's CAMEO code when known, else the surface
    text; ``source_text`` / ``target_text`` always hold the words.  One event per target.
    """
    actors = {a.id: a for a in analysis.actors}
    text = analysis.article.text

    def label(actor_id: str | None, span_text: str | None) -> tuple[str, str]:
        actor = actors.get(actor_id or "")
        words = span_text or (actor.name if actor is not None else "")
        if actor is not None and actor.code:
            return actor.code, words
        return words, words

    events: list[dict[str, Any]] = []
    for act in codable_acts(analysis):
        source_words = act.source_span.text if act.source_span is not None else None
        source, source_text = label(act.source_actor, source_words)
        targets = [label(t, None) for t in act.target_actors]
        targets += [(s.text, s.text) for s in act.target_spans]
        for target, target_text in targets or [("", "")]:
            event = {
                "source": source,
                "source_text": source_text,
                "target": target,
                "target_text": target_text,
                "coarse": act.act.value,
            }
            if act.cameo:
                event["code"] = act.cameo
            events.append(event)
    del text
    return events


#: The stages whose output the events are read from, in pipeline order.
STAGES: tuple[str, ...] = ("attribution", "actors", "speech_acts")


def predict(
    records: Sequence[dict[str, Any]], *, config: Config | None = None
) -> list[dict[str, Any]]:
    """Predict ``{"id", "events"}`` for each record from its ``text`` alone, through the
    analysis pipeline (:func:`~claimgraph.evaluation.predict.analyze_records`); a record
    the pipeline fails on predicts no events."""
    from claimgraph.config import Config as _Config

    results = analyze_records(
        [(str(r["id"]), str(r["text"])) for r in records],
        config=config or _Config(),
        stages=STAGES,
    )
    return [
        {
            "id": record["id"],
            "events": events_from_analysis(result) if isinstance(result, ArticleAnalysis) else [],
        }
        for record, result in zip(records, results, strict=True)
    ]


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
) -> EvalReport:
    """Predict events for the records of ``data`` in ``fold`` and score them.

    Writes the predictions as JSONL to ``predictions`` when given.  ``progress`` is
    accepted for CLI symmetry (the library never prints).  Raises
    :class:`EvaluationError` for malformed data.
    """
    gold = [r for r in load_records(data) if in_fold(str(r["id"]), fold)]
    for record in gold:
        if not isinstance(record.get("text"), str):
            raise EvaluationError(f"record {record['id']} has no 'text'", input=str(data))
    pred = list(predict(gold, config=config))
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for item in pred:
                out.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    metrics = score(gold, pred)
    table: list[tuple[str, ...]] = [
        (
            cls,
            f"{metrics[f'{cls}_p']:.3f}",
            f"{metrics[f'{cls}_r']:.3f}",
            f"{metrics[f'{cls}_f1']:.3f}",
            str(int(metrics[f"{cls}_support"])),
        )
        for cls in ALL_CLASSES
    ]
    notes = [
        f"verbal micro P {metrics['verbal_micro_p']:.3f} R {metrics['verbal_micro_r']:.3f} "
        f"F1 {metrics['verbal_micro_f1']:.3f}; event micro F1 {metrics['event_micro_f1']:.3f}",
        f"source exact {metrics['source_exact']:.3f} lenient {metrics['source_lenient']:.3f} "
        f"({int(metrics['source_pairs'])} pairs); target exact {metrics['target_exact']:.3f} "
        f"lenient {metrics['target_lenient']:.3f} ({int(metrics['target_pairs'])} pairs)",
    ]
    origins = [k for k in sorted(metrics) if k.startswith(f"{HEADLINE}_")]
    if origins:
        notes.append(
            "by origin: " + ", ".join(f"{k[len(HEADLINE) + 1 :]} {metrics[k]:.3f}" for k in origins)
        )
    notes += _coder_notes(fold, config)
    return EvalReport(
        task=f"events ({fold})",
        n_documents=len(gold),
        metrics=metrics,
        headline=HEADLINE,
        table=table,
        table_header=("class", "P", "R", "F1", "support"),
        notes=notes,
    )


def _coder_notes(fold: Fold, config: Config | None) -> list[str]:
    """Which coder was scored, and a warning when its weights have seen the scored fold."""
    from claimgraph.speech_acts.learned import load_model

    settings = config.speech_acts if config is not None else None
    if settings is None or settings.coder != "learned":
        return ["coder: rules (written while reading all of DEV: no fold is unseen by them)"]
    model = load_model(settings.weights)
    fitted_on = str((model.training or {}).get("fold", "unknown"))
    warning = in_sample_note(
        "this model",
        fold=fold,
        fitted_on=fitted_on,
        plural=False,
        refit="fit one with `python -m claimgraph.training.speech_acts --fold train` and set "
        "[speech_acts] coder = \"learned\", weights = build/speech_acts.json",
    )
    return [f"coder: learned (fitted on fold={fitted_on!r})", *warning]


__all__ = [
    "HEADLINE",
    "VERBAL_CLASSES",
    "evaluate",
    "event_class",
    "events_from_analysis",
    "load_records",
    "predict",
    "score",
]
