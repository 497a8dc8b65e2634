"""Helpers the forward-pass tests of every cell share (fixtures: conftest.py's compiled_cell,
parts_seen and two_parts)."""

from __future__ import annotations

import numpy as np


def blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def blas_threads():
    return min(lib.num_threads for lib in blas_controller().lib_controllers)


def cells_for(cases, dtype_at=0):
    """Each case with NumPy's cell, and float32 cases with the compiled cell too (float64 always
    runs NumPy's: the compiled exp and tanh are float32 polynomials); case[dtype_at] is its dtype."""
    return [(cell, *case) for case in cases
            for cell in (("numpy", "compiled") if case[dtype_at] is np.float32 else ("numpy",))]


def use_cell(request, cell):
    """The threads of the compiled cell's steps when `cell` asks for it, else None."""
    return request.getfixturevalue("compiled_cell") if cell == "compiled" else None
