"""Web benchmark: the HTML report of a large store in headless Chromium, and the app's
latency and throughput on loopback.

    python benchmarks/web.py [--n 1000] [--db STORE] [--clients 50] [--seconds 30] [--json OUT]

Without ``--db`` the first ``--n`` DEV texts (as in benchmarks/store.py) are ingested into
a new SQLite store first.  Then:

* ``claimgraph report --db STORE`` is timed and its size reported; the file is opened in
  headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright) and the time from
  navigation to the graph's first painted frame is read from the page (target < 2 s);
* ``claimgraph serve`` runs in its own process; one client asks for stored-article pages
  (HTML and JSON) one after another (p50/p95 latency; target p95 < 200 ms); then
  ``--clients`` asyncio httpx clients ask for read endpoints for ``--seconds`` seconds
  (target: 0 errors), reporting requests/s and the server's RSS before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from store import corpus  # benchmarks/store.py: the same DEV texts

CHROMIUM = os.environ.get("CLAIMGRAPH_CHROMIUM", "/usr/bin/chromium")


def claimgraph(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "claimgraph.cli", *args], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def open_report(path: Path, rounds: int = 3) -> list[dict[str, float]]:
    """Milliseconds from navigation to the graph's first painted frame (read from the
    page's clock), of drawing it, until Playwright saw it (``wall_ms``) and until the
    whole page was read (``load_event_ms``)."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        for _ in range(rounds):
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_function("() => document.getElementById('graph').dataset.ready",
                                   timeout=120_000)  # fmt: skip
            wall = (time.perf_counter() - start) * 1000
            page.wait_for_load_state("load", timeout=120_000)
            loaded = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
            )
            ready = float(page.get_attribute("#graph", "data-ready") or 0)
            draw = float(page.get_attribute("#graph", "data-draw-ms") or 0)
            nodes = page.evaluate("() => window.claimgraphGraph.nodes().length")
            edges = page.evaluate("() => window.claimgraphGraph.edges().length")
            results.append({"navigation_to_graph_ms": ready, "graph_draw_ms": draw,
                            "wall_ms": wall, "load_event_ms": loaded, "nodes": nodes,
                            "edges": edges})  # fmt: skip
            context.close()
        browser.close()
    return results


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: str, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "serve", "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/articles?per_page=1").status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the app did not start")


def sequential_latency(base: str, ids: list[str], n: int) -> dict[str, dict[str, float]]:
    import httpx

    out = {}
    with httpx.Client(base_url=base) as client:
        for name, template in (("page /articles/{id}", "/articles/{}"),
                               ("api /api/articles/{id}", "/api/articles/{}")):  # fmt: skip
            times = []
            for i in range(n):
                start = time.perf_counter()
                response = client.get(template.format(ids[i % len(ids)]))
                times.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
            times.sort()
            out[name] = {"p50_ms": statistics.median(times),
                         "p95_ms": times[int(0.95 * (len(times) - 1))], "n": n}  # fmt: skip
    return out


async def load(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    import httpx

    counts = {"ok": 0, "errors": 0}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                try:
                    response = await client.get(rng.choice(paths))
                    counts["ok" if response.status_code == 200 else "errors"] += 1
                except httpx.HTTPError:
                    counts["errors"] += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - start
    total = counts["ok"] + counts["errors"]
    return {"requests": total, "errors": counts["errors"], "seconds": elapsed,
            "requests_per_s": total / elapsed}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--db", help="An existing store (else one is built from DEV texts).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", help="Write the results here too.")
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="claimgraph-web-bench-") as scratch:
        db = args.db
        if db is None:
            db = str(Path(scratch) / "store.db")
            texts = Path(scratch) / "dev.jsonl"
            n = corpus(texts, args.n)
            results["ingest_s"] = claimgraph("ingest", str(texts), "--db", db, "--no-progress")
            results["articles"] = n
        report = Path(scratch) / "report.html"
        results["report_s"] = claimgraph("report", "--db", db, "-o", str(report))
        results["report_bytes"] = report.stat().st_size
        results["report_open"] = open_report(report)
        port = free_port()
        server = start_server(db, port)
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            listing = httpx.get(f"{base}/api/articles", params={"per_page": 100}).json()
            ids = [row["id"] for row in listing["items"]]
            entities = httpx.get(f"{base}/api/entities", params={"per_page": 50}).json()
            entity_ids = [row["id"] for row in entities["items"]]
            results["latency"] = sequential_latency(base, ids, 200)
            paths = [f"/articles/{i}" for i in ids] + [f"/api/articles/{i}" for i in ids]
            paths += [f"/entities/{i}" for i in entity_ids] + [
                f"/api/entities/{i}" for i in entity_ids
            ]
            paths += [f"/api/articles?page={p}" for p in range(1, 6)]
            paths += ["/api/search?q=president", "/articles?q=police", "/api/entities?q=an"]
            results["rss_before_mb"] = rss_mb(server.pid)
            results["load"] = asyncio.run(load(base, paths, args.clients, args.seconds))
            results["rss_after_mb"] = rss_mb(server.pid)
            results["clients"] = args.clients
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(results, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
