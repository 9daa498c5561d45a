"""How the machine-text detector scores human news from another outlet than it was fitted on.

    python benchmarks/machine_text_domains.py [--causal-lm] [--min-words 80]

The detector's human examples are BBC texts (XSum), so its AUROC says how well it orders
BBC texts against machine continuations of them. This prints, for each group of texts,
how many it scores at or above 0.5 and 0.8 (the share a user reading the score as a
probability would call machine-made):

* ``xsum_heldout_human`` / ``xsum_heldout_machine``: the held-out fold of the credibility
  DEV data (in domain);
* ``meantime_wikinews``: the opening sentences of the MEANTIME DEV articles (Wikinews,
  2004-2011, written by people; never used to fit the detector or its n-gram model),
  the title left out, articles of at least ``--min-words`` words.

PolNeAR and FNC-1 texts are left out: the detector's n-gram model is built from them, so
their scores are in sample. ``--causal-lm`` scores with the SmolLM2 variant as well (about
a second per text). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def meantime_articles(path: Path, min_words: int) -> list[str]:
    """The sentences of each MEANTIME document in order, without the title (sentence 0)."""
    from claimgraph.evaluation.hedging import iter_mentions

    docs: dict[str, dict[int, str]] = defaultdict(dict)
    for mention in iter_mentions(path):
        docs[mention.doc][mention.sentence_index] = mention.text
    texts = [" ".join(s[i] for i in sorted(s) if i > 0) for _, s in sorted(docs.items())]
    return [t for t in texts if len(t.split()) >= min_words]


def main() -> None:
    import numpy as np

    from claimgraph.credibility import _detector_excerpt
    from claimgraph.credibility.machine_text import score_texts
    from claimgraph.evaluation.machine_text import load_records

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xsum", type=Path, default=DATA / "credibility" / "xsum_mgt_dev.jsonl")
    parser.add_argument("--meantime", type=Path, default=DATA / "hedging" / "meantime_dev.jsonl")
    parser.add_argument("--min-words", type=int, default=80)
    parser.add_argument("--causal-lm", action="store_true", help="also the SmolLM2 variant")
    args = parser.parse_args()
    heldout = load_records(args.xsum, fold="heldout")
    groups = {
        "xsum_heldout_human": [r.text for r in heldout if r.label == "human"],
        "xsum_heldout_machine": [r.text for r in heldout if r.label == "machine"],
        "meantime_wikinews": meantime_articles(args.meantime, args.min_words),
    }
    variants = {"default": False, **({"smollm2": True} if args.causal_lm else {})}
    result: dict[str, dict[str, object]] = {}
    for name, texts in groups.items():
        excerpts = [_detector_excerpt(t) for t in texts]
        row: dict[str, object] = {
            "texts": len(texts),
            "words_mean": round(float(np.mean([len(t.split()) for t in texts])), 1),
        }
        for variant, causal_lm in variants.items():
            scores = np.array(score_texts(excerpts, causal_lm=causal_lm))
            row[variant] = {
                "mean": round(float(scores.mean()), 3),
                "share_at_least_0.5": round(float((scores >= 0.5).mean()), 3),
                "share_at_least_0.8": round(float((scores >= 0.8).mean()), 3),
            }
        result[name] = row
    print(json.dumps(result, indent=1))  # a benchmark: the JSON is its output


if __name__ == "__main__":
    main()
