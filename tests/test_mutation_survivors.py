"""The behaviours a mutation test found untested (issue 26): LS133 on equal lengths, LS009 on every
block of a stack, and `total_proj_size`. Each is held against live torch where it says what torch
does, and each has a case that fails if the code is changed the wrong way."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from lstmshape import infer
from lstmshape.check import check_file
from lstmshape.cli.commands import mapping_entries
from lstmshape.read import read_config
from lstmshape.rules import config_stage_problems
from lstmshape.settings import TorchLSTM

from helpers import write


def found(path: Path, code: str) -> list:
    return [p for p in check_file(str(path)) if p.code == code]


# --- LS133: enforce_sorted wants non-increasing lengths, not strictly decreasing ones ----------

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


# --- LS009: every block of a stack is its own nn.LSTM, and torch warns for each ------------------

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


# --- total_proj_size: proj_size summed over directions ------------------------------------------


@pytest.mark.parametrize("bidirectional, total, proj", [(False, 4, 4), (True, 8, 4), (True, 6, 3)])
def test_total_proj_size_is_proj_size_times_directions(tmp_path, bidirectional, total, proj):
    path = write(tmp_path, "c.yaml", f"lstm: {{input_size: 5, hidden_size: 7, bidirectional: "
                                     f"{str(bidirectional).lower()}, total_proj_size: {total}, batch_first: true}}\n"
                                     "data: {batch_size: 3, seq_len: 4}\n")
    config, problems = read_config(path)
    assert problems == [] and check_file(str(path)) == []
    assert config.blocks[0] == TorchLSTM(5, 7, bidirectional=bidirectional, batch_first=True, proj_size=proj)


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("bidirectional, total", [(False, 4), (True, 8)])
def test_total_proj_size_shapes_are_torchs(tmp_path, bidirectional, total, torch):
    path = write(tmp_path, "c.yaml", f"lstm: {{input_size: 5, hidden_size: 7, num_layers: 2, bidirectional: "
                                     f"{str(bidirectional).lower()}, total_proj_size: {total}, batch_first: true}}\n"
                                     "data: {batch_size: 3, seq_len: 4}\n")
    config, _ = read_config(path)
    (shapes,) = infer(config)
    directions = 2 if bidirectional else 1
    module = torch.nn.LSTM(5, 7, num_layers=2, bidirectional=bidirectional, batch_first=True,
                           proj_size=total // directions)
    output, (hn, cn) = module(torch.zeros(3, 4, 5))
    real = {"output": output.shape, "hn": hn.shape, "cn": cn.shape}
    assert {name: shapes.shapes[name] for name in real} == {name: tuple(s) for name, s in real.items()}
    assert {t.name: t.shape for t in shapes.params} == {k: tuple(v.shape) for k, v in module.state_dict().items()}


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


@pytest.mark.oracle
@pytest.mark.parametrize("cell", ["GRU", "RNN"])
def test_torch_refuses_a_projection_for_gru_and_rnn(cell, torch):
    """What the GRU and RNN cases above stand on."""
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        getattr(torch.nn, cell)(5, 7, proj_size=2)


NEMO_LSTM_CTC_BPE = """\
# the shape of NeMo's examples/asr/conf/lstm/lstm_ctc_bpe.yaml (written for this test)
model:
  encoder:
    _target_: nemo.collections.asr.modules.RNNEncoder
    feat_in: 80
    n_layers: 8
    d_model: 2048
    proj_size: 640  # summed over both directions
    rnn_type: lstm
    bidirectional: true
"""
# the mapping docs/checking-configs.md gives for it
NEMO_FROM = ["lstm.input_size=model.encoder.proj_size", "lstm.hidden_size=model.encoder.d_model",
             "lstm.total_proj_size=model.encoder.proj_size", "lstm.bidirectional=model.encoder.bidirectional"]


@pytest.mark.oracle
def test_nemo_recipe_gives_the_lstm_nemo_builds(tmp_path, torch):
    """NeMo's RNNEncoder builds nn.LSTM(640, 2048, bidirectional=True, proj_size=640 // 2,
    batch_first=True) per layer: 17,072,128 parameters, every state_dict shape as torch's."""
    path = write(tmp_path, "c.yaml", NEMO_LSTM_CTC_BPE)
    config, problems = read_config(path, mapping_entries(NEMO_FROM, ["lstm.batch_first=true"]))
    assert problems == []
    assert config.blocks[0] == TorchLSTM(640, 2048, bidirectional=True, batch_first=True, proj_size=320)
    (shapes,) = infer(config)
    module = torch.nn.LSTM(640, 2048, bidirectional=True, proj_size=320, batch_first=True, device="meta")
    assert {t.name: t.shape for t in shapes.params} == {k: tuple(v.shape) for k, v in module.state_dict().items()}
    assert shapes.num_params == sum(v.numel() for v in module.state_dict().values()) == 17_072_128
