"""Cross-article entity linking against a hand-checked gold standard.

    python benchmarks/entity_linking.py [--data ../shared/data] [--gold PATH] [--db STORE.db]
                                        [--json OUT] [--top 15]

Selects the documents of ``benchmarks/data/entity_links_gold.jsonl`` again from the shared DEV
data by a fixed rule (see :func:`select`), ingests them in that order into a temporary SQLite
store with ``claimgraph ingest`` (or reuses ``--db`` when that file exists; a missing ``--db``
is created and kept), joins every stored actor with its gold key by (document id, name, type) and
scores the links pairwise: over all pairs of gold-non-null actors in different articles, a
pair is predicted-linked when both actors have the same ``entity_id`` and gold-linked when
both have the same gold key.  Prints precision, recall and F1 of the predicted links, the
counts, and the commonest wrong merges and missed links.  About 20 s on 2 cores (the ingest).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_GOLD = ROOT / "benchmarks" / "data" / "entity_links_gold.jsonl"

#: Selection rule: a document qualifies when it mentions at least ``min_hits`` of the
#: patterns (whole words, case-sensitive) and is at most ``max_chars`` long; the qualifying
#: documents are ordered by sha1(SALT + id) and the first ``count`` are taken.
SALT = "entity-links-v1|"
ATTRIBUTION_NAMES = (
    "Trump", "Clinton", "Obama", "Sanders", "Cruz", "Comey", "FBI", "Republican", "Russia",
    "Putin", "Rubio", "Kasich", "Bush",
)  # fmt: skip
EVENT_NAMES = (
    "Russian?s?", "Moscow", "Putin", "Israeli?s?", "Palestinian?s?", "United States", r"U\.S\.",
    "Washington", "Iraqi?s?", "Serbian?s?", "Serbs?", "Lebanon", "Lebanese", "Iranian?s?",
    "Iran", "United Nations", "UN", "Obama", "Clinton", "Bush", "China", "Chinese", "Turkey",
    "Turkish",
)  # fmt: skip
RULES = {  # corpus file: (patterns, min_hits, max_chars, count)
    "attribution/dev.jsonl": (ATTRIBUTION_NAMES, 3, 3500, 90),
    "events/dev.jsonl": (EVENT_NAMES, 2, 10**9, 30),
}


def select(data: Path) -> list[dict[str, str]]:
    """The benchmark documents (``id`` and ``text`` only), in ingestion order."""
    chosen: list[dict[str, str]] = []
    for name, (patterns, min_hits, max_chars, count) in RULES.items():
        regexes = [re.compile(rf"\b{p}(?!\w)") for p in patterns]
        docs = [json.loads(line) for line in (data / name).open(encoding="utf-8")]
        ok = [
            d for d in docs
            if len(d["text"]) <= max_chars and sum(bool(r.search(d["text"])) for r in regexes)
            >= min_hits
        ]  # fmt: skip
        ok.sort(key=lambda d: hashlib.sha1((SALT + d["id"]).encode()).hexdigest())
        chosen += [{"id": d["id"], "text": d["text"]} for d in ok[:count]]
    return chosen


def ingest(docs: list[dict[str, str]], db: Path) -> None:
    """Store ``docs`` in ``db`` with the claimgraph CLI (of this interpreter's environment)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        cli = Path(sys.executable).with_name("claimgraph")
        cmd = [str(cli), "ingest", str(path), "--db", str(db), "--no-progress"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def stored_actors(db: Path) -> list[dict[str, Any]]:
    """Every stored actor with ``doc_id`` (the JSONL id, from ``articles.source_name``)."""
    from claimgraph.store import open_store

    store = open_store(str(db))
    doc_of = {a["id"]: a["source_name"] for a in store.rows("articles")}
    return [{**a, "doc_id": doc_of[a["article_id"]]} for a in store.rows("actors")]


def score(actors: list[dict[str, Any]], gold: dict[tuple[str, ...], str | None], top: int
          ) -> dict[str, Any]:  # fmt: skip
    """Pairwise link precision, recall and F1 over gold-non-null actors of different articles."""
    joined: list[tuple[dict[str, Any], str | None]] = []
    for a in actors:
        key = (a["doc_id"], a["name"], a["type"])
        if key in gold or key[:2] in gold:
            joined.append((a, gold.get(key, gold.get(key[:2]))))
    keyed = [(a, g) for a, g in joined if g is not None]
    tp = fp = fn = 0
    merges: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for (a, ga), (b, gb) in combinations(keyed, 2):
        if a["doc_id"] == b["doc_id"]:
            continue
        pred, true = a["entity_id"] == b["entity_id"], ga == gb
        tp += pred and true
        if pred and not true:
            fp += 1
            merges[" ~ ".join(sorted((f"{a['name']} [{ga}]", f"{b['name']} [{gb}]")))] += 1
        if true and not pred:
            fn += 1
            misses[" ~ ".join(sorted((a["name"], b["name"]))) + f" [{ga}]"] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "actors": len(actors),
        "actors_in_gold": len(joined),
        "actors_missing_from_gold": len(actors) - len(joined),
        "gold_non_null": len(keyed),
        "gold_entities": len({g for _, g in keyed}),
        "predicted_entities": len({a["entity_id"] for a, _ in keyed}),
        "pairs_predicted": tp + fp,
        "pairs_gold": tp + fn,
        "pairs_correct": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "wrong_merges": merges.most_common(top),
        "missed_links": misses.most_common(top),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--db", type=Path, help="reuse this store, or create and keep it")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results here")
    parser.add_argument("--top", type=int, default=15, help="error pairs to list (default 15)")
    args = parser.parse_args()

    try:
        gold: dict[tuple[str, ...], str | None] = {}
        for line in args.gold.open(encoding="utf-8"):
            row = json.loads(line)
            gold[(row["doc_id"], row["name"], row["type"])] = row["gold"]
            gold.setdefault((row["doc_id"], row["name"]), row["gold"])
        with tempfile.TemporaryDirectory() as tmp:
            db = args.db or Path(tmp) / "entity_linking.db"
            docs = select(args.data)
            if not db.exists():
                ingest(docs, db)
            actors = stored_actors(db)
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as error:
        sys.exit(f"entity_linking: {error!r}")
    result = {"documents": len(docs), **score(actors, gold, args.top)}

    print(f"documents {result['documents']}, actors {result['actors']} "
          f"({result['actors_missing_from_gold']} not in the gold), gold-non-null "
          f"{result['gold_non_null']} in {result['gold_entities']} gold entities / "
          f"{result['predicted_entities']} predicted")  # fmt: skip
    print(f"cross-article pairs: predicted {result['pairs_predicted']}, gold "
          f"{result['pairs_gold']}, correct {result['pairs_correct']}")  # fmt: skip
    print(f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"F1 {result['f1']:.3f}")  # fmt: skip
    for title, rows in (("wrong merges", "wrong_merges"), ("missed links", "missed_links")):
        print(f"\ntop {title} (pairs):")
        for pair, n in result[rows]:
            print(f"  {n:6d}  {pair}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
