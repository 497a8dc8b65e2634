"""Tests of lstmshape.read.values: each value's kind, and the words when it does not fit.

Through `check` (helpers.run, exit 1, the message after the code): a number in exponent form that
YAML reads as text (`1e3`) says what to write, or why no integer fits (a fraction, more than
10**100), for sizes, dropout and batch_size; the suggested forms check clean; text that is no
number keeps its plain message. In process (load_text): an input_size of 10**40 is accepted.
"""

from __future__ import annotations

import textwrap

import pytest

from helpers import problem_message, run
from lstmshape.check import load_text


LSTM = "lstm: {input_size: 10, hidden_size: 20}\n"


TEXT = "a float in exponent form, which YAML reads as text"


def parse(text: str):
    return load_text(textwrap.dedent(text), "c.yaml")


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
    assert problem_message(tmp_path, text, "LS007") == message


def test_what_to_write_is_read_as_a_number(tmp_path):
    """The forms suggested are the ones YAML reads as numbers: the config with them checks clean."""
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 10, hidden_size: 1000, num_layers: 2, dropout: 1.0e-9}\n")
    result = run("check", path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_batch_size_in_exponent_form_says_what_to_write(tmp_path):
    assert problem_message(tmp_path, LSTM + "data:\n  batch_size: 3.2e1\n", "LS007") == \
        f"batch_size is not a positive integer or a symbol name such as B, got string '3.2e1': {TEXT}; write 32"


def test_text_that_is_no_number_keeps_its_message(tmp_path):
    assert problem_message(tmp_path, "lstm: {input_size: 10, hidden_size: e3}\n", "LS007") == \
        "hidden_size is not an integer, got string 'e3'"


def test_huge_integers_are_accepted():
    config, _ = parse(f"lstm: {{input_size: {10**40}, hidden_size: 20}}\n")
    assert config.blocks[0].input_size == 10**40
