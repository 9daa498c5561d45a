"""Long fuzzing run of every parser of untrusted input (the targets of tests/test_fuzz.py).

    python benchmarks/fuzz.py [--cases 100000] [--seed 0] [--json OUT]

Half of each target's cases are random bytes, half are well-formed seeds with random
cuts, insertions and replacements (mutations reach past the first byte of a format).
A case fails when its parser raises anything but claimgraph's own refusal
(InputError, ConfigError) or returns something malformed; failures are printed with
the input that caused them.  Cases are split across targets by weight.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzz_targets import SEEDS, TARGETS, mutate, run, warc_seed

#: Relative share of the cases per target (cheap parsers get more).
WEIGHTS = {
    "text": 2.0, "url": 2.0, "config": 1.0, "dictionary": 1.0, "jsonl": 1.0,
    "feed": 1.0, "html": 1.0, "warc": 0.5, "auto": 0.5,
}  # fmt: skip


def _case(rng: random.Random, name: str, seeds: list[bytes]) -> bytes:
    if rng.random() < 0.5:
        return rng.randbytes(rng.randint(0, 600))
    cuts = [
        (rng.randint(0, 5000), rng.randint(0, 40), rng.randbytes(rng.randint(0, 24)))
        for _ in range(rng.randint(1, 4))
    ]
    return mutate(rng.choice(seeds), cuts)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    total_weight = sum(WEIGHTS[name] for name in TARGETS)
    figures: dict[str, dict[str, float]] = {}
    failures = 0
    for name in sorted(TARGETS):
        n = round(args.cases * WEIGHTS[name] / total_weight)
        seeds = SEEDS.get(name) or [warc_seed()]
        found = 0
        start = time.perf_counter()
        for _ in range(n):
            data = _case(rng, name, seeds)
            try:
                run(name, data)
            except Exception:
                found += 1
                if found <= 3:
                    print(f"FAIL {name}: {data[:200]!r}\n{traceback.format_exc(limit=3)}")
        seconds = time.perf_counter() - start
        figures[name] = {"cases": n, "failures": found, "seconds": round(seconds, 1)}
        failures += found
        print(f"{name:<11} {n:>7,} cases  {found:>3} failures  {seconds:7.1f} s", flush=True)
    cases = sum(int(f["cases"]) for f in figures.values())
    print(f"total       {cases:>7,} cases  {failures:>3} failures")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
