"""Where Keras and ONNX support lived before 0.2; these names keep working for one release.
New code: `lstmshape.read.frameworks` (reading), `lstmshape.shapes.keras` / `.onnx` (shapes),
`lstmshape.translate` (`infer --as`), `lstmshape.settings` (KerasLSTM, OnnxLSTM)."""

from __future__ import annotations

from ..codes import NOT_EXPRESSIBLE, TRANSLATION_NOTE
from ..read.frameworks import CHOICES, FOREIGN, KERAS_KEYS, KEYS, ONNX_KEYS
from ..read.frameworks import read_framework as read_framework_config
from ..settings import FRAMEWORKS, KerasLSTM, OnnxLSTM
from ..shapes import infer
from ..translate import translate

CODES = {code.id: (code.name, code.summary) for code in (NOT_EXPRESSIBLE, TRANSLATION_NOTE)}

__all__ = ["CHOICES", "CODES", "FOREIGN", "FRAMEWORKS", "KERAS_KEYS", "KEYS", "KerasLSTM", "ONNX_KEYS", "OnnxLSTM",
           "infer", "read_framework_config", "translate"]
