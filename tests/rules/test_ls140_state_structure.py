"""LS140 against the live frameworks: a state LS140 refuses is one torch, Keras or onnxruntime
refuses (or, Keras's GRU, silently drops), and a state it accepts runs."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import problems_of
from lstmshape.codes import STATE_STRUCTURE
from lstmshape.read import read_config
from lstmshape.rules import all_examples

BATCH, STEPS, FEATURES, HIDDEN = 3, 5, 4, 6


def states_of(state, make):
    """What the code passes for data.state: one tensor, a tuple/list of them, or nothing."""
    if state == "none":
        return None
    return tuple(make() for _ in state) if isinstance(state, tuple) else make()


def run_torch(torch, config):
    block, data = config.blocks[0], config.data
    module = getattr(torch.nn, block.kind.torch)(block.input_size, block.hidden_size, block.num_layers,
                                                 bidirectional=block.bidirectional)
    rows = block.num_layers * block.num_directions
    batch = data.batch_size if isinstance(data.batch_size, int) else BATCH
    steps = data.seq_len if isinstance(data.seq_len, int) else STEPS
    x = torch.zeros(steps, batch, block.input_size)
    state = states_of(config.data.state, lambda: torch.zeros(rows, batch, block.hidden_size))
    return module(x) if state is None else module(x, state)


def run_keras(keras, config, values=None):
    block, data = config.blocks[0], config.data
    keras.utils.set_random_seed(0)  # the same weights on every call: outputs compare
    layer = getattr(keras.layers, block.kind.keras)(block.units, return_sequences=True)
    if block.bidirectional:
        layer = keras.layers.Bidirectional(layer)
    batch = data.batch_size if isinstance(data.batch_size, int) else BATCH
    steps = data.seq_len if isinstance(data.seq_len, int) else STEPS
    x = np.ones((batch, steps, block.input_dim), "float32")
    made = iter(values or [])
    state = states_of(config.data.state, lambda: next(made, np.zeros((batch, block.units), "float32")))
    if isinstance(state, tuple):
        state = list(state)
    return keras.ops.convert_to_numpy(layer(x) if state is None else layer(x, initial_state=state))


def run_onnx(config):
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper

    block = config.blocks[0]
    gates, d, h = block.gates, block.num_directions, block.hidden_size
    names = config.data.state if isinstance(config.data.state, tuple) else (config.data.state,)
    inputs = ["X", "W", "R", "", "", "initial_h" if "h0" in names else "",
              *(["initial_c" if "c0" in names else ""])]
    while inputs[-1] == "":
        inputs.pop()
    node = helper.make_node(block.kind.onnx, inputs, ["Y"], hidden_size=h)
    shapes = {"X": [STEPS, BATCH, block.input_size], "W": [d, gates * h, block.input_size], "R": [d, gates * h, h],
              "initial_h": [d, BATCH, h], "initial_c": [d, BATCH, h]}
    given = [name for name in inputs if name]
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, shapes[n]) for n in given],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [STEPS, d, BATCH, h])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {n: np.zeros(shapes[n], "float32") for n in given})


def run_framework(config, torch, keras):
    if config.framework == "torch":
        return run_torch(torch, config)
    if config.framework == "keras":
        return run_keras(keras, config)
    return run_onnx(config)


@pytest.mark.parametrize(("kind", "label", "text"), all_examples(STATE_STRUCTURE))
def test_each_example_raises_or_runs_in_its_framework(kind, label, text, tmp_path, torch, keras, onnx):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    config, problems = read_config(str(path))
    assert problems == [] and config.data.state not in (None, "none")
    if kind == "failing":
        with pytest.raises(Exception):
            run_framework(config, torch, keras)
    else:
        run_framework(config, torch, keras)


TORCH_MESSAGES = {  # torch 2.13.0's own words, as the rule quotes them
    ("lstm", 1, "h0"): (IndexError, "index 1 is out of bounds for dimension 0 with size 1"),
    ("lstm", 2, "h0"): (RuntimeError, "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors"),
    ("lstm", 1, ("h0",)): (IndexError, "tuple index out of range"),
    ("lstm", 2, ("h0",)): (IndexError, "tuple index out of range"),
    ("gru", 1, ("h0", "c0")): (AttributeError, "'tuple' object has no attribute 'dim'"),
    ("rnn", 2, ("h0", "c0")): (AttributeError, "'tuple' object has no attribute 'dim'"),
}


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("state", ["h0", "c0", ("h0",), ("h0", "c0"), ("c0", "h0"), "none"])
def test_torch_refuses_what_ls140_reports(cell, layers, state, tmp_path, torch):
    written = list(state) if isinstance(state, tuple) else state
    text = (f"lstm: {{input_size: {FEATURES}, hidden_size: {HIDDEN}, num_layers: {layers}, cell: {cell}}}\n"
            f"data: {{batch_size: {BATCH}, seq_len: {STEPS}, state: {written}}}\n")
    problems = problems_of(tmp_path, text)
    assert {p.code for p in problems} <= {"LS140"}
    config, _ = read_config(str(tmp_path / "c.yaml"))
    if state == ("c0", "h0") and cell == "lstm":  # runs, h and c swapped: reported, torch cannot tell
        assert [p.code for p in problems] == ["LS140"] and "swapped" in problems[0].message
        run_torch(torch, config)
        return
    try:
        run_torch(torch, config)
    except Exception as error:  # noqa: BLE001 - whatever torch raises is the oracle
        assert [p.code for p in problems] == ["LS140"], error
        if (cell, layers, state) in TORCH_MESSAGES:
            kind, words = TORCH_MESSAGES[(cell, layers, state)]
            assert isinstance(error, kind) and str(error) == words
            assert words in problems[0].message
        return
    assert problems == []


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("state", ["h0", ("h0",), ("h0", "c0"), ("h0", "c0", "h0", "c0")])
def test_keras_refuses_or_drops_what_ls140_reports(cell, bidirectional, state, tmp_path, keras):
    written = list(state) if isinstance(state, tuple) else state
    text = ("framework: keras\n"
            f"lstm: {{input_dim: {FEATURES}, units: {HIDDEN}, cell: {cell}, bidirectional: {str(bidirectional).lower()}}}\n"
            f"data: {{batch_size: {BATCH}, seq_len: {STEPS}, state: {written}}}\n")
    problems = problems_of(tmp_path, text)
    assert {p.code for p in problems} <= {"LS140"}
    config, _ = read_config(str(tmp_path / "c.yaml"))
    rng = np.random.default_rng(0)
    values = [rng.standard_normal((BATCH, HIDDEN)).astype("float32") for _ in range(4)]
    try:
        out = run_keras(keras, config, values)
    except Exception as error:  # noqa: BLE001 - whatever Keras raises is the oracle
        assert [p.code for p in problems] == ["LS140"], error
        return
    if not problems:
        return
    # reported, yet Keras ran: an LSTM or GRU given more states than it has keeps the first of each
    # direction's and silently drops the rest
    assert cell != "simple_rnn" and "silently drops" in problems[0].message
    per = len(state) // (2 if bidirectional else 1)
    kept = 2 if cell == "lstm" else 1
    changed = [v if i % per < kept else v + 1 for i, v in enumerate(values)]
    np.testing.assert_array_equal(out, run_keras(keras, config, changed))


def test_keras_lstm_given_one_tensor_raises_what_ls140_quotes(tmp_path, keras):
    text = (f"framework: keras\nlstm: {{input_dim: {FEATURES}, units: {HIDDEN}}}\n"
            f"data: {{batch_size: {BATCH}, seq_len: {STEPS}, state: h0}}\n")
    problems = problems_of(tmp_path, text)
    config, _ = read_config(str(tmp_path / "c.yaml"))
    with pytest.raises(IndexError, match="list index out of range"):
        run_keras(keras, config)
    assert [p.code for p in problems] == ["LS140"] and "IndexError: list index out of range" in problems[0].message


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("state", ["h0", ("h0", "c0"), ("c0",)])
def test_onnxruntime_refuses_what_ls140_reports(cell, state, tmp_path, onnx):
    written = list(state) if isinstance(state, tuple) else state
    text = (f"framework: onnx\nlstm: {{input_size: {FEATURES}, hidden_size: {HIDDEN}, cell: {cell}}}\n"
            f"data: {{batch_size: {BATCH}, seq_len: {STEPS}, state: {written}}}\n")
    problems = problems_of(tmp_path, text)
    config, _ = read_config(str(tmp_path / "c.yaml"))
    try:
        run_onnx(config)
    except Exception as error:  # noqa: BLE001 - the checker's or onnxruntime's refusal is the oracle
        assert [p.code for p in problems] == ["LS140"], error
        return
    assert problems == []
