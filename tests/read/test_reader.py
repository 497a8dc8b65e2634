"""Tests of lstmshape.read.reader: the reader's mechanics shared by every section.

In process (load_text) and through `check`/`infer` (helpers.run): aliases, the glossary's names
for seq_len among them, give the same config and shapes as canonical keys, and an alias that
disagrees names both places; each value error at its exact line and column, every error at once;
an unknown key says which section it belongs in, or "did you mean" with the canonical key before
its alias, whatever the letter case. Twenty thousand unknown keys are counted, not listed, in
every `check` format and in `infer`, through the real console script (helpers.run_bounded).
"""

from __future__ import annotations

import json
import textwrap

import pytest

from helpers import problem_message, run, run_bounded
from lstmshape import DataConfig, TorchLSTM
from lstmshape.check import load_text


LSTM = "lstm: {input_size: 10, hidden_size: 20}\n"


def parse(text: str):
    return load_text(textwrap.dedent(text), "c.yaml")


def errors(text: str):
    config, problems = parse(text)
    assert config is None
    return [(p.line, p.column, p.code, p.message) for p in problems]


def test_aliases_give_the_same_shapes_as_canonical_keys(tmp_path):
    canonical = tmp_path / "canonical.yaml"
    canonical.write_text("lstm: {input_size: 64, hidden_size: 128, num_layers: 3, batch_first: true, dropout: 0.1}\n"
                         "data: {batch_size: 8, seq_len: 100}\n")
    aliased = json.loads(run("infer", "configs/batch_first.yaml", "--format", "json").stdout)["results"]
    assert aliased == json.loads(run("infer", str(canonical), "--format", "json").stdout)["results"]


@pytest.mark.parametrize("name", ["frames", "node_num", "number_of_frames", "time_step", "sequence_length"])
def test_every_glossary_name_for_seq_len(tmp_path, name):
    path = tmp_path / "c.yaml"
    path.write_text(f"lstm: {{input_size: 3, hidden_size: 4}}\ndata: {{batch_size: 2, {name}: 200}}\n")
    result = run("infer", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["shapes"]["input"] == [200, 2, 3]


def test_did_you_mean_ignores_letter_case(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4}\nhead:\n  - ReLU\n  - {Linear: {in_features: 4, "
                    "out_features: 2}}\n")
    out = run("check", path).stdout
    assert "unknown layer 'ReLU' in head[0]; did you mean 'relu'?" in out
    assert "unknown key 'Linear' in 'head[1]'; did you mean 'linear'?" in out


@pytest.mark.parametrize("text, key, where, home", [
    (LSTM + "data:\n  batch_first: true\n", "batch_first", "'data'", "in 'lstm'"),
    (LSTM + "data:\n  hidden_dim: 20\n", "hidden_dim", "'data'", "in 'lstm'"),  # an alias is a key too
    ("lstm: {input_size: 10, hidden_size: 20, batch_size: 4}\n", "batch_size", "'lstm'", "in 'data'"),
    ("lstm: {input_size: 10, hidden_size: 20, time_steps: 5}\n", "time_steps", "'lstm'", "in 'data'"),
    ("lstm: {input_size: 10, hidden_size: 20, h0: [1, 4, 20]}\n", "h0", "'lstm'", "in 'expect'"),
    ("lstm: {input_size: 10, hidden_size: 20, bridge: sum}\n", "bridge", "'lstm'", "in 'decoder'"),
    ("lstm: {input_size: 10, hidden_size: 20, relu: true}\n", "relu", "'lstm'", "in 'head'"),
    ("lstm: {input_size: 10, hidden_size: 20, seq_len: 5}\n", "seq_len", "'lstm'", "in 'data' or 'decoder'"),
    (LSTM + "expect:\n  batch_size: 4\n", "batch_size", "'expect'", "in 'data'"),
    (LSTM + "expect:\n  bidirectional: true\n", "bidirectional", "'expect'", "in 'lstm'"),
    (LSTM + "data:\n  framework: torch\n", "framework", "'data'", "at top level"),
    (LSTM + "data:\n  dropout: 0.1\n", "dropout", "'data'", "in 'lstm' or 'head'"),
    (LSTM + "decoder:\n  lstm: {input_size: 5, hidden_size: 20}\n  batch_size: 4\n", "batch_size", "'decoder'",
     "in 'data'"),
    (LSTM + "decoder:\n  lstm: {input_size: 5, hidden_size: 20, bridge: sum}\n", "bridge", "'decoder.lstm'",
     "in 'decoder'"),
    ("lstm:\n  - {input_size: 10, hidden_size: 20}\n  - {hidden_size: 20, batch_size: 4}\n", "batch_size",
     "'lstm[1]'", "in 'data'"),
    ("framework: keras\nlstm: {input_dim: 10, units: 20}\ndata:\n  units: 4\n", "units", "'data'", "in 'lstm'"),
    ("framework: onnx\nlstm: {input_size: 10, hidden_size: 20, batch_size: 4}\n", "batch_size", "'lstm'",
     "in 'data'"),
])
def test_a_key_of_another_section_says_where_it_belongs(tmp_path, text, key, where, home):
    assert problem_message(tmp_path, text, "LS004") == f"unknown key '{key}' in {where}; it belongs {home}"


def test_a_key_of_no_section_is_still_spelt(tmp_path):
    assert problem_message(tmp_path, LSTM + "data:\n  batch_sise: 4\n", "LS004") == \
        "unknown key 'batch_sise' in 'data'; did you mean 'batch_size'?"


def test_a_layer_setting_is_not_sent_to_a_section(tmp_path):
    """`input` is a head layer's setting as well as an `expect` tensor: in a head layer it is not
    sent to `expect`."""
    text = LSTM + "head:\n  - input: hn_last\n"
    assert problem_message(tmp_path, text, "LS004") == ("unknown key 'input' in 'head[0]'; known keys: linear, relu, tanh, "
                                                "gelu, sigmoid, softmax, log_softmax, identity, flatten, dropout")


@pytest.mark.parametrize("key, meant", [
    ("layers", "'num_layers' (or its alias 'nlayers')"),
    ("hidden", "'hidden_size' (or its alias 'hidden_dim')"),
    ("rnn_size", "'hidden_size' (or its alias 'rnn_hidden_size')"),
    ("Hidden_Dim", "'hidden_size' (or its alias 'hidden_dim')"),
    ("num_layer", "'num_layers'"),
])
def test_a_suggestion_names_the_canonical_key_first(tmp_path, key, meant):
    text = f"lstm:\n  input_size: 10\n  hidden_size: 20\n  {key}: 2\n"
    assert problem_message(tmp_path, text, "LS004") == f"unknown key '{key}' in 'lstm'; did you mean {meant}?"


def test_a_data_alias_is_suggested_after_its_canonical_key(tmp_path):
    assert problem_message(tmp_path, LSTM + "data:\n  timestep: 5\n", "LS004") == \
        "unknown key 'timestep' in 'data'; did you mean 'seq_len' (or its alias 'time_step')?"


@pytest.fixture(scope="module")
def twenty_thousand_keys(tmp_path_factory):
    """A config with twenty thousand unknown keys, and `infer` of it in a bounded child: one run,
    whatever the format `check` is asked for (infer takes no --format)."""
    path = tmp_path_factory.mktemp("keys") / "keys.yaml"
    path.write_text("lstm:\n  input_size: 3\n  hidden_size: 4\n" + "".join(f"  k{i}: 1\n" for i in range(20_000)))
    return path, run_bounded("infer", path)


@pytest.mark.xdist_group("twenty-thousand-keys")  # one worker runs infer once
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_twenty_thousand_unknown_keys_are_counted_not_listed(twenty_thousand_keys, fmt):
    path, inferred = twenty_thousand_keys
    result = run_bounded("check", "--format", fmt, path)
    result.assert_harmless(path)
    assert result.returncode == 1
    assert result.stdout.count("unknown key 'k") == 100
    assert "19900 more errors [LS004] from here on, like the 100 listed before" in result.stdout
    inferred.assert_harmless(path)
    assert inferred.stderr.count("error[LS004]") == 101


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
