"""Tests of lstmshape.read.frameworks: the `lstm` section of a keras or onnx config.

Keras and ONNX stacks (`lstm` as a list): each block's input defaulted from the block before,
the first block's declared input fixing batch and time for every block, and each bad stack
refused at its setting's file:line:col (also through `infer` and `check` via helpers.run).
Cell arguments (GRU/SimpleRNN, ONNX GRU/RNN), rates and types, hostile long values, and a
property-based test that any value of any Keras or ONNX key is a problem or fine for `check`
and `infer`, never an exception. Malformed framework settings through the real console script
(helpers.run_bounded).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings, strategies as st

from helpers import SIZES, WRONG, config_text, outcome, run, run_bounded, write
from lstmshape.check import check_file
from lstmshape.frameworks import infer
from lstmshape.frameworks.keras import KERAS_KEYS
from lstmshape.frameworks.onnx import ONNX_KEYS
from lstmshape.read import parse_text
from lstmshape.settings import KerasLSTM, OnnxLSTM


BAD_STACKS = [
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4}\n  - {units: 2}\n",
     "LS205", 3, 5, "lstm[0] returns (batch, 4) without return_sequences, so lstm[1] gets a 2-D input and Keras "
                    "refuses it (\"expected ndim=3, found ndim=2\")"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, return_sequences: false}\n  - {units: 2}\n",
     "LS205", 3, 48, "lstm[0] returns (batch, 4) without return_sequences"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, bidirectional: true, merge_mode: null, "
     "return_sequences: true}\n  - {units: 2}\n",
     "LS008", 3, 63, "merge_mode null returns the two directions as two tensors, which lstm[1] cannot take"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, return_sequences: true}\n  - {units: 2, hidden_size: 2}\n",
     "LS004", 4, 16, "unknown key 'hidden_size' in a keras 'lstm[1]' section: Keras calls it 'units'"),
    ("framework: keras\nlstm:\n  - {units: 4}\n", "LS005", 3, 5, "'lstm[0]' needs 'input_dim' (or feature_size)"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4}\n  - {hidden_size: 2, direction: sideways}\n",
     "LS008", 4, 33, "direction must be one of forward, reverse, bidirectional, got string 'sideways'"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4}\n  - {hidden_size: 2, batch_first: true}\n",
     "LS004", 4, 22, "unknown key 'batch_first' in an onnx 'lstm[1]' section: ONNX calls it 'layout'"),
    ("framework: onnx\nlstm: []\n", "LS003", 2, 7, "'lstm' is an empty list"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4}\n  - 7\n", "LS003", 4, 5, "'lstm[1]' is"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, return_sequences: true}\n"
     "  - {units: 2, bidirectional: true, go_backwards: true}\n",
     "LS008", 4, 51, "go_backwards true with bidirectional"),
]


KEYS = [("keras", k.name) for k in KERAS_KEYS] + [("onnx", k.name) for k in ONNX_KEYS]


def refused(path: Path) -> list:
    """lstmshape's errors for a config (warnings do not stop Keras)."""
    return [p for p in check_file(str(path)) if p.severity == "error"]


STACK = """framework: keras
lstm:
  - units: 16
    batch_input_shape: [4, 10, 8]
    return_sequences: true
    dropout: 0.2
  - units: 4
    stateful: true
"""


def test_keras_stack_defaults_each_input_dim_to_the_merged_output():
    config, problems = parse_text("framework: keras\nlstm:\n"
                                  "  - {input_dim: 3, units: 4, bidirectional: true, return_sequences: true}\n"
                                  "  - {units: 5, bidirectional: true, merge_mode: ave, return_sequences: true}\n"
                                  "  - {units: 2}\n")
    assert problems == []
    assert [b.input_dim for b in config.blocks] == [3, 8, 5]
    assert all(isinstance(b, KerasLSTM) for b in config.blocks) and config.listed


def test_onnx_stack_defaults_each_input_size_to_directions_times_hidden():
    config, problems = parse_text("framework: onnx\nlstm:\n"
                                  "  - {input_size: 3, hidden_size: 4, num_layers: 3, direction: bidirectional}\n"
                                  "  - {hidden_size: 5, direction: reverse}\n  - {hidden_size: 2, cell: gru}\n")
    assert problems == []
    assert [b.input_size for b in config.blocks] == [3, 8, 5]
    assert all(isinstance(b, OnnxLSTM) for b in config.blocks)
    results = infer(config)
    assert [[n.index for n in r.nodes] for r in results] == [[0, 1, 2], [3], [4]]
    assert [p.name for p in results[2].params] == ["gru_4.W", "gru_4.R", "gru_4.B"]


@pytest.mark.parametrize("text, code, line, column, message", BAD_STACKS)
def test_bad_stack_is_refused_at_the_setting(text, code, line, column, message, tmp_path):
    """Through the CLI's entry point: `infer` exits 1 and `check` names file:line:col, no traceback."""
    path = write(tmp_path, "stack.yaml", text)
    config, problems = parse_text(text, str(path))
    assert config is None
    assert [(p.code, p.line, p.column) for p in problems if p.is_error] == [(code, line, column)], problems
    assert message in problems[0].message
    result = run("infer", path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:{line}:{column}: error[{code}] {message}" in result.stderr
    checked = run("check", path)
    assert checked.returncode == 1 and f"{path}:{line}:{column}: error[{code}]" in checked.stdout + checked.stderr


@pytest.mark.parametrize("text, key, written, wanted", [
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, bidirectional: true, return_sequences: true}\n"
     "  - {input_dim: 4, units: 2}\n", "input_dim", 4, "8 features (Bidirectional concat: 2 × units 4)"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4, direction: bidirectional}\n"
     "  - {input_size: 4, hidden_size: 2}\n", "input_size", 4,
     "8 features (num_directions 2 × hidden_size 4: its last node's Y reshaped to 3-D)"),
])
def test_a_later_block_that_writes_another_input_size_is_ls100(text, key, written, wanted, tmp_path):
    path = write(tmp_path, "stack.yaml", text)
    (problem,) = check_file(str(path))
    assert (problem.code, problem.line, problem.column) == ("LS100", 4, 17 if key == "input_dim" else 18)
    assert problem.message == f"lstm[1].{key} is {written} but lstm[0]'s output has {wanted}"
    result = run("check", path)
    assert result.returncode == 1 and f"{path}:4:" in result.stdout


def test_framework_cell_configs_and_errors():
    config, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, cell: SimpleRNN}\n")
    assert problems == [] and config.blocks[0].cell == "rnn"
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, reset_after: false}\n", "k.yaml")
    assert [(p.code, p.line, p.column) for p in problems] == [("LS008", 2, 45)]
    assert "reset_after is an attribute of keras.layers.GRU only" in problems[0].message
    _, problems = parse_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: gru, peepholes: true}\n")
    assert [p.code for p in problems] == ["LS008"] and "the ONNX LSTM operator only" in problems[0].message
    _, problems = parse_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: gru, "
                             "linear_before_reset: 2}\n")
    assert [p.code for p in problems] == ["LS008"]
    _, problems = parse_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, reset_after: true}\n")
    assert [p.code for p in problems] == ["LS004"] and "linear_before_reset" in problems[0].message


@settings(max_examples=60, deadline=5000)  # the promise: 5 s per file, here for all of check and infer
@given(key=st.sampled_from(KEYS), value=WRONG, stacked=st.booleans())
@example(key=("onnx", "num_layers"), value=10**5, stacked=False)
@example(key=("keras", "num_layers"), value=10**5, stacked=True)
def test_any_value_for_any_keras_or_onnx_key_is_a_problem_or_fine(key, value, stacked):
    framework, name = key
    body = SIZES[framework] | {name: value}
    outcome(config_text(framework, [SIZES[framework], body] if stacked else body))


@pytest.mark.parametrize("framework, lstm, code", [
    ("keras", None, "LS007"),  # framework: [keras] below
    ("onnx", {"layout": "abc"}, "LS00"),
    ("onnx", {"layout": [1]}, "LS007"),
    ("onnx", {"hidden_size": [20, 20]}, "LS007"),
    ("onnx", {"cell": "gru", "linear_before_reset": "x"}, "LS00"),
])
def test_malformed_framework_settings_name_the_file(tmp_path, framework, lstm, code):
    if lstm is None:
        text = yaml.safe_dump({"framework": ["keras"], "lstm": SIZES["keras"]})
    else:
        text = config_text(framework, SIZES[framework] | lstm)
    path = write(tmp_path, "bad.yaml", text)
    for command in ("check", "infer", "draw"):
        ran = run_bounded(command, path, *(["-o", tmp_path / "bad.svg"] if command == "draw" else []), cwd=tmp_path)
        ran.assert_harmless(path)
        assert ran.returncode == 1 and code in ran.stdout + ran.stderr, ran.stdout + ran.stderr


def test_rates_types_and_cell_arguments():
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, dropout: 1.0, "
                             "recurrent_dropout: '0.1', unroll: 1}\n")
    assert [p.code for p in problems] == ["LS008", "LS007", "LS007"]
    assert "[0, 1)" in problems[0].message
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, unit_forget_bias: true}\n")
    assert [p.code for p in problems] == ["LS008"] and "keras.layers.LSTM only" in problems[0].message


def test_hostile_arguments_give_short_messages():
    long_shape = "[" + ", ".join(["7"] * 5000) + "]"
    huge = "[" + ", ".join(["9" * 101] * 500) + "]"
    for text in (f"input_shape: {long_shape}", f"input_shape: {huge}", "activation: '" + "x" * 50000 + "'"):
        _, problems = parse_text(f"framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  {text}\n")
        assert problems and all(len(p.message) < 600 for p in problems), [p.message[:200] for p in problems]


def test_a_stack_declares_its_input_on_the_first_block(tmp_path):
    """In a stack of blocks the first block's declared input is the model's: it fixes the batch and
    time of every block (a stateful later block included); another block's is refused, and each
    block's Keras 2 arguments and activations are checked at that block."""
    path = tmp_path / "stack.yaml"
    path.write_text(STACK)
    assert (run("check", path).returncode, run("check", path).stdout) == (0, "1 file OK\n")
    doc = json.loads(run("infer", "--format", "json", path).stdout)
    assert [r["shapes"]["input"] for r in doc["results"]] == [[4, 10, 8], [4, 10, 16]]
    path.write_text(STACK + "data:\n  batch_size: 5\n")
    mismatch = run("check", path)
    assert mismatch.returncode == 1 and f"{path}:4:25: error[LS127]" in mismatch.stdout
    assert mismatch.stdout.count("error[LS127]") == 1
    path.write_text(STACK.replace("    stateful: true\n", "    stateful: true\n    input_shape: [10, 16]\n"
                                  "    time_major: false\n    recurrent_activation: Sigmoid\n"))
    refused = run("check", path)
    assert refused.returncode == 1 and "Traceback" not in refused.stdout + refused.stderr
    assert f"{path}:9:18: error[LS013] input_shape on lstm[1]: only the first block's input is declared" \
        in refused.stdout
    assert f"{path}:10:5: error[LS014] time_major" in refused.stdout
    assert f"{path}:11:27: error[LS015] recurrent_activation 'Sigmoid'" in refused.stdout


def test_a_keras_stack_reads_its_declared_input_in_every_block(tmp_path):
    """The first block's input_shape fixes seq_len for the blocks after it too: a later block's
    expect is held against the same time axis Keras builds (here 10), not a symbol."""
    path = tmp_path / "stack.yaml"
    path.write_text("framework: keras\nlstm:\n"
                 "  - {units: 16, input_shape: [10, 8], return_sequences: true}\n  - {units: 4}\n"
                 "expect:\n  - {input: [N, 10, 8]}\n  - {input: [N, 10, 16], output: [N, 4]}\n")
    assert check_file(str(path)) == []
    path.write_text(path.read_text().replace("[N, 10, 16]", "[N, 12, 16]"))
    (problem,) = check_file(str(path))
    assert (problem.code, problem.line) == ("LS110", 7) and "should be seq_len 10" in problem.message
