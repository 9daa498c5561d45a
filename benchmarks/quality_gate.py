"""Quality gate: score every eval task and fail if a headline metric fell below its floor.

    python benchmarks/quality_gate.py [--fold heldout] [--update]

Floors live in ``benchmarks/quality_floors.json`` beside a SHA-256 digest of each data
file, so a changed corpus is reported instead of silently compared. ``--update`` rewrites
the floors from the current scores (review the diff).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FLOORS = Path(__file__).with_name("quality_floors.json")
# One flipped decision moves a score by less than this; don't fail on measurement noise.
EPSILON = 0.0005

TASKS = {
    "attribution": ("attribution", DATA / "attribution" / "dev.jsonl"),
    "events": ("events", DATA / "events" / "dev.jsonl"),
    "hedging": ("hedging", DATA / "hedging" / "meantime_dev.jsonl"),
    "machine-text": ("machine_text", DATA / "credibility" / "xsum_mgt_dev.jsonl"),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def regressed(score: float, floor: float) -> bool:
    """Below the floor by more than measurement noise."""
    return score < floor - EPSILON


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fold", default="heldout", choices=["all", "train", "heldout"])
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--task", action="append", choices=sorted(TASKS))
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="claimgraph TOML config, e.g. benchmarks/heldout.toml (train-fold weights)",
    )
    args = parser.parse_args()
    from claimgraph.config import load_config

    config = load_config(args.config)

    floors = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    failed = False
    for task in args.task or sorted(TASKS):
        module_name, path = TASKS[task]
        module = importlib.import_module(f"claimgraph.evaluation.{module_name}")
        report = module.evaluate(path, fold=args.fold, config=config)
        score = report.metrics[report.headline]
        key = f"{task}/{args.fold}"
        entry = floors.get(key)
        digest = _digest(path)
        if args.update:
            floors[key] = {
                "metric": report.headline,
                "floor": round(score, 4),
                "data_sha256": digest,
            }
            status = "updated"
        elif entry is None:
            status = "no floor"
        elif entry["data_sha256"] != digest:
            status = "DATA CHANGED"
            failed = True
        elif regressed(score, entry["floor"]):
            status = f"REGRESSED (floor {entry['floor']:.4f})"
            failed = True
        else:
            status = f"ok (floor {entry['floor']:.4f})"
        print(f"{task:<13} {report.headline}={score:.4f}  {status}", flush=True)
    if args.update:
        FLOORS.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
