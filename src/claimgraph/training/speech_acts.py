"""Fit and cross-validate the learned speech-act coder.

``python -m claimgraph.training.speech_acts [--fold all|train] [--out FILE]`` fits the
multinomial logistic regression of :mod:`claimgraph.speech_acts.learned` on the event DEV
set (``shared/data/events/dev.jsonl``) and writes its JSON weights (the shipped model is
``src/claimgraph/models/speech_acts/weights.json``, fitted with ``--fold all``).

``--cv`` instead reports cross-validated verbal macro F1 for the rules alone and for the
learned coder, through the same event scorer as ``claimgraph eval events``:

- ``origin``: leave one origin out (PLOVER GSR, PETRARCH2 GSR, ConfliBERT CAMEO); the
  predictions of the three held-out origins are pooled and scored together, and each
  origin is also scored alone;
- ``document``: five folds grouped by document (a PETRARCH2 story's sentences stay
  together).

The regularisation strength and the feature groups are chosen *inside* each outer fold,
by a five-fold document-grouped CV on that fold's training part only (nested), so no
outer held-out sentence chooses anything.  ``--fold all`` fits the shipped model with the
setting that the same inner CV chooses on all of DEV.

Training labels come from gold sentences: a codable act whose rule class is among the
sentence's gold classes keeps it; otherwise, when exactly one gold class is not produced
by any codable act of the sentence, the act takes that class; otherwise ``NONE``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimgraph.config import Config
from claimgraph.evaluation.events import event_class, events_from_analysis, load_records, score
from claimgraph.evaluation.folds import Fold, in_fold
from claimgraph.model import ArticleAnalysis
from claimgraph.speech_acts import code_speech_acts
from claimgraph.speech_acts.learned import (
    GROUPS,
    LABELS,
    MODEL_NAME,
    NONE,
    ActModel,
    act_features,
    candidates,
    codable_acts,
    pair_features,
    recode,
)
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", Path(__file__).resolve().parents[3] / "shared"))
DEFAULT_DATA = SHARED / "data" / "events" / "dev.jsonl"
DEFAULT_OUT = BUILD_DIR / "speech_acts.json"
C_GRID: tuple[float, ...] = (0.3, 1.0, 3.0)
#: Feature-group sets tried by the inner CV: all, and all but one of the optional groups.
GROUP_SETS: tuple[tuple[str, ...], ...] = (
    GROUPS,
    tuple(g for g in GROUPS if g != "words"),
    tuple(g for g in GROUPS if g not in ("words", "dictionary")),
    tuple(g for g in GROUPS if g != "sentence"),
)
N_SPLITS = 5
HEADLINE = "event_macro_f1"


#: (features, training label, the rules' class) of one codable act.
Example = tuple[dict[str, float], str, str]


@dataclass
class Item:
    """One gold sentence with its parse and the rules' acts."""

    record: dict[str, Any]
    doc: Any
    analysis: ArticleAnalysis  # speech_acts: the rules' acts
    cache: dict[tuple[str, ...], list[Example]] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return str(self.record.get("origin", ""))

    @property
    def document(self) -> str:
        return document_key(str(self.record["id"]))


def document_key(record_id: str) -> str:
    """The document a sentence comes from (``petr2gsr-AFP..._2`` -> ``petr2gsr-AFP...``)."""
    return re.sub(r"_\d+$", "", record_id)


def parse_items(records: Sequence[dict[str, Any]], config: Config) -> list[Item]:
    """Parse every record through attribution and actors, and code it with the rules."""
    from claimgraph.model import Article
    from claimgraph.pipeline import Pipeline

    pipeline = Pipeline(config, stages=("attribution", "actors"))
    articles = [Article(id=Article.make_id(r["text"]), text=r["text"]) for r in records]
    items: list[Item] = []
    for record, parsed in zip(records, pipeline.parse(articles), strict=True):
        if not isinstance(parsed, tuple):
            raise RuntimeError(f"{record['id']}: {parsed.message}")
        doc, article = parsed
        analysis = pipeline.run_doc(doc, article)
        acts = code_speech_acts(doc, analysis)
        items.append(Item(record, doc, analysis.model_copy(update={"speech_acts": acts})))
    return items


def gold_classes(record: dict[str, Any]) -> set[str]:
    return {c for c in (event_class(e) for e in record.get("events", [])) if c}


def examples(item: Item, groups: Sequence[str]) -> list[Example]:
    """(features, label, rule class) for each codable act of ``item``."""
    key = tuple(groups)
    if key in item.cache:
        return item.cache[key]
    codable = codable_acts(item.analysis)
    gold = gold_classes(item.record)
    missing = gold - {a.act.value for a in codable}
    out: list[Example] = []
    for act in codable:
        label: str
        if act.act.value in gold:
            label = str(act.act.value)
        elif len(missing) == 1:
            label = next(iter(missing))
        else:
            label = NONE
        out.append((act_features(item.doc, act, codable, groups), label, act.act.value))
    item.cache[key] = out
    return out


def fit(items: Sequence[Item], c: float, groups: Sequence[str]) -> ActModel:
    """Fit the coder on ``items`` with inverse regularisation ``c``: a binary logistic
    regression over (act, label) pairs, positive for the act's training label."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows: list[dict[str, float]] = []
    y: list[int] = []
    for item in items:
        for feats, gold, rule in examples(item, groups):
            allowed = candidates(rule)
            if gold not in allowed:
                gold = NONE
            for label in allowed:
                rows.append(pair_features(feats, label))
                y.append(int(label == gold))
    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    x.indices = x.indices.astype(np.int32)
    x.indptr = x.indptr.astype(np.int32)
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(x, y)
    names = vec.get_feature_names_out()
    weights = {
        str(name): float(w) for name, w in zip(names, clf.coef_[0], strict=True) if abs(w) > 1e-4
    }
    return ActModel(LABELS, weights, float(clf.intercept_[0]), tuple(groups))


def predict(items: Sequence[Item], model: ActModel | None) -> list[dict[str, Any]]:
    """Predicted ``{"id", "events"}`` records (``model=None``: the rules alone)."""
    out = []
    for item in items:
        analysis = item.analysis
        if model is not None:
            feats = [e[0] for e in examples(item, model.groups)]
            acts = recode(item.doc, analysis, model, features=feats)
            analysis = analysis.model_copy(update={"speech_acts": acts})
        out.append({"id": item.record["id"], "events": events_from_analysis(analysis)})
    return out


def _splits(items: Sequence[Item], by: str) -> list[tuple[list[int], list[int]]]:
    """(train, test) index lists: leave one origin out, or document-grouped folds."""
    if by == "origin":
        origins = sorted({it.origin for it in items})
        return [
            (
                [i for i, it in enumerate(items) if it.origin != o],
                [i for i, it in enumerate(items) if it.origin == o],
            )
            for o in origins
        ]
    from sklearn.model_selection import GroupKFold

    groups = [it.document for it in items]
    return [
        (list(tr), list(te))
        for tr, te in GroupKFold(n_splits=N_SPLITS).split(list(range(len(items))), groups=groups)
    ]


def cv_predictions(
    items: Sequence[Item], by: str, choose: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pooled out-of-fold predictions, and the setting ``choose(train items)`` picked per fold."""
    pred: list[dict[str, Any]] = []
    chosen: list[dict[str, Any]] = []
    for train, test in _splits(items, by):
        train_items = [items[i] for i in train]
        c, groups = choose(train_items)
        model = fit(train_items, c, groups)
        pred.extend(predict([items[i] for i in test], model))
        chosen.append({"c": c, "groups": list(groups)})
    return pred, chosen


def choose_setting(items: Sequence[Item]) -> tuple[float, tuple[str, ...]]:
    """The (C, groups) with the best document-grouped CV macro F1 on ``items``."""
    gold = [it.record for it in items]
    best: tuple[float, float, tuple[str, ...]] | None = None
    for groups in GROUP_SETS:
        for c in C_GRID:
            pred, _ = cv_predictions(items, "document", lambda _items, c=c, g=groups: (c, g))
            f1 = score(gold, pred)[HEADLINE]
            logger.info("inner: C=%s groups=%s F1=%.3f", c, ",".join(groups), f1)
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, c, groups)
    assert best is not None
    return best[1], best[2]


def cross_validate(items: Sequence[Item]) -> dict[str, Any]:
    """Rules and learned coder under leave-one-origin-out and document-grouped CV."""
    gold = [it.record for it in items]
    rules = score(gold, predict(items, None))
    report: dict[str, Any] = {"n_sentences": len(items), "rules": _summary(rules)}
    for by in ("origin", "document"):
        pred, chosen = cv_predictions(items, by, choose_setting)
        metrics = score(gold, pred)
        report[f"learned_cv_{by}"] = {**_summary(metrics), "chosen": chosen}
        if by == "origin":
            per = [metrics[k] for k in metrics if k.startswith(f"{HEADLINE}_")]
            report["learned_cv_origin"]["mean_of_origins"] = statistics.mean(per)
    per_rules = [rules[k] for k in rules if k.startswith(f"{HEADLINE}_")]
    report["rules"]["mean_of_origins"] = statistics.mean(per_rules)
    return report


def _summary(metrics: dict[str, float]) -> dict[str, Any]:
    keys = [HEADLINE, "verbal_micro_f1", "ASSERT_p", "ASSERT_r", "ASSERT_f1"]
    out: dict[str, Any] = {k: round(metrics[k], 4) for k in keys}
    out.update({k: round(v, 4) for k, v in metrics.items() if k.startswith(f"{HEADLINE}_")})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--fold", choices=("all", "train"), default="all")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cv", action="store_true", help="report nested grouped CV instead")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.cv else logging.WARNING, format="%(asctime)s %(message)s"
    )
    from threadpoolctl import threadpool_limits

    # Small problems: BLAS threads on a shared machine only slow the solver down.
    with threadpool_limits(limits=1):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    fold: Fold = args.fold
    records = [r for r in load_records(args.data) if in_fold(str(r["id"]), fold)]
    items = parse_items(records, Config())
    if args.cv:
        print(json.dumps(cross_validate(items), indent=2))
        return 0
    c, groups = choose_setting(items)
    model = fit(items, c, groups)
    training = {
        "data": args.data.name,
        "fold": fold,
        "n_sentences": len(items),
        "c": c,
        "groups": list(groups),
        "chosen_by": "5-fold document-grouped CV on the fitted fold",
    }
    model = ActModel(model.labels, model.weights, model.intercept, model.groups, training)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"{MODEL_NAME}: C={c} groups={','.join(groups)} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
