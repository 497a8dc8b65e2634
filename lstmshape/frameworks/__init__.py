"""Everything lstmshape knows of each framework, behind one interface (`base.Framework`):

    base     the Framework interface
    context  what every rule reads of a config (RuleContext) and the helpers its messages use
    head     the head walked and `expect` compared in Keras's and ONNX's own tensors
    torch    torch.nn.LSTM (GRU, RNN): its config keys, shapes and rule context → TORCH
    keras    keras.layers.LSTM (GRU, SimpleRNN, Bidirectional) → KERAS
    onnx     the ONNX LSTM (GRU, RNN) node → ONNX

A module that needs to tell frameworks apart asks `of(config.framework)` for an attribute
instead of comparing the name. Pure: no numpy, no I/O, and nothing above it (read, rules,
render) is imported here.
"""

from __future__ import annotations

from typing import Iterable

from ..settings import Config
from .base import Framework
from .keras import KERAS
from .onnx import ONNX
from .torch import TORCH

FRAMEWORKS: dict[str, Framework] = {f.name: f for f in (TORCH, KERAS, ONNX)}
# The framework of a config that names none (settings.Config's default): its configs are written
# without a `framework` key (schema, inspect's configs)
DEFAULT: Framework = FRAMEWORKS[Config.framework]
# Other names configs give a framework (RLlib's `framework: tf`, TF configs'), any case
ALIASES = {"tf": "keras", "tf2": "keras", "tensorflow": "keras"}


def of(name: str) -> Framework:
    """The Framework a config's `framework` names (the reader accepts no other)."""
    return FRAMEWORKS[name]


def framework_named(value) -> str | None:
    """The framework a config's `framework` value names (an alias such as `tf` included, any case);
    None for a value that names none."""
    if not isinstance(value, str):
        return None
    return value if value in FRAMEWORKS else ALIASES.get(value.lower())


def infer(config: Config, matrix: bool = False, layers: Iterable[int] | None = None) -> list:
    """The configured combination, or with `matrix` every combination of the framework's axes
    (torch: batch_first × bidirectional × num_layers); one result per block of a stack.
    TorchShapes, KerasShapes or OnnxShapes."""
    return of(config.framework).engine(config, matrix, layers)


__all__ = ["ALIASES", "DEFAULT", "FRAMEWORKS", "KERAS", "ONNX", "TORCH", "Framework", "framework_named", "infer", "of"]
