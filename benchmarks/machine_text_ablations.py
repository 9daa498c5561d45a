"""Candidate features for the machine-text detector, scored by grouped CV on the train fold.

    python benchmarks/machine_text_ablations.py [--seeds 10]
        [--data ../shared/data/credibility/xsum_mgt_dev.jsonl]

Every candidate is scored the way the packaged recipe was chosen: grouped 5-fold CV on the
**train** fold only (scikit-learn's ``GroupKFold`` by source article, the figure
``detector.json`` records), the shipped recipe (:func:`claimgraph.training.machine_text.
fit_detector`) over the shipped features plus the candidate's; the held-out fold is never
read. Prints JSON: pooled out-of-fold AUROC and AUROC per generator (each generator's
machine texts against their paired human texts) of the baseline and of each candidate:

* ``xsum_human_lm_w1`` / ``_w3``: the trigram model rebuilt from the reference corpora
  plus the train fold's human XSum texts (once, or repeated three times), cross-fitted:
  a text's n-gram features come from a model built without its CV fold's source articles;
* ``plus_xsum_human_only_lm``: the shipped features plus the n-gram features under a model
  of the (cross-fitted) XSum human texts alone;
* ``contrast_orders``: trigram-versus-bigram contrasts (the discrepancy z-scores' and the
  log-probabilities' differences, the bigram gain over the unigram) and local surprise
  (10-token rolling log-probability spread and minimum, shares of very unlikely tokens,
  lag-1 autocorrelation), 12 features;
* ``cohesion``: how much the rest of a text reuses the words and names of its first 30
  words and how adjacent sentences overlap, 7 features;
* ``window_discrepancy``: the normalised discrepancy over 50-token windows (maximum,
  minimum, spread; trigram and bigram), 6 features;
* ``xsum_machine_vs_human_lm``: per-token log-likelihood ratio between a trigram model of
  the train fold's machine texts and one of its human texts (9 statistics), nested:
  a test fold's texts are scored by models built without that fold, and within each CV
  split the training texts of fold j by models built without folds j and k. As the one
  candidate above the baseline on that split, it is also compared on ``--seeds`` random
  deals of source articles to folds (paired with the baseline on the same deal).

Needs scikit-learn (the ``train`` extra). Single-threaded; about 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DEFAULT_DATA = DATA / "credibility" / "xsum_mgt_dev.jsonl"
REFERENCES = (DATA / "attribution" / "dev.jsonl", DATA / "stance" / "fnc1_dev_bodies.jsonl")


def main() -> None:
    import numpy as np
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    from claimgraph.credibility.machine_text import (
        _FUNCTION_SET,
        MODEL_DIR,
        _zipf,
        load_detector,
        load_lm,
        split_sentences,
        stylometric_features,
    )
    from claimgraph.credibility.ngram_lm import NgramLM, lm_tokens, normalise_text
    from claimgraph.evaluation.machine_text import load_records
    from claimgraph.training.machine_text import _reference_texts, build_ngram_lm, fit_detector

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    train = load_records(args.data, fold="train")
    texts = [r.text for r in train]
    y = np.array([r.label == "machine" for r in train], dtype=int)
    groups = np.array([r.group for r in train])
    gens = np.array([r.pair_generator for r in train])
    toks = [lm_tokens(t) for t in texts]
    detector = load_detector()
    lm = load_lm(str(MODEL_DIR / detector.lm_file))
    stylo = np.array([stylometric_features(t) for t in texts])
    base_lm = np.array([lm.features(t) for t in texts])
    shipped = np.hstack([stylo, base_lm])
    fold = np.zeros(len(y), dtype=int)
    for k, (_, te) in enumerate(GroupKFold(n_splits=5).split(shipped, y, groups)):
        fold[te] = k

    def deal(seed: int) -> Any:
        unique = np.unique(groups)
        order = dict(
            zip(np.random.default_rng(seed).permutation(unique), range(len(unique)), strict=True)
        )
        return np.array([order[g] % 5 for g in groups])

    def report(scores: Any) -> dict[str, Any]:
        per = {
            str(g): round(float(roc_auc_score(y[gens == g], scores[gens == g])), 3)
            for g in sorted(set(gens))
        }
        return {"cv_auc": round(float(roc_auc_score(y, scores)), 4), "per_generator": per}

    def oof(matrix: Any, folds: Any = fold) -> Any:
        out = np.zeros(len(y))
        for k in range(5):
            test = folds == k
            out[test] = fit_detector(matrix[~test], y[~test]).decision(matrix[test])
        return out

    results: dict[str, Any] = {"train_texts": len(y), "baseline": report(oof(shipped))}

    # -- the n-gram model learns the train fold's human XSum texts too (cross-fitted) ------
    references = _reference_texts(REFERENCES)
    human_only = np.zeros_like(base_lm)
    for weight in (1, 3):
        crossfit = np.zeros_like(base_lm)
        for k in range(5):
            human = [texts[i] for i in np.flatnonzero((fold != k) & (y == 0))]
            fold_lm = build_ngram_lm(references + human * weight)
            idx = np.flatnonzero(fold == k)
            crossfit[idx] = [fold_lm.features(texts[i]) for i in idx]
            if weight == 1:
                small = build_ngram_lm(human)
                human_only[idx] = [small.features(texts[i]) for i in idx]
        results[f"xsum_human_lm_w{weight}"] = report(oof(np.hstack([stylo, crossfit])))
    results["plus_xsum_human_only_lm"] = report(oof(np.hstack([shipped, human_only])))

    # -- contrasts between model orders and local surprise ---------------------------------
    def contrast_orders(tokens: Sequence[str]) -> list[float]:
        s = lm.token_stats(tokens)
        zt = (s.logp - s.tri_mean) / np.sqrt(s.tri_var)
        zb = (s.logp_bigram - s.bi_mean) / np.sqrt(s.bi_var)
        gain, gain_uni = s.logp - s.logp_bigram, s.logp_bigram - s.logp_unigram
        n = len(s.logp)
        rolling = np.convolve(s.logp, np.ones(10) / 10, mode="valid") if n >= 10 else s.logp
        lag = float(np.corrcoef(s.logp[:-1], s.logp[1:])[0, 1]) if n > 2 else 0.0
        return [
            (zt - zb).mean(), (zt - zb).std(), gain.mean(), gain.std(), (gain < 0).mean(),
            gain_uni.mean(), gain_uni.std(), rolling.std(), rolling.min(),
            (s.logp < -10).mean(), (s.logp < -7).mean(), lag,
        ]  # fmt: skip

    # -- lexical cohesion with the opening words ------------------------------------------
    word = re.compile(r"[A-Za-z]+")

    def content(words: Sequence[str]) -> list[str]:
        return [w.lower() for w in words if w.lower() not in _FUNCTION_SET and len(w) > 2]

    def cohesion(text: str) -> list[float]:
        norm = normalise_text(text)
        words = word.findall(norm)
        head, rest = set(content(words[:30])), content(words[30:])
        names_head = {w for w in words[:30] if w[0].isupper()}
        names_rest = [w for w in words[30:] if w[0].isupper()]
        sets = [set(content(word.findall(s))) for s in split_sentences(norm)]
        adjacent = [len(a & b) / max(1, min(len(a), len(b))) for a, b in itertools.pairwise(sets)]
        rare = [w for w in rest if _zipf(w) < 4]
        tail = max(1, len(words) - 30)
        return [
            float(np.mean([w in head for w in rest])) if rest else 0.0,
            float(np.mean([w in names_head for w in names_rest])) if names_rest else 0.0,
            len(names_rest) / tail,
            float(np.mean(adjacent)) if adjacent else 0.0,
            float(np.min(adjacent)) if adjacent else 0.0,
            float(np.mean([w in head for w in rare])) if rare else 0.0,
            len(set(names_rest) - names_head) / tail,
        ]

    # -- discrepancy over 50-token windows -------------------------------------------------
    def windows(tokens: Sequence[str]) -> list[float]:
        s = lm.token_stats(tokens)
        out: list[float] = []
        for logp, mean, var in (
            (s.logp, s.tri_mean, s.tri_var),
            (s.logp_bigram, s.bi_mean, s.bi_var),
        ):
            diff, width = logp - mean, 50
            if len(diff) >= width:
                cs = np.concatenate([[0.0], np.cumsum(diff)])
                cv = np.concatenate([[0.0], np.cumsum(var)])
                at = np.arange(0, len(diff) - width + 1, 10)
                disc = (cs[at + width] - cs[at]) / np.sqrt(cv[at + width] - cv[at])
            else:
                disc = np.array([diff.sum() / np.sqrt(var.sum())])
            out += [disc.max(), disc.min(), disc.std()]
        return out

    extra: dict[str, Callable[[int], list[float]]] = {
        "contrast_orders": lambda i: contrast_orders(toks[i]),
        "cohesion": lambda i: cohesion(texts[i]),
        "window_discrepancy": lambda i: windows(toks[i]),
    }
    for name, make in extra.items():
        block = np.nan_to_num(np.array([make(i) for i in range(len(y))], dtype=float))
        results[name] = report(oof(np.hstack([shipped, block])))

    # -- machine-versus-human log-likelihood ratio from the train fold's own texts (nested) -
    def ratio_features(excluded: set[int], idx: Any, folds: Any) -> Any:
        keep = ~np.isin(folds, sorted(excluded))
        models: list[NgramLM] = [
            build_ngram_lm([texts[i] for i in np.flatnonzero(keep & (y == label))])
            for label in (1, 0)
        ]
        rows = []
        for i in idx:
            sm, sh = (m.token_stats(toks[i]) for m in models)
            r = sm.logp - sh.logp
            rows.append([
                r.mean(), r.std(), *np.percentile(r, [10, 50, 90]),
                (sm.logp_bigram - sh.logp_bigram).mean(),
                (sm.logp_unigram - sh.logp_unigram).mean(), (r > 0).mean(),
                (sm.logp - sm.tri_mean).mean() - (sh.logp - sh.tri_mean).mean(),
            ])  # fmt: skip
        return np.array(rows)

    def nested_ratio(folds: Any) -> Any:
        out = np.zeros(len(y))
        for k in range(5):
            test = np.flatnonzero(folds == k)
            parts = [(np.flatnonzero(folds == j), j) for j in range(5) if j != k]
            train_idx = np.concatenate([p for p, _ in parts])
            train_x = np.vstack([ratio_features({j, k}, p, folds) for p, j in parts])
            model = fit_detector(np.hstack([shipped[train_idx], train_x]), y[train_idx])
            test_x = ratio_features({k}, test, folds)
            out[test] = model.decision(np.hstack([shipped[test], test_x]))
        return out

    results["xsum_machine_vs_human_lm"] = report(nested_ratio(fold))
    paired = []
    for seed in range(args.seeds):
        folds = deal(seed)
        base = float(roc_auc_score(y, oof(shipped, folds)))
        cand = float(roc_auc_score(y, nested_ratio(folds)))
        paired.append({"seed": seed, "baseline": round(base, 4), "candidate": round(cand, 4)})
    diffs = np.array([p["candidate"] - p["baseline"] for p in paired])
    results["xsum_machine_vs_human_lm_shuffled"] = {
        "splits": paired,
        "mean_difference": round(float(diffs.mean()), 4),
        "sd_difference": round(float(diffs.std(ddof=1)), 4) if len(diffs) > 1 else None,
        "splits_above_baseline": int((diffs > 0).sum()),
    }
    print(json.dumps(results, indent=1))  # a benchmark: the JSON is its output


if __name__ == "__main__":
    main()
