"""Before 0.2: Keras shapes. Kept for one release; new code imports `lstmshape.shapes.keras`."""

from __future__ import annotations

from ..settings import MERGE_MODES, KerasLSTM
from ..shapes.keras import KerasShapes, combinations, infer_keras, layer_names, parameters, settings
from ..shapes.keras import infer_keras_config as infer

KerasInference = KerasShapes

__all__ = ["KerasInference", "KerasLSTM", "MERGE_MODES", "combinations", "infer", "infer_keras", "layer_names",
           "parameters", "settings"]
