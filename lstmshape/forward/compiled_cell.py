"""One step's gate arithmetic for float32 (LSTM, GRU, RNN), as one compiled, vectorised loop (numba).

NumPy runs the gate arithmetic as a dozen passes over the gate block, and its float32 exp and
tanh are scalar loops on AVX2 CPUs (1.4 and 2.8 ns a value here): at I128 H256 that took half as
long as the step's W_hh @ h. This loop reads each pre-activation once and computes exp and tanh
as polynomials that the compiler vectorises (about 0.4 and 1.1 ns a value), so the whole step's
gate work costs a quarter of NumPy's. Only the fast path (fast.py) uses it, and only for float32 (the
polynomials are float32-accurate: exp within 1.4 ulp, tanh within 1.3 ulp; float64 keeps NumPy's
ufuncs). The GRU's and RNN's loops reuse the same exp and tanh. Importing this module imports
numba (about 0.3 s) and compiles the loops, or loads them from numba's cache (about 0.3 s more):
fast.py loads it only for a call that asks for it or has the gate work to pay for that.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["compiled", "gru_cell", "lstm_cell", "ready_cells", "rnn_relu_cell", "rnn_tanh_cell"]

# No "nnan"/"ninf"/"reassoc": NaN and inf must propagate as in torch, and Cody-Waite's two-part
# ln 2 below must not be folded into one constant. error_model="numpy": x / 0 is inf, not a raise
# (a check per division would stop the loop vectorising).
_FLAGS = {"contract", "afn", "arcp", "nsz"}
_KERNEL = {"error_model": "numpy", "fastmath": _FLAGS}

_F = np.float32
_ZERO, _ONE, _TWO, _HALF = _F(0.0), _F(1.0), _F(2.0), _F(0.5)
# exp: Cephes expf. x = n ln2 + r with |r| <= ln2 / 2, exp(r) by a degree-6 polynomial, 2**n from
# its exponent bits. Clamped so that 2**n stays a normal float32: exp(88) = 1.65e38, exp(-87) =
# 1.6e-38; past those, 1 / (1 + exp) is already 0 or 1 to float32.
_EXP_LOW, _EXP_HIGH = _F(-87.0), _F(88.0)
_LOG2E = _F(1.44269504088896341)
_LN2_HIGH, _LN2_LOW = _F(0.693359375), _F(-2.12194440e-4)
_E6, _E5, _E4 = _F(1.9875691500e-4), _F(1.3981999507e-3), _F(8.3334519073e-3)
_E3, _E2, _E1 = _F(4.1665795894e-2), _F(1.6666665459e-1), _F(5.0000001201e-1)
# tanh: Cephes tanhf. Below |x| 0.625 an odd polynomial (no cancellation near 0); above,
# 1 - 2 / (exp(2|x|) + 1). Past |x| 10, tanh is 1 to float32.
_TANH_SMALL, _TANH_HIGH = _F(0.625), _F(10.0)
_T5, _T4, _T3 = _F(-5.70498872745e-3), _F(2.06390887954e-2), _F(-5.37397155531e-2)
_T2, _T1 = _F(1.33314422036e-1), _F(-3.33332819422e-1)


def compiled(function):
    """A loop compiled without the GIL, with numba's on-disk cache where numba finds a writable
    directory for it (next to its file, or the user's cache); where it finds none, compiled in
    each process. Also packed_gemm's loops."""
    try:
        return njit(nogil=True, cache=True, **_KERNEL)(function)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(nogil=True, **_KERNEL)(function)


@intrinsic
def _pow2(typingctx, n):
    """2**n for a whole float32 n in [-126, 127], built from its exponent bits (vectorisable,
    unlike ldexp)."""

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        bits = builder.shl(builder.add(builder.fptosi(args[0], i32), ir.Constant(i32, 127)), ir.Constant(i32, 23))
        return builder.bitcast(bits, ir.FloatType())

    return types.float32(types.float32), codegen


@njit(inline="always", **_KERNEL)
def _exp(x):
    x = min(max(x, _EXP_LOW), _EXP_HIGH)
    n = np.floor(x * _LOG2E + _HALF)
    r = x - n * _LN2_HIGH
    r = r - n * _LN2_LOW
    p = (((((_E6 * r + _E5) * r + _E4) * r + _E3) * r + _E2) * r + _E1) * (r * r) + r + _ONE
    return p * _pow2(n)


@njit(inline="always", **_KERNEL)
def _tanh(x):
    a = abs(x)
    large = _ONE - _TWO / (_exp(_TWO * min(a, _TANH_HIGH)) + _ONE)
    z = x * x
    small = ((((_T5 * z + _T4) * z + _T3) * z + _T2) * z + _T1) * z * a + a
    return math.copysign(small if a < _TANH_SMALL else large, x)


@njit(inline="always", **_KERNEL)
def _sigmoid_gate(gates, projected, t, b, k):
    """sigmoid of gate column k of sequence b at step t: 1 / (1 + exp(-z)). -(a + b) is exactly
    (-a) + (-b), so these are the bits that weights negated beforehand gave."""
    return _ONE / (_ONE + _exp(-(gates[b, k] + projected[t, b, k])))


@compiled
def lstm_cell(gates, projected, t, c, out):
    """One step for the first n = gates.shape[0] sequences of the batch, in place.

    gates is h @ W_hh^T, (n, 4 * hidden_size), columns i, f, g, o as torch orders them, and
    projected[t] adds step t's input projection. c (batch, hidden_size) becomes the new cell state
    and out the gated o * tanh(c): h itself, or what W_hr projects. Every array is batch-major,
    so the loop over a sequence's hidden units reads contiguous memory and vectorises. nogil: the
    batch parts' threads run it at once.
    """
    n, four_hidden = gates.shape
    hidden_size = four_hidden // 4
    for b in range(n):
        for j in range(hidden_size):
            i = _sigmoid_gate(gates, projected, t, b, j)
            f = _sigmoid_gate(gates, projected, t, b, hidden_size + j)
            g = _tanh(gates[b, 2 * hidden_size + j] + projected[t, b, 2 * hidden_size + j])
            o = _sigmoid_gate(gates, projected, t, b, 3 * hidden_size + j)
            cell = f * c[b, j] + i * g
            c[b, j] = cell
            out[b, j] = o * _tanh(cell)


@compiled
def gru_cell(gates, projected, t, hh_bias, h):
    """One nn.GRU step for the first n = gates.shape[0] sequences, h updated in place.

    gates is h @ W_hh^T, (n, 3 * hidden_size), columns r, z, n as torch orders them;
    projected[t] holds step t's input projection with every bias but b_hn, which torch's reset
    gate scales with W_hn h: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
    """
    n, three_hidden = gates.shape
    hidden_size = three_hidden // 3
    for b in range(n):
        for j in range(hidden_size):
            r = _sigmoid_gate(gates, projected, t, b, j)
            z = _sigmoid_gate(gates, projected, t, b, hidden_size + j)
            k = 2 * hidden_size + j
            new = _tanh(projected[t, b, k] + r * (gates[b, k] + hh_bias[j]))
            h[b, j] = new + z * (h[b, j] - new)


@compiled
def rnn_tanh_cell(gates, projected, t, h):
    """One nn.RNN step (tanh) for the first n = gates.shape[0] sequences: h = tanh(gates + projected[t])."""
    n, hidden_size = gates.shape
    for b in range(n):
        for j in range(hidden_size):
            h[b, j] = _tanh(gates[b, j] + projected[t, b, j])


@compiled
def rnn_relu_cell(gates, projected, t, h):
    """One nn.RNN step (relu): h = max(gates + projected[t], 0), NaN kept as torch's relu keeps it."""
    n, hidden_size = gates.shape
    for b in range(n):
        for j in range(hidden_size):
            value = gates[b, j] + projected[t, b, j]
            h[b, j] = _ZERO if value < _ZERO else value


def ready_cells():
    """Every cell by torch's mode name (lower-case), each run once on one sequence and one hidden
    unit, so that compiling it (or reading numba's cache) is done before the fast path's threads call it."""
    one = np.zeros((1, 1), np.float32)
    lstm_cell(np.zeros((1, 4), np.float32), np.zeros((1, 1, 4), np.float32), 0, one, one.copy())
    gru_cell(np.zeros((1, 3), np.float32), np.zeros((1, 1, 3), np.float32), 0, one[0], one)
    rnn_tanh_cell(one, one[None], 0, one.copy())
    rnn_relu_cell(one, one[None], 0, one.copy())
    return {"lstm": lstm_cell, "gru": gru_cell, "rnn_tanh": rnn_tanh_cell, "rnn_relu": rnn_relu_cell}
