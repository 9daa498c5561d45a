"""Narrative benchmark: build the narratives of 1,000 stored DEV articles, then add 100.

    python benchmarks/narratives.py [--n 1000] [--extra 100] [--store STORE.db] [--json OUT]

Ingests the first ``n + extra`` texts of the PolNeAR DEV articles and FNC-1 DEV bodies
(``../shared/data``) into a SQLite store (kept at ``--store`` to reuse between runs), then,
each in its own process on its own copy of that store:

* *scratch*: the narratives of all ``n + extra`` articles built from nothing;
* *incremental*: the narratives of the first ``n`` articles, then the ``extra`` added.

Reports wall-clock seconds (model loading included) and peak RSS of each.  Target: adding
``extra`` articles costs at most 10 % of building the ``n + extra`` from scratch.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from store import corpus, run

STEP = """
import json, resource, sys, time
from claimgraph.store import open_store
from claimgraph.narratives.build import update
db, limit = sys.argv[1], int(sys.argv[2])
with open_store(db) as store:
    start = time.perf_counter()
    stats = update(store, max_articles=limit or None)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds_in_update": seconds, "articles": stats.articles,
                  "claims": stats.claims, "propositions": stats.propositions,
                  "contradictions": stats.contradictions,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def step(db: Path, limit: int) -> dict[str, float]:
    """One narrative build in its own process: its report plus wall-clock seconds."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", STEP, str(db), str(limit)], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"narrative build failed:\n{out.stderr[-3000:]}")
    report = json.loads(out.stdout.strip().splitlines()[-1])
    report["seconds"] = time.perf_counter() - start
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--extra", type=int, default=100)
    parser.add_argument("--store", type=Path, default=Path("build/bench-narratives.db"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.store.exists():
        args.store.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            texts = Path(tmp) / "corpus.jsonl"
            corpus(texts, args.n + args.extra)
            seconds, _ = run(["ingest", str(texts), "--db", str(args.store)])
            print(f"ingested {args.n + args.extra} articles in {seconds:.1f} s", file=sys.stderr)
    import sqlite3

    with sqlite3.connect(args.store) as connection:  # one file to copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    import sqlite3

    with sqlite3.connect(args.store) as connection:  # one file to copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    results: dict[str, object] = {"n": args.n, "extra": args.extra}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "scratch.db"
        shutil.copy(args.store, scratch)
        results["scratch"] = step(scratch, 0)
        os.remove(scratch)
        incremental = Path(tmp) / "incremental.db"
        shutil.copy(args.store, incremental)
        results["first_n"] = step(incremental, args.n)
        results["added"] = step(incremental, 0)
    scratch_s = results["scratch"]["seconds"]  # type: ignore[index]
    added_s = results["added"]["seconds"]  # type: ignore[index]
    results["added_over_scratch"] = added_s / scratch_s
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
