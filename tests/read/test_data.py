"""Config parsing: aliases, defaults, and every validation error at its exact line and column.

The config format's model around the LSTM (stacks, lengths, head, expect): parsing, exact
positions and messages, and `infer` on stacks.
"""

from __future__ import annotations

import textwrap

import pytest

from helpers import problems_of
from lstmshape.check import load_text


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
