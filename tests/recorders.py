"""The scripts in tests/golden/ that record golden files from the oracles, loaded as modules so
the tests can reuse their case lists and, where the oracle is installed, re-run them live; the
one comparison of the shape engine with what they observed; and the one comparison of a golden
array with what is computed here (assert_golden_close)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from lstmshape.settings import DataConfig, TorchLSTM
from lstmshape.frameworks.torch import infer_lstm

GOLDEN_DIR = Path(__file__).parent / "golden"


def recorder(name: str) -> ModuleType:
    """tests/golden/NAME.py as a module (for example `recorder("record_shapes")`), importing its
    shared helpers (tests/golden/recording.py) as it does when run as a script."""
    if str(GOLDEN_DIR) not in sys.path:
        sys.path.append(str(GOLDEN_DIR))
    spec = importlib.util.spec_from_file_location(name, GOLDEN_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engine(case: dict):
    """The shape engine's answer for a recorded case ({"lstm": settings, "data": data})."""
    return infer_lstm(TorchLSTM(**case["lstm"]), DataConfig(**case["data"]))


def assert_matches_torch(result, observed: dict) -> None:
    """A shape result equals what a recorder observed torch build: shapes, parameters, counts, MACs."""
    assert {k: list(v) for k, v in result.shapes.items()} == observed["shapes"]
    assert [[p.name, list(p.shape)] for p in result.params] == observed["params"]
    assert result.num_params == observed["num_params"]
    if "macs" in observed:
        assert result.macs.value == observed["macs"]


# Golden floats were computed on another machine. The same float program gives the same bits
# only with the same kernels: BLAS picks its kernel per CPU at run time (OpenBLAS: Haswell,
# SkylakeX, Zen ...), and kernels differ in FMA contraction and in the order they sum a dot
# product, so each rounded step may land on a neighbouring float (half an ulp: 1.1e-16 for
# float64 values near 1, seen on a Xeon against goldens recorded on an AMD EPYC). A recurrent
# net then carries each step's difference into the next, time step after time step and layer
# after layer; the gates' sigmoid and tanh shrink it, the recurrent weights (drawn in
# ±1/sqrt(hidden_size)) keep it about its size. So a golden float may differ by GOLDEN_ULPS ulps
# of its dtype per sequential step (`depth`: time steps × layers for a forward pass, 1 for a value
# drawn or copied rather than computed), relative to its size where that exceeds 1. Ours against
# torch's golden (another implementation) measures 0.15 ulp per step at most: 4 leaves room for
# other machines and for the compiled cell's float32 polynomials (2 ulps, test_forward.py).
# What is exact stays exact: shapes, dtypes, names, counts, integer and boolean data.
GOLDEN_ULPS = 4


def golden_tolerance(dtype, depth: int = 1) -> float:
    """How far a value of `dtype` computed in `depth` sequential rounded steps may be from its golden."""
    return GOLDEN_ULPS * max(depth, 1) * float(np.finfo(dtype).eps)


def assert_golden_close(got, want, name: str, depth: int = 1) -> None:
    """`got` is the golden `want`: the same shape and dtype, floats within golden_tolerance (absolute
    near zero, relative past 1, NaN where the golden has NaN), anything else exactly."""
    got, want = np.asarray(got), np.asarray(want)
    assert (got.shape, got.dtype) == (want.shape, want.dtype), \
        f"{name}: {got.shape} {got.dtype}, the golden {want.shape} {want.dtype}"
    if not np.issubdtype(want.dtype, np.inexact):
        np.testing.assert_array_equal(got, want, err_msg=name)
        return
    tolerance = golden_tolerance(want.dtype, depth)
    np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance, err_msg=f"{name} (depth {depth})")
