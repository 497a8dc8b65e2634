"""What a new user's first hour met in the messages (issue #25, item 6), each through the CLI's
entry point: a key written in the wrong section says where it belongs, a suggestion names
the canonical key before its alias, a number YAML read as text says what to write, and a
misspelt interpolation names the key path it most likely meant."""

from __future__ import annotations

import pytest

from helpers import run, run_bounded

LSTM = "lstm: {input_size: 10, hidden_size: 20}\n"


def check(tmp_path, text: str) -> list[str]:
    """The lines `lstmshape check` prints for a config holding `text` (which must fail)."""
    path = tmp_path / "c.yaml"
    path.write_text(text)
    result = run("check", path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def problem(tmp_path, text: str, code: str) -> str:
    """The one message of `code` that checking `text` gives, after `path:line:col: error[code] `."""
    found = [line.split(f"[{code}] ", 1)[1] for line in check(tmp_path, text) if f"[{code}] " in line]
    assert len(found) == 1, found
    return found[0]


# --- (a) a key of another section says which section it belongs in ------------------------


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
    assert problem(tmp_path, text, "LS004") == f"unknown key '{key}' in {where}; it belongs {home}"


def test_a_key_of_no_section_is_still_spelt(tmp_path):
    assert problem(tmp_path, LSTM + "data:\n  batch_sise: 4\n", "LS004") == \
        "unknown key 'batch_sise' in 'data'; did you mean 'batch_size'?"


def test_a_layer_setting_is_not_sent_to_a_section(tmp_path):
    """`input` is a head layer's setting as well as an `expect` tensor: in a head layer it is not
    sent to `expect`."""
    text = LSTM + "head:\n  - input: hn_last\n"
    assert problem(tmp_path, text, "LS004") == ("unknown key 'input' in 'head[0]'; known keys: linear, relu, tanh, "
                                                "gelu, sigmoid, softmax, log_softmax, identity, flatten, dropout")


# --- (b) the canonical name first, the alias it is spelt like after -------------------------


@pytest.mark.parametrize("key, meant", [
    ("layers", "'num_layers' (or its alias 'nlayers')"),
    ("hidden", "'hidden_size' (or its alias 'hidden_dim')"),
    ("rnn_size", "'hidden_size' (or its alias 'rnn_hidden_size')"),
    ("Hidden_Dim", "'hidden_size' (or its alias 'hidden_dim')"),
    ("num_layer", "'num_layers'"),
])
def test_a_suggestion_names_the_canonical_key_first(tmp_path, key, meant):
    text = f"lstm:\n  input_size: 10\n  hidden_size: 20\n  {key}: 2\n"
    assert problem(tmp_path, text, "LS004") == f"unknown key '{key}' in 'lstm'; did you mean {meant}?"


def test_a_data_alias_is_suggested_after_its_canonical_key(tmp_path):
    assert problem(tmp_path, LSTM + "data:\n  timestep: 5\n", "LS004") == \
        "unknown key 'timestep' in 'data'; did you mean 'seq_len' (or its alias 'time_step')?"


# --- (c) a number in exponent form that YAML reads as text ----------------------------------


TEXT = "a float in exponent form, which YAML reads as text"


@pytest.mark.parametrize("line, message", [
    ("hidden_size: 1e3", f"hidden_size is not an integer, got string '1e3': {TEXT}; write 1000"),
    ("hidden_size: 1.0e3", f"hidden_size is not an integer, got string '1.0e3': {TEXT}; write 1000"),
    ("hidden_size: 2.5E1", f"hidden_size is not an integer, got string '2.5E1': {TEXT}; write 25"),
    ("num_layers: 2.5e0", f"num_layers is not an integer, got string '2.5e0': {TEXT}; 2.5 is not a whole "
                          "number, and num_layers must be an integer"),
    ("proj_size: 1e-3", f"proj_size is not an integer, got string '1e-3': {TEXT}; 0.001 is not a whole "
                        "number, and proj_size must be an integer"),
    ("hidden_size: 1e999999999", f"hidden_size is not an integer, got string '1e999999999': {TEXT}; it is "
                                 "more than 10**100, larger than any size lstmshape accepts"),
    ("dropout: 1e-1", f"dropout is not a number, got string '1e-1': {TEXT}; write 0.1"),
    ("dropout: 5e-5", f"dropout is not a number, got string '5e-5': {TEXT}; write 0.00005"),
    ("dropout: 1e-9", f"dropout is not a number, got string '1e-9': {TEXT}; write 1.0e-9"),
])
def test_a_number_yaml_reads_as_text_says_what_to_write(tmp_path, line, message):
    size = "" if line.startswith("hidden_size") else "  hidden_size: 20\n"
    text = f"lstm:\n  input_size: 10\n{size}  {line}\n"
    assert problem(tmp_path, text, "LS007") == message


def test_what_to_write_is_read_as_a_number(tmp_path):
    """The forms suggested are the ones YAML reads as numbers: the config with them checks clean."""
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 10, hidden_size: 1000, num_layers: 2, dropout: 1.0e-9}\n")
    result = run("check", path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_batch_size_in_exponent_form_says_what_to_write(tmp_path):
    assert problem(tmp_path, LSTM + "data:\n  batch_size: 3.2e1\n", "LS007") == \
        f"batch_size is not a positive integer or a symbol name such as B, got string '3.2e1': {TEXT}; write 32"


def test_text_that_is_no_number_keeps_its_message(tmp_path):
    assert problem(tmp_path, "lstm: {input_size: 10, hidden_size: e3}\n", "LS007") == \
        "hidden_size is not an integer, got string 'e3'"


# --- (d) a misspelt interpolation names the path it most likely meant -----------------------


MODEL = "model:\n  d_model: 64\n  encoder: {layers: 2}\n"


@pytest.mark.parametrize("value, meant", [
    ("${model.dmodel}", "model.d_model"),
    ("${modle.d_model}", "model.d_model"),
    ("${model.encodr.layers}", "model.encoder.layers"),
])
def test_a_misspelt_interpolation_names_the_nearest_path(tmp_path, value, meant):
    message = problem(tmp_path, MODEL + f"lstm:\n  input_size: {value}\n  hidden_size: 20\n", "LS011")
    assert message.startswith(f"input_size is '{value}': Interpolation key '{value[2:-1]}' not found; "
                              f"did you mean '{meant}'?"), message


def test_a_misspelt_relative_interpolation_names_the_nearest_path(tmp_path):
    message = problem(tmp_path, "lstm:\n  dmodel_in: 10\n  input_size: ${.d_model_in}\n  hidden_size: 20\n",
                      "LS011")
    assert message.endswith("not found (resolved to 'lstm.d_model_in'); did you mean '.dmodel_in'?"), message


def test_an_interpolation_far_from_every_key_suggests_nothing(tmp_path):
    message = problem(tmp_path, MODEL + "lstm:\n  input_size: ${model.zzzz}\n  hidden_size: 20\n", "LS011")
    assert "did you mean" not in message and "give the value with --set" in message, message


def test_a_misspelt_ref_names_the_nearest_path(tmp_path):
    message = problem(tmp_path, "dmodel: 10\nlstm:\n  input_size: !ref <d_model>\n  hidden_size: 20\n", "LS011")
    assert message == "input_size is !ref <d_model>, which is not in the file; did you mean '<dmodel>'?"


@pytest.mark.parametrize("value", ["!ref <big.k{i:03d}{tail}>", "'${{big.k{i:03d}{tail}}}'"])
def test_spelling_keys_not_found_is_bounded(tmp_path, value):
    """A thousand misspelt references into a mapping of 256 look-alike keys (difflib's slowest
    case): the file's spelling budget runs out, the promise holds."""
    big = "".join(f"  k{i:03d}{'ab' * 28}: {i + 1}\n" for i in range(256))
    blocks = "".join(f"  - {{input_size: {value.format(i=i % 256, tail='ba' * 28)}, hidden_size: 4}}\n"
                     for i in range(1000))
    path = tmp_path / "refs.yaml"
    path.write_text("big:\n" + big + "lstm:\n" + blocks)
    result = run_bounded("check", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and "error[LS011]" in result.stdout
