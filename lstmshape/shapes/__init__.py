"""The shape engine: every framework's LSTM shapes as plain arithmetic on the settings.

    core   sizes, dimensions and tensors (the vocabulary)
    torch  torch.nn.LSTM        → TorchShapes
    keras  keras.layers.LSTM    → KerasShapes
    onnx   the ONNX LSTM node   → OnnxShapes

`infer(config)` picks the engine by the config's framework, from a registry: a torch config never
loads the Keras and ONNX engines. Pure: no numpy, no I/O.
"""

from __future__ import annotations

from typing import Iterable

from ..registry import resolve
from ..settings import Config
from .core import FLOAT32_BYTES, Dimension, Repeat, Size, Tensor, TensorLookup, layer_counts
from .torch import TENSORS, TorchShapes, combinations, infer_lstm, infer_stack, parameters


ENGINES = {
    "torch": "lstmshape.shapes.torch:infer_torch_config",
    "keras": "lstmshape.shapes.keras:infer_keras_config",
    "onnx": "lstmshape.shapes.onnx:infer_onnx_config",
}


def infer(config: Config, matrix: bool = False, layers: Iterable[int] | None = None) -> list:
    """The configured combination, or with `matrix` every combination of the framework's axes
    (torch: batch_first × bidirectional × num_layers); for a torch stack, one result per block.
    TorchShapes, KerasShapes (lstmshape.shapes.keras) or OnnxShapes (lstmshape.shapes.onnx)."""
    return resolve(ENGINES[config.framework])(config, matrix, layers)


__all__ = [
    "ENGINES", "FLOAT32_BYTES", "TENSORS", "Dimension", "Repeat", "Size", "Tensor", "TensorLookup", "TorchShapes",
    "combinations", "infer", "infer_lstm", "infer_stack", "layer_counts", "parameters",
]
