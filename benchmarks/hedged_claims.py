"""How well does `analyze` mark claims `hedged`? Precision and recall on hand-labelled claims.

    python benchmarks/hedged_claims.py score [--labels benchmarks/data/hedged_claims_b.jsonl ...]
    python benchmarks/hedged_claims.py sample --labels FILE --out DRAFT   # how they were drawn
    python benchmarks/hedged_claims.py agree --labels FILE --second FILE2  # two readers

`benchmarks/data/hedged_claims.jsonl` (set A) and `hedged_claims_b.jsonl` (set B) each hold
200 claims from PolNeAR DEV articles (`../shared/data/attribution/dev.jsonl`), each
labelled by reading it as hedged or not, with the hedge words;
`benchmarks/data/HEDGED_CLAIMS.md` is the labelling guide.  The files refer to the articles
by id and character offsets and never copy their text (only the hedge words themselves).
Set A was used to change the rules of the ``hedged`` status; set B was drawn and labelled
after that change, and measured it; set C (``hedged_claims_c.jsonl``) was drawn and
labelled before the next change and is the check set for it.  Sets D and E
(``hedged_claims_d.jsonl``, ``hedged_claims_e.jsonl``) were labelled blind by two other
readers: D checked the change made on C's errors, E the change made on D's.  Set F
(``hedged_claims_f.jsonl``) was labelled blind by a fifth reader and is the check of the
learned claim-hedge model (:mod:`claimgraph.training.claim_hedges`) when it was fitted on
sets A to E; sets G to J (``hedged_claims_g.jsonl`` ... ``_j.jsonl``) were labelled blind by
four more readers, and sets K to Z (``_k`` ... ``_z``) from FNC-1 DEV bodies by sixteen more
(``FNC1_SETS``; 60 bodies each; their ids read ``fnc1:<body_id>``).  The shipped model is
fitted on A to V, and W to Z are its check; ``python -m claimgraph.training.claim_hedges
--leave-out NAME ...`` checks the recipe on a set fitted on the others.  ``score --claim-hedges
rules`` scores the hand-written filter.  ``hedged_claims_e2.jsonl``, ``_w2`` and ``_x2`` are
sets E, W and X labelled again by other readers: ``agree`` compares two readers and scores
``analyze`` against each and where they agree.

`sample` draws a set by a fixed rule that reads no evidence status: the DEV articles sorted
by ``sha1("hedged-claims-v1|" + id)``, 40 of them (A: the first 40, B: the next 40,
C to J: the 40 after those in turn)
analysed by claimgraph, every claim of the evidence stage (statements and author-voice
claims) collected, and 200 drawn with ``random.Random(seed)`` (A: 19, B: 20, C: 21, D: 22,
E: 23, F: 24, G: 25, H: 26, I: 27, J: 28).  It writes
them unlabelled (``hedged: null``).

`score` analyses the same articles again, pairs each labelled claim with the claim of the
evidence stage that overlaps it most (character Jaccard at least 0.5; a labelled claim
with no partner counts as not marked), and reports precision and recall of the
``hedged`` status against the labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"
#: FNC-1 DEV bodies (rumour stories, where hedges abound); their ids read ``fnc1:<body_id>``.
FNC1 = ROOT.parent / "shared" / "data" / "stance" / "fnc1_dev_bodies.jsonl"
LABELS = Path(__file__).with_name("data") / "hedged_claims.jsonl"
N_ARTICLES = 40
N_CLAIMS = 200


#: The drawn sets: file -> (first article in hash order, seed of the claim draw).
SETS = {"hedged_claims.jsonl": (0, 19), "hedged_claims_b.jsonl": (40, 20),
        "hedged_claims_c.jsonl": (80, 21), "hedged_claims_d.jsonl": (120, 22),
        "hedged_claims_e.jsonl": (160, 23),
        "hedged_claims_f.jsonl": (200, 24), "hedged_claims_g.jsonl": (240, 25),
        "hedged_claims_h.jsonl": (280, 26), "hedged_claims_i.jsonl": (320, 27),
        "hedged_claims_j.jsonl": (360, 28)}
#: The sets drawn from FNC-1 DEV bodies, the same way (60 bodies each: they are shorter).
FNC1_SETS = {"hedged_claims_k.jsonl": (0, 29), "hedged_claims_l.jsonl": (60, 30),
             "hedged_claims_m.jsonl": (120, 31), "hedged_claims_n.jsonl": (180, 32),
             "hedged_claims_o.jsonl": (240, 33), "hedged_claims_p.jsonl": (300, 34),
             "hedged_claims_q.jsonl": (360, 35), "hedged_claims_r.jsonl": (420, 36),
             "hedged_claims_s.jsonl": (480, 37), "hedged_claims_t.jsonl": (540, 38),
             "hedged_claims_u.jsonl": (600, 39), "hedged_claims_v.jsonl": (660, 40),
             "hedged_claims_w.jsonl": (720, 41), "hedged_claims_x.jsonl": (780, 42),
             "hedged_claims_y.jsonl": (840, 43), "hedged_claims_z.jsonl": (900, 44)}


def _all_articles(data: Path) -> list[dict[str, Any]]:
    from claimgraph.training.claim_hedges import article_id

    records = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    for record in records:
        record["id"] = article_id(record)
    records.sort(key=lambda r: hashlib.sha1(f"hedged-claims-v1|{r['id']}".encode()).hexdigest())
    return records


def _articles(data: Path, first: int = 0, n: int = N_ARTICLES) -> list[dict[str, Any]]:
    return _all_articles(data)[first : first + n]


def _analyse(records: list[dict[str, Any]], claim_hedges: str = "learned") -> dict[str, Any]:
    from claimgraph.config import Config
    from claimgraph.evaluation.predict import analyze_records
    from claimgraph.model import ArticleAnalysis

    stages = ("attribution", "actors", "speech_acts", "evidence")
    config = Config.model_validate({"hedging": {"claim_hedges": claim_hedges}})
    results = analyze_records([(r["id"], r["text"]) for r in records], config=config,
                              stages=stages)
    out = {}
    for record, result in zip(records, results, strict=True):
        if not isinstance(result, ArticleAnalysis):
            sys.exit(f"error: {record['id']}: the pipeline failed: {result.message}")
        out[record["id"]] = result
    return out


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def sample(data: Path, out: Path, first: int, seed: int, n_articles: int = N_ARTICLES) -> None:
    records = _articles(data, first, n_articles)
    analyses = _analyse(records)
    claims = [
        (doc_id, ev.claim.start, ev.claim.end, ev.claim.text)
        for doc_id, analysis in analyses.items()
        for ev in analysis.evidence
    ]
    claims.sort()
    chosen = sorted(random.Random(seed).sample(claims, N_CLAIMS))
    with out.open("w", encoding="utf-8") as handle:
        for doc_id, start, end, text in chosen:
            row = {"doc_id": doc_id, "start": start, "end": end, "sha1": _digest(text),
                   "hedged": None, "hedge_words": []}
            handle.write(json.dumps(row) + "\n")
    print(f"{len(chosen)} claims from {len(records)} articles -> {out}")


def _jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _read(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths
            for line in path.read_text(encoding="utf-8").splitlines() if line]


def predictions(data: Path, gold: list[dict[str, Any]], claim_hedges: str = "learned"
                ) -> tuple[list[bool], int]:
    """Whether ``analyze`` marks each labelled claim ``hedged`` (its evidence-stage partner:
    the claim overlapping it most, character Jaccard at least 0.5), and how many labelled
    claims have no partner (counted as not marked)."""
    from claimgraph.model import EvidenceStatus

    records = {r["id"]: r for r in _all_articles(data) + _all_articles(FNC1)}
    wanted = [records[d] for d in sorted({g["doc_id"] for g in gold})]
    for g in gold:
        text = records[g["doc_id"]]["text"][g["start"] : g["end"]]
        if _digest(text) != g["sha1"]:
            sys.exit(f"error: {g['doc_id']} {g['start']}:{g['end']}: the article text changed")
    analyses = _analyse(wanted, claim_hedges)
    out, unmatched = [], 0
    for g in gold:
        best, partner = 0.0, None
        for ev in analyses[g["doc_id"]].evidence:
            j = _jaccard((g["start"], g["end"]), (ev.claim.start, ev.claim.end))
            if j > best:
                best, partner = j, ev
        matched = partner is not None and best >= 0.5
        unmatched += not matched
        out.append(bool(matched and partner is not None
                        and EvidenceStatus.HEDGED in partner.statuses))
    return out, unmatched


def _prf(predicted: list[bool], gold: list[bool]) -> dict[str, Any]:
    from claimgraph.training.claim_hedges import prf

    p, r, f = prf(predicted, gold)
    tp = sum(a and b for a, b in zip(predicted, gold, strict=True))
    return {"claims": len(gold), "hedged_gold": sum(gold), "hedged_predicted": sum(predicted),
            "tp": tp, "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def score(data: Path, labels: Path | list[Path], claim_hedges: str = "learned"
          ) -> dict[str, float]:
    """Precision and recall of ``hedged`` on the claims of ``labels`` (several files: pooled)."""
    gold = _read(labels if isinstance(labels, list) else [labels])
    predicted, unmatched = predictions(data, gold, claim_hedges)
    return {**_prf(predicted, [bool(g["hedged"]) for g in gold]), "unmatched": unmatched}


def agree(data: Path, pairs: list[tuple[Path, Path]], claim_hedges: str = "learned"
          ) -> dict[str, Any]:
    """Two readers' labels of the same claims (``(first, second)`` files, pooled): how
    often they agree (Cohen's kappa), the second scored against the first, and ``analyze``
    scored against each and against the claims both readers label alike."""
    first = _read([a for a, _ in pairs])
    second = _read([b for _, b in pairs])
    if [(g["doc_id"], g["start"], g["end"]) for g in first] != [
        (g["doc_id"], g["start"], g["end"]) for g in second
    ]:
        sys.exit("error: the two readers' files do not hold the same claims in the same order")
    a, b = [bool(g["hedged"]) for g in first], [bool(g["hedged"]) for g in second]
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    chance = (sum(a) / n) * (sum(b) / n) + (1 - sum(a) / n) * (1 - sum(b) / n)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else 1.0
    predicted, unmatched = predictions(data, first, claim_hedges)
    alike = [i for i in range(n) if a[i] == b[i]]
    return {
        "claims": n, "unmatched": unmatched, "agreement": round(observed, 3),
        "kappa": round(kappa, 3),
        "second_reader_against_first": _prf(b, a),
        "analyze_against_first": _prf(predicted, a),
        "analyze_against_second": _prf(predicted, b),
        "analyze_where_readers_agree": _prf([predicted[i] for i in alike],
                                            [a[i] for i in alike]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("score", "sample", "agree"))
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--labels", type=Path, action="append", default=None,
                        help="a labelled set (repeatable with score: the sets are pooled)")
    parser.add_argument("--second", type=Path, action="append", default=None,
                        help="with agree: a second reader's labels of each --labels set")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--claim-hedges", choices=("learned", "rules"), default="learned",
                        help="score the claim-hedge model (default) or the hand-written rules")
    args = parser.parse_args()
    labels = args.labels or [LABELS]
    if args.command == "sample":
        out = args.out or labels[0].with_suffix(".draft.jsonl")
        if labels[0].name in FNC1_SETS:
            first, seed = FNC1_SETS[labels[0].name]
            sample(FNC1, out, first, seed, n_articles=60)
        else:
            first, seed = SETS[labels[0].name]
            sample(args.data, out, first, seed)
        return
    if args.command == "agree":
        if not args.second or len(args.second) != len(labels):
            sys.exit("error: agree needs one --second file for each --labels file")
        pairs = list(zip(labels, args.second, strict=True))
        print(json.dumps(agree(args.data, pairs, args.claim_hedges), indent=1))
        return
    print(json.dumps(score(args.data, labels, args.claim_hedges), indent=1))


if __name__ == "__main__":
    main()
