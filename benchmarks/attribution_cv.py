"""Cross-validation of the attribution taggers over the train fold (the held-out fold is not read).

    python benchmarks/attribution_cv.py [--data ../shared/data/attribution/dev.jsonl] [--k 4]
                                        [--encoder]

The train-fold documents are cut into ``k`` parts by a hash of their id (the second stage's
``rerank_train.part_of``, so with k=4 the parts are its out-of-fold parts); for each part the
k-means tables and both CRFs are fitted on the other parts (``train.fit_taggers``, the same
recipe as ``python -m claimgraph.training.attribution``, without the second stage) and the
part is predicted.  Prints the pooled scores of ``claimgraph eval attribution`` and each
part's content+source F1.  Feature and parameter changes to the taggers are judged here
rather than on the held-out fold, which stays for the final number.  About 10 minutes for
k=4 on a 2-core machine, CRF alone (the cue encoder off).

With ``--encoder`` the transformer cue encoder is fine-tuned on the same parts too
(``encoder_train.fit_encoder``, about 10 minutes more per part) and the pooled score is
printed for every pair of CRF share and cue threshold of ``--grid`` (how
``tagger.CRF_SHARE`` and ``tagger.ENCODER_CUE_THRESHOLD`` were chosen).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--k", type=int, default=4, help="number of parts (default 4)")
    parser.add_argument(
        "--encoder", action="store_true", help="also fine-tune the cue encoder per part"
    )
    parser.add_argument(
        "--grid",
        default="1.0,0.6,0.5,0.4,0.3/0.25,0.3,0.35,0.4,0.45",
        help="CRF shares / thresholds to score with --encoder (comma lists)",
    )
    args = parser.parse_args()

    from claimgraph.attribution import attribute_statements, tagger
    from claimgraph.config import Config, load_config
    from claimgraph.evaluation.attribution import (
        AttributionDoc,
        load_docs,
        report_from_metrics,
        score,
        statements_to_doc,
    )
    from claimgraph.model import Article
    from claimgraph.nlp.encoder import CueEncoder
    from claimgraph.nlp.encoder_runner import USER_DATA_KEY
    from claimgraph.training.encoder import fit_encoder
    from claimgraph.training.reranker import part_of
    from claimgraph.training.taggers import fit_taggers, parse_docs

    config = load_config(None, **{"attribution.cue_encoder": bool(args.encoder)})
    shares_text, thresholds_text = args.grid.split("/")
    grid = [
        (float(share), float(threshold))
        for share in shares_text.split(",")
        for threshold in thresholds_text.split(",")
    ]
    gold = load_docs(args.data, fold="train")
    parsed = list(parse_docs(gold, config))
    all_gold, all_pred = [], []

    def predict(part_config: Config, indices: list[int]) -> list[AttributionDoc]:
        """Predictions for the documents ``indices`` with a part's weights."""
        preds = []
        for i in indices:
            article = Article(id=gold[i].id, text=gold[i].text)
            statements = attribute_statements(parsed[i], article, config=part_config)
            preds.append(statements_to_doc(gold[i].id, gold[i].text, statements))
        return preds

    # with --encoder: (part config, document indices) to re-score for every grid point
    parts: list[tuple[Config, list[int]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.k):
            train_idx = [i for i, g in enumerate(gold) if part_of(g.id, args.k) != k]
            test_idx = [i for i, g in enumerate(gold) if part_of(g.id, args.k) == k]
            out = Path(tmp) / f"part{k}"
            train_gold = [gold[i] for i in train_idx]
            fit_taggers(train_gold, [parsed[i] for i in train_idx], out, config=config)
            if args.encoder:
                fit_encoder(train_gold, out, progress=True)
                encoder = CueEncoder(out)
                for i in test_idx:
                    parsed[i].user_data[USER_DATA_KEY] = encoder.char_probs(gold[i].text)
            part_config = load_config(
                None,
                **{"attribution.cue_encoder": bool(args.encoder), "attribution.weights": str(out)},
            )
            parts.append((part_config, test_idx))
            preds = predict(part_config, test_idx)
            golds = [gold[i] for i in test_idx]
            f1 = score(golds, preds)["attribution_f1_overlap"]
            print(f"part {k}: {len(test_idx)} documents, content+source F1 {f1:.4f}", flush=True)
            all_gold += golds
            all_pred += preds
        metrics = score(all_gold, all_pred)
        note = f"{args.k}-fold CV over the train fold, taggers only"
        if args.encoder:
            note += (
                f", cue encoder at CRF share {tagger.CRF_SHARE} / threshold "
                f"{tagger.ENCODER_CUE_THRESHOLD}"
            )
        print(report_from_metrics(metrics, len(all_gold), [note]).render())
        if args.encoder:
            for share, threshold in grid:
                tagger.CRF_SHARE, tagger.ENCODER_CUE_THRESHOLD = share, threshold
                golds, preds = [], []
                for part_config, test_idx in parts:
                    preds += predict(part_config, test_idx)
                    golds += [gold[i] for i in test_idx]
                f1 = score(golds, preds)["attribution_f1_overlap"]
                print(f"CRF share {share:.2f}, threshold {threshold:.2f}: F1 {f1:.4f}")


if __name__ == "__main__":
    main()
