"""LS141 against the live frameworks: the output it holds `expect.target` against is the shape
torch's and Keras's model really returns, so a target LS141 refuses differs from that output and
one it accepts equals it (or is its class indices); and its causes, one per trap."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import problems_of
from lstmshape.codes import TARGET_SHAPE
from lstmshape.read import read_config
from lstmshape.rules import all_examples


def torch_output(torch, config) -> tuple:
    block, data, head = config.blocks[0], config.data, config.head
    lstm = torch.nn.LSTM(block.input_size, block.hidden_size, block.num_layers, batch_first=block.batch_first,
                         bidirectional=block.bidirectional)
    shape = (data.batch_size, data.seq_len) if block.batch_first else (data.seq_len, data.batch_size)
    output, (hn, _) = lstm(torch.zeros(*shape, block.input_size))
    x = {"output": output, "hn_last": hn[-1], "last_step": output[:, -1] if block.batch_first else output[-1]}[
        head[0].input]
    for layer in head:
        x = torch.nn.Linear(layer.in_features, layer.out_features)(x) if layer.kind == "linear" else x
    return tuple(x.shape)


def keras_output(keras, config) -> tuple:
    block, data = config.blocks[0], config.data
    model = keras.Sequential([keras.Input((data.seq_len, block.input_dim), batch_size=data.batch_size),
                              keras.layers.LSTM(block.units, return_sequences=block.return_sequences),
                              *(keras.layers.Dense(layer.out_features) for layer in config.head)])
    return tuple(model(np.zeros((data.batch_size, data.seq_len, block.input_dim), "float32")).shape)


@pytest.mark.parametrize(("kind", "label", "text"), [e for e in all_examples(TARGET_SHAPE) if e[1] != "ONNX"])
def test_each_example_compares_the_target_with_the_frameworks_output(kind, label, text, tmp_path, torch, keras):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    config, problems = read_config(str(path))
    assert problems == []
    out = keras_output(keras, config) if label == "Keras" else torch_output(torch, config)
    target = config.expect[0]["target"]
    assert (tuple(target) == out) == (kind == "passing")
    if kind == "failing":  # the message names the framework's own output shape
        problem, = problems_of(tmp_path, text)
        assert f"is ({', '.join(map(str, out))})" in problem.message


LSTM = "lstm: {input_size: 10, hidden_size: 20, batch_first: true}\ndata: {batch_size: B, seq_len: T}\n"


@pytest.mark.parametrize(("head", "target", "words"), [
    ("[{linear: {in_features: 20, out_features: 1, input: hn_last}}]", "[B, T, 1]",
     "the targets are per step (axis 1: seq_len T) but the output is one per sequence: feed the head output"),
    ("[{linear: {in_features: 20, out_features: 1}}]", "[B, 1]",
     "the output is per step (axis 1: seq_len T) but the targets are one per sequence"),
    ("[{linear: {in_features: 20, out_features: 1, input: hn_last}}]", "[B]",
     "the output has a trailing feature axis of 1 the targets lack"),
    ("[{linear: {in_features: 20, out_features: 3, input: hn_last}}]", "[B, 3, 1]",
     "the targets have a trailing feature axis of 1 the output lacks"),
    ("[{linear: {in_features: 20, out_features: 3, input: hn_last}}]", "[B, 4]",
     "the output has 3 features but the targets 4: the last layer's out_features should be 4"),
    ("[{linear: {in_features: 20, out_features: 3, input: hn_last}}]", "[N, 3]",
     "the loss compares the two element by element"),
])
def test_each_cause_is_named(head, target, words, tmp_path):
    problem, = problems_of(tmp_path, LSTM + f"head: {head}\nexpect: {{target: {target}}}\n")
    assert problem.code == "LS141" and words in problem.message
    assert problem.path == "$.expect.target" and problem.subject == ("head", 0)


@pytest.mark.parametrize(("head", "target"), [
    ("[{linear: {in_features: 20, out_features: 5, input: hn_last}}]", "[B, 5]"),
    ("[{linear: {in_features: 20, out_features: 5, input: hn_last}}]", "[B]"),  # class indices
    ("[{linear: {in_features: 20, out_features: 5}}]", "[B, T]"),  # per-step class indices
    ("[{linear: {in_features: 20, out_features: 1}}]", "[B, T, 1]"),
])
def test_targets_that_fit_are_clean(head, target, tmp_path):
    assert problems_of(tmp_path, LSTM + f"head: {head}\nexpect: {{target: {target}}}\n") == []


def test_without_a_head_the_lstms_output_is_the_models(tmp_path):
    problem, = problems_of(tmp_path, LSTM + "expect: {target: [B, 20]}\n")
    assert "the LSTM's output is (B, T, 20)" in problem.message and problem.subject == ("expect", 0, "target")
    assert problems_of(tmp_path, LSTM + "expect: {target: [B, T, 20]}\n") == []


def test_keras_takes_class_indices_as_n_by_1(tmp_path):
    text = ("framework: keras\nlstm: {input_dim: 10, units: 20}\ndata: {batch_size: 64, seq_len: 20}\n"
            "head: [{dense: {units: 5}}]\nexpect: {target: [64, 1]}\n")
    assert problems_of(tmp_path, text) == []
    assert [p.code for p in problems_of(tmp_path, text.replace("framework: keras\n", "").replace(
        "input_dim: 10, units: 20", "input_size: 10, hidden_size: 20").replace("dense: {units: 5}",
        "linear: {in_features: 20, out_features: 5, input: hn_last}"))] == ["LS141"]


def test_a_stack_compares_the_last_blocks_head(tmp_path):
    text = ("lstm: [{input_size: 10, hidden_size: 20}, {hidden_size: 8}]\ndata: {batch_size: 4, seq_len: 7}\n"
            "head: [{linear: {in_features: 8, out_features: 2, input: hn_last}}]\n"
            "expect: [null, {target: [4, 7, 2]}]\n")
    problem, = problems_of(tmp_path, text)
    assert problem.code == "LS141" and problem.path == "$.expect[1].target" and "(4, 2)" in problem.message
