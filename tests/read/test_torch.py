"""Tests of lstmshape.read.torch: the `lstm` section of a torch config (torch.nn.LSTM's arguments).

In process (parse_text, read_config, helpers.problems_of): the cell switch (cell, rnn_type, mode,
nonlinearity) and its errors; total_proj_size and total_hidden_size, alone and in a stack,
refused at the total; each value error at its exact line and column; stacks (input_size
defaulted from the block before, LS100 on a mismatch, problems placed in their block, `join`
only on a later block); a single LSTM read exactly as a stack of one (`lstm` vs `lstm[0]`).
A stack past 1,000 blocks is refused, and `infer --verify` on 1,000 counts the passes it does not
run, through the real console script (helpers.run_bounded).
"""

from __future__ import annotations

import json
import textwrap
import pytest
from helpers import REPO, SIZES, config_text, problems_of, run, run_bounded, write
from lstmshape.check import check_file, load_text
from lstmshape.read import parse_text, read_config
from lstmshape.settings import TorchLSTM


def parse(text: str):
    return load_text(textwrap.dedent(text), "c.yaml")


def infer_json_of(path, *args, cwd=REPO):
    result = run("infer", path, *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("text, cell, nonlinearity", [
    ("cell: gru", "gru", "tanh"),
    ("cell: GRU", "gru", "tanh"),
    ("rnn_type: lstm", "lstm", "tanh"),
    ("cell_type: Rnn", "rnn", "tanh"),
    ("mode: RNN_RELU", "rnn", "relu"),
    ("mode: rnn_tanh", "rnn", "tanh"),
    ("cell: rnn, nonlinearity: ReLU", "rnn", "relu"),
    ("mode: RNN_RELU, nonlinearity: relu", "rnn", "relu"),
])
def test_cell_switch_spellings(text, cell, nonlinearity):
    config, problems = parse_text(f"lstm: {{input_size: 3, hidden_size: 4, {text}}}\n")
    assert problems == [] and (config.blocks[0].cell, config.blocks[0].nonlinearity) == (cell, nonlinearity)


def test_default_cell_is_lstm():
    config, _ = parse_text("lstm: {input_size: 3, hidden_size: 4}\n")
    assert config.blocks[0].cell == "lstm" and config.blocks[0].has_cell_state and config.blocks[0].gates == 4


def test_stack_blocks_choose_their_cells():
    config, problems = parse_text("lstm:\n  - {input_size: 3, hidden_size: 4, cell: gru, bidirectional: true}\n"
                                  "  - {hidden_size: 5}\n")
    assert problems == []
    assert [b.cell for b in config.blocks] == ["gru", "lstm"] and config.blocks[1].input_size == 8


@pytest.mark.parametrize("text, code, words", [
    ("cell: gru, proj_size: 2", "LS008", "proj_size is an argument of nn.LSTM only; nn.GRU refuses it"),
    ("cell: rnn, proj_size: 0", "LS008", "nn.RNN refuses it"),
    ("cell: gru, nonlinearity: relu", "LS008", "nonlinearity is an argument of nn.RNN only"),
    ("nonlinearity: tanh", "LS008", "nn.LSTM refuses it"),
    ("cell: gur", "LS008", "did you mean 'gru'?"),
    ("cell: 3", "LS007", "cell must be one of lstm, gru, rnn, got 3"),
    ("cell: rnn, nonlinearity: sigmoid", "LS008", "nonlinearity must be one of tanh, relu"),
    ("mode: RNN_TANH, nonlinearity: relu", "LS006", "but mode (line 1, column 45) is 'RNN_TANH'"),
])
def test_cell_switch_errors(text, code, words):
    config, problems = parse_text(f"lstm: {{input_size: 3, hidden_size: 4, {text}}}\n", "net.yaml")
    assert config is None
    assert [(p.code, words in p.message) for p in problems] == [(code, True)], problems


@pytest.mark.parametrize("bidirectional, total, proj", [(False, 4, 4), (True, 8, 4), (True, 6, 3)])
def test_total_proj_size_is_proj_size_times_directions(tmp_path, bidirectional, total, proj):
    path = write(tmp_path, "c.yaml", f"lstm: {{input_size: 5, hidden_size: 7, bidirectional: "
                                     f"{str(bidirectional).lower()}, total_proj_size: {total}, batch_first: true}}\n"
                                     "data: {batch_size: 3, seq_len: 4}\n")
    config, problems = read_config(path)
    assert problems == [] and check_file(str(path)) == []
    assert config.blocks[0] == TorchLSTM(5, 7, bidirectional=bidirectional, batch_first=True, proj_size=proj)


def test_total_proj_size_in_a_stack_feeds_the_next_block(tmp_path):
    path = write(tmp_path, "c.yaml", "lstm:\n  - {input_size: 5, hidden_size: 7, bidirectional: true, total_proj_size: 6}\n"
                                     "  - {hidden_size: 4}\n")
    config, problems = read_config(path)
    assert problems == []
    assert [b.proj_size for b in config.blocks] == [3, 0] and config.blocks[1].input_size == 6


@pytest.mark.parametrize("lstm, code, message", [
    ("{input_size: 5, hidden_size: 7, bidirectional: true, total_proj_size: 5}", "LS008",
     "total_proj_size 5 is summed over both directions of a bidirectional LSTM, so it must be even "
     "(proj_size = total_proj_size ÷ 2)"),
    ("{input_size: 5, hidden_size: 7, bidirectional: true, total_proj_size: 6, proj_size: 6}", "LS006",
     "total_proj_size 6 means proj_size 3 (6 ÷ 2 directions) but proj_size (line 1, column 91) is 6"),
    ("{input_size: 5, hidden_size: 7, bidirectional: true, total_proj_size: 14}", "LS008",
     "proj_size must be smaller than hidden_size (7), got 7 (total_proj_size ÷ 2 directions); "
     "torch.nn.LSTM refuses it"),
    ("{input_size: 5, hidden_size: 7, cell: gru, total_proj_size: 2}", "LS008",
     "total_proj_size gives proj_size, but proj_size is an argument of nn.LSTM only; nn.GRU refuses it"),
    ("{input_size: 5, hidden_size: 7, cell: rnn, total_proj_size: 2}", "LS008",
     "total_proj_size gives proj_size, but proj_size is an argument of nn.LSTM only; nn.RNN refuses it"),
])
def test_total_proj_size_errors_at_the_total(tmp_path, lstm, code, message):
    text = f"lstm: {lstm}\n"
    config, problems = read_config(write(tmp_path, "c.yaml", text))
    assert config is None
    at_total = text.index("total_proj_size: ") + len("total_proj_size: ") + 1  # the value's column
    assert [(p.code, p.line, p.column) for p in problems] == [(code, 1, at_total)]
    assert message in problems[0].message


def test_total_proj_size_in_a_gru_block_of_a_stack_is_refused(tmp_path):
    path = write(tmp_path, "c.yaml", "lstm:\n  - {input_size: 5, hidden_size: 7}\n  - {hidden_size: 8, cell: gru, total_proj_size: 2}\n")
    config, problems = read_config(path)
    assert config is None and [(p.code, p.line) for p in problems] == [("LS008", 3)]


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


def test_total_hidden_size_in_a_config_of_lstmshapes_own(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 8, total_hidden_size: 64, bidirectional: true}\n")
    assert infer_json_of(path)["results"][0]["params"]["weight_hh_l0"] == [128, 32]
    path.write_text("lstm: {input_size: 8, total_hidden_size: 63, bidirectional: true}\n")
    result = run("check", path)
    assert result.returncode == 1
    assert f"{path}:1:42: error[LS008] total_hidden_size 63 is summed over both directions" in result.stdout
    path.write_text("lstm: {input_size: 8, total_hidden_size: 64, hidden_size: 30, num_directions: 2}\n")
    assert ("error[LS006] total_hidden_size 64 means hidden_size 32 (64 ÷ 2 directions) but hidden_size "
            "(line 1, column 59) is 30") in run("check", path).stdout


def test_a_stack_longer_than_a_thousand_blocks_is_refused(tmp_path):
    blocks = [SIZES["torch"]] + [{"hidden_size": 20}] * 20_000
    path = write(tmp_path, "blocks.yaml", config_text("torch", blocks))
    for command in (("infer", "--format", "json"), ("check",)):
        ran = run_bounded(*command, path, cwd=tmp_path)
        ran.assert_harmless(path)
        assert ran.returncode == 1
        assert "error[LS008] 'lstm' is a stack of 20,001 blocks; lstmshape reads up to 1,000" in ran.stdout + ran.stderr
    thousand = write(tmp_path, "thousand.yaml", config_text("torch", blocks[:1000]))
    ran = run_bounded("infer", "--format", "json", thousand, cwd=tmp_path)
    ran.assert_harmless(thousand)
    assert ran.returncode == 0 and len(json.loads(ran.stdout)["results"]) == 1000
    verified = run_bounded("infer", "--verify", thousand, cwd=tmp_path)  # blocks 64 on are not run: counted
    verified.assert_harmless(thousand)
    refused = [line for line in verified.stderr.splitlines() if "not verified" in line]
    assert verified.returncode == 1 and len(refused) == 11
    assert refused[-1] == f"lstmshape: error: {thousand}: 926 more forward passes not verified"


def test_stack_defaults_input_size_and_reports_mismatch(tmp_path):
    text = ("lstm:\n  - {input_size: 10, hidden_size: 20, proj_size: 5, bidirectional: true}\n"
            "  - {hidden_size: 8}\n  - {input_size: 9, hidden_size: 4}\n")
    config, problems = parse_text(text)
    assert problems == [] and [b.input_size for b in config.blocks] == [10, 10, 9]
    assert config.listed and len(config.blocks) == 3
    (p,) = problems_of(tmp_path, text)
    assert (p.code, p.line, p.column, p.path) == ("LS100", 4, 18, "$.lstm[2].input_size")
    assert "lstm[1]'s output has 8 features (num_directions 1 × hidden_size 8)" in p.message


def test_stack_block_problems_are_placed_in_their_block(tmp_path):
    problems = problems_of(tmp_path, "lstm:\n  - {hidden_size: 20}\n  - {input_size: 20, hiden_size: 4}\n")
    assert [(p.code, p.path, p.line) for p in problems] == [
        ("LS005", "$.lstm[0]", 2), ("LS005", "$.lstm[1]", 3), ("LS004", "$.lstm[1].hiden_size", 3)]
    assert problems[0].message == "'lstm[0]' needs 'input_size' (or feature_size, num_features, input_dim)"
    assert problems[1].message == "'lstm[1]' needs 'hidden_size' (or num_units, hidden_dim, rnn_hidden_size, lstm_hidden_size, rnn_units, lstm_units, total_hidden_size)"
    assert "unknown key 'hiden_size' in 'lstm[1]'; did you mean 'hidden_size'?" in problems[2].message


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
