"""Fit the claim-hedge model: ``python -m claimgraph.training.claim_hedges``.

Training data: the hand-labelled claim sets ``benchmarks/data/hedged_claims*.jsonl``
(each claim of a PolNeAR DEV article labelled hedged or not, with its hedge words; the
guide is ``benchmarks/data/HEDGED_CLAIMS.md``).  The articles are analysed as
``analyze`` does; each labelled claim is paired with the evidence stage's claim that
overlaps it most (character Jaccard >= 0.5), and every candidate hedge of that claim
(:func:`claimgraph.evidence.hedge_model.candidates`) is a positive example when it is
one of the labelled hedge words, a negative one otherwise.  An L2 logistic regression
over :func:`~claimgraph.evidence.hedge_model.candidate_features`; the regularisation
strength and the threshold (a claim is hedged when its best candidate reaches it) are
chosen by F1 of ``hedged`` claims in 5-fold cross-validation grouped by article, over
three random deals of the articles to the folds.  Writes ``--out`` (default
``build/claim_hedges.json``; the shipped model is
``src/claimgraph/models/hedging/claim_hedges.json``).

``--score FILE`` (repeatable) also scores a labelled set that is not trained on:
precision, recall and F1 of ``hedged`` claims with the fitted model.  ``--leave-out NAME``
(repeatable, a file name among ``--labels``) instead checks the recipe on sets never
fitted on: for each named set, the whole recipe (choice of C and threshold included) is
run on the other sets and scored on it; the counts are pooled.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimgraph.evidence.hedge_model import (
    MODEL_NAME,
    ClaimHedgeModel,
    candidate_features,
    candidates,
)
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared"))
#: The articles the labelled claims come from: PolNeAR DEV, and FNC-1 DEV bodies (whose
#: ids are written ``fnc1:<body_id>``).
DEFAULT_ARTICLES = (SHARED / "data" / "attribution" / "dev.jsonl",
                    SHARED / "data" / "stance" / "fnc1_dev_bodies.jsonl")
LABELS_DIR = ROOT / "benchmarks" / "data"
#: The sets fitted on by default: A to J (PolNeAR DEV articles), K to V (FNC-1 DEV bodies).
#: Sets W to Z (FNC-1 bodies too) are the check of the shipped model and are not fitted on.
DEFAULT_SETS = tuple(LABELS_DIR / f"hedged_claims{s}.jsonl"
                     for s in ("", *(f"_{letter}" for letter in "bcdefghijklmnopqrstuv")))
DEFAULT_OUT = BUILD_DIR / "claim_hedges.json"
C_GRID: tuple[float, ...] = (0.3, 1.0, 3.0)
THRESHOLDS: tuple[float, ...] = tuple(round(0.2 + 0.05 * i, 2) for i in range(13))
N_SPLITS = 5
N_DEALS = 3


@dataclass
class LabelledClaim:
    """One labelled claim: its article, gold label and its candidates' features/labels."""

    doc: str
    gold: bool
    feats: list[dict[str, float]]
    labels: list[int]


def _jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def article_id(record: dict[str, Any]) -> str:
    """The id a labelled claim uses for an article record (``fnc1:`` for FNC-1 bodies)."""
    return str(record["id"]) if "id" in record else f"fnc1:{record['body_id']}"


def article_texts(paths: tuple[Path, ...] | list[Path],
                  wanted: set[str] | None = None) -> dict[str, str]:
    """Article texts by :func:`article_id` from JSON-lines ``paths`` (only ``wanted``)."""
    texts = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                key = article_id(record)
                if wanted is None or key in wanted:
                    texts[key] = record["text"]
    return texts


def read_sets(paths: list[Path]) -> list[dict[str, Any]]:
    """The labelled claims of ``paths`` (JSON lines)."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def examples(rows: list[dict[str, Any]], articles: tuple[Path, ...] | list[Path]
             ) -> list[LabelledClaim]:
    """Analyse the articles of ``rows`` and build each labelled claim's examples."""
    from claimgraph.config import Config
    from claimgraph.evidence.hedges import sentences_in
    from claimgraph.model import Article, ArticleAnalysis
    from claimgraph.pipeline import Pipeline

    texts = article_texts(articles, {r["doc_id"] for r in rows})
    pipeline = Pipeline(Config(), stages=("attribution", "actors", "speech_acts", "evidence"))
    Context = tuple[int, int, tuple[int, int] | None, tuple[int, int] | None]
    contexts: dict[str, list[Context]] = {}
    docs = {}
    items = [Article(id=i, text=texts[i]) for i in sorted(texts)]
    for parsed in pipeline.parse(items):
        if not isinstance(parsed, tuple):
            raise SystemExit(f"error: {parsed.input}: {parsed.message}")
        doc, article = parsed
        analysis = pipeline.run_doc(doc, article)
        assert isinstance(analysis, ArticleAnalysis)
        cues = {s.id: (s.cue.start, s.cue.end) for s in analysis.statements}
        found: list[Context] = []
        for ev in analysis.evidence:
            start, end = ev.claim.start, ev.claim.end
            if ev.statement_id:
                found.append((start, end, cues[ev.statement_id], None))
            else:
                sents = sentences_in(doc, start, end)
                sentence = (sents[0].start_char, sents[-1].end_char) if sents else None
                found.append((start, end, None, sentence))
        contexts[article.id], docs[article.id] = found, doc
    out = []
    for row in rows:
        span = (row["start"], row["end"])
        best = max(contexts[row["doc_id"]], key=lambda c: _jaccard(span, (c[0], c[1])),
                   default=None)
        gold = bool(row["hedged"])
        if best is None or _jaccard(span, (best[0], best[1])) < 0.5:
            out.append(LabelledClaim(row["doc_id"], gold, [], []))
            continue
        start, end, cue, sentence = best
        doc = docs[row["doc_id"]]
        words = [(w["start"], w["end"]) for w in row.get("hedge_words", [])] if gold else []
        feats, labels = [], []
        for cand in candidates(doc, start, end, cue=cue, sentence=sentence):
            feats.append(candidate_features(doc, cand, start, end, cue))
            a, b = cand.span
            labels.append(int(any(a < we and ws < b for ws, we in words)))
        out.append(LabelledClaim(row["doc_id"], gold, feats, labels))
    return out


def _fit(claims: list[LabelledClaim], c: float) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    x = [f for claim in claims for f in claim.feats]
    y = [label for claim in claims for label in claim.labels]
    vec = DictVectorizer()
    clf = LogisticRegression(C=c, max_iter=3000, fit_intercept=False)
    clf.fit(vec.fit_transform(x), y)
    return vec, clf


def _scores(fitted: tuple[Any, Any], claims: list[LabelledClaim]) -> list[float]:
    vec, clf = fitted
    return [float(clf.predict_proba(vec.transform(c.feats))[:, 1].max()) if c.feats else 0.0
            for c in claims]


def prf(pred: list[bool], gold: list[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    n_pred, n_gold = sum(pred), sum(gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cross_validated(claims: list[LabelledClaim], c: float, seed: int) -> list[float]:
    """Out-of-fold claim scores: folds grouped by article, articles dealt by ``seed``."""
    docs = sorted({claim.doc for claim in claims})
    random.Random(seed).shuffle(docs)
    fold_of = {doc: i % N_SPLITS for i, doc in enumerate(docs)}
    scores = [0.0] * len(claims)
    for fold in range(N_SPLITS):
        train = [cl for cl in claims if fold_of[cl.doc] != fold]
        test = [i for i, cl in enumerate(claims) if fold_of[cl.doc] == fold]
        for i, s in zip(test, _scores(_fit(train, c), [claims[i] for i in test]), strict=True):
            scores[i] = s
    return scores


def fit(claims: list[LabelledClaim]) -> tuple[ClaimHedgeModel, dict[str, Any]]:
    """Choose C and the threshold by grouped CV; refit on all ``claims``."""
    gold = [cl.gold for cl in claims]
    best: tuple[float, float, float, tuple[float, float, float]] | None = None
    for c in C_GRID:
        deals = [cross_validated(claims, c, seed) for seed in range(N_DEALS)]
        for t in THRESHOLDS:
            results = [prf([s >= t for s in deal], gold) for deal in deals]
            mean = tuple(sum(r[k] for r in results) / len(results) for k in range(3))
            logger.info("C=%s threshold %.2f: CV P %.3f R %.3f F1 %.3f", c, t, *mean)
            if best is None or mean[2] > best[2]:
                best = (c, t, mean[2], mean)  # type: ignore[assignment]
    assert best is not None
    c, t, _, (p, r, f1) = best
    vec, clf = _fit(claims, c)
    weights = {str(n): float(w) for n, w in zip(vec.get_feature_names_out(), clf.coef_[0],
                                                 strict=True)}
    record = {"C": c, "threshold": t, "cv_precision": round(p, 4), "cv_recall": round(r, 4),
              "cv_f1": round(f1, 4), "n_claims": len(claims), "n_hedged": sum(gold),
              "n_candidates": sum(len(cl.feats) for cl in claims)}
    return ClaimHedgeModel(name=MODEL_NAME, weights=weights, threshold=t), record


def _predict(model: ClaimHedgeModel, claims: list[LabelledClaim]) -> list[bool]:
    return [bool(cl.feats) and max(model.probability(f) for f in cl.feats) >= model.threshold
            for cl in claims]


def leave_out(paths: list[Path], names: list[str], articles: tuple[Path, ...] | list[Path]
              ) -> int:
    """For each set in ``names``: fit on the other sets of ``paths``, score it; print each
    and the pooled precision, recall and F1."""
    by_name = {p.name: p for p in paths}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SystemExit(f"error: not among --labels: {', '.join(unknown)}")
    rows = read_sets(paths)
    sets = [p.name for p in paths for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    claims = examples(rows, articles)
    logging.getLogger().setLevel(logging.WARNING)
    pooled_pred: list[bool] = []
    pooled_gold: list[bool] = []
    for name in names:
        train = [cl for cl, s in zip(claims, sets, strict=True) if s != name]
        test = [cl for cl, s in zip(claims, sets, strict=True) if s == name]
        model, record = fit(train)
        pred, gold = _predict(model, test), [cl.gold for cl in test]
        p, r, f1 = prf(pred, gold)
        print(f"{name}: P={p:.3f} R={r:.3f} F1={f1:.3f} ({sum(gold)} hedged; "
              f"C={record['C']}, threshold {record['threshold']})", flush=True)
        pooled_pred += pred
        pooled_gold += gold
    p, r, f1 = prf(pooled_pred, pooled_gold)
    print(f"pooled: P={p:.3f} R={r:.3f} F1={f1:.3f} ({sum(pooled_gold)} hedged)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--labels", type=Path, action="append", default=None,
                        help="a labelled set to fit on (repeatable; default: sets A to E)")
    parser.add_argument("--score", type=Path, action="append", default=[],
                        help="a labelled set to score, not fitted on (repeatable)")
    parser.add_argument("--articles", type=Path, action="append", default=None,
                        help="JSON lines of the articles (repeatable; default: PolNeAR DEV "
                             "and FNC-1 DEV bodies)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--leave-out", action="append", default=[], metavar="NAME",
                        help="check the recipe on this set (a --labels file name), fitted "
                             "on the others; repeatable; writes no model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths = args.labels or list(DEFAULT_SETS)
    articles = args.articles or DEFAULT_ARTICLES
    if args.leave_out:
        return leave_out(paths, args.leave_out, articles)
    claims = examples(read_sets(paths), articles)
    model, record = fit(claims)
    logger.info("chosen: %s", record)
    payload = model.to_json()
    payload["training"] = {"sets": [p.name for p in paths], **record}
    for path in args.score:
        test = examples(read_sets([path]), articles)
        p, r, f1 = prf(_predict(model, test), [cl.gold for cl in test])
        n_gold = sum(cl.gold for cl in test)
        print(f"{path.name}: P={p:.3f} R={r:.3f} F1={f1:.3f} ({n_gold} hedged)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    logger.info("-> %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
