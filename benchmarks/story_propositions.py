"""Propositions within one story: are the claims of one story told apart?

    python benchmarks/story_propositions.py sample --out DRAFT     # how the set was drawn
    python benchmarks/story_propositions.py score [--labels FILE]  # default: the committed set

The Emergent measure of ``claimgraph eval propositions`` groups headlines of *different*
rumours; it cannot see whether the claims of *one* story land in one proposition or in
several.  This benchmark can.  A story is a connected part of the FNC-1 DEV pairs that
are related (a headline and the bodies that agree with, disagree with or discuss it, and
the other headlines of those bodies); ``sample`` takes the stories of 3 to 6 bodies in
the order of ``sha1("story-propositions-v1|" + first body id)``, the first
:data:`N_STORIES` of them, analyses their bodies (the text exactly as given), and draws up
to :data:`PER_STORY` claims per story (the claims the narratives read: every evidence item
of at least ``MIN_WORDS`` words) with ``random.Random(SEED)``.  It writes them
unlabelled; a reader then gives each claim a proposition label within its story
(``benchmarks/data/STORY_PROPOSITIONS.md``).  The file holds ids and offsets, never the
texts.

``score`` ingests the same bodies into a fresh SQLite store, builds its narratives as
``claimgraph narratives`` does, and scores the proposition of each labelled claim
against the labels with B-cubed precision, recall and F1 within each story (each claim's
precision: the share of the claims in its predicted proposition that share its label;
recall: the share of the claims with its label that share its predicted proposition),
averaged over all labelled claims; beside it, the two trivial groupings (one proposition
per story, one per claim).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STANCE = ROOT.parent / "shared" / "data" / "stance"
LABELS = Path(__file__).with_name("data") / "story_propositions.jsonl"
N_STORIES = 8
PER_STORY = 30
SEED = 31


def _stories(pairs: Path) -> list[list[str]]:
    """The related parts of the FNC-1 pairs: body ids per story, in the sampling order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for line in pairs.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["label"] != "unrelated":
            a, b = find("h:" + row["headline"]), find("b:" + row["body_id"])
            parent[a] = b
    stories: dict[str, set[str]] = defaultdict(set)
    for node in list(parent):
        if node.startswith("b:"):
            stories[find(node)].add(node[2:])
    chosen = [sorted(bodies) for bodies in stories.values() if 3 <= len(bodies) <= 6]
    chosen.sort(key=lambda b: hashlib.sha1(f"story-propositions-v1|{b[0]}".encode()).hexdigest())
    return chosen[:N_STORIES]


def _bodies(path: Path) -> dict[str, str]:
    return {
        r["body_id"]: r["text"]
        for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    }


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def sample(stance: Path, out: Path) -> None:
    from claimgraph.config import Config
    from claimgraph.evaluation.predict import analyze_records
    from claimgraph.model import ArticleAnalysis
    from claimgraph.narratives.build import MIN_WORDS

    texts = _bodies(stance / "fnc1_dev_bodies.jsonl")
    rng = random.Random(SEED)
    rows = []
    for number, bodies in enumerate(_stories(stance / "fnc1_dev.jsonl")):
        results = analyze_records([(b, texts[b]) for b in bodies], config=Config(),
                                  stages=("attribution", "actors", "speech_acts", "evidence"))
        claims = []
        for body, result in zip(bodies, results, strict=True):
            if not isinstance(result, ArticleAnalysis):
                sys.exit(f"error: {body}: the pipeline failed: {result.message}")
            for item in result.evidence:
                if len(item.claim.text.split()) >= MIN_WORDS:
                    claims.append((body, item.claim.start, item.claim.end, item.claim.text))
        claims.sort()
        for body, start, end, text in sorted(rng.sample(claims, min(PER_STORY, len(claims)))):
            rows.append({"story": f"s{number}", "body_id": body, "start": start, "end": end,
                         "sha1": _digest(text), "proposition": None})
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    print(f"{len(rows)} claims from {N_STORIES} stories -> {out}")


def _predicted(stance: Path, bodies: list[str]) -> dict[tuple[str, int, int], int]:
    """The proposition of every claim the narratives read in ``bodies``, by (article id,
    start, end), from a fresh store built as ``claimgraph ingest`` and ``narratives`` do
    (a body whose text another body repeats is stored once, under one article id)."""
    from claimgraph.config import Config
    from claimgraph.model import Article
    from claimgraph.narratives.build import update
    from claimgraph.pipeline import Pipeline, weights_hash
    from claimgraph.store import open_store
    from claimgraph.store.ingest import ingest

    texts = _bodies(stance / "fnc1_dev_bodies.jsonl")
    config = Config()
    articles = [Article(id=Article.make_id(texts[b]), text=texts[b], source_name=b) for b in bodies]
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/s.db") as store:
        for _ in ingest(store, articles, analyser=lambda: Pipeline(config),
                        weights_hash=weights_hash(config)):
            pass
        update(store)
        return {
            (r["article_id"], r["start"], r["end"]): r["proposition_id"]
            for r in store.narrative_claims()
        }


def score(stance: Path, labels: Path) -> dict[str, Any]:
    from claimgraph.evaluation.metrics import bcubed
    from claimgraph.model import Article

    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line]
    texts = _bodies(stance / "fnc1_dev_bodies.jsonl")
    for row in rows:
        if _digest(texts[row["body_id"]][row["start"] : row["end"]]) != row["sha1"]:
            sys.exit(f"error: {row['body_id']} {row['start']}:{row['end']}: the text changed")
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_story[row["story"]].append(row)
    totals = {"claimgraph": [0.0, 0.0], "one per story": [0.0, 0.0], "one per claim": [0.0, 0.0]}
    missing = 0
    stories = {}
    for story, items in sorted(by_story.items()):
        predicted = _predicted(stance, sorted({r["body_id"] for r in items}))
        gold = [r["proposition"] for r in items]
        pred = []
        for n, r in enumerate(items):
            key = (Article.make_id(texts[r["body_id"]]), r["start"], r["end"])
            if key not in predicted:
                missing += 1
                print(f"not grouped: {key}", file=sys.stderr)
            pred.append(predicted.get(key, f"missing-{n}"))
        for name, guess in (("claimgraph", pred), ("one per story", [0] * len(items)),
                            ("one per claim", list(range(len(items))))):
            p, r, _ = bcubed(guess, gold)
            totals[name][0] += p * len(items)  # summed over claims, averaged below
            totals[name][1] += r * len(items)
        p, r, _ = bcubed(pred, gold)
        stories[story] = {"claims": len(items), "propositions": len(set(gold)),
                          "predicted": len(set(pred)),
                          "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}
    out: dict[str, Any] = {"claims": len(rows), "stories": stories, "not grouped": missing}
    for name, (p, r) in totals.items():
        p, r = p / len(rows), r / len(rows)
        out[name] = {"precision": round(p, 3), "recall": round(r, 3),
                     "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("score", "sample"))
    parser.add_argument("--stance", type=Path, default=STANCE, help="the shared stance folder")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.stance, args.out or args.labels.with_suffix(".draft.jsonl"))
        return
    print(json.dumps(score(args.stance, args.labels), indent=1))


if __name__ == "__main__":
    main()
