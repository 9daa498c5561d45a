"""Export the cue-and-entity encoder of a weights directory to ONNX.

Run ``python -m claimgraph.training.encoder_onnx DIR`` (``python -m
claimgraph.training.attribution`` runs it after fitting the encoder).  Writes, beside
``cue_encoder.safetensors``, the graphs that :mod:`claimgraph.nlp.encoder_onnx` runs:
``cue_encoder.int8.onnx`` (matrix products with int8 weights, quantised per output
channel, and activations quantised per tensor at run time) and, with ``--float32``,
``cue_encoder.onnx``.  Each graph takes the summed embeddings (float32
``(windows, pieces, hidden)``) and gives the cue logits followed by the entity logits;
it records the SHA-256 of the weights it came from.  Needs torch, onnx and onnxruntime.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from claimgraph.nlp.encoder import runtime_model
from claimgraph.nlp.encoder_onnx import INPUT, ONNX_FILES, OUTPUT, graph_metadata
from claimgraph.nlp.encoder_spec import ENCODER_META, ENCODER_WEIGHTS, EncoderSpec

logger = logging.getLogger(__name__)

#: ONNX operator set of the exported graphs.
OPSET = 17


def _layers_module(model: Any) -> Any:
    """The part of :func:`~claimgraph.nlp.encoder.runtime_model`'s encoder after the
    embedding look-up: embedding norm, transformer layers (no padding: every window is
    full), classifier."""
    import torch

    class Layers(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, x: Any) -> Any:
            x = self.model.embedding_norm(x)
            bias = torch.zeros(1)
            for layer in self.model.layers:
                x = layer(x, bias)
            return self.model.classifier(x)

    return Layers().eval()


def _stamp(path: Path, metadata: dict[str, str]) -> None:
    import onnx

    graph = onnx.load(str(path))
    del graph.metadata_props[:]
    for key, value in sorted(metadata.items()):
        graph.metadata_props.add(key=key, value=value)
    onnx.save(graph, str(path))


def export(model_dir: Path, *, float32: bool = False) -> list[Path]:
    """Write the ONNX graphs of the encoder in ``model_dir``; returns their paths."""
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from safetensors.torch import load_file

    spec = EncoderSpec.from_json(json.loads((model_dir / ENCODER_META).read_text("utf-8")))
    model = runtime_model(spec, load_file(str(model_dir / ENCODER_WEIGHTS)))
    hidden = int(model.positions.shape[1])
    metadata = graph_metadata(model_dir)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        example = torch.zeros(2, 16, hidden)
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _layers_module(model),
                (example,),
                str(plain),
                input_names=[INPUT],
                output_names=[OUTPUT],
                dynamic_axes={name: {0: "windows", 1: "pieces"} for name in (INPUT, OUTPUT)},
                opset_version=OPSET,
                dynamo=False,
            )
        quantised = Path(tmp) / "int8.onnx"
        quantize_dynamic(
            str(plain),
            str(quantised),
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
        outputs = [("onnx-int8", quantised)] + ([("onnx-float32", plain)] if float32 else [])
        for name, source in outputs:
            _stamp(source, metadata)
            target = model_dir / ONNX_FILES[name]
            target.write_bytes(source.read_bytes())
            written.append(target)
            logger.info("wrote %s", target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path, help="attribution weights directory")
    parser.add_argument(
        "--float32", action="store_true", help="also write the float32 graph (cue_encoder.onnx)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in export(args.model_dir, float32=args.float32):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
