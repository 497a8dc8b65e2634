"""Convert LSTM (and GRU, RNN) parameters between PyTorch, Keras 3 and ONNX, and run each
convention in NumPy.

The three layouts of the same numbers (H = hidden size / units, D = number of directions):

================  ==========================  ==========================  =======================
                  torch state_dict            Keras weights (per layer)   ONNX initializers
================  ==========================  ==========================  =======================
gate order        i, f, g, o                  i, f, c, o (c is torch g)   i, o, f, c
input weights     weight_ih_l{k}  (4H, in)    kernel (in, 4H)             W (D, 4H, in)
recurrent         weight_hh_l{k}  (4H, H)     recurrent_kernel (H, 4H)    R (D, 4H, H)
bias              bias_ih + bias_hh (4H,)×2   bias (4H,): one vector      B (D, 8H) = Wb ++ Rb
second direction  ..._l{k}_reverse            Bidirectional: forward,     index 1 of axis 0
                                              backward sub-layers
================  ==========================  ==========================  =======================

Parameter sets:

* torch: a dict of state_dict names → arrays (`lstmshape.forward` runs it);
* keras: a list with one entry per layer: `{"kernel", "recurrent_kernel", "bias"?}`, or for a
  Bidirectional layer `{"forward": {...}, "backward": {...}}`; `keras_weight_list` flattens it in
  `model.get_weights()` / `set_weights()` order;
* onnx: a list with one entry per LSTM node: `{"W", "R", "B"?, "P"?}`.

GRU and RNN: the same layouts with 3 gate blocks (torch r, z, n; Keras and ONNX z, r, h) or one;
the cell is read off the recurrent weight's shape (G·H rows for H units). torch's GRU is Keras'
reset_after=True (bias (2, 3H) = [b_ih; b_hh]) and ONNX's linear_before_reset=1; Keras
reset_after=False ↔ ONNX linear_before_reset=0 convert directly, and neither has a torch equivalent.

Biases: torch → keras sums bias_ih + bias_hh; keras → torch splits as (bias, zeros); torch ↔ onnx
is exact (Wb = bias_ih, Rb = bias_hh); keras → onnx uses (bias, zeros). Projections (torch
proj_size) and peepholes (ONNX P) have no counterpart and raise `ValueError`.

The Keras and ONNX forward passes here are the LSTM's (torch_forward runs every cell); they use the default activations only (sigmoid for the gates, tanh for the cell
and output): Keras' `activation`/`recurrent_activation` and ONNX's `activations`, `clip` and
activation_alpha/beta are not modelled.
"""

from __future__ import annotations

import re

import numpy as np

from .forward import lstm_forward, rnn_forward

__all__ = [
    "keras_forward",
    "keras_layers_from_list",
    "keras_to_onnx",
    "keras_to_torch",
    "keras_weight_list",
    "onnx_forward",
    "onnx_stack_forward",
    "onnx_to_keras",
    "onnx_to_torch",
    "torch_forward",
    "torch_to_keras",
    "torch_to_onnx",
]

_NAME = re.compile(r"(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?\Z")


def _blocks(hidden: int, order) -> np.ndarray:
    """Row indices taking gate blocks in `order` (e.g. (0, 3, 1, 2))."""
    return np.concatenate([np.arange(g * hidden, (g + 1) * hidden) for g in order])


# torch (i, f, g, o) → onnx (i, o, f, c) takes torch blocks 0, 3, 1, 2; back takes onnx 0, 2, 3, 1.
TORCH_TO_ONNX_GATES = (0, 3, 1, 2)
ONNX_TO_TORCH_GATES = (0, 2, 3, 1)
# A GRU's torch gates r, z, n are z, r, h in Keras and ONNX: blocks 1, 0, 2 both ways. An RNN has one.
GRU_GATES = (1, 0, 2)
# gate count → (cell, torch → keras gate blocks, torch → onnx, onnx → torch); keras → torch = torch → keras
CELL_GATES = {
    4: ("lstm", (0, 1, 2, 3), TORCH_TO_ONNX_GATES, ONNX_TO_TORCH_GATES),
    3: ("gru", GRU_GATES, GRU_GATES, GRU_GATES),
    1: ("rnn", (0,), (0,), (0,)),
}


def _gates(rows: int, hidden: int, what: str) -> int:
    """The gate count of a weight with `rows` rows for `hidden` units: 4 (LSTM), 3 (GRU) or 1 (RNN)."""
    if hidden == 0 or rows % hidden or rows // hidden not in CELL_GATES:
        raise ValueError(f"{what} has {rows} gate rows for {hidden} units: not 4 (LSTM), 3 (GRU) or 1 (RNN) "
                         "times the hidden size")
    return rows // hidden


def _torch_layout(state_dict: dict) -> tuple[int, bool, bool]:
    """num_layers, bidirectional, bias of a state_dict; ValueError on anything not convertible."""
    layers, reverse, bias = set(), False, False
    for name in state_dict:
        m = _NAME.match(name)
        if not m:
            raise ValueError(f"unexpected tensor {name!r}: not a torch.nn.LSTM state_dict name")
        if m.group(1) == "weight_hr":
            raise ValueError(f"{name}: proj_size has no equivalent in Keras or ONNX (no projection there)")
        layers.add(int(m.group(2)))
        reverse = reverse or bool(m.group(3))
        bias = bias or m.group(1).startswith("bias")
    if not layers or layers != set(range(max(layers) + 1)):
        raise ValueError(f"state_dict layers are not 0..n-1: {sorted(layers)}")
    return max(layers) + 1, reverse, bias


def _torch_cell(state_dict: dict) -> tuple[int, int]:
    """hidden_size and gate count of a state_dict, read off weight_hh_l0 (G·H, H): LSTM, GRU or RNN."""
    rows, hidden = np.shape(state_dict["weight_hh_l0"])
    return hidden, _gates(rows, hidden, "weight_hh_l0")


# ------------------------------------------------------------------------------------ torch ↔ keras


def torch_to_keras(state_dict: dict) -> list[dict]:
    """torch state_dict → Keras layer weights (kernel = W_ih.T, recurrent_kernel = W_hh.T,
    bias = b_ih + b_hh; the gate order i, f, g, o is Keras' i, f, c, o). nn.GRU → keras GRU with
    reset_after=True: gates r, z, n → z, r, h and bias (2, 3·units) = [b_ih; b_hh], exact. nn.RNN →
    SimpleRNN (bias = b_ih + b_hh)."""
    num_layers, bidirectional, bias = _torch_layout(state_dict)
    hidden, gates = _torch_cell(state_dict)
    cell_name, order = CELL_GATES[gates][:2]
    rows = _blocks(hidden, order)
    layers = []
    for k in range(num_layers):
        cells = []
        for suffix in (f"_l{k}", f"_l{k}_reverse")[: 2 if bidirectional else 1]:
            cell = {
                "kernel": np.ascontiguousarray(np.asarray(state_dict["weight_ih" + suffix])[rows].T),
                "recurrent_kernel": np.ascontiguousarray(np.asarray(state_dict["weight_hh" + suffix])[rows].T),
            }
            if bias:
                b_ih, b_hh = np.asarray(state_dict["bias_ih" + suffix])[rows], np.asarray(state_dict["bias_hh" + suffix])[rows]
                cell["bias"] = np.stack([b_ih, b_hh]) if cell_name == "gru" else b_ih + b_hh
            cells.append(cell)
        layers.append({"forward": cells[0], "backward": cells[1]} if bidirectional else cells[0])
    return layers


def keras_to_torch(layers: list[dict]) -> dict:
    """Keras layer weights → torch state_dict; the one bias becomes (bias_ih = bias, bias_hh = 0).
    A GRU's two bias rows (reset_after=True) become bias_ih, bias_hh exactly; a GRU with
    reset_after=False (one bias) has no torch equivalent and raises ValueError."""
    out = {}
    for k, layer in enumerate(layers):
        cells = [(f"_l{k}", layer["forward"]), (f"_l{k}_reverse", layer["backward"])] if "forward" in layer else [
            (f"_l{k}", layer)
        ]
        for suffix, cell in cells:
            units, columns = np.shape(cell["recurrent_kernel"])
            cell_name, order = CELL_GATES[_gates(columns, units, f"layer {k}'s recurrent_kernel")][:2]
            rows = _blocks(units, order)
            out["weight_ih" + suffix] = np.ascontiguousarray(np.asarray(cell["kernel"]).T[rows])
            out["weight_hh" + suffix] = np.ascontiguousarray(np.asarray(cell["recurrent_kernel"]).T[rows])
            if "bias" in cell:
                b = np.asarray(cell["bias"])
                if cell_name == "gru" and b.ndim == 1:
                    raise ValueError(f"layer {k}: a Keras GRU with reset_after=False applies the reset gate before "
                                     "the recurrent matmul; torch.nn.GRU has no equivalent")
                if cell_name == "gru":
                    out["bias_ih" + suffix], out["bias_hh" + suffix] = b[0][rows], b[1][rows]
                else:
                    out["bias_ih" + suffix] = b[rows]
                    out["bias_hh" + suffix] = np.zeros_like(b)
    return out


def keras_weight_list(layers: list[dict]) -> list[np.ndarray]:
    """The flat list `model.set_weights()` takes for the stack lstmshape describes."""
    out = []
    for layer in layers:
        for cell in ([layer["forward"], layer["backward"]] if "forward" in layer else [layer]):
            out += [cell["kernel"], cell["recurrent_kernel"]] + ([cell["bias"]] if "bias" in cell else [])
    return out


def keras_layers_from_list(weights: list, num_layers: int, bidirectional: bool, use_bias: bool = True) -> list[dict]:
    """The inverse of keras_weight_list: `model.get_weights()` → per-layer dicts."""
    names = ["kernel", "recurrent_kernel"] + (["bias"] if use_bias else [])
    it = iter(weights)
    layers = []
    for _ in range(num_layers):
        cells = [{name: np.asarray(next(it)) for name in names} for _ in range(2 if bidirectional else 1)]
        layers.append({"forward": cells[0], "backward": cells[1]} if bidirectional else cells[0])
    rest = list(it)
    if rest:
        raise ValueError(f"{len(rest)} weights left over for num_layers={num_layers}, bidirectional={bidirectional}")
    return layers


# ------------------------------------------------------------------------------------- torch ↔ onnx


def torch_to_onnx(state_dict: dict) -> list[dict]:
    """torch state_dict → one {W, R, B?} per ONNX LSTM node; gates reordered i,f,g,o → i,o,f,c,
    B = bias_ih ++ bias_hh (exact). nn.GRU → GRU nodes with linear_before_reset=1 (gates r,z,n →
    z,r,h); nn.RNN → RNN nodes."""
    num_layers, bidirectional, bias = _torch_layout(state_dict)
    hidden, gates = _torch_cell(state_dict)
    rows = _blocks(hidden, CELL_GATES[gates][2])
    nodes = []
    for k in range(num_layers):
        suffixes = (f"_l{k}", f"_l{k}_reverse")[: 2 if bidirectional else 1]
        node = {
            "W": np.stack([np.asarray(state_dict["weight_ih" + s])[rows] for s in suffixes]),
            "R": np.stack([np.asarray(state_dict["weight_hh" + s])[rows] for s in suffixes]),
        }
        if bias:
            node["B"] = np.stack([
                np.concatenate([np.asarray(state_dict["bias_ih" + s])[rows], np.asarray(state_dict["bias_hh" + s])[rows]])
                for s in suffixes
            ])
        nodes.append(node)
    return nodes


def onnx_to_torch(nodes: list[dict]) -> dict:
    """ONNX {W, R, B?} per node → torch state_dict (B splits exactly into bias_ih, bias_hh)."""
    out = {}
    for k, node in enumerate(nodes):
        if node.get("P") is not None:
            raise ValueError(f"node {k}: peepholes (P) have no equivalent in torch.nn.LSTM or Keras")
        w, r = np.asarray(node["W"]), np.asarray(node["R"])
        hidden = r.shape[-1]
        gates = _gates(r.shape[1], hidden, f"node {k}'s R")
        rows = _blocks(hidden, CELL_GATES[gates][3])
        for d in range(w.shape[0]):
            suffix = f"_l{k}" + ("_reverse" if d else "")
            out["weight_ih" + suffix] = w[d][rows]
            out["weight_hh" + suffix] = r[d][rows]
            if node.get("B") is not None:
                b = np.asarray(node["B"])[d]
                out["bias_ih" + suffix] = b[: gates * hidden][rows]
                out["bias_hh" + suffix] = b[gates * hidden :][rows]
    return out


def keras_to_onnx(layers: list[dict]) -> list[dict]:
    """Keras → ONNX through torch's layout; a GRU with reset_after=False (one bias) goes straight to
    GRU nodes with linear_before_reset=0, its exact counterpart (B = bias ++ zeros)."""
    if _keras_gru_before_reset(layers):
        return [_gru_node([layer["forward"], layer["backward"]] if "forward" in layer else [layer]) for layer in layers]
    return torch_to_onnx(keras_to_torch(layers))


def onnx_to_keras(nodes: list[dict], linear_before_reset: int = 1) -> list[dict]:
    """ONNX → Keras through torch's layout. GRU nodes with linear_before_reset=0 become a Keras GRU
    with reset_after=False (kernel = W.T, bias = Wb + Rb: the gate order z, r, h is the same)."""
    if linear_before_reset or _gates(np.shape(nodes[0]["R"])[1], np.shape(nodes[0]["R"])[-1], "node 0's R") != 3:
        return torch_to_keras(onnx_to_torch(nodes))
    layers = []
    for node in nodes:
        cells = []
        for d in range(np.shape(node["W"])[0]):
            cell = {"kernel": np.ascontiguousarray(np.asarray(node["W"])[d].T),
                    "recurrent_kernel": np.ascontiguousarray(np.asarray(node["R"])[d].T)}
            if node.get("B") is not None:
                cell["bias"] = np.asarray(node["B"])[d].reshape(2, -1).sum(0)
            cells.append(cell)
        layers.append({"forward": cells[0], "backward": cells[1]} if len(cells) == 2 else cells[0])
    return layers


def _keras_gru_before_reset(layers: list[dict]) -> bool:
    """Whether Keras weights are a GRU with reset_after=False: 3·units columns and a 1-D bias."""
    cell = layers[0]["forward"] if "forward" in layers[0] else layers[0]
    units, columns = np.shape(cell["recurrent_kernel"])
    return columns == 3 * units and "bias" in cell and np.ndim(cell["bias"]) == 1


def _gru_node(cells: list[dict]) -> dict:
    node = {"W": np.stack([np.asarray(c["kernel"]).T for c in cells]),
            "R": np.stack([np.asarray(c["recurrent_kernel"]).T for c in cells])}
    if "bias" in cells[0]:
        node["B"] = np.stack([np.concatenate([np.asarray(c["bias"]), np.zeros_like(np.asarray(c["bias"]))])
                              for c in cells])
    return node


# ---------------------------------------------------------------------------------- forward passes


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def torch_forward(x, state_dict, batch_first=False, h0=None, c0=None, lengths=None, nonlinearity="tanh"):
    """torch.nn.LSTM's forward via lstmshape.forward.lstm_forward (layers/directions from names);
    nn.GRU's and nn.RNN's (with `nonlinearity`) via rnn_forward, the cell read off weight_hh_l0."""
    num_layers, bidirectional, _ = _torch_layout(state_dict)
    cell = CELL_GATES[_torch_cell(state_dict)[1]][0] if "weight_hr_l0" not in state_dict else "lstm"
    if cell == "lstm":
        return lstm_forward(x, state_dict, num_layers=num_layers, bidirectional=bidirectional,
                            batch_first=batch_first, h0=h0, c0=c0, lengths=lengths)
    mode = f"rnn_{nonlinearity}" if cell == "rnn" else cell
    return rnn_forward(x, state_dict, mode, num_layers, bidirectional, batch_first, h0=h0, c0=c0, lengths=lengths)


def _keras_cell_run(x, cell, go_backwards, h, c):
    """One keras LSTM layer over (batch, seq, features): outputs in processing order, h, c."""
    kernel = np.asarray(cell["kernel"], x.dtype)
    rec = np.asarray(cell["recurrent_kernel"], x.dtype)
    units = rec.shape[0]
    z_in = x @ kernel
    if "bias" in cell:
        z_in = z_in + np.asarray(cell["bias"], x.dtype)
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outs = []
    for t in steps:
        z = z_in[:, t] + h @ rec
        i, f, g, o = (z[:, j * units : (j + 1) * units] for j in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1), h, c


def keras_forward(
    x,
    layers: list[dict],
    return_sequences: bool = False,
    return_state: bool = False,
    go_backwards: bool = False,
    merge_mode: str | None = "concat",
    initial_state=None,
) -> list[np.ndarray]:
    """Run the Keras stack lstmshape describes (inference): the list of what the last layer's call
    returns, in Keras' order. x is (batch, seq, features). Inner layers return sequences; a
    Bidirectional layer runs a forward layer (go_backwards as given) and a backward layer (the
    opposite), flips the backward sequence back into time order and merges.
    `initial_state` ([h, c], or [h_f, c_f, h_b, c_b]) applies to the first layer."""
    x = np.asarray(x)
    batch = x.shape[0]
    out: list = []
    for k, layer in enumerate(layers):
        last = k == len(layers) - 1
        seqs = return_sequences or not last
        bidirectional = "forward" in layer
        cells = [(layer["forward"], go_backwards), (layer["backward"], not go_backwards)] if bidirectional else [
            (layer, go_backwards)
        ]
        results = []
        for d, (cell, backwards) in enumerate(cells):
            units = np.shape(cell["recurrent_kernel"])[0]
            if initial_state is not None and k == 0:
                h, c = (np.asarray(s, x.dtype) for s in initial_state[2 * d : 2 * d + 2])
            else:
                h = c = np.zeros((batch, units), x.dtype)
            results.append(_keras_cell_run(x, cell, backwards, h, c))
        if bidirectional:
            (y, hf, cf), (y_rev, hb, cb) = results
            if seqs:
                y_rev = y_rev[:, ::-1]
            else:
                y, y_rev = y[:, -1], y_rev[:, -1]
            states = [hf, cf, hb, cb]
            if merge_mode == "concat":
                merged = [np.concatenate([y, y_rev], axis=-1)]
            elif merge_mode == "sum":
                merged = [y + y_rev]
            elif merge_mode == "mul":
                merged = [y * y_rev]
            elif merge_mode == "ave":
                merged = [(y + y_rev) / 2]
            elif merge_mode is None:
                merged = [y, y_rev]
            else:
                raise ValueError(f"merge_mode must be concat, sum, mul, ave or None, got {merge_mode!r}")
        else:
            y, h, c = results[0]
            merged, states = [y if seqs else y[:, -1]], [h, c]
        if last:
            out = merged + (states if return_state else [])
        else:
            if len(merged) != 1:
                raise ValueError("merge_mode None cannot feed a stacked layer")
            x = np.ascontiguousarray(merged[0])
    return [np.ascontiguousarray(o) for o in out]


def onnx_forward(
    X,
    W,
    R,
    B=None,
    sequence_lens=None,
    initial_h=None,
    initial_c=None,
    P=None,
    direction: str = "forward",
    layout: int = 0,
    input_forget: bool = False,
):
    """One ONNX LSTM node (default activations, no clip): returns Y (4-D), Y_h, Y_c.

    With sequence_lens, each sequence runs over its own first sequence_lens[b] steps (the reverse
    direction starts at its last valid step), Y is zero past its length and Y_h / Y_c are its
    final states, as onnxruntime does. input_forget couples the gates: f = 1 − i (onnxruntime)."""
    X = np.asarray(X)
    dtype = X.dtype
    W, R = np.asarray(W, dtype), np.asarray(R, dtype)
    if layout:
        X = X.swapaxes(0, 1)
        initial_h = None if initial_h is None else np.asarray(initial_h).swapaxes(0, 1)
        initial_c = None if initial_c is None else np.asarray(initial_c).swapaxes(0, 1)
    seq, batch = X.shape[:2]
    dirs, hidden = W.shape[0], R.shape[-1]
    expected = 2 if direction == "bidirectional" else 1
    if dirs != expected:
        raise ValueError(f"direction {direction!r} needs {expected} direction(s) in W, got {dirs}")
    lens = np.full(batch, seq) if sequence_lens is None else np.asarray(sequence_lens).astype(int)
    Y = np.zeros((seq, dirs, batch, hidden), dtype)
    Y_h = np.zeros((dirs, batch, hidden), dtype)
    Y_c = np.zeros((dirs, batch, hidden), dtype)
    for d in range(dirs):
        reverse = direction == "reverse" or d == 1
        bias = np.zeros(4 * hidden, dtype) if B is None else np.asarray(B, dtype)[d].reshape(2, -1).sum(0)
        p_i, p_o, p_f = (np.zeros(hidden, dtype),) * 3 if P is None else np.asarray(P, dtype)[d].reshape(3, -1)
        h = np.zeros((batch, hidden), dtype) if initial_h is None else np.array(initial_h[d], dtype)
        c = np.zeros((batch, hidden), dtype) if initial_c is None else np.array(initial_c[d], dtype)
        z_in = X @ W[d].T + bias
        for step in range(seq):
            active = step < lens
            # each sequence's own time index: reverse runs from its last valid step back to 0
            t = np.where(active, (lens - 1 - step) if reverse else step, 0)
            z = z_in[t, np.arange(batch)] + h @ R[d].T
            i, o, f, g = (z[:, j * hidden : (j + 1) * hidden] for j in range(4))
            i = _sigmoid(i + p_i * c)
            f = 1 - i if input_forget else _sigmoid(f + p_f * c)
            c_new = f * c + i * np.tanh(g)
            h_new = _sigmoid(o + p_o * c_new) * np.tanh(c_new)
            rows = np.flatnonzero(active)
            c[rows], h[rows] = c_new[rows], h_new[rows]
            Y[t[rows], d, rows] = h_new[rows]
        Y_h[d], Y_c[d] = h, c
    if layout:
        return Y.transpose(2, 0, 1, 3), Y_h.swapaxes(0, 1), Y_c.swapaxes(0, 1)
    return Y, Y_h, Y_c


def onnx_stack_forward(X, nodes: list[dict], direction="forward", layout=0, sequence_lens=None,
                       input_forget=False):
    """A stack of nodes glued as exporters do (Y → (seq, batch, D·H) or (batch, seq, D·H)):
    returns the last node's Y and every node's Y_h, Y_c."""
    states = []
    x = np.asarray(X)
    Y = None
    for node in nodes:
        Y, Y_h, Y_c = onnx_forward(x, node["W"], node["R"], node.get("B"), sequence_lens, P=node.get("P"),
                                   direction=direction, layout=layout, input_forget=input_forget)
        states.append((Y_h, Y_c))
        x = (Y.transpose(0, 2, 1, 3) if layout == 0 else Y).reshape(Y.shape[0], Y.shape[2 - layout], -1)
    return Y, states
