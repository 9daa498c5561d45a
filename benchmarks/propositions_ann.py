"""Proposition look-up at scale: the exact centroid search against the approximate
(FAISS inverted-file) index of ``claimgraph.narratives.ann``.

    python benchmarks/propositions_ann.py [--sentences 20000] [--ann-min 1000]
                                          [--scale 100000 300000] [--json OUT]

1. Real claims: the sentences of the FNC-1 DEV bodies (``../shared/data/stance``; MiniLM
   vectors, cached under ``build/``) are placed one after the other by two indexes, one
   exact and one that takes its candidates from the approximate index from ``--ann-min``
   propositions on.  Reports seconds per claim for each and how far the approximate
   grouping is from the exact one (B-cubed precision, recall and F1 of the approximate
   propositions scored against the exact ones as gold).
2. Scale: indexes that already hold ``--scale`` propositions (real claim vectors with
   noise) place 2,000 more claims; reports milliseconds per claim, exact and approximate.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared")) / "data"
BODIES = SHARED / "stance" / "fnc1_dev_bodies.jsonl"
CACHE = ROOT / "build" / "fnc1-sentences.npz"
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")


def sentences(limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for line in BODIES.read_text(encoding="utf-8").splitlines():
        for match in SENTENCE.finditer(json.loads(line)["text"]):
            text = match.group().strip()
            if 6 <= len(text.split()) <= 60:
                seen.setdefault(text, None)
        if len(seen) >= limit:
            break
    return list(seen)[:limit]


def vectors(texts: list[str]) -> np.ndarray:
    if CACHE.exists():
        cached = np.load(CACHE, allow_pickle=False)
        if list(cached["texts"]) == texts:
            return np.asarray(cached["vectors"], dtype=np.float32)
    from claimgraph.narratives.propositions import embed_claims

    found = embed_claims(texts)
    CACHE.parent.mkdir(exist_ok=True)
    np.savez(CACHE, texts=np.array(texts), vectors=found)
    return found


def bcubed(gold: list[int], predicted: list[int]) -> dict[str, float]:
    from claimgraph.evaluation.metrics import bcubed as score

    precision, recall, f1 = score(predicted, gold)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def place(texts: list[str], vecs: np.ndarray, ann_min: int) -> tuple[list[int], float, int]:
    from claimgraph.narratives.propositions import PropositionIndex

    index = PropositionIndex(ann_min=ann_min)
    keys = [str(i) for i in range(len(texts))]
    started = time.perf_counter()
    out = index.add_all(keys, texts, vecs)
    return out, time.perf_counter() - started, len(index)


def at_scale(vecs: np.ndarray, size: int, ann_min: int, extra: int = 2000) -> dict[str, float]:
    """ms per claim placed into an index that already holds ``size`` propositions."""
    from claimgraph.narratives.propositions import Proposition, PropositionIndex

    rng = np.random.default_rng(0)
    base = vecs[rng.integers(0, len(vecs), size)]
    base = base + rng.normal(scale=0.03, size=base.shape).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries = vecs[rng.integers(0, len(vecs), extra)]
    result: dict[str, float] = {"propositions": size}
    for name, minimum in (("exact", size + extra + 1), ("approximate", ann_min)):
        index = PropositionIndex.from_state(
            [Proposition(id=i, size=1) for i in range(size)], base, list(base), ann_min=minimum
        )
        index.lexical_weight = 0.0  # no words for the synthetic propositions
        index.add("warm-up", "warm-up", queries[0])  # builds the approximate index
        started = time.perf_counter()
        for i, vector in enumerate(queries[1:]):
            index.add(str(i), "", vector)
        result[f"{name}_ms_per_claim"] = round(
            1000 * (time.perf_counter() - started) / (extra - 1), 3
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--ann-min", type=int, default=1000)
    parser.add_argument("--scale", type=int, nargs="*", default=[100_000, 300_000])
    parser.add_argument("--json", help="Also write the results here.")
    args = parser.parse_args()
    texts = sentences(args.sentences)
    vecs = vectors(texts)
    exact, exact_s, exact_n = place(texts, vecs, len(texts) + 1)
    approx, approx_s, approx_n = place(texts, vecs, args.ann_min)
    results: dict[str, object] = {
        "claims": len(texts),
        "exact": {"propositions": exact_n, "ms_per_claim": round(1000 * exact_s / len(texts), 3)},
        "approximate": {
            "ann_min": args.ann_min,
            "propositions": approx_n,
            "ms_per_claim": round(1000 * approx_s / len(texts), 3),
            "same_proposition_pairs_bcubed_vs_exact": bcubed(exact, approx),
        },
        "scale": [at_scale(vecs, size, args.ann_min) for size in args.scale],
    }
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
