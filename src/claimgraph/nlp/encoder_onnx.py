"""The cue-and-entity encoder on ONNX Runtime, without torch.

The encoder's transformer layers and heads are exported once per weights directory
(``python -m claimgraph.training.encoder_onnx DIR``, which ``python -m
claimgraph.training.attribution`` runs after fitting the encoder) into an ONNX graph
whose input is the summed word-piece, position, type and shape embeddings; the
embeddings are looked up here in numpy (the word-piece table, float16 as in the torch
path, is the base package's own and is not stored again).  The graph ships in two
arithmetics:

* ``onnx-int8`` (:data:`ONNX_FILES`): matrix products with weights quantised per output
  channel to int8 and activations per tensor at run time (ONNX Runtime's dynamic
  quantisation; on CPUs with AVX-512 VNNI or AMX about twice as fast as the torch path
  in bfloat16);
* ``onnx-float32``: the exported graph as trained (not shipped: ``--float32`` exports it).

Each graph records the SHA-256 of the ``cue_encoder.safetensors`` it was exported from
(:data:`SOURCE_KEY`), so a graph left over from other weights is never used.  Running the
encoder this way imports neither torch nor transformers, which saves about 300 MB of
memory and a second of start-up.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.errors import ModelError
from claimgraph.nlp.encoder_spec import ENCODER_WEIGHTS, EncoderSpec, base_tensors

#: Graph file of each ONNX arithmetic, inside an attribution weights directory.
ONNX_FILES = {"onnx-int8": "cue_encoder.int8.onnx", "onnx-float32": "cue_encoder.onnx"}
#: Metadata key of a graph: the SHA-256 of the weights file it was exported from.
SOURCE_KEY = "claimgraph.source_sha256"
#: Name of the graph's input (summed embeddings, float32 ``(windows, pieces, hidden)``)
#: and output (cue logits followed by the entity logits).
INPUT, OUTPUT = "embeddings", "logits"


def weights_digest(model_dir: Path) -> str:
    """SHA-256 of the encoder weights file in ``model_dir``."""
    return hashlib.sha256((model_dir / ENCODER_WEIGHTS).read_bytes()).hexdigest()


def onnx_runtime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class OnnxForward:
    """The encoder's forward pass, ``(input_ids, shapes) -> logits`` as numpy arrays, on
    ONNX Runtime (graph ``graph`` exported from the weights in ``model_dir``).

    ``tuned`` are the weights file's tensors as numpy arrays (for the shape embedding)."""

    def __init__(
        self,
        model_dir: Path,
        graph: Path,
        spec: EncoderSpec,
        tuned: dict[str, np.ndarray],
        *,
        base_dir: Path,
        threads: int = 1,
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise ModelError(
                "the cue encoder's ONNX arithmetic needs onnxruntime "
                "(pip install onnxruntime), or set attribution.encoder_precision = \"auto\""
            ) from err
        base = base_tensors(base_dir, 0, framework="numpy")
        self.words = base["bert.embeddings.word_embeddings.weight"].astype(np.float16)
        self.positions = base["bert.embeddings.position_embeddings.weight"].astype(np.float32)
        self.type0 = base["bert.embeddings.token_type_embeddings.weight"][0].astype(np.float32)
        self.shapes = (
            tuned["shape_embeddings.weight"].astype(np.float32) if spec.shapes else None
        )
        if not graph.is_file():
            raise ModelError(
                f"the cue encoder in {model_dir} has no graph {graph.name}; export it with "
                f"`python -m claimgraph.training.encoder_onnx {model_dir}` (--float32 for "
                "the float32 graph), or set attribution.encoder_precision = \"auto\""
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(threads, 0)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(
                str(graph), options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:
            raise ModelError(f"cannot load cue encoder graph {graph}: {err}") from err
        if self.session.get_modelmeta().custom_metadata_map.get(SOURCE_KEY) != weights_digest(
            model_dir
        ):
            raise ModelError(
                f"cue encoder graph {graph} was exported from other weights; re-export it "
                f"with `python -m claimgraph.training.encoder_onnx {model_dir}`"
            )

    def embeddings(self, ids: np.ndarray, shapes: np.ndarray) -> np.ndarray:
        """The summed embeddings of word pieces ``ids`` with shape codes ``shapes`` (the
        same arithmetic, in the same order, as the torch encoder's)."""
        x: np.ndarray = self.words[ids].astype(np.float32)
        x += self.positions[: ids.shape[1]]
        x += self.type0
        if self.shapes is not None:
            x += self.shapes[shapes]
        return x

    def __call__(self, ids: np.ndarray, shapes: np.ndarray) -> np.ndarray:
        # ONNX Runtime runs without the GIL (the parse goes on in the main thread)
        out: np.ndarray = self.session.run([OUTPUT], {INPUT: self.embeddings(ids, shapes)})[0]
        return out


def numpy_weights(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as numpy arrays (no torch)."""
    from safetensors.numpy import load_file

    loaded: dict[str, Any] = load_file(str(path))
    return loaded


def graph_metadata(model_dir: Path) -> dict[str, str]:
    """Metadata to store in a graph exported from the weights in ``model_dir``."""
    spec = json.loads((model_dir / "cue_encoder.json").read_text(encoding="utf-8"))
    return {SOURCE_KEY: weights_digest(model_dir), "claimgraph.layers": str(spec.get("layers"))}


__all__ = [
    "INPUT",
    "ONNX_FILES",
    "OUTPUT",
    "SOURCE_KEY",
    "OnnxForward",
    "graph_metadata",
    "numpy_weights",
    "onnx_runtime_available",
    "weights_digest",
]
