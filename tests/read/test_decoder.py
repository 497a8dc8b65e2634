"""lstmshape.read.decoder: the `decoder` section of a torch config, read into Config.decoder with
each problem at its place (whether the state fits is the rules' job, LS132, LS136–LS139)."""

from __future__ import annotations

import pytest

from lstmshape.read import parse_text
from lstmshape.settings import TorchLSTM

ENCODER = "lstm: {input_size: 256, hidden_size: 512, num_layers: 2, bidirectional: true}\n"


def read(decoder: str):
    return parse_text(ENCODER + decoder, "seq2seq.yaml")


def test_the_decoder_lstm_bridge_and_steps_are_read():
    config, problems = read("decoder:\n  lstm: {input_size: 300, hidden_size: 1024, num_layers: 2}\n"
                            "  bridge: concat\n  seq_len: 20\n")
    assert problems == []
    assert config.decoder.lstm == TorchLSTM(300, 1024, num_layers=2)
    assert [layer.kind for layer in config.decoder.bridge] == ["concat"]
    assert config.decoder.seq_len == 20


def test_without_bridge_or_seq_len_the_state_is_passed_as_it_is_for_t_steps():
    config, problems = read("decoder:\n  lstm: {input_size: 300, hidden_size: 512}\n")
    assert problems == [] and config.decoder.bridge == () and config.decoder.seq_len == "T"


def test_a_decoder_lstm_uses_the_names_people_use():
    config, problems = read("decoder:\n  lstm: {input_dim: 300, hidden_dim: 512, nlayers: 2, cell: gru}\n")
    assert problems == []
    assert config.decoder.lstm == TorchLSTM(300, 512, num_layers=2, cell="gru")


@pytest.mark.parametrize("decoder, code, line, column, words", [
    ("decoder: [1, 2]\n", "LS003", 2, 10, "'decoder' is a list; expected a mapping with 'lstm'"),
    ("decoder:\n  seq_len: 20\n", "LS005", 2, 1, "'decoder' needs 'lstm'"),
    ("decoder:\n  lstm: {input_size: 300, hidden_size: 0}\n", "LS008", 3, 40, "hidden_size must be a positive integer, got 0"),
    ("decoder:\n  lstm: {input_size: 300, hidden_size: 5}\n  seq_len: -1\n", "LS008", 4, 12, "seq_len"),
    ("decoder:\n  lstm: {input_size: 300, hidden_size: 5}\n  bridg: concat\n", "LS004", 4, 3, "did you mean 'bridge'"),
])
def test_each_problem_is_placed_and_no_decoder_is_made(decoder, code, line, column, words):
    config, problems = read(decoder)
    assert [(p.code, p.line, p.column) for p in problems] == [(code, line, column)], problems
    assert words in problems[0].message
    assert config is None or config.decoder is None
