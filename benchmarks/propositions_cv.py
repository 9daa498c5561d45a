"""Nested cross-validation of proposition grouping on the Emergent DEV headlines.

    python benchmarks/propositions_cv.py [DATA.jsonl]

Five folds grouped by claim (``claim_id``).  For each fold, the lexical weight and the
threshold of :class:`claimgraph.narratives.PropositionIndex` are chosen on the other four
folds (each grouped on its own, the mean B-cubed F1), then the fold is scored with them.
Prints each fold's choice and score, the mean, and the same for the cosine alone
(weight 0).  This is how ``DEFAULT_THRESHOLD`` and ``LEXICAL_WEIGHT`` were chosen.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from claimgraph.evaluation.metrics import bcubed
from claimgraph.evaluation.propositions import load_records
from claimgraph.narratives.propositions import PropositionIndex, embed_claims

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared")) / "data"
WEIGHTS = (0.0, 0.3, 0.6, 0.9, 1.2)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.4, 1.3, 0.05))


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "stance" / "emergent_dev.jsonl"
    records = load_records(data)
    vectors = embed_claims([r.text for r in records])
    fold = [hashlib.sha256(("cv|" + r.claim_id).encode()).digest()[0] % 5 for r in records]
    members = [[i for i, f in enumerate(fold) if f == k] for k in range(5)]

    def score(k: int, weight: float, threshold: float) -> float:
        if threshold > 1.0 + weight:
            return 0.0
        index = PropositionIndex(threshold, lexical_weight=weight)
        rows = members[k]
        clusters = index.add_all(
            [records[i].id for i in rows], [records[i].text for i in rows], vectors[rows]
        )
        return bcubed(clusters, [records[i].claim_id for i in rows])[2]

    table = {
        (w, t): [score(k, w, t) for k in range(5)] for w in WEIGHTS for t in THRESHOLDS
    }
    for label, grid in (
        ("cosine and rare words", list(table)),
        ("cosine alone", [p for p in table if p[0] == 0.0]),
    ):
        outer = []
        for k in range(5):
            best = max(grid, key=lambda p: np.mean([table[p][j] for j in range(5) if j != k]))
            outer.append(table[best][k])
            print(f"{label}: fold {k}: weight {best[0]}, threshold {best[1]}: {outer[-1]:.4f}")
        print(f"{label}: nested CV mean B-cubed F1 {np.mean(outer):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
