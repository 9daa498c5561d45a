"""Timing of the inputs that used to stall a batch (issue 17): repeated quotes and text
without sentence punctuation at growing lengths, in one process.

    python benchmarks/hostile.py [--sizes 15000 150000 1200000]

Prints seconds per document and the ratio to the smallest size: linear cost keeps the
ratio near the ratio of the lengths.
"""

from __future__ import annotations

import argparse
import time

UNITS = {
    "repeated quotes": '"We will not back down," the union leader said. "The port must '
    'reopen," the mayor replied. "Talks resume on Friday," officials said. ',
    "no sentence punctuation": "the union leader said the port must reopen and the mayor said ",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[15_000, 150_000, 1_200_000])
    args = parser.parse_args()
    from claimgraph.model import Article, ArticleAnalysis
    from claimgraph.pipeline import load_pipeline

    pipeline = load_pipeline()
    list(pipeline.analyze([Article(id="warm", text=UNITS["repeated quotes"] * 10)]))
    for name, unit in UNITS.items():
        base = None
        for size in args.sizes:
            text = (unit * (size // len(unit) + 1))[:size]
            start = time.perf_counter()
            (result,) = pipeline.analyze([Article(id=Article.make_id(text), text=text)])
            seconds = time.perf_counter() - start
            base = base or seconds
            statements = len(result.statements) if isinstance(result, ArticleAnalysis) else 0
            print(
                f"{name:<24} {size:>9,} chars  {seconds:7.1f} s  x{seconds / base:5.1f}  "
                f"{statements:,} statements",
                flush=True,
            )


if __name__ == "__main__":
    main()
