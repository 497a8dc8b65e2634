"""lstmshape.shapes: the shape vocabulary every engine speaks, re-exported from shapes.core, and
pure (importing it loads no numpy)."""

from __future__ import annotations

import subprocess
import sys

import lstmshape.shapes as shapes
from lstmshape.shapes import core


def test_the_vocabulary_is_cores():
    assert shapes.__all__ == ["FLOAT32_BYTES", "Dimension", "Repeat", "Size", "Tensor", "TensorLookup",
                              "layer_counts"]
    for name in shapes.__all__:
        assert getattr(shapes, name) is getattr(core, name), name
    assert shapes.FLOAT32_BYTES == 4


def test_importing_the_shapes_loads_no_numpy():
    code = "import sys, lstmshape.shapes, lstmshape.shapes.joins; print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
