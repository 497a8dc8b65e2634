"""Where the model around the LSTM (`head`, `expect`) was read before 0.2; kept for one release.
New code: `lstmshape.read.around` (reading) and `lstmshape.settings.HeadLayer` (the data)."""

from __future__ import annotations

from .read.around import ACTIVATIONS, EXPECT_TENSORS, HEAD_INPUTS, LAYER_KINDS, PASSTHROUGH
from .read.around import read_expect as parse_expect
from .read.around import read_head as parse_head
from .settings import HeadLayer

__all__ = ["ACTIVATIONS", "EXPECT_TENSORS", "HEAD_INPUTS", "HeadLayer", "LAYER_KINDS", "PASSTHROUGH", "parse_expect",
           "parse_head"]
