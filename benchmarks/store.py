"""Store benchmark: ingest 1,000 DEV articles into SQLite (and PostgreSQL where it is
installed), against `claimgraph analyze -f jsonl` over the same texts.

    python benchmarks/store.py [--n 1000] [--rounds 1] [--no-postgres] [--json OUT]

The texts are the PolNeAR DEV articles and FNC-1 DEV bodies (``../shared/data``), in that
order, up to ``--n``.  Each run is its own process (start-up and model loading included),
timed by wall clock; peak RSS is the child's maximum resident set.  Targets: the store
adds at most 10 % to `analyze`'s time; peak RSS at most 1.5 GB; ingesting the same
articles again (all skipped) takes at most 5 % of the first ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared")) / "data"
SOURCES = (SHARED / "attribution" / "dev.jsonl", SHARED / "stance" / "fnc1_dev_bodies.jsonl")


def corpus(path: Path, n: int) -> int:
    """Write the first ``n`` texts of :data:`SOURCES` as ``{id, text}`` JSONL."""
    rows: list[dict[str, str]] = []
    for source in SOURCES:
        for line in source.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if isinstance(record.get("text"), str) and record["text"].strip():
                key = record.get("id", record.get("body_id"))
                rows.append({"id": f"{source.parent.name}:{key}", "text": record["text"]})
            if len(rows) >= n:
                break
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[:n]), encoding="utf-8")
    return len(rows[:n])


def run(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of ``claimgraph ARGS`` in its own process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", *args, "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"claimgraph {' '.join(args)} failed: {process.stderr.read().decode()}")  # type: ignore[union-attr]
    return seconds, usage.ru_maxrss / 1024


def postgres_url(root: Path) -> tuple[str, list[str]] | None:
    """A throwaway PostgreSQL server's database URL prefix (a round number completes
    it) and its stop command, or ``None``."""
    found = shutil.which("pg_ctl") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))), None
    )
    if found is None:
        return None
    bindir = Path(found).resolve().parent
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    os.chmod(root, 0o777)
    data = root / "pg"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    quiet = {"check": True, "capture_output": True}
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "-E", "UTF8"], **quiet)  # fmt: skip
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "-l",
                    str(root / "pg.log"), "-w", "start"], **quiet)  # fmt: skip
    stop = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/claimgraph", stop


def createdb(url: str) -> None:
    """Create the (empty) database of a ``postgresql+psycopg://`` URL on its server."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat every run this many times, interleaved; medians count")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="claimgraph-store-bench-"))
    texts = root / "corpus.jsonl"
    n = corpus(texts, args.n)
    runs: dict[str, list[tuple[float, float]]] = {}

    def record(name: str, seconds: float, rss: float) -> None:
        runs.setdefault(name, []).append((seconds, rss))
        print(f"{name:<26} {seconds:8.1f} s  {n / seconds:6.2f} articles/s  {rss:6.0f} MB",
              flush=True)  # fmt: skip

    server = None
    try:
        server = None if args.no_postgres else postgres_url(root)
        for round_ in range(args.rounds):
            record("analyze -f jsonl", *run(["analyze", str(texts), "-f", "jsonl", "-o",
                                             os.devnull]))  # fmt: skip
            db = str(root / f"store{round_}.db")
            record("ingest (SQLite)", *run(["ingest", str(texts), "--db", db]))
            record("ingest again (SQLite)", *run(["ingest", str(texts), "--db", db]))
            if server is not None:
                url = f"{server[0]}{round_}"
                createdb(url)
                record("ingest (PostgreSQL)", *run(["ingest", str(texts), "--db", url]))
                record("ingest again (PostgreSQL)", *run(["ingest", str(texts), "--db", url]))
    finally:
        if server is not None:
            subprocess.run(server[1], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    figures = {
        name: {
            "seconds": round(statistics.median(s for s, _ in values), 1),
            "articles_per_s": round(n / statistics.median(s for s, _ in values), 2),
            "peak_rss_mb": round(max(r for _, r in values)),
            "all_seconds": [round(s, 1) for s, _ in values],
        }
        for name, values in runs.items()
    }
    base = figures["analyze -f jsonl"]["seconds"]
    for backend in ("SQLite", "PostgreSQL"):
        first = figures.get(f"ingest ({backend})")
        again = figures.get(f"ingest again ({backend})")
        if first and again:
            overhead = 100 * (first["seconds"] / base - 1)
            share = 100 * again["seconds"] / first["seconds"]
            print(f"{backend}: store adds {overhead:+.1f} % to analyze; re-ingest takes "
                  f"{share:.1f} % of the first (medians of {args.rounds})")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"n": n, "rounds": args.rounds, "runs": figures},
                                        indent=1) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
