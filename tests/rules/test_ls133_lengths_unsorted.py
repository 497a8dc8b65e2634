"""Tests of lstmshape.rules.ls133_lengths_unsorted, beyond its docstring examples.

LS133 (enforce_sorted with unsorted lengths) passes non-increasing lengths, ties included, and
names the first length longer than the one before, as an error on the data line; against live
torch it flags exactly the lengths pack_padded_sequence(enforce_sorted=True) refuses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import write
from lstmshape.check import check_file


def found(path: Path, code: str) -> list:
    return [p for p in check_file(str(path)) if p.code == code]


def packed_config(tmp_path, lengths: list[int]) -> Path:
    return write(tmp_path, "c.yaml", "lstm: {input_size: 2, hidden_size: 3}\n"
                                     f"data: {{batch_size: {len(lengths)}, seq_len: {max(lengths)}, "
                                     f"lengths: {lengths}, enforce_sorted: true}}\n")


# sorted longest first, ties allowed (the first three), then out of order somewhere
LENGTHS = [[7, 4, 4], [7, 7, 7], [3, 3, 1, 1], [5, 3, 2], [7], [5, 2, 3], [2, 5], [7, 4, 4, 5], [1, 2, 2]]


@pytest.mark.parametrize("lengths", [[7, 4, 4], [7, 7, 7], [3, 3, 1, 1], [5, 3, 2], [7]])
def test_ls133_passes_non_increasing_lengths_ties_included(tmp_path, lengths):
    assert found(packed_config(tmp_path, lengths), "LS133") == []


@pytest.mark.parametrize("lengths, first", [([5, 2, 3], 2), ([2, 5], 1), ([7, 4, 4, 5], 3), ([1, 2, 2], 1)])
def test_ls133_names_the_first_length_longer_than_the_one_before(tmp_path, lengths, first):
    (problem,) = found(packed_config(tmp_path, lengths), "LS133")
    assert f"lengths[{first}] = {lengths[first]} > lengths[{first - 1}] = {lengths[first - 1]}" in problem.message
    assert (problem.line, problem.severity) == (2, "error")


@pytest.mark.oracle
@pytest.mark.parametrize("lengths", LENGTHS, ids=str)
def test_ls133_flags_exactly_what_pack_padded_sequence_refuses(tmp_path, lengths, torch):
    from torch.nn.utils.rnn import pack_padded_sequence

    padded = torch.zeros(max(lengths), len(lengths), 2)
    try:
        pack_padded_sequence(padded, torch.tensor(lengths), enforce_sorted=True)
        refused = False
    except RuntimeError as exc:
        assert "must be sorted in decreasing order" in str(exc)
        refused = True
    assert bool(found(packed_config(tmp_path, lengths), "LS133")) == refused
