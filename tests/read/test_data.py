"""Tests of lstmshape.read.data: the `data` section of a config, as read.

Each bad value of batch_size, seq_len, time_step and unbatched with its exact message at its
value's line and column; data.lengths' values and type (unsorted lengths are fine); every
spelling of data.state read as one value, and each bad one placed at the value with its path
$.data.state. Configs parsed in process (lstmshape.check.load_text, read_config,
helpers.problems_of).
"""

from __future__ import annotations

import textwrap
import pytest
from helpers import problems_of
from lstmshape.check import load_text
from lstmshape.read import read_config


def parse(text: str):
    return load_text(textwrap.dedent(text), "c.yaml")


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


def test_lengths_validation(tmp_path):
    (p,) = problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\ndata: {lengths: [3, 0]}\n")
    assert p.code == "LS008"
    (p,) = problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\ndata: {lengths: 3}\n")
    assert p.code == "LS007"
    # unsorted is fine (enforce_sorted=False); symbolic sizes are not checked
    assert problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\ndata: {lengths: [2, 9, 4]}\n") == []


@pytest.mark.parametrize(("written", "means"), [
    ("none", "none"), ("null", "none"), ("h0", "h0"), ("hx", "h0"), ("[h0, c0]", ("h0", "c0")),
    ("[h, c]", ("h0", "c0")), ('"(h0, c0)"', ("h0", "c0")), ('"h0, c0"', ("h0", "c0")), ('"(h0,)"', ("h0",)),
    ("[hidden, cell, hx, cx]", ("h0", "c0", "h0", "c0")),
])
def test_state_spellings_read_as_one_value(written, means, tmp_path):
    config, problems = read_config(str(_written(tmp_path, f"state: {written}")))
    assert problems == [] and config.data.state == means


@pytest.mark.parametrize(("written", "code", "column"), [
    ("hz", "LS008", 42), ("[h0, 3]", "LS007", 42), ("[]", "LS008", 42), ("5", "LS007", 42),
    ("[h0, c0, h0, c0, h0]", "LS008", 42), ("[none]", "LS008", 42), ('"(h0"', "LS008", 42), ("None", "LS008", 42),
])
def test_bad_state_values_are_placed_at_their_value(written, code, column, tmp_path):
    path = _written(tmp_path, f"state: {written}")
    config, problems = read_config(str(path))
    assert config is None
    assert [(p.code, p.line, p.column, p.path) for p in problems] == [(code, 2, column, "$.data.state")]


def _written(tmp_path, state: str):
    path = tmp_path / "c.yaml"
    path.write_text(f"lstm: {{input_size: 4, hidden_size: 6}}\ndata: {{batch_size: 3, seq_len: 5, {state}}}\n")
    return path
