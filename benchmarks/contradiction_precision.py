"""How many of the contradictions the narratives find are real?  Precision by kind.

    python benchmarks/narratives.py --n 1000 --extra 100     # makes build/bench-narratives.db
    cp build/bench-narratives.db /tmp/c.db && claimgraph narratives --db /tmp/c.db --limit 1
    python benchmarks/contradiction_precision.py sample --db /tmp/c.db --out DRAFT \
        [--seed N] [--exclude LABELLED ...]
    python benchmarks/contradiction_precision.py show DRAFT --db /tmp/c.db [--blind]
    python benchmarks/contradiction_precision.py score [--labels FILE]
    python benchmarks/contradiction_precision.py build --db /tmp/c.db [--labels FILE]

``sample`` draws :data:`PER_KIND` contradictions of each kind (explicit, conflicting
values, self-contradiction) from a store whose narratives are built, with
``random.Random(seed)`` over the contradictions sorted by id (leaving out the pairs of
``--exclude`` files, read before), and writes them unlabelled: the two claims by article
id and offsets (no text), the kind and what it is about.  A reader then labels each pair
by reading the two claims in their sentences (``benchmarks/data/CONTRADICTIONS.md``;
``show --blind`` prints what the reader reads, without the kind): ``contradiction`` when
both cannot be true as stated, ``compatible`` otherwise.  ``score`` prints the precision
of each kind and overall of a labelled file.  ``build`` scores every contradiction of a
built store against the labels of a file (default: the census of this
version's build, ``contradiction_census.jsonl``) and lists how many have no label yet:
a later build is measured by labelling only its new pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LABELS = Path(__file__).with_name("data") / "contradiction_precision.jsonl"
CENSUS = Path(__file__).with_name("data") / "contradiction_census.jsonl"
PER_KIND = 40
SEED = 41
KINDS = ("explicit", "conflicting_values", "self_contradiction")


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("{")]


def _sides(row: dict[str, Any], claims: dict[str, dict[str, Any]]) -> dict[str, Any]:
    a, b = claims[row["a_claim_id"]], claims[row["b_claim_id"]]
    return {"a": {k: a[k] for k in ("article_id", "start", "end", "speaker")},
            "b": {k: b[k] for k in ("article_id", "start", "end", "speaker")}}


def _pair_key(row: dict[str, Any]) -> frozenset[tuple[str, int, int]]:
    return frozenset((row[s]["article_id"], row[s]["start"], row[s]["end"]) for s in "ab")


def _build(db: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The narrative claims (by id) and the contradictions (by id) of the store at ``db``."""
    connection = sqlite3.connect(str(db))
    connection.row_factory = sqlite3.Row
    claims = {
        r["claim_id"]: dict(r)
        for r in connection.execute(
            "select claim_id, article_id, start, end, speaker from narrative_claims"
        )
    }
    rows = [dict(r) for r in connection.execute("select * from contradictions order by id")]
    return claims, rows


def sample(db: Path, out: Path, seed: int = SEED, exclude: Sequence[Path] = ()) -> None:
    claims, rows = _build(db)
    if exclude:  # pairs read before (labels of an earlier sample): leave them out
        seen = {_pair_key(row) for path in exclude for row in _rows(path)}
        rows = [r for r in rows if _pair_key(_sides(r, claims)) not in seen]
    rng = random.Random(seed)
    chosen = []
    for kind in KINDS:
        of_kind = [r for r in rows if r["kind"] == kind]
        chosen += rng.sample(of_kind, min(PER_KIND, len(of_kind)))
    with out.open("w", encoding="utf-8") as handle:
        for r in chosen:
            row = {"id": r["id"], "kind": r["kind"], "about": r["about"],
                   **_sides(r, claims), "label": None}
            handle.write(json.dumps(row) + "\n")
    print(f"{len(chosen)} contradictions -> {out}")


def show(draft: Path, db: Path, *, blind: bool = False) -> None:
    """Print each pair with its claims in their sentences (the texts come from the store)."""
    connection = sqlite3.connect(str(db))
    texts = dict(connection.execute("select id, text from articles"))
    for n, line in enumerate(draft.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        print(f"### {n}" if blind else f"### {n} kind={row['kind']} about={row['about']}")
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
    rows = _rows(labels)
    out: dict[str, object] = {}
    for kind in (*KINDS, "all"):
        of_kind = [r for r in rows if kind in ("all", r["kind"])]
        counts = Counter(r["label"] for r in of_kind)
        if of_kind:
            out[kind] = {"pairs": len(of_kind), "contradiction": counts["contradiction"],
                         "precision": round(counts["contradiction"] / len(of_kind), 3)}
    return out


def score_build(db: Path, labels: Sequence[Path]) -> dict[str, object]:
    """Precision of every contradiction of the store at ``db``, from ``labels``."""
    claims, rows = _build(db)
    known = {_pair_key(row): row["label"] for path in labels for row in _rows(path)}
    found = {_pair_key(_sides(r, claims)): r["kind"] for r in rows}
    out: dict[str, object] = {}
    for kind in (*KINDS, "all"):
        keys = [k for k, v in found.items() if kind in ("all", v)]
        labelled = [known[k] for k in keys if known.get(k)]
        if keys:
            real = sum(label == "contradiction" for label in labelled)
            out[kind] = {"pairs": len(keys), "unlabelled": len(keys) - len(labelled),
                         "contradiction": real,
                         "precision": round(real / len(labelled), 3) if labelled else None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("sample", "show", "score", "build"))
    parser.add_argument("file", nargs="?", type=Path, help="the draft (show)")
    parser.add_argument("--db", type=Path, default=Path("/tmp/c.db"))
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=SEED, help=f"sample's seed (default {SEED})")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[],
                        help="sample: leave out the pairs of these labelled files")
    parser.add_argument(
        "--blind", action="store_true", help="show: leave out each pair's kind (what a reader sees)"
    )
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.db, args.out or args.labels.with_suffix(".draft.jsonl"), args.seed,
               args.exclude)
    elif args.command == "show":
        show(args.file or args.labels, args.db, blind=args.blind)
    elif args.command == "build":
        labels = [args.labels] if args.labels != LABELS else [CENSUS]
        print(json.dumps(score_build(args.db, labels), indent=1))
    else:
        print(json.dumps(score(args.labels), indent=1))


if __name__ == "__main__":
    main()
