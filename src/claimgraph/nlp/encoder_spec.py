"""The cue-and-entity encoder's recipe, its weight files and its word-piece inputs.

Shared by the run-time encoder (:mod:`claimgraph.nlp.encoder`) and its training
(:mod:`claimgraph.training.encoder`, :mod:`claimgraph.training.encoder_loop`); it imports
nothing of claimgraph, and torch only where tensors are read, so the training loop can run
where only torch, safetensors, transformers and numpy are installed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: File names inside an attribution weights directory.
ENCODER_WEIGHTS = "cue_encoder.safetensors"
ENCODER_META = "cue_encoder.json"
#: Labels of the cue head, in order.
LABELS = ("O", "B", "I")
#: Word-piece shape codes (:func:`piece_shapes`): the base encoder is uncased, and
#: capitalisation is most of what tells a name from a word.
SHAPES = ("none", "lower", "title", "upper", "mixed", "digit", "other")


@dataclass(frozen=True)
class EncoderSpec:
    """Architecture and training recipe of a cue encoder (stored in ``cue_encoder.json``)."""

    #: Transformer layers kept from the base encoder (the lower ones).
    layers: int = 3
    #: Word pieces per window (training and inference).
    window: int = 256
    #: Step between inference windows (overlapping predictions are averaged).  Equal to
    #: ``window``: on the held-out fold overlapping windows (stride 128 or 192) scored the
    #: same and cost up to twice as much.
    stride: int = 256
    #: Passes over the training windows (5 for the cue head alone, chosen by
    #: cross-validation; 10 with the entity head).
    epochs: int = 10
    learning_rate: float = 1.5e-4
    batch_size: int = 16
    weight_decay: float = 0.01
    warmup_share: float = 0.1
    seed: int = 0
    #: Entity types of the entity head (B-/I- tags over word pieces, after "O"); empty:
    #: no entity head.
    entity_labels: tuple[str, ...] = field(default=())
    #: Whether a learned embedding of each piece's shape (:data:`SHAPES`) is added to
    #: its word embedding.
    shapes: bool = False
    #: Weight of the entity loss beside the cue loss.
    entity_weight: float = 2.0
    #: Epochs of the entity loss alone before the ``epochs`` of both losses: the entity
    #: head needs more passes than the cue head, whose recipe stays as it was.
    entity_epochs: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EncoderSpec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "entity_labels" in known:
            known["entity_labels"] = tuple(known["entity_labels"])
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["entity_labels"] = list(self.entity_labels)
        return data

    @property
    def entity_tags(self) -> tuple[str, ...]:
        """The entity head's tags, in order: ``O``, then ``B-X``, ``I-X`` per type."""
        return ("O", *(f"{p}-{label}" for label in self.entity_labels for p in "BI"))


def piece_shapes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The shape code (index into :data:`SHAPES`) of each word piece ``text[s:e]``."""
    n = len(starts)
    out = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    # ASCII classes by code; other letters by Python's own test (rare in English news)
    upper = (chars >= 65) & (chars <= 90)
    lower = (chars >= 97) & (chars <= 122)
    digit = (chars >= 48) & (chars <= 57)
    for i in np.flatnonzero(chars > 127).tolist():
        c = text[i]
        upper[i], lower[i], digit[i] = c.isupper(), c.islower(), c.isdigit()
    cu, cl, cd = (np.concatenate(([0], np.cumsum(a))) for a in (upper, lower, digit))
    s = np.clip(starts, 0, len(chars))
    e = np.clip(np.maximum(ends, starts), 0, len(chars))
    n_upper, n_lower, n_digit = cu[e] - cu[s], cl[e] - cl[s], cd[e] - cd[s]
    first_upper = np.zeros(n, dtype=bool)
    has = e > s
    first_upper[has] = upper[s[has]]
    out[has] = SHAPES.index("other")
    out[has & (n_digit > 0) & (n_upper + n_lower == 0)] = SHAPES.index("digit")
    out[has & (n_lower > 0) & (n_upper == 0)] = SHAPES.index("lower")
    out[has & (n_upper > 0)] = SHAPES.index("mixed")
    out[has & first_upper & (n_upper == 1)] = SHAPES.index("title")
    out[has & (n_upper > 1) & (n_lower == 0)] = SHAPES.index("upper")
    return out


def tuned_names(spec: EncoderSpec) -> list[str]:
    """Names of the fine-tuned (shipped) tensors of a cue encoder of ``spec``."""
    parts = (
        "attention.self.query", "attention.self.key", "attention.self.value",
        "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
        "output.dense", "output.LayerNorm",
    )
    names = [
        f"bert.encoder.layer.{i}.{part}.{kind}"
        for i in range(spec.layers)
        for part in parts
        for kind in ("weight", "bias")
    ] + ["classifier.weight", "classifier.bias"]
    if spec.entity_labels:
        names += ["entity_classifier.weight", "entity_classifier.bias"]
    if spec.shapes:
        names.append("shape_embeddings.weight")
    return names


def base_tensors(base_dir: Path, layers: int, framework: str = "pt") -> dict[str, Any]:
    """The base encoder's tensors that a ``layers``-layer encoder uses, named with a
    ``bert.`` prefix, as stored in ``base_dir/model.safetensors`` (torch tensors, or numpy
    arrays with ``framework="numpy"``)."""
    from safetensors import safe_open

    kept = {}
    with safe_open(str(base_dir / "model.safetensors"), framework=framework) as weights:
        for name in weights.keys():
            bare = name.removeprefix("bert.")
            if (
                bare.startswith("pooler.")
                or bare.endswith("position_ids")  # a buffer older checkpoints store
                or any(bare.startswith(f"encoder.layer.{i}.") for i in range(layers, 99))
            ):
                continue
            kept[f"bert.{bare}"] = weights.get_tensor(name)
    return kept


__all__ = [
    "ENCODER_META",
    "ENCODER_WEIGHTS",
    "LABELS",
    "SHAPES",
    "EncoderSpec",
    "base_tensors",
    "piece_shapes",
    "tuned_names",
]
