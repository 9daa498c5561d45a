"""Fine-tune the cue-and-entity encoder (:mod:`claimgraph.nlp.encoder`).

Run ``python -m claimgraph.training.encoder --data dev.jsonl [--fold F]
[--entity-data more.jsonl ...] --out DIR`` (``python -m claimgraph.training.attribution``
runs it too, after the CRFs).

Two heads share the encoder:

* **cues**: B/I/O over word pieces from the PolNeAR cue spans of ``--data``: a piece is
  ``B`` where a cue (or a fragment of a discontinuous cue) starts and ``I`` inside it;
* **entities**: B-/I- tags of the small English spaCy pipeline's named entities
  (distillation: its ``ner`` labels the texts of ``--data`` and of every
  ``--entity-data`` JSONL file, whose records need only a ``text``), so that the
  analysis can leave spaCy's ``ner`` out (``attribution.encoder_entities``).

Training windows of :attr:`EncoderSpec.window` pieces start at 0 in the first epoch and
at a random offset in later ones.  ``--prepare FILE.npz`` writes the prepared arrays and
the base encoder's lower layers (``FILE.base/``) and stops:
:mod:`claimgraph.training.encoder_loop` fits from them wherever torch runs, a GPU for
example.  On 2 CPU cores the fit of the ``train`` fold
with the entity texts of ``make heldout-models`` (916,101 word pieces, 10 epochs) should take
about 75 minutes (scaled from 12.5 minutes measured for 312,245 pieces and 5 epochs; the
shipped weights were fitted on a GPU, in about a minute); the seed is
fixed, but results can differ slightly between machines (floating-point order).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.errors import ModelError
from claimgraph.evaluation.attribution import AttributionDoc, load_docs
from claimgraph.nlp.encoder import base_model_path, load_tokenizer
from claimgraph.nlp.encoder_runner import TEACHER_MODEL
from claimgraph.nlp.encoder_spec import LABELS, EncoderSpec, piece_shapes
from claimgraph.training import BUILD_DIR
from claimgraph.training.encoder_loop import (
    IGNORE,
    build_model,
    fit_arrays,
    save_arrays,
    save_base,
)

logger = logging.getLogger(__name__)

#: Where the encoder is written unless told otherwise (beside the attribution taggers).
DEFAULT_OUT = BUILD_DIR / "attribution"

#: An entity as a ``(start, end, label)`` character span.
Entity = tuple[int, int, str]


def piece_labels(doc: AttributionDoc, tokenizer: Any) -> tuple[list[int], list[int]]:
    """Word-piece ids of ``doc.text`` and their cue labels (indices into :data:`LABELS`)."""
    enc = tokenizer(doc.text, return_offsets_mapping=True, add_special_tokens=False)
    return list(enc["input_ids"]), cue_tags(doc, enc["offset_mapping"])


def cue_tags(doc: AttributionDoc, offsets: Sequence[tuple[int, int]]) -> list[int]:
    """The cue label (index into :data:`LABELS`) of each word piece ``doc.text[s:e]``."""
    inside = np.zeros(len(doc.text) + 1, dtype=bool)
    for attribution in doc.attributions:
        for piece in attribution.cue.pieces():
            inside[piece.start : piece.end] = True
    labels: list[int] = []
    prev_end: int | None = None
    for s, e in offsets:
        if e <= s or not inside[s:e].any():
            labels.append(LABELS.index("O"))
            prev_end = None
            continue
        joined = prev_end is not None and bool(inside[prev_end:s].all())
        labels.append(LABELS.index("I" if joined else "B"))
        prev_end = e
    return labels


def entity_tags(
    offsets: Sequence[tuple[int, int]], entities: Iterable[Entity], spec: EncoderSpec
) -> list[int]:
    """The entity tag (index into ``spec.entity_tags``) of each word piece: ``B-X`` for
    the first piece of an ``X`` entity, ``I-X`` for the others, ``O`` outside."""
    ends = max((e for _, e in offsets), default=0) + 1
    label_at = np.zeros(ends, dtype=np.int64)  # 1 + index of the entity's label
    start_at = np.full(ends, -1, dtype=np.int64)
    index = {label: k for k, label in enumerate(spec.entity_labels)}
    for start, end, label in entities:
        if label in index and start < ends:
            label_at[start:end] = index[label] + 1
            start_at[start:end] = start
    tags: list[int] = []
    for s, e in offsets:
        if e <= s or not label_at[s]:
            tags.append(0)
            continue
        k = int(label_at[s]) - 1
        begins = start_at[s] == s or (not tags or tags[-1] == 0)
        tags.append(1 + 2 * k + (0 if begins else 1))
    return tags


def teacher_entities(texts: Sequence[str], model: str) -> list[list[Entity]]:
    """The named entities of each text by the ``ner`` of spaCy pipeline ``model``."""
    from claimgraph.nlp import load_nlp

    nlp = load_nlp(model)
    with nlp.select_pipes(enable=["ner"]):
        return [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=32)
        ]


def entity_texts(paths: Iterable[Path]) -> list[str]:
    """The non-empty ``text`` of every record of the JSONL files ``paths``, once each."""
    seen: set[str] = set()
    texts: list[str] = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                text = json.loads(line).get("text")
                if isinstance(text, str) and text.strip() and text not in seen:
                    seen.add(text)
                    texts.append(text)
    return texts


def prepare(
    docs: Sequence[AttributionDoc],
    *,
    extra_texts: Sequence[str] = (),
    spec: EncoderSpec | None = None,
    entities: bool = True,
    model: str = TEACHER_MODEL,
) -> tuple[list[tuple[list[int], list[int], list[int], list[int]]], EncoderSpec]:
    """Training arrays ``(ids, shapes, cue_tags, entity_tags)`` per text: the cue
    documents ``docs`` (with cue gold) and ``extra_texts`` (entities only), with the
    spec they were prepared for (the teacher's entity labels where ``entities``)."""
    from dataclasses import replace

    spec = spec or EncoderSpec()
    if entities:
        from claimgraph.nlp import load_nlp

        labels = tuple(sorted(getattr(load_nlp(model).get_pipe("ner"), "labels", ())))
        spec = replace(spec, entity_labels=labels, shapes=True)
    tokenizer = load_tokenizer()
    texts = [d.text for d in docs] + [t for t in extra_texts if t]
    taught = teacher_entities(texts, model) if spec.entity_labels else [[] for _ in texts]
    out = []
    for k, text in enumerate(texts):
        enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        ids = list(enc["input_ids"])
        if k < len(docs):
            cues = cue_tags(docs[k], offsets)
        else:
            cues = [IGNORE] * len(ids)
        if spec.entity_labels:
            tags = entity_tags(offsets, taught[k], spec)
            # a word's tag is read from its first piece (encoder.entity_spans): the
            # others take no part in the entity loss
            pieces = enc.tokens()
            tags = [IGNORE if p.startswith("##") else t for p, t in zip(pieces, tags, strict=True)]
        else:
            tags = [IGNORE] * len(ids)
        starts = np.asarray([s for s, _ in offsets], dtype=np.int64)
        ends = np.asarray([e for _, e in offsets], dtype=np.int64)
        shapes = piece_shapes(text, starts, ends).tolist() if spec.shapes else [0] * len(ids)
        out.append((ids, shapes, cues, tags))
    return out, spec


def trainable_model(spec: EncoderSpec) -> Any:
    """The trainable encoder of ``spec`` on the packaged base encoder (float32; see
    :func:`claimgraph.training.encoder_loop.build_model`)."""
    try:
        return build_model(spec, base_model_path())
    except ImportError as err:
        raise ModelError(
            "training the cue encoder needs torch and transformers (pip install torch "
            "transformers)"
        ) from err
    except ValueError as err:
        raise ModelError(str(err)) from err


def fit_encoder(
    docs: Sequence[AttributionDoc],
    out_dir: Path,
    *,
    spec: EncoderSpec | None = None,
    extra_texts: Sequence[str] = (),
    entities: bool = True,
    progress: bool = False,
    device: str = "cpu",
) -> dict[str, Any]:
    """Fine-tune an encoder on ``docs`` (cues, and entities of their texts and of
    ``extra_texts`` where ``entities``) and write it to ``out_dir``; returns its record."""
    arrays, spec = prepare(docs, extra_texts=extra_texts, spec=spec, entities=entities)
    tokenizer = load_tokenizer()
    if progress:
        logging.getLogger("claimgraph.training.encoder_loop").setLevel(logging.INFO)
    record = {"documents": len(docs), "entity_texts": len(arrays) - len(docs)}
    return fit_arrays(
        [tuple(np.asarray(c, dtype=np.int64) for c in doc) for doc in arrays],
        spec,
        base_model_path(),
        out_dir,
        cls=tokenizer.cls_token_id,
        sep=tokenizer.sep_token_id,
        device=device,
        record=record,
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m claimgraph.training.encoder``)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="PolNeAR-style dev.jsonl")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)"
    )
    parser.add_argument("--fold", choices=("train", "all"), default="train")
    parser.add_argument("--epochs", type=int, default=EncoderSpec.epochs)
    parser.add_argument(
        "--entity-data",
        type=Path,
        action="append",
        default=[],
        help="JSONL file of more texts for the entity head (repeatable)",
    )
    parser.add_argument(
        "--no-entities", action="store_true", help="no entity head (cues only)"
    )
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    parser.add_argument(
        "--prepare",
        type=Path,
        default=None,
        metavar="FILE.npz",
        help="write the training arrays (and FILE.base/) for encoder_loop and stop",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    docs = load_docs(args.data, fold=args.fold)
    extra = entity_texts(args.entity_data)
    spec = EncoderSpec(epochs=args.epochs)
    if args.prepare is not None:
        arrays, spec = prepare(docs, extra_texts=extra, spec=spec, entities=not args.no_entities)
        tokenizer = load_tokenizer()
        meta = {
            "cls_id": tokenizer.cls_token_id,
            "sep_id": tokenizer.sep_token_id,
            "documents": len(docs),
            "entity_texts": len(arrays) - len(docs),
        }
        save_arrays(args.prepare, arrays, spec, meta)
        save_base(base_model_path(), args.prepare.with_suffix(".base"), spec.layers)
        logger.info("prepared %d texts in %s", len(arrays), args.prepare)
        return 0
    record = fit_encoder(
        docs,
        args.out,
        spec=spec,
        extra_texts=extra,
        entities=not args.no_entities,
        progress=True,
        device=args.device,
    )
    logger.info(
        "encoder trained on %d documents and %d entity texts",
        record["documents"],
        record["entity_texts"],
    )
    return 0


__all__ = [
    "DEFAULT_OUT",
    "cue_tags",
    "entity_tags",
    "entity_texts",
    "fit_encoder",
    "main",
    "prepare",
    "teacher_entities",
    "trainable_model",
]


if __name__ == "__main__":
    raise SystemExit(main())
