"""Tests of lstmshape.rules.ls009_dropout_single_layer, beyond its docstring examples.

LS009 (dropout with one layer) warns on every block of a stack at that block's own dropout line,
also when only a later block has it, and when the config is read for `infer`
(config_stage_problems); live torch.nn.LSTM warns for exactly the same blocks.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from helpers import write
from lstmshape.check import check_file
from lstmshape.read import read_config
from lstmshape.rules import config_stage_problems


def found(path: Path, code: str) -> list:
    return [p for p in check_file(str(path)) if p.code == code]


# torch.nn.LSTM keyword arguments of each block: the first and third warn, the second and fourth not
STACK = [
    {"input_size": 6, "hidden_size": 10, "dropout": 0.5},
    {"input_size": 10, "hidden_size": 8, "num_layers": 2, "dropout": 0.3},
    {"input_size": 8, "hidden_size": 8, "num_layers": 1, "dropout": 0.2},
    {"input_size": 8, "hidden_size": 4},
]


def stack_config(tmp_path) -> tuple[Path, list[int]]:
    """The stack written one key a line; each block's dropout line (None without dropout)."""
    lines, dropout_lines = ["lstm:"], []
    for block in STACK:
        dropout_lines.append(None)
        for i, (key, value) in enumerate(block.items()):
            lines.append(f"  {'- ' if i == 0 else '  '}{key}: {value}")
            if key == "dropout":
                dropout_lines[-1] = len(lines)
    return write(tmp_path, "c.yaml", "\n".join(lines) + "\n"), dropout_lines


def test_ls009_checks_every_block_of_a_stack_at_its_own_line(tmp_path):
    path, dropout_lines = stack_config(tmp_path)
    got = [(p.line, p.severity) for p in found(path, "LS009")]
    assert got == [(dropout_lines[0], "warning"), (dropout_lines[2], "warning")]
    (problem,) = [p for p in found(path, "LS009") if p.line == dropout_lines[2]]
    assert problem.message.startswith("dropout 0.2 has no effect with num_layers 1")


def test_ls009_a_later_block_alone(tmp_path):
    """Only a block after the first has dropout with one layer: it is still found (and when the
    config is read, as `infer` shows it)."""
    path = write(tmp_path, "c.yaml", "lstm:\n  - {input_size: 6, hidden_size: 10, num_layers: 2, dropout: 0.3}\n"
                                     "  - {hidden_size: 8, dropout: 0.2}\n")
    assert [(p.code, p.line) for p in check_file(str(path))] == [("LS009", 3)]
    config, _ = read_config(path)
    assert [(p.code, p.line) for p in config_stage_problems(config)] == [("LS009", 3)]


@pytest.mark.oracle
def test_ls009_warns_for_exactly_the_blocks_torch_warns_for(tmp_path, torch):
    path, dropout_lines = stack_config(tmp_path)
    warned = []
    for k, block in enumerate(STACK):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.nn.LSTM(**block)
        if any("dropout option adds dropout after all but last recurrent layer" in str(w.message) for w in caught):
            warned.append(dropout_lines[k])
    assert warned == [dropout_lines[0], dropout_lines[2]]
    assert [p.line for p in found(path, "LS009")] == warned
