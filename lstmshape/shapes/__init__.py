"""The shape engine: every framework's LSTM shapes as plain arithmetic on the settings.

    core   sizes, dimensions and tensors (the vocabulary)
    torch  torch.nn.LSTM        → TorchShapes
    keras  keras.layers.LSTM    → KerasShapes
    onnx   the ONNX LSTM node   → OnnxShapes

`infer(config)` picks the engine by the config's framework. Pure: no numpy, no I/O.
"""

from __future__ import annotations

from typing import Iterable, Union

from ..settings import Config
from .core import FLOAT32_BYTES, Dimension, Size, Tensor, TensorLookup, layer_counts
from .keras import KerasShapes, infer_keras, infer_keras_config
from .onnx import OnnxShapes, infer_onnx, infer_onnx_config
from .torch import TENSORS, TorchShapes, combinations, infer_lstm, infer_stack, infer_torch_config, parameters

Shapes = Union[TorchShapes, KerasShapes, OnnxShapes]
Inference = TorchShapes  # the name before 0.2; kept for one release

ENGINES = {"torch": infer_torch_config, "keras": infer_keras_config, "onnx": infer_onnx_config}


def infer(config: Config, matrix: bool = False, layers: Iterable[int] | None = None) -> list[Shapes]:
    """The configured combination, or with `matrix` every combination of the framework's axes
    (torch: batch_first × bidirectional × num_layers); for a torch stack, one result per block."""
    return ENGINES[config.framework](config, matrix, layers)


__all__ = [
    "FLOAT32_BYTES", "TENSORS", "Dimension", "Inference", "KerasShapes", "OnnxShapes", "Shapes", "Size", "Tensor",
    "TensorLookup", "TorchShapes", "combinations", "infer", "infer_keras", "infer_lstm", "infer_onnx", "infer_stack",
    "layer_counts", "parameters",
]
