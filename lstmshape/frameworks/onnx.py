"""Before 0.2: ONNX shapes. Kept for one release; new code imports `lstmshape.shapes.onnx`."""

from __future__ import annotations

from ..settings import DIRECTIONS, OnnxLSTM
from ..shapes.onnx import INITIALIZERS, NODE_TENSORS, OnnxNode, OnnxShapes, combinations, glue, infer_onnx, settings
from ..shapes.onnx import infer_onnx_config as infer

OnnxInference = OnnxShapes

__all__ = ["DIRECTIONS", "INITIALIZERS", "NODE_TENSORS", "OnnxInference", "OnnxLSTM", "OnnxNode", "combinations",
           "glue", "infer", "infer_onnx", "settings"]
