"""The config format's model around the LSTM (stacks, lengths, head, expect): parsing, exact
positions and messages, and `infer` on stacks."""

from __future__ import annotations

import json

import pytest

from lstmshape.read import parse_text, read_config
from lstmshape.frameworks import infer

from helpers import REPO, problems_of, run


def test_head_message_explains_the_arithmetic(tmp_path):
    (p,) = problems_of(tmp_path, "lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n"
                                 "head:\n  - linear: {in_features: 20, out_features: 3}\n")
    assert (p.code, p.line, p.column, p.path) == ("LS101", 3, 27, "$.head[0].linear.in_features")
    assert p.message == ("head[0].in_features is 20 but output has 40 features (num_directions 2 × "
                         "hidden_size 20): a bidirectional LSTM doubles the feature size")


@pytest.mark.parametrize("source, features", [("output", 32), ("last_step", 32), ("hn_last", 16), ("hn_concat", 32)])
def test_head_inputs(tmp_path, source, features):
    text = ("lstm: {input_size: 10, hidden_size: 64, proj_size: 16, bidirectional: true}\n"
            f"head:\n  - linear: {{in_features: {features}, out_features: 3, input: {source}}}\n")
    codes = [p.code for p in problems_of(tmp_path, text)]
    assert "LS101" not in codes
    wrong = text.replace(f"in_features: {features}", "in_features: 64")
    assert "LS101" in [p.code for p in problems_of(tmp_path, wrong)]


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


def test_expect_per_block_for_a_stack(tmp_path):
    base = ("lstm:\n  - {input_size: 10, hidden_size: 20, num_layers: 2}\n  - {hidden_size: 8}\n"
            "data: {batch_size: 32, seq_len: 5}\n")
    assert problems_of(tmp_path, base + "expect:\n  - {hn: [2, 32, 20]}\n  - {output: [5, 32, 8]}\n") == []
    (p,) = problems_of(tmp_path, base + "expect:\n  - null\n  - {hn: [32, 1, 8]}\n")
    assert (p.code, p.path) == ("LS111", "$.expect[1].hn") and p.message.startswith("expect[1].hn is [32, 1, 8]")
    (p,) = problems_of(tmp_path, base + "expect:\n  output: [5, 32, 8]\n")
    assert p.code == "LS003" and "list of 2 mappings" in p.message


def test_expect_symbols_and_structure(tmp_path):
    base = "lstm: {input_size: 10, hidden_size: 20, batch_first: true}\ndata: {batch_size: B, seq_len: T}\n"
    assert problems_of(tmp_path, base + "expect: {input: [B, T, 10], output: [B, T, 20], h0: [1, B, 20]}\n") == []
    (p,) = problems_of(tmp_path, base + "expect: {output: [T, B, 20]}\n")
    assert p.code == "LS110" and "dimension 0 (batch) is T, should be batch_size B" in p.message
    (p,) = problems_of(tmp_path, base + "expect: {output: [B, 20]}\n")
    assert p.code == "LS110" and "has 3 dimensions" in p.message
    (p,) = problems_of(tmp_path, base + "expect: {outptu: [B, T, 20]}\n")
    assert p.code == "LS004" and "did you mean 'output'" in p.message
    (p,) = problems_of(tmp_path, base + "expect: {output: [B, T, 2.5]}\n")
    assert (p.code, p.path) == ("LS007", "$.expect.output[2]")


def test_lengths_validation(tmp_path):
    (p,) = problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\ndata: {lengths: [3, 0]}\n")
    assert p.code == "LS008"
    (p,) = problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\ndata: {lengths: 3}\n")
    assert p.code == "LS007"
    # unsorted is fine (enforce_sorted=False); symbolic sizes are not checked
    assert problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\ndata: {lengths: [2, 9, 4]}\n") == []


def test_head_structure_problems(tmp_path):
    problems = problems_of(tmp_path, "lstm: {input_size: 1, hidden_size: 2}\nhead:\n"
                                     "  - linear: {in_features: 2}\n  - lineer: {}\n"
                                     "  - linear: {in_features: 2, out_features: 1, input: hn_last}\n")
    assert [p.code for p in problems] == ["LS005", "LS004", "LS008"]


def test_huge_sizes_are_arithmetic_only(tmp_path):
    big = 10**40
    (p,) = problems_of(tmp_path, f"lstm: {{input_size: 10, hidden_size: {big}}}\n"
                                 "head:\n  - linear: {in_features: 20, out_features: 3}\n")
    assert p.code == "LS101" and f"{big} features" in p.message


def test_old_configs_stay_valid_and_infer_unchanged():
    for path in sorted((REPO / "configs").glob("*.yaml")):
        if path.name == "broken.yaml":
            continue
        config, problems = read_config(path)
        assert config is not None, (path, problems)
        if config.framework != "torch":
            continue
        assert len(config.blocks) == 1 and not config.listed and config.head == () and config.expect == ()
        assert all(r.block is None for r in infer(config, matrix=True))


def test_infer_on_a_stack_shows_each_block(tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text("lstm:\n  - {input_size: 10, hidden_size: 20, bidirectional: true}\n  - {hidden_size: 8}\n"
                    "data: {batch_size: 4, seq_len: 7}\n")
    result = run("infer", "--format", "json", path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [r["block"] for r in doc["results"]] == [0, 1]
    assert doc["results"][1]["shapes"]["input"] == [7, 4, 40]
    assert doc["results"][1]["shapes"]["output"] == [7, 4, 8]
    table = run("infer", path)
    assert table.returncode == 0 and "block 0 of 2" in table.stdout and "block 1 of 2" in table.stdout
    matrix = run("infer", "--format", "json", "--matrix", path)
    results = json.loads(matrix.stdout)["results"]
    assert len(results) == 2 * 2 * 2 * 2  # batch_first × bidirectional × num_layers 1..2 × blocks
    for first, second in zip(results[::2], results[1::2]):
        assert (first["block"], second["block"]) == (0, 1)
        assert second["shapes"]["input"][-1] == first["shapes"]["output"][-1]


def test_infer_json_has_no_block_key_for_a_single_lstm():
    result = run("infer", "--format", "json", REPO / "configs" / "bilstm.yaml")
    assert result.returncode == 0
    assert all("block" not in r for r in json.loads(result.stdout)["results"])
