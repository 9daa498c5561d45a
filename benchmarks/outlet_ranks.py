"""Cost of placing an article's credibility scores within its outlet
(:func:`claimgraph.store.browse.outlet_ranks` for one article view,
:func:`~claimgraph.store.browse.outlet_ranks_of` for the 100 articles of a report).

    python benchmarks/outlet_ranks.py [--articles 5000] [--share 0.9] [--signals 10]

Builds a SQLite store in a temporary folder with ``--articles`` synthetic articles, a
``--share`` of them from one outlet, each with ``--signals`` random scores, then times
the ranks of 50 of that outlet's articles one by one (median and 95th percentile,
milliseconds) and of 100 at once (three rounds, the median).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from claimgraph.model import Article, ArticleAnalysis, CredibilitySignal
from claimgraph.store import open_store
from claimgraph.store.browse import outlet_ranks, outlet_ranks_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--share", type=float, default=0.9)
    parser.add_argument("--signals", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(0)
    names = [f"signal_{k}" for k in range(args.signals)]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ranks.db'}"
        outlet: list[str] = []
        with open_store(url) as store:
            started = time.perf_counter()
            for i in range(args.articles):
                text = f"Article {i} says the harbour will reopen on day {i}."
                site = "big.example" if rng.random() < args.share else f"site{i}.example"
                article = Article(id=Article.make_id(text), text=text, site=site,
                                  source_kind="text")  # fmt: skip
                signals = [CredibilitySignal(name=n, value=rng.random(), explanation="random")
                           for n in names]  # fmt: skip
                store.add_analysis(ArticleAnalysis(article=article, credibility=signals),
                                   run_id=None, weights_hash="benchmark")  # fmt: skip
                if site == "big.example":
                    outlet.append(article.id)
            print(f"store of {args.articles:,} articles ({len(outlet):,} of one outlet) "
                  f"built in {time.perf_counter() - started:.1f} s")  # fmt: skip
            times, compared = [], 0
            for article_id in outlet[:: max(1, len(outlet) // 50)][:50]:
                started = time.perf_counter()
                ranks = outlet_ranks(store, article_id) or {}
                times.append(1000 * (time.perf_counter() - started))
                compared = max(compared, *(r["articles"] for r in ranks.values()), 0)
            batch = []
            for _ in range(3):
                started = time.perf_counter()
                outlet_ranks_of(store, outlet[:100])
                batch.append(1000 * (time.perf_counter() - started))
    times.sort()
    print(f"outlet_ranks: median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms "
          f"(compared with {compared:,} articles, {len(names)} signals)")  # fmt: skip
    print(f"outlet_ranks_of 100 articles: {statistics.median(batch):.1f} ms")


if __name__ == "__main__":
    main()
