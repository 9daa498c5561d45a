"""How far can event-certainty features go on MEANTIME?  A diagnostic, not a model.

    python benchmarks/hedging_ceiling.py [--data ../shared/data/hedging/meantime_dev.jsonl]

Runs the nested grouped cross-validation of ``python -m claimgraph.training.hedging --cv all``
four times over all of DEV:

* ``text only``: the shipped features (what the model can see);
* ``+ gold time``: plus the gold MEANTIME ``time`` attribute (FUTURE / NON_FUTURE /
  UNDERSPECIFIED) of the event, which no text model is given, as an oracle feature;
* ``+ article style``: plus a leaked feature, the share of the *other* FUTURE events of the
  same article that its annotator labelled uncertain (binned);
* ``+ both``;

and, without any learning, the rule "FUTURE and the article's other FUTURE events mostly
uncertain" on the two oracles.

If the oracle rows stay far below the 0.65 target, the missing information is neither
temporal reference nor a per-article labelling habit that the text features miss.  It also
prints, per article, how its FUTURE events were labelled: the same kind of event is
``certain`` in some articles and ``uncertain`` in others.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "hedging" / "meantime_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    from claimgraph.evaluation.hedging import iter_mentions, mention_features
    from claimgraph.evaluation.metrics import binary_prf
    from claimgraph.training.hedging import cross_validate

    mentions = list(iter_mentions(args.data, fold="all"))
    times = {}
    with args.data.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            times[row["id"]] = row.get("time") or "UNDERSPECIFIED"
    labels = [int(m.label == "uncertain") for m in mentions]
    groups = [m.doc for m in mentions]
    base, hedged = mention_features(mentions)

    future_by_doc: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if times[m.id] == "FUTURE":
            future_by_doc[m.doc].append(i)

    def style_share(i: int) -> float | None:
        """Share of the article's other FUTURE events labelled uncertain (None: no others)."""
        others = [j for j in future_by_doc[mentions[i].doc] if j != i]
        return sum(labels[j] for j in others) / len(others) if others else None

    def style(i: int) -> dict[str, float]:
        share = style_share(i)
        return {} if share is None else {f"style_bin={min(int(share * 3), 2)}": 1.0}

    def gold_time(i: int) -> dict[str, float]:
        return {f"gold_time={times[mentions[i].id]}": 1.0}

    variants = {
        "text only": base,
        "+ gold time": [{**f, **gold_time(i)} for i, f in enumerate(base)],
        "+ article style": [{**f, **style(i)} for i, f in enumerate(base)],
        "+ both": [{**f, **gold_time(i), **style(i)} for i, f in enumerate(base)],
    }
    print(f"{len(mentions)} event mentions, {sum(labels)} uncertain, "
          f"{len(set(groups))} articles; nested grouped 5-fold CV, F1 of 'uncertain'")
    for name, feats in variants.items():
        prec, rec, f1 = cross_validate(feats, labels, groups, hedged)
        print(f"  {name:<16} P={prec:.3f} R={rec:.3f} F1={f1:.3f}")

    for cut in (0.3, 0.5, 0.7):
        guess = [
            times[m.id] == "FUTURE" and (style_share(i) or 0.0) >= cut
            for i, m in enumerate(mentions)
        ]
        prec, rec, f1 = binary_prf(labels, guess)
        print(f"  rule on both oracles (FUTURE and article share >= {cut}): "
              f"P={prec:.3f} R={rec:.3f} F1={f1:.3f}")

    shares = [
        sum(labels[i] for i in idx) / len(idx) for idx in future_by_doc.values() if len(idx) >= 3
    ]
    n_future = sum(len(idx) for idx in future_by_doc.values())
    n_unc = sum(labels[i] for idx in future_by_doc.values() for i in idx)
    print(f"FUTURE events: {n_future}, of which uncertain {n_unc}; "
          f"uncertain share per article with >= 3 of them ({len(shares)} articles): "
          f"0 in {sum(s == 0 for s in shares)}, 1 in {sum(s == 1 for s in shares)}, "
          f"in between in {sum(0 < s < 1 for s in shares)}")


if __name__ == "__main__":
    main()
