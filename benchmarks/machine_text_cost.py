"""Per-article cost of the machine-made text detector, as the credibility stage runs it.

    python benchmarks/machine_text_cost.py [--data ../shared/data/attribution/dev.jsonl]
                                           [--n 200] [--repeat 3] [--causal-lm]

Scores the first ``--n`` articles of ``--data`` (the speed benchmark's sample) the way
``claimgraph analyze`` does: the excerpt that :func:`claimgraph.credibility.machine_text_signal`
reads, then :func:`claimgraph.credibility.machine_text.score_and_explain`. The models are
loaded (and timed) once before the rounds; each round then scores every article, and the
median over rounds of the wall-clock and CPU milliseconds per article is printed (one
thread; run it on an otherwise idle machine for stable numbers). ``--causal-lm`` times
the opt-in SmolLM2 variant instead (``[credibility] machine_text_lm``; try ``--n 20
--repeat 1``, it costs about a second per article).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"


def main() -> None:
    from claimgraph.credibility import DETECTOR_MAX_CHARS, _detector_excerpt
    from claimgraph.credibility.machine_text import load_detector, load_lm, score_and_explain

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--causal-lm", action="store_true", help="the SmolLM2 variant")
    args = parser.parse_args()
    texts: list[str] = []
    with args.data.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) >= args.n:
                break
    excerpts = [_detector_excerpt(t) for t in texts]
    words = sum(len(e.split()) for e in excerpts)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    detector = load_detector(causal_lm=args.causal_lm)
    load_lm()
    score_and_explain("A warm-up sentence.", detector=detector)
    load = (time.perf_counter() - start_wall, time.process_time() - start_cpu)
    walls, cpus = [], []
    for _ in range(args.repeat):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        for excerpt in excerpts:
            score_and_explain(excerpt, detector=detector)
        walls.append((time.perf_counter() - start_wall) * 1000 / len(excerpts))
        cpus.append((time.process_time() - start_cpu) * 1000 / len(excerpts))
    result = {
        "detector": detector.name + (" + SmolLM2" if detector.uses_causal_lm else ""),
        "articles": len(excerpts),
        "excerpt_chars_max": DETECTOR_MAX_CHARS,
        "words_per_excerpt": round(words / len(excerpts), 1),
        "load_s_wall": round(load[0], 3),
        "load_s_cpu": round(load[1], 3),
        "ms_per_article_wall": round(statistics.median(walls), 2),
        "ms_per_article_cpu": round(statistics.median(cpus), 2),
        "rounds_ms_wall": [round(v, 2) for v in walls],
    }
    print(json.dumps(result, indent=1))  # a benchmark: the JSON is its output


if __name__ == "__main__":
    main()
