"""Speed benchmark: end-to-end ``analyze`` against a bare spaCy parse, in one process.

    python benchmarks/speed.py [--data ../shared/data/attribution/dev.jsonl] [--n 200]

Measures, over the same texts and in the same run:
  * ``bare``: ``nlp.pipe`` of the FULL pinned spaCy pipeline (every component), the floor;
  * ``core``: claimgraph ingest + parse + attribution + actors/speakers + JSON output;
  * ``core+acts``: core plus speech acts;
  * ``full``: every stage (speech acts, evidence, credibility).
Reports words/s, articles/s, the ratio to ``bare`` and the peak RSS of the process,
and writes them as JSON (``--json``). Targets: core >= 0.8x bare; speech acts add
<= 15 % to core; evidence + credibility add <= 20 % to the stages before them;
peak RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"
WORD = re.compile(r"\w+")


def _texts(path: Path, n: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) >= n:
                break
    return texts


def _bare(texts: list[str], batch_size: int) -> float:
    import spacy

    from claimgraph.config import Config

    nlp = spacy.load(Config().nlp.model)  # the full pipeline, nothing excluded
    list(nlp.pipe(texts[:10], batch_size=batch_size))  # warm up
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def _claimgraph(texts: list[str], stages: tuple[str, ...] | None) -> float:
    from claimgraph.config import Config
    from claimgraph.ingest import article_from_text
    from claimgraph.outputs import to_jsonl_line
    from claimgraph.pipeline import Pipeline

    config = Config()
    pipeline = Pipeline(config, stages=stages)
    warm = [article_from_text(t, config=config.ingest) for t in texts[:10]]
    list(pipeline.analyze(warm))
    start = time.perf_counter()
    articles = (article_from_text(t, config=config.ingest) for t in texts)
    n = 0
    for result in pipeline.analyze(articles):
        to_jsonl_line(result)
        n += 1
    elapsed = time.perf_counter() - start
    if n != len(texts):
        raise SystemExit(f"expected {len(texts)} results, got {n}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from claimgraph.pipeline import STAGES

    texts = _texts(args.data, args.n)
    words = sum(len(WORD.findall(t)) for t in texts)
    names = [s.name for s in STAGES]
    configs: list[tuple[str, tuple[str, ...] | None]] = [
        ("core", tuple(n for n in names if n in {"attribution", "actors"})),
        ("core+acts", tuple(n for n in names if n in {"attribution", "actors", "speech_acts"})),
        ("full", None),
    ]
    results: dict[str, dict[str, float]] = {}
    bare = _bare(texts, args.batch_size)
    results["bare"] = {"seconds": bare}
    for label, stages in configs:
        results[label] = {"seconds": _claimgraph(texts, stages)}
    for row in results.values():
        row["words_per_s"] = words / row["seconds"]
        row["articles_per_s"] = len(texts) / row["seconds"]
        row["ratio_to_bare"] = bare / row["seconds"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(texts)} articles, {words} words; peak RSS {peak_mb:.0f} MB")
    print(f"{'run':<10} {'seconds':>8} {'words/s':>9} {'articles/s':>10} {'x bare':>7}")
    for label, row in results.items():
        print(
            f"{label:<10} {row['seconds']:>8.2f} {row['words_per_s']:>9.0f} "
            f"{row['articles_per_s']:>10.2f} {row['ratio_to_bare']:>7.2f}"
        )
    acts_cost = results["core+acts"]["seconds"] / results["core"]["seconds"] - 1
    late_cost = results["full"]["seconds"] / results["core+acts"]["seconds"] - 1
    print(f"speech acts add {acts_cost:+.1%} to core; evidence+credibility add {late_cost:+.1%}")
    ok = (
        results["core"]["ratio_to_bare"] >= 0.8
        and acts_cost <= 0.15
        and late_cost <= 0.20
        and peak_mb <= 1536
    )
    summary = {
        "articles": len(texts),
        "words": words,
        "peak_rss_mb": peak_mb,
        "runs": results,
        "speech_acts_overhead": acts_cost,
        "evidence_credibility_overhead": late_cost,
        "targets_met": ok,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print("targets met" if ok else "TARGETS NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
