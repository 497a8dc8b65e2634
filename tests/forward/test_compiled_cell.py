"""The compiled LSTM cell (lstmshape.forward.compiled_cell): float32-accurate against float64."""

from __future__ import annotations

import numpy as np


def exact_cell(gates, projected, c):
    """One LSTM step's gate arithmetic in float64 from the same float32 inputs: the reference."""
    z = gates.astype(np.float64) + projected.astype(np.float64)
    hidden_size = c.shape[1]
    with np.errstate(over="ignore"):  # exp to inf: the gate is 0
        i, f, o = (1 / (1 + np.exp(z[:, k * hidden_size : (k + 1) * hidden_size])) for k in range(3))
    g = np.tanh(z[:, 3 * hidden_size :])
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
    gates[0, :4] = [np.inf, -np.inf, 0, np.inf]  # i = 0, f = 1 (negated rows), o = 1/2, g = 1
    gates[1, 3 * hidden_size] = np.nan  # g
    want_c, want_h = exact_cell(gates, projected[2], c)
    h = np.empty_like(c)
    lstm_cell(gates, projected, 2, c, h)
    nan = np.isnan(want_c)
    assert nan.sum() == 1 and np.array_equal(np.isnan(c), nan) and np.array_equal(np.isnan(h), nan)
    assert np.max(np.abs(c[~nan] - want_c[~nan]) / np.maximum(1, np.abs(want_c[~nan]))) < 2.5e-7
    assert np.max(np.abs(h[~nan] - want_h[~nan])) < 2.5e-7
