"""How far apart the machine-text detector's train-fold CV and held-out AUROC are, and why.

    python benchmarks/machine_text_cv.py [--data ../shared/data/credibility/xsum_mgt_dev.jsonl]
                                         [--repeats 10] [--bootstrap 2000] [--causal-lm]

Prints, as JSON:
  * ``cv_auc``: grouped 5-fold CV AUROC on the train fold (scikit-learn's ``GroupKFold``
    by source article, the figure the weights record);
  * ``cv_shuffled``: the same recipe with source articles dealt to the five folds in
    ``--repeats`` random orders (mean, standard deviation, range): how much the CV figure
    moves with the split alone;
  * ``heldout_auc``: the packaged detector (fitted on the train fold) on the held-out fold,
    with a 95 % interval from ``--bootstrap`` resamples of held-out source articles;
  * ``gap``: held-out minus CV.
``--causal-lm`` does the same for the opt-in SmolLM2 variant (``detector_causal_lm.json``;
its language-model features cost about 5 minutes more). Needs scikit-learn (the ``train``
extra). Single-threaded; about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "credibility" / "xsum_mgt_dev.jsonl"


def main() -> None:
    import numpy as np

    from claimgraph.credibility.machine_text import (
        MODEL_DIR,
        feature_matrix,
        load_detector,
        load_lm,
    )
    from claimgraph.evaluation.machine_text import load_records
    from claimgraph.evaluation.metrics import auroc
    from claimgraph.training.machine_text import grouped_cv_auc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--causal-lm", action="store_true", help="the SmolLM2 variant")
    args = parser.parse_args()
    detector = load_detector(causal_lm=args.causal_lm)
    with_lm = {"causal_lm": detector.uses_causal_lm}
    lm = load_lm(str(MODEL_DIR / detector.lm_file))
    train = load_records(args.data, fold="train")
    heldout = load_records(args.data, fold="heldout")
    x_train = feature_matrix([r.text for r in train], lm=lm, **with_lm)
    y_train = np.array([r.label == "machine" for r in train], dtype=int)
    groups = np.array([r.group for r in train])
    options = {
        "c": dict(detector.metrics).get("c", 0.01),
        "trees": detector.trees is not None,
        **with_lm,
    }
    cv_auc = grouped_cv_auc(x_train, y_train, groups, **options)
    shuffled = [
        grouped_cv_auc(x_train, y_train, groups, shuffle_seed=seed, **options)
        for seed in range(args.repeats)
    ]
    y_held = np.array([r.label == "machine" for r in heldout], dtype=int)
    scores = detector.decision(feature_matrix([r.text for r in heldout], lm=lm, **with_lm))
    held_groups = np.array([r.group for r in heldout])
    unique = np.unique(held_groups)
    members = {g: np.flatnonzero(held_groups == g) for g in unique}
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(args.bootstrap):
        idx = np.concatenate([members[g] for g in rng.choice(unique, size=len(unique))])
        if 0 < y_held[idx].sum() < len(idx):
            boot.append(auroc(y_held[idx], scores[idx]))
    held = auroc(y_held, scores)
    result = {
        "detector": detector.name + (" + SmolLM2" if detector.uses_causal_lm else ""),
        "train_texts": len(train),
        "heldout_texts": len(heldout),
        "cv_auc": round(cv_auc, 4),
        "cv_shuffled": {
            "repeats": args.repeats,
            "mean": round(float(np.mean(shuffled)), 4),
            "sd": round(float(np.std(shuffled)), 4),
            "min": round(min(shuffled), 4),
            "max": round(max(shuffled), 4),
        },
        "heldout_auc": round(held, 4),
        "heldout_95": [round(float(v), 4) for v in np.percentile(boot, [2.5, 97.5])],
        "gap": round(held - cv_auc, 4),
    }
    print(json.dumps(result, indent=1))  # a benchmark: the JSON is its output


if __name__ == "__main__":
    main()
