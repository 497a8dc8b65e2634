"""The vocabulary of shapes every framework's engine (lstmshape.frameworks) speaks:

    core   sizes, dimensions and tensors
    joins  the layers between and around a torch stack's LSTMs (joins, a decoder's bridge)

Pure: no numpy, no I/O.
"""

from __future__ import annotations

from .core import FLOAT32_BYTES, Dimension, Repeat, Size, Tensor, TensorLookup, layer_counts

__all__ = ["FLOAT32_BYTES", "Dimension", "Repeat", "Size", "Tensor", "TensorLookup", "layer_counts"]
