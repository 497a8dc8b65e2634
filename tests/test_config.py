"""Config parsing: aliases, defaults, and every validation error at its exact line and column."""

from __future__ import annotations

import textwrap

import pytest

from lstmshape import ConfigError, DataConfig, TorchLSTM, load_config
from lstmshape.check import load_text


def parse(text: str):
    return load_text(textwrap.dedent(text), "c.yaml")


def errors(text: str):
    config, problems = parse(text)
    assert config is None
    return [(p.line, p.column, p.code, p.message) for p in problems]


def test_defaults_and_symbols():
    config, problems = parse("lstm: {input_size: 10, hidden_size: 20}\n")
    assert problems == []
    assert config.blocks[0] == TorchLSTM(10, 20, 1, False, False, 0, True, 0.0)
    assert config.data == DataConfig("N", "L", False)


@pytest.mark.parametrize(
    "lstm, data, expected_lstm, expected_data",
    [
        ("feature_size: 10\n  num_units: 20\n  hidden_num_layers: 3", "time_step: 7",
         {"input_size": 10, "hidden_size": 20, "num_layers": 3}, {"seq_len": 7}),
        ("input_size: 10\n  feature_size: 10\n  hidden_size: 20\n  num_directions: 2", "sequence_length: T\n  batch_size: B",
         {"bidirectional": True}, {"seq_len": "T", "batch_size": "B"}),
        ("input_dim: 4\n  hidden_dim: 5\n  n_layers: 2\n  num_directions: 1\n  bidirectional: false", "num_frames: 300",
         {"input_size": 4, "hidden_size": 5, "num_layers": 2, "bidirectional": False}, {"seq_len": 300}),
    ],
)
def test_aliases(lstm, data, expected_lstm, expected_data):
    config, problems = parse(f"lstm:\n  {lstm}\ndata:\n  {data}\n")
    assert problems == []
    for key, value in expected_lstm.items():
        assert getattr(config.blocks[0], key) == value
    for key, value in expected_data.items():
        assert getattr(config.data, key) == value


def test_alias_disagreement_names_both_places():
    assert errors("""\
        lstm:
          input_size: 10
          hidden_size: 20
          feature_size: 12
        """) == [(4, 17, "LS006", "'feature_size' is 12 but 'input_size' (line 2, column 15) is 10; they name the same setting (input_size)")]


def test_directions_disagree():
    assert errors("lstm: {input_size: 1, hidden_size: 2, bidirectional: true, num_directions: 1}\n") == [
        (1, 76, "LS006", "num_directions is 1 but bidirectional (line 1, column 54) is true")
    ]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("hidden_size: 20.0", "hidden_size is not an integer, got float 20.0"),
        ("hidden_size: '1e3'", "hidden_size is not an integer, got string '1e3': a float in exponent form, "
                               "which YAML reads as text; write 1000"),
        ("hidden_size: 1e3", "hidden_size is not an integer, got string '1e3': a float in exponent form, "
                             "which YAML reads as text; write 1000"),
        ("hidden_size: true", "hidden_size is not an integer, got boolean true"),
        ("hidden_size: 0", "hidden_size must be a positive integer, got 0"),
        ("hidden_size: ", "hidden_size is not an integer, got null"),
        ("hidden_size: [20]", "hidden_size is not an integer, got [20]"),
    ],
)
def test_hidden_size_must_be_a_positive_integer(line, expected):
    code = "LS008" if "must" in expected else "LS007"
    column = 15 if line.endswith(" ") else 16  # a null value sits right after the colon
    assert errors(f"lstm:\n  input_size: 3\n  {line}\n") == [(3, column, code, expected)]


@pytest.mark.parametrize(
    "setting, message, code",
    [
        ("num_layers: 0", "num_layers must be a positive integer, got 0", "LS008"),
        ("proj_size: -1", "proj_size must be 0 or a positive integer, got -1", "LS008"),
        ("proj_size: 20", "proj_size must be smaller than hidden_size (20), got 20; torch.nn.LSTM refuses it", "LS008"),
        ("dropout: 1.5", "dropout must be in [0, 1], got float 1.5", "LS008"),
        ("dropout: 'x'", "dropout is not a number, got string 'x'", "LS007"),
        ("bidirectional: 'yes please'", "bidirectional is not a boolean (true or false), got string 'yes please'", "LS007"),
        ("batch_first: 1", "batch_first is not a boolean (true or false), got 1", "LS007"),
        ("num_directions: 3", "num_directions must be 1 or 2, got 3", "LS008"),
        ("bias: null", "bias is not a boolean (true or false), got null", "LS007"),
    ],
)
def test_lstm_value_errors(setting, message, code):
    config, problems = parse(f"lstm:\n  input_size: 3\n  hidden_size: 20\n  {setting}\n")
    assert config is None
    assert [(p.line, p.column, p.code, p.message) for p in problems] == [(4, 3 + setting.index(":") + 2, code, message)]


@pytest.mark.parametrize(
    "setting, message",
    [
        ("batch_size: 0", "batch_size must be a positive integer, got 0"),
        ("batch_size: 32.0", "batch_size is not a positive integer or a symbol name such as B, got float 32.0"),
        ("batch_size: '1e3'", "batch_size is not a positive integer or a symbol name such as B, got string '1e3': "
                              "a float in exponent form, which YAML reads as text; write 1000"),
        ("seq_len: -5", "seq_len must be a positive integer, got -5"),
        ("time_step: 'two words'", "time_step is not a positive integer or a symbol name such as B, got string 'two words'"),
        ("unbatched: 'no'", "unbatched is not a boolean (true or false), got string 'no'"),
    ],
)
def test_data_value_errors(setting, message):
    config, problems = parse(f"lstm: {{input_size: 3, hidden_size: 4}}\ndata:\n  {setting}\n")
    assert config is None
    assert [(p.line, p.column, p.message) for p in problems] == [(3, 3 + setting.index(":") + 2, message)]


def test_unknown_keys_suggest():
    assert errors("""\
        lstm:
          input_size: 3
          hiden_size: 4
        dta: {}
        """) == [
        (1, 1, "LS005", "'lstm' needs 'hidden_size' (or num_units, hidden_dim, rnn_hidden_size, lstm_hidden_size, "
                        "rnn_units, lstm_units, total_hidden_size)"),
        (3, 3, "LS004", "unknown key 'hiden_size' in 'lstm'; did you mean 'hidden_size'?"),
        (4, 1, "LS004", "unknown key 'dta' at top level; did you mean 'data'?"),
    ]


def test_unknown_key_without_close_match_lists_known_keys():
    (message,) = [m for *_, m in errors("lstm: {input_size: 3, hidden_size: 4, zzz: 1}\n")]
    assert message.startswith("unknown key 'zzz' in 'lstm'; known keys: input_size, feature_size")


@pytest.mark.parametrize(
    "text, message",
    [
        ("- lstm\n", "top level is a list; expected a mapping with an 'lstm' section"),
        ("just text\n", "top level is a scalar (string 'just text'); expected a mapping with an 'lstm' section"),
        ("data: {seq_len: 3}\n", "missing section 'lstm' (input_size, hidden_size, ...)"),
        ("lstm: 3\n", "'lstm' is a scalar (3); expected a mapping of settings"),
        ("lstm:\n", "'lstm' is empty; expected a mapping of settings"),
    ],
)
def test_wrong_structure(text, message):
    assert [m for *_, m in errors(text)] == [message]


def test_every_error_reported_at_once():
    found = errors("""\
        lstm:
          input_size: 10.0
          hidden_size: 20
          bidirectinal: true
          proj_size: 20
        data:
          batch_size: 0
        """)
    assert [(line, code) for line, _, code, _ in found] == [(2, "LS007"), (4, "LS004"), (5, "LS008"), (7, "LS008")]


def test_dropout_with_one_layer_is_a_warning_not_an_error():
    config, problems = parse("lstm: {input_size: 3, hidden_size: 4, dropout: 0.5}\n")
    assert config is not None
    assert [(p.severity, p.code, p.column) for p in problems] == [("warning", "LS009", 48)]


def test_load_config_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("lstm: {input_size: 0, hidden_size: x}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [p.code for p in info.value.problems] == ["LS008", "LS007"]
    assert str(info.value).startswith(f"{path}:1:20: error[LS008] input_size must be a positive integer")


def test_huge_integers_are_accepted():
    config, _ = parse(f"lstm: {{input_size: {10**40}, hidden_size: 20}}\n")
    assert config.blocks[0].input_size == 10**40
