"""The compiled LSTM cell (lstmshape.forward.compiled_cell): float32-accurate against float64."""

from __future__ import annotations

import numpy as np


def exact_cell(gates, projected, c):
    """One LSTM step's gate arithmetic in float64 from the same float32 inputs (gates in torch's
    order i, f, g, o): the reference."""
    z = gates.astype(np.float64) + projected.astype(np.float64)
    i, f, g, o = np.split(z, 4, axis=1)
    with np.errstate(over="ignore"):  # exp to inf: the gate is 0
        i, f, o = (1 / (1 + np.exp(-gate)) for gate in (i, f, o))
    g = np.tanh(g)
    new_c = f * c + i * g
    return new_c, o * np.tanh(new_c)


def test_compiled_cell_is_float32_accurate_over_every_range(numba):
    """exp and tanh are polynomials: held to float64 over saturating, small and ordinary values,
    and inf and NaN behave as torch's: saturate, and propagate."""
    from lstmshape.forward.compiled_cell import lstm_cell

    rng = np.random.default_rng(0)
    batch, hidden_size = 64, 256
    scale = np.array([1e-4, 0.5, 3, 30, 300], np.float32)[rng.integers(0, 5, (batch, 4 * hidden_size))]
    gates = (rng.standard_normal((batch, 4 * hidden_size)) * scale).astype(np.float32)
    projected = (rng.standard_normal((3, batch, 4 * hidden_size)) * scale).astype(np.float32)
    c = (rng.standard_normal((batch, hidden_size)) * 5).astype(np.float32)
    k = np.arange(4) * hidden_size
    gates[0, k] = [-np.inf, np.inf, np.inf, 0]  # i = 0, f = 1, g = 1, o = 1/2
    gates[1, 2 * hidden_size] = np.nan  # g
    want_c, want_h = exact_cell(gates, projected[2], c)
    h = np.empty_like(c)
    lstm_cell(gates, projected, 2, c, h)
    nan = np.isnan(want_c)
    assert nan.sum() == 1 and np.array_equal(np.isnan(c), nan) and np.array_equal(np.isnan(h), nan)
    assert np.max(np.abs(c[~nan] - want_c[~nan]) / np.maximum(1, np.abs(want_c[~nan]))) < 2.5e-7
    assert np.max(np.abs(h[~nan] - want_h[~nan])) < 2.5e-7
