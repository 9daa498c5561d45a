"""Fine-tune the cue encoder (:mod:`.encoder`) on PolNeAR-style JSONL data.

Run ``python -m claimgraph.attribution.encoder_train --data dev.jsonl [--fold F] --out DIR``
(``python -m claimgraph.attribution.train`` runs it too, after the CRFs).  Labels are
B/I/O over word pieces: a piece is ``B`` where a cue (or a fragment of a discontinuous
cue) starts and ``I`` inside it.  Training windows of :attr:`EncoderSpec.window` pieces
start at 0 in the first epoch and at a random offset in later ones.  About 10 minutes on
2 CPU cores for the ``train`` fold (325 documents); the seed is fixed, but results can
differ slightly between machines (floating-point order).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..evaluation.attribution import AttributionDoc, load_docs
from ..evaluation.folds import Fold
from .encoder import (
    ENCODER_META,
    ENCODER_WEIGHTS,
    LABELS,
    EncoderSpec,
    build_model,
    load_tokenizer,
    trainable,
)
from .tagger import MODEL_DIR

logger = logging.getLogger(__name__)


def piece_labels(doc: AttributionDoc, tokenizer: Any) -> tuple[list[int], list[int]]:
    """Word-piece ids of ``doc.text`` and their labels (indices into :data:`LABELS`)."""
    text = doc.text
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    inside = np.zeros(len(text) + 1, dtype=bool)
    for attribution in doc.attributions:
        for piece in attribution.cue.pieces():
            inside[piece.start : piece.end] = True
    labels: list[int] = []
    prev_end: int | None = None
    for s, e in enc["offset_mapping"]:
        if e <= s or not inside[s:e].any():
            labels.append(LABELS.index("O"))
            prev_end = None
            continue
        joined = prev_end is not None and bool(inside[prev_end:s].all())
        labels.append(LABELS.index("I" if joined else "B"))
        prev_end = e
    return list(enc["input_ids"]), labels


def fit_encoder(
    docs: Sequence[AttributionDoc],
    out_dir: Path,
    *,
    spec: EncoderSpec | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Fine-tune a cue encoder on ``docs`` and write it to ``out_dir``; returns a record."""
    import torch
    from safetensors.torch import save_file

    spec = spec or EncoderSpec()
    tokenizer = load_tokenizer()
    encoded = [piece_labels(doc, tokenizer) for doc in docs]
    model = build_model(spec)
    for name, param in model.named_parameters():
        param.requires_grad_(trainable(name, spec))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=spec.learning_rate, weight_decay=spec.weight_decay)
    rng = random.Random(spec.seed)
    torch.manual_seed(spec.seed)

    def windows(epoch: int) -> list[tuple[list[int], list[int]]]:
        out: list[tuple[list[int], list[int]]] = []
        for ids, labels in encoded:
            shift = rng.randrange(0, spec.window // 2) if epoch > 0 else 0
            starts = [0, *range(shift or spec.window, len(ids), spec.window)]
            out.extend((ids[s : s + spec.window], labels[s : s + spec.window]) for s in starts)
        rng.shuffle(out)
        return [w for w in out if w[0]]

    per_epoch = (len(windows(0)) + spec.batch_size - 1) // spec.batch_size
    total = max(1, spec.epochs * per_epoch)
    warmup = max(1.0, spec.warmup_share * total)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / total)
    )
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    model.train()
    start = time.perf_counter()
    for epoch in range(spec.epochs):
        batch_windows = windows(epoch)
        losses = []
        for b in range(0, len(batch_windows), spec.batch_size):
            rows = batch_windows[b : b + spec.batch_size]
            width = max(len(ids) for ids, _ in rows) + 2
            x = torch.zeros(len(rows), width, dtype=torch.long)
            mask = torch.zeros_like(x)
            gold = torch.full((len(rows), width), -100, dtype=torch.long)
            for k, (ids, labels) in enumerate(rows):
                seq = [cls, *ids, sep]
                x[k, : len(seq)] = torch.tensor(seq)
                mask[k, : len(seq)] = 1
                gold[k, 1 : 1 + len(labels)] = torch.tensor(labels)
            logits = model(input_ids=x, attention_mask=mask).logits
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, len(LABELS)), gold.reshape(-1)
            )
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        if progress:
            logger.info(
                "cue encoder epoch %d/%d: mean loss %.4f (%.0f s)",
                epoch + 1,
                spec.epochs,
                sum(losses) / max(len(losses), 1),
                time.perf_counter() - start,
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    tuned = {
        name: param.detach().half().contiguous()
        for name, param in model.named_parameters()
        if trainable(name, spec)
    }
    save_file(tuned, str(out_dir / ENCODER_WEIGHTS))
    record = {**spec.to_json(), "documents": len(docs), "base": "all-MiniLM-L6-v2"}
    (out_dir / ENCODER_META).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return record


def train_encoder(
    data: Path, *, out_dir: Path = MODEL_DIR, fold: Fold = "train", spec: EncoderSpec | None = None
) -> dict[str, Any]:
    """Fine-tune the cue encoder on ``fold`` of ``data`` and write it to ``out_dir``."""
    return fit_encoder(load_docs(data, fold=fold), out_dir, spec=spec, progress=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m claimgraph.attribution.encoder_train``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="PolNeAR-style dev.jsonl")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="output directory")
    parser.add_argument("--fold", choices=("train", "all"), default="train")
    parser.add_argument("--epochs", type=int, default=EncoderSpec.epochs)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    record = train_encoder(
        args.data, out_dir=args.out, fold=args.fold, spec=EncoderSpec(epochs=args.epochs)
    )
    logger.info("cue encoder trained on %d documents", record["documents"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
