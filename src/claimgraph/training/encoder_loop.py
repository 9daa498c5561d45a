"""The torch loop that fine-tunes the cue-and-entity encoder from prepared arrays.

It needs nothing of claimgraph but :mod:`claimgraph.nlp.encoder_spec` (the recipe and the
shape codes), so the same code fits the encoder here (through
:mod:`claimgraph.training.encoder`, which prepares the arrays from PolNeAR cues and the
spaCy pipeline's entities) or runs on its own where only torch, transformers, safetensors
and numpy are installed, on a GPU machine for example, from a copy of ``src/``::

    PYTHONPATH=src python -m claimgraph.training.encoder_loop ARRAYS.npz BASE_DIR OUT_DIR \
        [--device cuda]

``ARRAYS.npz`` is what :func:`save_arrays` writes; ``BASE_DIR`` holds the base encoder's
``config.json`` and ``model.safetensors`` (the packaged all-MiniLM-L6-v2, or its lower
layers as written by :func:`save_base`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.nlp.encoder_spec import (
    ENCODER_META,
    ENCODER_WEIGHTS,
    LABELS,
    SHAPES,
    EncoderSpec,
    base_tensors,
    tuned_names,
)

logger = logging.getLogger(__name__)

#: Label of a piece that takes no part in a loss (no gold for that task).
IGNORE = -100


def save_arrays(
    path: Path,
    docs: Sequence[tuple[Sequence[int], Sequence[int], Sequence[int], Sequence[int]]],
    spec: EncoderSpec,
    meta: dict[str, Any] | None = None,
) -> None:
    """Write training documents ``(ids, shapes, cue_tags, entity_tags)`` (equal lengths,
    :data:`IGNORE` where a task has no gold) and ``spec`` to ``path`` (``.npz``)."""
    lengths = np.asarray([len(d[0]) for d in docs], dtype=np.int64)
    columns = [np.concatenate([np.asarray(d[k], dtype=np.int64) for d in docs]) for k in range(4)]
    np.savez_compressed(
        path,
        lengths=lengths,
        ids=columns[0].astype(np.int32),
        shapes=columns[1].astype(np.int8),
        cues=columns[2].astype(np.int16),
        entities=columns[3].astype(np.int16),
        spec=np.asarray(json.dumps({**spec.to_json(), **(meta or {})})),
    )


def load_arrays(path: Path) -> tuple[list[tuple[np.ndarray, ...]], EncoderSpec, dict[str, Any]]:
    """Documents, spec and the extra record written by :func:`save_arrays`."""
    with np.load(path) as data:
        bounds = np.concatenate(([0], np.cumsum(data["lengths"])))
        columns = [data[k].astype(np.int64) for k in ("ids", "shapes", "cues", "entities")]
        record = json.loads(str(data["spec"]))
    docs = [tuple(c[a:b] for c in columns) for a, b in itertools.pairwise(bounds)]
    return docs, EncoderSpec.from_json(record), record


def save_base(base_dir: Path, out_dir: Path, layers: int) -> None:
    """Write the lower ``layers`` layers of the base encoder in float16 (what a training
    run needs, in a third of the size) with its ``config.json`` to ``out_dir``."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.half().contiguous() for k, v in base_tensors(base_dir, layers).items()}
    save_file(tensors, str(out_dir / "model.safetensors"))
    (out_dir / "config.json").write_bytes((base_dir / "config.json").read_bytes())


def build_model(spec: EncoderSpec, base_dir: Path) -> Any:
    """The trainable encoder (float32): ``transformers``' BERT of ``spec.layers`` base
    layers, a fresh cue head (``classifier``), and where ``spec`` asks for them a fresh
    entity head and shape embeddings.  Called as ``model(ids, shapes, mask)``, it returns
    the cue logits and the entity logits (``None`` without an entity head)."""
    import torch
    from torch import nn
    from transformers import BertConfig, BertModel

    config = BertConfig.from_pretrained(str(base_dir))
    config.num_hidden_layers = spec.layers
    torch.manual_seed(spec.seed)

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel(config, add_pooling_layer=False)
            self.classifier = nn.Linear(config.hidden_size, len(LABELS))
            self.entity_classifier = (
                nn.Linear(config.hidden_size, len(spec.entity_tags)) if spec.entity_labels else None
            )
            self.shape_embeddings = (
                nn.Embedding(len(SHAPES), config.hidden_size) if spec.shapes else None
            )
            if self.shape_embeddings is not None:
                nn.init.zeros_(self.shape_embeddings.weight)

        def forward(self, ids: Any, shapes: Any, mask: Any) -> tuple[Any, Any]:
            x = self.bert.embeddings.word_embeddings(ids)
            if self.shape_embeddings is not None:
                x = x + self.shape_embeddings(shapes)
            h = self.bert(inputs_embeds=x, attention_mask=mask).last_hidden_state
            entities = self.entity_classifier(h) if self.entity_classifier is not None else None
            return self.classifier(h), entities

    model = Model()
    kept = {name: value.float() for name, value in base_tensors(base_dir, spec.layers).items()}
    missing, unexpected = model.load_state_dict(kept, strict=False)
    fresh = ("classifier.", "entity_classifier.", "shape_embeddings.")
    stray = [m for m in missing if not m.startswith(fresh)]
    if stray or unexpected:
        raise ValueError(
            f"base encoder weights do not fit: missing {stray}, unexpected {unexpected}"
        )
    return model


def fit_arrays(
    docs: Sequence[tuple[np.ndarray, ...]],
    spec: EncoderSpec,
    base_dir: Path,
    out_dir: Path,
    *,
    cls: int,
    sep: int,
    device: str = "cpu",
    record: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fine-tune on ``docs`` (``ids, shapes, cue_tags, entity_tags`` per document) and
    write ``cue_encoder.safetensors`` (float16) and ``cue_encoder.json`` to ``out_dir``.

    Windows of ``spec.window`` pieces start at 0 in the first epoch and at a random
    offset in later ones; the cue loss counts only pieces with cue gold, the entity loss
    (times ``spec.entity_weight``) only pieces with entity tags.
    """
    import torch
    from safetensors.torch import save_file

    model = build_model(spec, base_dir).to(device)
    tuned = set(tuned_names(spec))
    for name, param in model.named_parameters():
        param.requires_grad_(name in tuned)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=spec.learning_rate, weight_decay=spec.weight_decay)
    rng = random.Random(spec.seed)
    torch.manual_seed(spec.seed)

    def windows(epoch: int) -> list[tuple[np.ndarray, ...]]:
        out: list[tuple[np.ndarray, ...]] = []
        for doc in docs:
            n = len(doc[0])
            shift = rng.randrange(0, spec.window // 2) if epoch > 0 else 0
            starts = [0, *range(shift or spec.window, n, spec.window)]
            out.extend(tuple(col[s : s + spec.window] for col in doc) for s in starts)
        rng.shuffle(out)
        return [w for w in out if len(w[0])]

    per_epoch = (len(windows(0)) + spec.batch_size - 1) // spec.batch_size
    first = spec.entity_epochs if spec.entity_labels else 0  # epochs of entities alone
    epochs = first + spec.epochs

    def rate(step: int) -> float:
        """Warm-up, then linear decay, within each phase (entities alone; both)."""
        if step >= first * per_epoch:
            step, length = step - first * per_epoch, spec.epochs * per_epoch
        else:
            length = first * per_epoch
        warmup = max(1.0, spec.warmup_share * length)
        return min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / max(1, length))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    model.train()
    start = time.perf_counter()
    for epoch in range(epochs):
        batch_windows = windows(epoch)
        with_cues = epoch >= epochs - spec.epochs
        losses = []
        for b in range(0, len(batch_windows), spec.batch_size):
            rows = batch_windows[b : b + spec.batch_size]
            width = max(len(w[0]) for w in rows) + 2
            x = np.zeros((len(rows), width), dtype=np.int64)
            shapes = np.zeros_like(x)
            mask = np.zeros_like(x)
            gold = np.full((2, len(rows), width), IGNORE, dtype=np.int64)
            for k, (ids, shp, cues, ents) in enumerate(rows):
                m = len(ids)
                x[k, 0], x[k, 1 : m + 1], x[k, m + 1] = cls, ids, sep
                shapes[k, 1 : m + 1] = shp
                mask[k, : m + 2] = 1
                gold[0, k, 1 : m + 1], gold[1, k, 1 : m + 1] = cues, ents
            tx, ts, tm, tg = (torch.from_numpy(a).to(device) for a in (x, shapes, mask, gold))
            cue_logits, entity_logits = model(tx, ts, tm)
            loss = torch.zeros((), device=device)
            if with_cues and (tg[0] != IGNORE).any():
                loss = loss + torch.nn.functional.cross_entropy(
                    cue_logits.reshape(-1, len(LABELS)), tg[0].reshape(-1), ignore_index=IGNORE
                )
            if entity_logits is not None and (tg[1] != IGNORE).any():
                loss = loss + spec.entity_weight * torch.nn.functional.cross_entropy(
                    entity_logits.reshape(-1, len(spec.entity_tags)),
                    tg[1].reshape(-1),
                    ignore_index=IGNORE,
                )
            if loss.requires_grad:
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(float(loss.item()))
        logger.info(
            "encoder epoch %d/%d: mean loss %.4f (%.0f s)",
            epoch + 1,
            epochs,
            sum(losses) / max(len(losses), 1),
            time.perf_counter() - start,
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = {
        name: param.detach().half().contiguous().cpu()
        for name, param in model.named_parameters()
        if name in tuned
    }
    save_file(weights, str(out_dir / ENCODER_WEIGHTS))
    meta = {**(record or {}), **spec.to_json(), "base": "all-MiniLM-L6-v2"}
    (out_dir / ENCODER_META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return meta


def main(argv: list[str] | None = None) -> int:
    """Script entry point: fit from prepared arrays (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("arrays", type=Path, help="prepared training arrays (.npz)")
    parser.add_argument("base", type=Path, help="base encoder directory")
    parser.add_argument("out", type=Path, help="output directory")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    parser.add_argument("--epochs", type=int, default=None, help="override the spec's epochs")
    parser.add_argument(
        "--entity-weight", type=float, default=None, help="override the spec's entity_weight"
    )
    parser.add_argument(
        "--entity-epochs", type=int, default=None, help="override the spec's entity_epochs"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    docs, spec, record = load_arrays(args.arrays)
    from dataclasses import replace

    if args.epochs is not None:
        spec = replace(spec, epochs=args.epochs)
    if args.entity_weight is not None:
        spec = replace(spec, entity_weight=args.entity_weight)
    if args.entity_epochs is not None:
        spec = replace(spec, entity_epochs=args.entity_epochs)
    extra = {k: v for k, v in record.items() if k not in EncoderSpec.__dataclass_fields__}
    fit_arrays(
        docs, spec, args.base, args.out,
        cls=int(extra.pop("cls_id")), sep=int(extra.pop("sep_id")),
        device=args.device, record=extra,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
