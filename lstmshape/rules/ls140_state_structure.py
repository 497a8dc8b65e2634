"""The initial state the code passes (`data.state`) does not fit the cell.

An LSTM carries two states, a GRU or RNN one, and each framework wants them in its own form
(pytorch#45437: `lstm(x, h0)` with h0 alone). `data.state` says what the code passes to the
(first) block: `none` (no state: zeros), one tensor (`h0`: `lstm(x, h0)`) or a list of them
(`[h0, c0]`: `lstm(x, (h0, c0))`; `(h0, c0)` and `h0, c0` as text say the same).

- torch: nn.LSTM takes the tuple `(h0, c0)`. Given one tensor, torch 2.13.0 indexes it as if it
  were the tuple and fails: with h0 of shape (1, N, H) `IndexError: index 1 is out of bounds for
  dimension 0 with size 1`; with more rows (layers × directions) `hx[0]` and `hx[1]` are taken
  as h0 and c0: `RuntimeError: For batched 3-D input, hx and cx should also be 3-D but got (2-D,
  2-D) tensors`; given `(h0,)`: `IndexError: tuple index out of range`. nn.GRU and nn.RNN take h0 alone; given a tuple: `AttributeError: 'tuple' object has
  no attribute 'dim'`.
- Keras (`initial_state=`): an LSTM takes `[h, c]`, a Bidirectional LSTM `[h, c, h_back,
  c_back]`; given fewer, Keras 3 fails with `IndexError: list index out of range`. A GRU or
  SimpleRNN takes `[h]` (two for Bidirectional); a SimpleRNN given `[h, c]` fails
  (`ValueError: treespec.unflatten(leaves): leaves has length 1 but the spec refers to a pytree
  that holds 2 items`), while an LSTM or GRU given more keeps the first of each direction's
  states and silently drops the rest.
- ONNX: only the LSTM node has an `initial_c` input; GRU and RNN nodes take `initial_h` alone.

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 4, seq_len: 5, state: h0}

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 4, seq_len: 5, state: [h0, c0]}

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, bidirectional: true}
    data: {batch_size: 4, seq_len: 5, state: [h0, c0]}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, bidirectional: true}
    data: {batch_size: 4, seq_len: 5, state: [h0, c0, h0, c0]}

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, cell: gru}
    data: {batch_size: 4, seq_len: 5, state: [h0, c0]}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, cell: gru}
    data: {batch_size: 4, seq_len: 5, state: h0}
"""

from .. import codes
from ..settings import NO_STATE

CODE = codes.STATE_STRUCTURE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def written(state) -> str:
    """data.state as code would pass it: h0, (h0, c0), (h0,)."""
    if isinstance(state, tuple):
        return "(" + ", ".join(state) + ("," if len(state) == 1 else "") + ")"
    return state


def said(context):
    """data.state and where it was written, or None when the config does not say (or says none)."""
    state = context.data.state
    if state is None or state == NO_STATE:
        return None
    return state, context.data_parts("state")


def check(context):
    found = said(context)
    if found is None:
        return
    state, parts = found
    block = context.blocks[0]
    module = f"nn.{block.kind.torch}"
    if block.has_cell_state:
        if isinstance(state, tuple) and sorted(state) == ["c0", "h0"]:
            if state != ("h0", "c0"):
                yield context.problem(parts, ID, SEVERITY, f"data.state is {written(state)} but {module} reads its "
                                      "state tuple as (h0, c0): the two are swapped")
            return
        if isinstance(state, tuple):
            why = ("torch raises IndexError: tuple index out of range" if len(state) == 1 else
                   f"{module} takes exactly (h0, c0)")
        elif block.num_layers * block.num_directions == 1:
            why = ("torch indexes the one tensor as the tuple (hx[0] as h0, hx[1] as c0) and raises IndexError: "
                   "index 1 is out of bounds for dimension 0 with size 1")
        else:
            why = ("torch indexes the one tensor as the tuple (hx[0] as h0, hx[1] as c0) and raises RuntimeError: "
                   "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors")
        yield context.problem(parts, ID, SEVERITY, f"data.state is {written(state)} but {module} takes the tuple "
                              f"(h0, c0): {why}; pass lstm(x, (h0, c0)), or no state")
        return
    if isinstance(state, tuple):
        yield context.problem(parts, ID, SEVERITY, f"data.state is {written(state)} but {module} takes h0 alone "
                              f"(no cell state): torch raises AttributeError: 'tuple' object has no attribute 'dim'; "
                              f"pass {block.kind.torch.lower()}(x, h0)")


def check_keras(context):
    found = said(context)
    if found is None:
        return
    state, parts = found
    block = context.blocks[0]
    what = f"keras.layers.{block.kind.keras}"
    what = f"Bidirectional({what})" if block.bidirectional else what
    per = ("h0", "c0") if block.has_cell_state else ("h0",)
    wanted = per * block.num_directions
    given = state if isinstance(state, tuple) else (state,)
    single = not isinstance(state, tuple)  # a tensor, not a list: Keras wraps it only for one cell's one state
    if len(given) == len(wanted) and not (single and block.bidirectional):
        return  # Keras reads the list by position: one entry per state of each direction
    if len(given) < len(wanted) or single and block.bidirectional:
        why = ("Keras raises IndexError: list index out of range" if block.has_cell_state else
               "Keras fails when it splits the state between the two directions")
    elif block.cell != "rnn":
        why = f"Keras keeps the first {' and '.join(per)} of each direction and silently drops the rest"
    else:
        why = "Keras raises ValueError: treespec.unflatten(leaves) (one state per cell, not two)"
    count = f"{len(wanted)} tensor{'s' if len(wanted) > 1 else ''}"
    per_direction = ", per direction" if block.bidirectional else ""
    yield context.problem(parts, ID, SEVERITY, f"data.state is {written(state)} but {what} takes initial_state="
                          f"[{', '.join(wanted)}] ({count}: {' and '.join(per)}{per_direction}): {why}")


def check_onnx(context):
    found = said(context)
    if found is None:
        return
    state, parts = found
    block = context.blocks[0]
    given = state if isinstance(state, tuple) else (state,)
    if "c0" in given and not block.has_cell_state:
        yield context.problem(parts, ID, SEVERITY, f"data.state gives c0 but the ONNX {block.kind.onnx} node has no "
                              "initial_c input (only LSTM carries a cell state): give initial_h alone")
