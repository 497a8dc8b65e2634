"""torch.nn.LSTM, nn.GRU and nn.RNN's forward (inference), written as torch documents it: the reference.

This is the proof behind `infer --verify` and the yardstick of the fast path (lstmshape.forward.fast,
tested against it on every setting). It is meant to be read against torch's documentation in one
sitting, so it does nothing clever: plain NumPy, one time step at a time, one direction at a time,
each cell's equations as torch's docs write them, W x for a batch by `linear`. No threads,
no compiled code, no reordered or negated weights. Its arguments are checked by
lstmshape.forward.inputs, as the fast path's are, so both refuse the same calls alike.

Conventions, as in torch:
- state_dict names: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (and weight_hr_l{k}
  for an LSTM with proj_size), with the suffix _reverse for the second direction; no bias_* tensor
  means bias=False. Gate blocks are stacked in torch's order: LSTM i, f, g, o; GRU r, z, n.
- x is (seq_len, batch, input_size), or (batch, seq_len, input_size) with batch_first, or unbatched
  (seq_len, input_size). h0/c0 and hn/cn are (num_layers * num_directions, batch, size), rows
  layer-major (layer k's forward direction, then its reverse), never batch-first.
- Layer k > 0 takes the concatenated [forward, reverse] outputs of layer k - 1.
- lengths: what pack_padded_sequence(enforce_sorted=False), the module, then
  pad_packed_sequence(total_length=seq_len) give. Sequence b runs only its first lengths[b] steps:
  its output is zero past them, its final state is the state after its own last step, and its
  reverse direction starts at its own last step (from h0), not at seq_len - 1.
"""

from __future__ import annotations

import numpy as np

from .inputs import cell_mode, check_lstm_call, check_rnn_call

__all__ = ["gru_cell", "lstm_cell", "lstm_forward", "rnn_cell", "rnn_forward"]


def sigmoid(z):
    """σ(z) = 1 / (1 + exp(-z)); exp overflowing to inf gives 0, as σ does for z → -inf (run_layers
    lets exp overflow quietly)."""
    return 1 / (1 + np.exp(-z))


def linear(h, weight):
    """W h for every sequence's h, a row of h: (batch, in) → (batch, out). Written (W hᵀ)ᵀ, not
    h Wᵀ: the same products, and OpenBLAS ran a weight on the left several times faster here."""
    return (weight @ h.T).T


def lstm_cell(x_t, h, c, weights):
    """One nn.LSTM step (torch's docs, gates split in the order i, f, g, o):

        i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
        c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c'), then h' = W_hr h' with proj_size

    x_t is this step's W_ih x + b_ih already (every step's in one product: see run_direction).
    """
    w_hh, b_hh, w_hr = weights["weight_hh"], weights["bias_hh"], weights.get("weight_hr")
    i, f, g, o = np.split(x_t + linear(h, w_hh) + b_hh, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return (h if w_hr is None else linear(h, w_hr)), c


def gru_cell(x_t, h, c, weights):
    """One nn.GRU step (torch's docs, gates split in the order r, z, n):

        r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
        h' = (1 - z) ⊙ n + z ⊙ h

    The reset gate scales W_hn h + b_hn, bias included (not the input's part). No cell state.
    """
    x_r, x_z, x_n = np.split(x_t, 3, axis=-1)
    h_r, h_z, h_n = np.split(linear(h, weights["weight_hh"]) + weights["bias_hh"], 3, axis=-1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h, None


def rnn_cell(nonlinearity):
    """One nn.RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh), or relu(...) for nonlinearity="relu"."""
    activation = np.tanh if nonlinearity == "tanh" else _relu

    def step(x_t, h, c, weights):
        return activation(x_t + linear(h, weights["weight_hh"]) + weights["bias_hh"]), None

    return step


def _relu(z):
    return np.maximum(z, 0)  # NaN stays NaN, as in torch's relu


def lstm_forward(
    x,
    params,
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
    proj_size: int = 0,
    h0=None,
    c0=None,
    lengths=None,
):
    """nn.LSTM's forward on x with the state_dict-named `params`: output, (hn, cn), shaped exactly
    as torch returns them, computed in x's dtype (float32 or float64)."""
    call = check_lstm_call(x, params, num_layers, bidirectional, batch_first, proj_size, h0, c0, lengths)
    output, hn, cn = run_layers(lstm_cell, params, call, num_layers, bidirectional)
    if call.unbatched:
        return output[:, 0], (hn[:, 0], cn[:, 0])
    return output, (hn, cn)


def rnn_forward(
    x,
    params,
    cell: str = "lstm",
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
    h0=None,
    c0=None,
    lengths=None,
):
    """nn.LSTM's, nn.GRU's or nn.RNN's forward; `cell` is "lstm", "gru", "rnn_tanh" or "rnn_relu".
    Returns output, hn for GRU and RNN, and output, (hn, cn) for the LSTM (lstm_forward, proj_size
    read from weight_hr_l0)."""
    kind, nonlinearity = cell_mode(cell)
    if kind == "lstm":
        proj_size = np.shape(params["weight_hr_l0"])[0] if "weight_hr_l0" in params else 0
        return lstm_forward(x, params, num_layers, bidirectional, batch_first, proj_size, h0=h0, c0=c0,
                            lengths=lengths)
    call = check_rnn_call(x, params, kind, num_layers, bidirectional, batch_first, h0, c0, lengths)
    step = gru_cell if kind == "gru" else rnn_cell(nonlinearity)
    output, hn, _ = run_layers(step, params, call, num_layers, bidirectional)
    return (output[:, 0], hn[:, 0]) if call.unbatched else (output, hn)


def run_layers(step, params, call, num_layers, bidirectional):
    """Every layer and direction in turn over the checked call (inputs.Call): output (batched, as
    x lies), hn and cn (None without a cell state)."""
    x = call.x.swapaxes(0, 1) if call.batch_first else call.x  # time-major: (seq_len, batch, features)
    seq_len, batch = x.shape[:2]
    lengths = np.full(batch, seq_len) if call.lengths is None else call.lengths
    hn, cn = call.hn, call.cn  # fresh copies of h0 and c0, overwritten row by row
    num_directions = 2 if bidirectional else 1
    layer_input = x
    for layer in range(num_layers):
        outputs = []
        for direction in range(num_directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            row = layer * num_directions + direction
            c = None if cn is None else cn[row]
            with np.errstate(over="ignore"):  # exp overflowing to inf is how a sigmoid gate saturates
                output, hn[row], c = run_direction(step, layer_input, weights_of(params, suffix, x.dtype),
                                                   hn[row], c, lengths, reverse=direction == 1)
            if cn is not None:
                cn[row] = c
            outputs.append(output)
        layer_input = np.concatenate(outputs, axis=-1)  # [forward, reverse] features
    output = layer_input.swapaxes(0, 1) if call.batch_first else layer_input
    return np.ascontiguousarray(output), hn, cn


def weights_of(params, suffix, dtype):
    """One direction's tensors by their name without the suffix, in the computing dtype; absent
    biases (bias=False) as zeros."""
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
    weights = {name: np.asarray(params[name + suffix], dtype) for name in names if name + suffix in params}
    for name, weight in ("bias_ih", "weight_ih"), ("bias_hh", "weight_hh"):
        weights.setdefault(name, np.zeros(weights[weight].shape[0], dtype))
    return weights


def run_direction(step, x, weights, h, c, lengths, reverse):
    """One direction of one layer over time-major x (seq_len, batch, features), from state h, c.

    Sequence b takes step t only while t < lengths[b]: a sequence that has ended keeps its state
    (so its final state is taken at its own length) and outputs zero; running backwards, a
    sequence keeps h0 until its own last step, where its reverse direction starts.
    Returns the output (seq_len, batch, hidden), the final h and c.
    """
    seq_len, batch = x.shape[:2]
    inputs = x.reshape(seq_len * batch, -1)  # every step's x_t as rows of one matrix: one product
    projected = (linear(inputs, weights["weight_ih"]) + weights["bias_ih"]).reshape(seq_len, batch, -1)
    output = np.zeros((seq_len, batch, h.shape[-1]), x.dtype)
    for t in reversed(range(seq_len)) if reverse else range(seq_len):
        new_h, new_c = step(projected[t], h, c, weights)
        running = (t < lengths)[:, None]  # (batch, 1): which sequences take step t
        h = np.where(running, new_h, h)
        c = None if c is None else np.where(running, new_c, c)
        output[t] = np.where(running, new_h, 0)
    return output, h, c
