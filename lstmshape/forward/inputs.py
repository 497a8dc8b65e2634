"""What a forward pass accepts, checked once for every implementation (reference and fast).

torch's state_dict layout (names, gate blocks, shapes), x, h0/c0 and lengths are checked here, so
the reference and the fast path refuse the same calls with the same messages, and `--verify`
learns from either which tensor does not fit the inferred shapes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..settings import TorchLSTM
from ..frameworks.torch import parameters

__all__ = ["CELL_MODES", "Call", "cell_mode", "check_lstm_call", "check_rnn_call", "init_params", "init_rnn_params",
           "param_shapes", "rnn_param_shapes"]

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
CELL_MODES = {"lstm": ("lstm", "tanh"), "gru": ("gru", "tanh"), "rnn_tanh": ("rnn", "tanh"),
              "rnn_relu": ("rnn", "relu"), "rnn": ("rnn", "tanh")}  # "rnn": nn.RNN's default nonlinearity


class Call(NamedTuple):
    """A checked call: x batched (unbatched input made one sequence, sequence-first), fresh
    batched copies of h0 and c0 (zeros if not given; cn None for GRU and RNN), and the sizes."""

    x: np.ndarray
    batch_first: bool
    unbatched: bool
    hn: np.ndarray
    cn: np.ndarray | None
    lengths: np.ndarray | None
    input_size: int
    hidden_size: int
    bias: bool


def param_shapes(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    proj_size: int = 0,
    bias: bool = True,
) -> dict[str, tuple[int, ...]]:
    """Names and shapes of nn.LSTM's state_dict, in torch's order (the shape engine's answer)."""
    return rnn_param_shapes("lstm", input_size, hidden_size, num_layers, bidirectional, bias, proj_size)


def rnn_param_shapes(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    bias: bool = True,
    proj_size: int = 0,
) -> dict[str, tuple[int, ...]]:
    """Names and shapes of nn.LSTM's, nn.GRU's or nn.RNN's state_dict (`cell` as rnn_forward takes it)."""
    kind, _ = cell_mode(cell)
    lstm = TorchLSTM(input_size, hidden_size, num_layers, bidirectional, proj_size=proj_size, bias=bias, cell=kind)
    return {tensor.name: tensor.shape for tensor in parameters(lstm)}


@lru_cache(maxsize=64)
def _expected_shapes(kind, input_size, hidden_size, num_layers, bidirectional, bias, proj_size):
    """rnn_param_shapes as (name, shape) pairs, cached: every forward checks its params against
    them, and asking the shape engine costs more than a small forward's step."""
    return tuple(rnn_param_shapes(kind, input_size, hidden_size, num_layers, bidirectional, bias, proj_size).items())


def init_params(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    proj_size: int = 0,
    bias: bool = True,
    dtype=np.float32,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Seeded random parameters drawn like torch's: every tensor U(-1/sqrt(H), 1/sqrt(H))."""
    return init_rnn_params("lstm", input_size, hidden_size, num_layers, bidirectional, bias, proj_size, dtype, seed)


def init_rnn_params(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    bias: bool = True,
    proj_size: int = 0,
    dtype=np.float32,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Seeded random parameters for any cell, drawn like torch's: U(-1/sqrt(H), 1/sqrt(H))."""
    _check_sizes(hidden_size, num_layers, proj_size)
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(hidden_size)
    shapes = rnn_param_shapes(cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size)
    return {name: rng.uniform(-bound, bound, size=shape).astype(dtype) for name, shape in shapes.items()}


def cell_mode(cell: str) -> tuple[str, str]:
    """(kind, nonlinearity) of a cell named as rnn_forward takes it: ("gru", "tanh"), ("rnn", "relu")."""
    if cell not in CELL_MODES:
        raise ValueError(f"cell must be one of {', '.join(CELL_MODES)}, got {cell!r}")
    return CELL_MODES[cell]


def check_lstm_call(x, params, num_layers, bidirectional, batch_first, proj_size, h0, c0, lengths) -> Call:
    """lstm_forward's arguments checked against each other and torch's layout, in torch's terms."""
    x = _float_input(x)
    input_size, hidden_size, bias = _check_params(params, "lstm", num_layers, bidirectional, proj_size)
    return _checked_call(x, input_size, hidden_size, bias, num_layers * (1 + bidirectional), proj_size or hidden_size,
                         True, batch_first, h0, c0, lengths)


def check_rnn_call(x, params, kind, num_layers, bidirectional, batch_first, h0, c0, lengths) -> Call:
    """rnn_forward's arguments for nn.GRU (kind "gru") or nn.RNN ("rnn"), which have no cell state."""
    if c0 is not None:
        raise ValueError(f"nn.{kind.upper()} has no cell state: c0 must be None")
    x = _float_input(x)
    input_size, hidden_size, bias = _check_params(params, kind, num_layers, bidirectional, 0)
    return _checked_call(x, input_size, hidden_size, bias, num_layers * (1 + bidirectional), hidden_size,
                         False, batch_first, h0, None, lengths)


def _checked_call(x, input_size, hidden_size, bias, state_rows, out_size, cell_state, batch_first, h0, c0, lengths):
    x, batch_first, unbatched = _batched(x, input_size, batch_first, lengths)
    batch, seq_len = x.shape[:2] if batch_first else x.shape[1::-1]
    hn = _initial_state(h0, "h0", (state_rows, batch, out_size), unbatched, x.dtype)
    cn = _initial_state(c0, "c0", (state_rows, batch, hidden_size), unbatched, x.dtype) if cell_state else None
    if lengths is not None:
        lengths = _check_lengths(lengths, batch, seq_len)
    return Call(x, batch_first, unbatched, hn, cn, lengths, input_size, hidden_size, bias)


def _float_input(x):
    x = np.asarray(x)
    if x.dtype not in _DTYPES:
        raise ValueError(f"x must be float32 or float64, got {x.dtype}")
    return x


def _batched(x, input_size, batch_first, lengths):
    """x checked against input_size and made batched: (x, batch_first, unbatched). Unbatched
    (seq_len, input_size) input becomes one sequence, sequence-first."""
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be 2-D (unbatched) or 3-D (batched), got shape {x.shape}")
    if x.shape[-1] != input_size:
        raise ValueError(
            f"x: expected {input_size} input features (input_size, from weight_ih_l0) on its last "
            f"axis, got {x.shape[-1]} (x shape {x.shape})"
        )
    if x.ndim == 3:
        return x, batch_first, False
    if lengths is not None:
        raise ValueError("lengths needs batched (3-D) input, got unbatched 2-D x")
    return x[:, None], False, True


def _check_sizes(hidden_size, num_layers, proj_size):
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    if hidden_size < 1:
        raise ValueError(f"hidden_size must be positive, got {hidden_size}")
    if not 0 <= proj_size < hidden_size:
        raise ValueError(
            f"proj_size must be 0 or in [1, hidden_size={hidden_size}), got {proj_size}"
        )


def _check_params(params, kind, num_layers, bidirectional, proj_size):
    """Check every tensor against torch's state_dict layout; return input/hidden size and bias."""
    gates = {"lstm": 4, "gru": 3}.get(kind, 1)
    rows = {"lstm": "4*hidden_size", "gru": "3*hidden_size"}.get(kind, "hidden_size")
    if "weight_ih_l0" not in params:
        raise ValueError("missing tensor weight_ih_l0: input_size and hidden_size come from it")
    first = np.shape(params["weight_ih_l0"])
    if len(first) != 2 or first[0] % gates or first[0] == 0:
        raise ValueError(f"weight_ih_l0: expected shape ({rows}, input_size), got {tuple(first)}")
    hidden_size, input_size = first[0] // gates, first[1]
    _check_sizes(hidden_size, num_layers, proj_size)
    bias = any(name.startswith("bias_") for name in params)
    expected = dict(_expected_shapes(kind, input_size, hidden_size, num_layers, bidirectional, bias, proj_size))
    problems = [f"missing tensor {name} (expected shape {shape})" if name not in params
                else f"{name}: expected shape {shape}, got {tuple(np.shape(params[name]))}"
                for name, shape in expected.items()
                if name not in params or tuple(np.shape(params[name])) != shape]
    problems += [f"unexpected tensor {name} (shape {tuple(np.shape(params[name]))})"
                 for name in params if name not in expected]
    if problems:
        projection = f", proj_size={proj_size}" if kind == "lstm" else ""
        raise ValueError(f"{'LSTM' if kind == 'lstm' else f'nn.{kind.upper()}'} parameters do not match "
                         f"input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers}, "
                         f"bidirectional={bidirectional}{projection}, bias={bias}: " + "; ".join(problems))
    return input_size, hidden_size, bias


def _initial_state(state, name, shape, unbatched, dtype):
    """A fresh copy of h0 or c0 (zeros if None), batched; it is updated in place into hn or cn."""
    if state is None:
        return np.zeros(shape, dtype)
    state = np.asarray(state)
    expected = (shape[0], shape[2]) if unbatched else shape
    if state.shape != expected:
        raise ValueError(f"Expected {name} shape {expected}, got {state.shape}")
    state = np.array(state, dtype=dtype)
    return state[:, None] if unbatched else state


def _check_lengths(lengths, batch, seq_len):
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) != batch:
        raise ValueError(
            f"lengths must hold one length per sequence ({batch}), got shape {lengths.shape}"
        )
    if not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths must be integers, got dtype {lengths.dtype}")
    if batch and not (lengths.min() > 0 and lengths.max() <= seq_len):
        raise ValueError(
            f"every length must be in [1, seq_len={seq_len}], got {lengths.tolist()}"
        )
    return lengths
