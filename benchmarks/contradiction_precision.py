"""How many of the contradictions the narratives find are real?  Precision by kind.

    python benchmarks/narratives.py --n 1000 --extra 100     # makes build/bench-narratives.db
    cp build/bench-narratives.db /tmp/c.db && claimgraph narratives --db /tmp/c.db --limit 1
    python benchmarks/contradiction_precision.py sample --db /tmp/c.db --out DRAFT
    python benchmarks/contradiction_precision.py show DRAFT          # what a reader reads
    python benchmarks/contradiction_precision.py score [--labels FILE]

``sample`` draws :data:`PER_KIND` contradictions of each kind (explicit, conflicting
values, self-contradiction) from a store whose narratives are built, with
``random.Random(SEED)`` over the contradictions sorted by id, and writes them unlabelled:
the two claims by article id and offsets (no text), the kind and what it is about.  A
reader then labels each pair by reading the two claims in their sentences
(``benchmarks/data/CONTRADICTIONS.md``): ``contradiction`` when both cannot be true as
stated, ``compatible`` otherwise.  ``score`` prints the precision of each kind and
overall.  The labels belong to the build that found the pairs (the commit in the file's
first line); a later build is measured by sampling and labelling again.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

LABELS = Path(__file__).with_name("data") / "contradiction_precision.jsonl"
PER_KIND = 40
SEED = 41
KINDS = ("explicit", "conflicting_values", "self_contradiction")


def sample(db: Path, out: Path) -> None:
    connection = sqlite3.connect(str(db))
    connection.row_factory = sqlite3.Row
    claims = {
        r["claim_id"]: dict(r)
        for r in connection.execute(
            "select claim_id, article_id, start, end, speaker from narrative_claims"
        )
    }
    rows = [dict(r) for r in connection.execute("select * from contradictions order by id")]
    rng = random.Random(SEED)
    chosen = []
    for kind in KINDS:
        of_kind = [r for r in rows if r["kind"] == kind]
        chosen += rng.sample(of_kind, min(PER_KIND, len(of_kind)))
    with out.open("w", encoding="utf-8") as handle:
        for r in chosen:
            a, b = claims[r["a_claim_id"]], claims[r["b_claim_id"]]
            row = {
                "id": r["id"], "kind": r["kind"], "about": r["about"],
                "a": {k: a[k] for k in ("article_id", "start", "end", "speaker")},
                "b": {k: b[k] for k in ("article_id", "start", "end", "speaker")},
                "label": None,
            }
            handle.write(json.dumps(row) + "\n")
    print(f"{len(chosen)} contradictions -> {out}")


def show(draft: Path, db: Path) -> None:
    """Print each pair with its claims in their sentences (the texts come from the store)."""
    connection = sqlite3.connect(str(db))
    texts = dict(connection.execute("select id, text from articles"))
    for n, line in enumerate(draft.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        print(f"### {n} kind={row['kind']} about={row['about']}")
        for side in ("a", "b"):
            c = row[side]
            text = texts[c["article_id"]]
            before = text[max(0, c["start"] - 150) : c["start"]].replace("\n", " ")
            after = text[c["end"] : c["end"] + 80].replace("\n", " ")
            claim = text[c["start"] : c["end"]].replace("\n", " ")
            print(f"  {side.upper()} ({c['speaker'] or 'author'}; article {c['article_id'][:10]}):"
                  f" ...{before}[[{claim}]]{after}...")
        print()


def score(labels: Path) -> dict[str, object]:
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()
            if line.startswith("{")]
    out: dict[str, object] = {}
    for kind in (*KINDS, "all"):
        of_kind = [r for r in rows if kind in ("all", r["kind"])]
        counts = Counter(r["label"] for r in of_kind)
        if of_kind:
            out[kind] = {"pairs": len(of_kind), "contradiction": counts["contradiction"],
                         "precision": round(counts["contradiction"] / len(of_kind), 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("sample", "show", "score"))
    parser.add_argument("file", nargs="?", type=Path, help="the draft (show)")
    parser.add_argument("--db", type=Path, default=Path("/tmp/c.db"))
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.db, args.out or args.labels.with_suffix(".draft.jsonl"))
    elif args.command == "show":
        show(args.file or args.labels, args.db)
    else:
        print(json.dumps(score(args.labels), indent=1))


if __name__ == "__main__":
    main()
