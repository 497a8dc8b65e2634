"""Helpers the forward-pass tests of every cell share (fixtures: conftest.py's compiled_cell,
parts_seen, two_parts and two_directions)."""

from __future__ import annotations

import functools
import os

import numpy as np

from lstmshape.forward import init_params


def force(monkeypatch, *parts):
    """Set LSTMSHAPE_FORWARD to force these parts of the variant (calibration.PARTS: a cell,
    threads, packing), keeping what it already forces of the other choices."""
    from lstmshape.forward.calibration import PARTS, Request

    forced = Request.parse(os.environ.get("LSTMSHAPE_FORWARD", "auto"))._asdict()
    for part in parts:
        forced[next(choice for choice, options in PARTS.items() if part in options)] = part
    monkeypatch.setenv("LSTMSHAPE_FORWARD", Request(**forced).name)


def blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def blas_threads():
    return min(lib.num_threads for lib in blas_controller().lib_controllers)


@functools.cache
def haswell_packing():
    """lstmshape.forward.packed_gemm's packing with OpenBLAS's Haswell kernel, whatever core OpenBLAS
    chose here (every x86-64 CPU with AVX2 and FMA runs that kernel), so that the packed product
    is tested on any CI machine and not only where fast.py would pick it. Found and
    self-tested once per session: every compiled-cell test asks for it."""
    from threadpoolctl import threadpool_info

    from lstmshape.forward.packed_gemm import ready_packing

    libraries = [{**library, "architecture": "Haswell"} for library in threadpool_info()
                 if library["internal_api"] == "openblas"]
    packing = ready_packing(libraries)
    assert packing is not None, f"no OpenBLAS with a working Haswell sgemm kernel among {libraries}"
    return packing


def packed_products_per_step(request, cell):
    """With the compiled cell, how many packed products (packed_steps) ran for each step the cell
    ran; None with NumPy's cell, which packs nothing."""
    if cell != "compiled":
        return None
    steps, products = request.getfixturevalue("compiled_cell"), request.getfixturevalue("packed_steps")
    assert steps, "the compiled cell ran"
    return len(products) / len(steps)


def record_threads(monkeypatch, name):
    """Wrap fast.<name> so that every call records its thread and the BLAS thread limit it ran
    under; returns that record, a list of (thread, limit)."""
    import threading

    from lstmshape.forward import fast as forward

    seen = []
    original = getattr(forward, name)

    def spy(*args):
        seen.append((threading.get_ident(), blas_threads()))
        return original(*args)

    monkeypatch.setattr(forward, name, spy)
    return seen


def assert_an_error_restores_the_blas_limit(monkeypatch, name, failing, match):
    """With fast.<name> replaced by `failing` (which raises in one of a forward's threads), a
    threaded forward raises `match`, the BLAS thread limit is what it was, and with the original
    back the next forward runs (the lock was released) and leaves the limit alone too."""
    import pytest

    from lstmshape.forward import fast as forward

    original = getattr(forward, name)
    monkeypatch.setattr(forward, name, failing)
    params = init_params(10, 20, num_layers=2, bidirectional=True)
    x = np.zeros((5, 4, 10), np.float32)
    with blas_controller().limit(limits=2):
        if blas_threads() != 2:
            pytest.skip("BLAS cannot run two threads here: a restored limit would look kept")
        with pytest.raises(RuntimeError, match=match):
            forward.lstm_forward(x, params, num_layers=2, bidirectional=True)
        assert blas_threads() == 2
        monkeypatch.setattr(forward, name, original)
        forward.lstm_forward(x, params, num_layers=2, bidirectional=True)
        assert blas_threads() == 2


def cells_for(cases, dtype_at=0):
    """Each case with NumPy's cell, and float32 cases with the compiled cell too (float64 always
    runs NumPy's: the compiled exp and tanh are float32 polynomials); case[dtype_at] is its dtype."""
    return [(cell, *case) for case in cases
            for cell in (("numpy", "compiled") if case[dtype_at] is np.float32 else ("numpy",))]


def use_cell(request, cell):
    """The threads of the compiled cell's steps when `cell` asks for it, else None."""
    return request.getfixturevalue("compiled_cell") if cell == "compiled" else None
