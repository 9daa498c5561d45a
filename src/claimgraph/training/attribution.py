"""Fit the attribution weights on PolNeAR-style JSONL data: the whole recipe.

Run ``python -m claimgraph.training.attribution --data /path/to/dev.jsonl [--fold F] [--out DIR]``
(default ``--out build/attribution``; the shipped weights are in
``src/claimgraph/models/attribution/``).  It fits the taggers
(:mod:`claimgraph.training.taggers`), the second stage on out-of-fold predictions
(:mod:`claimgraph.training.reranker`) and the cue-and-entity encoder
(:mod:`claimgraph.training.encoder`), and writes ``training.json``, the record of what
they were fitted on.
With ``--fold train`` (the default) only documents of the ``train`` fold (see
:mod:`claimgraph.evaluation.folds`) are used, so the ``heldout`` fold stays an honest
test; the shipped weights are fitted the same way on ``--fold all`` once the recipe is
fixed, and record that in ``training.json`` (``claimgraph eval`` then warns that their
held-out numbers are not honest).  Training is deterministic (L-BFGS, no shuffling).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claimgraph.attribution.rerank import RERANKER
from claimgraph.attribution.tagger import TRAINING
from claimgraph.config import Config
from claimgraph.errors import ModelError
from claimgraph.evaluation.attribution import load_docs
from claimgraph.evaluation.folds import Fold
from claimgraph.nlp.encoder_onnx import ONNX_FILES
from claimgraph.nlp.encoder_spec import ENCODER_META, ENCODER_WEIGHTS
from claimgraph.training import BUILD_DIR
from claimgraph.training.encoder import entity_texts, fit_encoder
from claimgraph.training.encoder_onnx import export as export_onnx
from claimgraph.training.reranker import fit_reranker
from claimgraph.training.taggers import CUE_PARAMS, ROLE_PARAMS, fit_taggers, parse_docs

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

#: Where :func:`train` writes unless told otherwise.
DEFAULT_OUT = BUILD_DIR / "attribution"

def train(
    data: Path,
    *,
    out_dir: Path = DEFAULT_OUT,
    fold: Fold = "train",
    config: Config | None = None,
    docs: Iterable[Doc] | None = None,
    clusters: Path | None = None,
    rerank: bool = True,
    encoder: bool = True,
    entity_data: Sequence[Path] = (),
) -> dict[str, int]:
    """Train both taggers on ``fold`` of ``data`` and write them to ``out_dir``.

    ``docs`` may supply pre-parsed ``Doc`` objects for the fold's documents (in file
    order); ``clusters`` may name an existing ``clusters.npz`` to reuse instead of fitting
    k-means again.  With ``rerank`` the second stage (:mod:`claimgraph.attribution.rerank`)
    is fitted too, on out-of-fold predictions (four more tagger fits).  With ``encoder``
    the transformer cue encoder is fine-tuned too (:mod:`claimgraph.training.encoder`, its
    entity head on the texts of ``data`` and ``entity_data``; an estimated 75 minutes on 2
    cores, a minute on a GPU through ``python -m claimgraph.training.encoder --prepare``);
    without it a stale one is removed.  Returns counts of training sequences.  Raises
    :class:`~claimgraph.errors.EvaluationError` on malformed data.
    """
    config = config or Config()
    gold_docs = load_docs(data, fold=fold)
    if not gold_docs:
        raise ModelError(f"no training documents in fold {fold!r} of {data}")
    parsed = list(docs if docs is not None else parse_docs(gold_docs, config))
    if len(parsed) != len(gold_docs):
        raise ModelError(f"got {len(parsed)} parsed documents for {len(gold_docs)} texts")
    centroids, feats, per_doc = fit_taggers(
        gold_docs, parsed, out_dir, config=config, clusters=clusters
    )
    counts = {
        "documents": len(gold_docs),
        "cue_sequences": sum(len(c) for c, _ in per_doc),
        "role_sequences": sum(len(r) for _, r in per_doc),
    }
    reranker_path = out_dir / RERANKER
    if rerank:
        reranker = fit_reranker(
            gold_docs, feats, per_doc, centroids, cue_params=CUE_PARAMS, role_params=ROLE_PARAMS
        )
        reranker_path.write_text(json.dumps(reranker.to_json(), indent=1, sort_keys=True) + "\n")
    elif reranker_path.exists():
        reranker_path.unlink()  # stale: fitted on other taggers' outputs
    for name in ONNX_FILES.values():
        (out_dir / name).unlink(missing_ok=True)  # stale: another fold's encoder
    if encoder:
        fit_encoder(gold_docs, out_dir, extra_texts=entity_texts(entity_data), progress=True)
        export_onnx(out_dir)
    else:
        for name in (ENCODER_META, ENCODER_WEIGHTS):
            (out_dir / name).unlink(missing_ok=True)  # stale: another fold's encoder
    record = {"fold": fold, "data": data.name, "data_sha256": _sha256(data), **counts}
    (out_dir / TRAINING).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m claimgraph.training.attribution``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="PolNeAR-style dev.jsonl")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)"
    )
    parser.add_argument(
        "--fold",
        choices=("train", "all"),
        default="train",
        help="documents to fit on: the train fold (honest held-out) or all of them",
    )
    parser.add_argument(
        "--clusters", type=Path, default=None, help="reuse this clusters.npz (skip k-means)"
    )
    parser.add_argument(
        "--no-rerank", action="store_true", help="skip the second stage (faster, lower quality)"
    )
    parser.add_argument(
        "--no-encoder",
        action="store_true",
        help="skip the transformer cue encoder (run with attribution.cue_encoder = false)",
    )
    parser.add_argument(
        "--entity-data",
        type=Path,
        action="append",
        default=[],
        help="JSONL file of more texts for the encoder's entity head (repeatable)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    counts = train(
        args.data,
        out_dir=args.out,
        fold=args.fold,
        clusters=args.clusters,
        rerank=not args.no_rerank,
        encoder=not args.no_encoder,
        entity_data=args.entity_data,
    )
    logger.info("trained: %s", counts)
    return 0


__all__ = ["DEFAULT_OUT", "main", "train"]


if __name__ == "__main__":
    raise SystemExit(main())
