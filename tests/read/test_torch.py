"""lstmshape.read.torch: one path reads a single torch LSTM and a stack, a single LSTM being a
stack of one: the same blocks, and the same problems at the same places (`lstm` vs `lstm[0]`)."""

from __future__ import annotations

import pytest

from lstmshape.read import parse_text

SECTIONS = [
    "{input_size: 10, hidden_size: 20, num_layers: 2, bidirectional: true, proj_size: 5}",
    "{input_size: 10, total_hidden_size: 40, num_directions: 2, cell: RNN_RELU}",
    "{input_size: 10, hidden_size: 20, num_directions: 2, bidirectional: false}",  # LS006
    "{input_size: 10, hidden_size: 20, proj_size: 30}",  # proj_size ≥ hidden_size
    "{input_size: 10, total_hidden_size: 41, bidirectional: true}",  # odd total
    "{input_size: 10, hidden_size: 20, cell: lstn}",  # a cell torch does not know
    "{hidden_size: 20}",  # input_size missing
]
DATA = ["", "data: {batch_size: 4, seq_len: 7}\n", "data: 3\n", "data: {batch_size: 0}\n"]


def read(text: str):
    config, problems = parse_text(text)
    return config, [seen(p) for p in problems]


def seen(problem) -> tuple:
    """A problem as the two spellings share it: `lstm[0]` read as `lstm`, and a problem of the section
    itself without its place (at its key for `lstm`, at the block for `lstm[0]`)."""
    path = problem.path.replace("$.lstm[0]", "$.lstm")
    place = (problem.line, problem.column) if path != "$.lstm" else ()
    return (problem.code, *place, path, problem.message.replace("'lstm[0]'", "'lstm'"))


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("section", SECTIONS)
def test_a_single_lstm_reads_as_a_stack_of_one(section, data):
    single, single_problems = read(f"lstm:\n  {section}\n{data}")  # the block at the same place in both
    stack, stack_problems = read(f"lstm:\n- {section}\n{data}")
    assert single_problems == stack_problems
    assert (single is None) == (stack is None)
    if single is not None:
        assert single.blocks == stack.blocks and not single.listed and stack.listed


def test_a_block_is_checked_whatever_else_is_wrong():
    """The settings' own conflicts are reported beside a `data` that is no mapping (as in a stack)."""
    _, problems = read("lstm: {input_size: 10, hidden_size: 20, num_directions: 2, bidirectional: false}\ndata: 3\n")
    assert [(p[0], p[-2]) for p in problems] == [("LS006", "$.lstm.num_directions"), ("LS003", "$.data")]


def test_join_belongs_to_a_later_block_of_a_list():
    config, problems = read("lstm: {input_size: 10, hidden_size: 20, join: sum}\n")
    assert config is None
    assert problems == [("LS003", 1, 41, "$.lstm.join", "'join' says what sits between two blocks of a stack; write "
                                                    "lstm as a list of blocks and put join on the block after it")]
