"""Tests of lstmshape.read.head: the model around the LSTM as read (`head` layers, `expect`).

In process, through the library calls `check` and `infer` make (helpers.problems_of,
read_config): head inputs and structure, the LS101 message's arithmetic, `expect` with symbols
and one mapping per block of a stack, `expect.target`, ONNX gemm settings placed at their line,
another framework's names (h0, Y_c, dense, gemm) named in this framework's words, the shipped
configs unchanged, and a property-based test that any value of `framework`, `head`, `expect` or
`data` is a problem or fine, never an exception.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from helpers import REPO, SIZES, WRONG, config_text, outcome, problems_of
from lstmshape.frameworks import infer
from lstmshape.read import read_config


@settings(max_examples=40, deadline=None)
@given(value=WRONG, where=st.sampled_from(["framework", "head", "expect", "data"]),
       framework=st.sampled_from(list(SIZES)))
def test_any_value_for_framework_head_expect_or_data_is_a_problem_or_fine(value, where, framework):
    outcome(config_text(framework, SIZES[framework], {where: value}))


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


@pytest.mark.parametrize(("text", "words"), [
    ("framework: keras\nlstm: {input_dim: 3, units: 4}\nexpect: {h0: [1, 2, 4]}\n", "Keras calls it state_h"),
    ("framework: keras\nlstm: {input_dim: 3, units: 4}\nexpect: {Y_c: [1, 2, 4]}\n", "Keras calls it state_c"),
    ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4}\nexpect: {output: [5, 1, 2, 4]}\n", "ONNX calls it Y"),
    ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4}\nexpect: {hn: [1, 2, 4]}\n", "ONNX calls it Y_h"),
    ("framework: keras\nlstm: {input_dim: 3, units: 4}\nhead: [{dense: {units: 2, input: hn_last}}]\n",
     "Keras calls it state_h"),
    ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4}\nhead: [{linear: {in_features: 4, out_features: 2}}]\n",
     "ONNX calls it gemm (or matmul)"),
    ("framework: keras\nlstm: {input_dim: 3, units: 4}\nhead: [{linear: {in_features: 4, out_features: 2}}]\n",
     "Keras calls it dense"),
])
def test_another_frameworks_names_are_named_in_this_ones_terms(tmp_path, text, words):
    problems = problems_of(tmp_path, text)
    assert [p.code for p in problems] == ["LS004"] and words in problems[0].message, problems


@pytest.mark.parametrize(("head", "code"), [
    ("[{gemm: {reshape: [0, -2], in_features: 4, out_features: 2}}]", "LS008"),
    ("[{gemm: {transpose: [0, x], in_features: 4, out_features: 2}}]", "LS007"),
    ("[{gemm: {reshape: 5, in_features: 4, out_features: 2}}]", "LS003"),
    ("[{gemm: {out_features: 2}}]", "LS005"),
    ("[{gemm: {input: Y_h, transpose: [0, 1], in_features: 4, out_features: 2}}]", "LS124"),
    ("[{gemm: {input: Y_h, reshape: [-1, -1], in_features: 4, out_features: 2}}]", "LS124"),
    ("[{gemm: {input: Y_h, reshape: [0, 0, 0, 0], in_features: 4, out_features: 2}}]", "LS124"),
    ("[relu, {gemm: {input: Y_h, in_features: 4, out_features: 2}}]", "LS008"),
])
def test_onnx_head_settings_are_read_and_placed(tmp_path, head, code):
    text = f"framework: onnx\nlstm: {{input_size: 3, hidden_size: 4}}\nhead: {head}\n"
    problems = problems_of(tmp_path, text)
    assert [p.code for p in problems] == [code], problems
    assert problems[0].line == 3


LSTMS = {
    "torch": "lstm: {input_size: 10, hidden_size: 20}\n",
    "keras": "framework: keras\nlstm: {input_dim: 10, units: 20}\n",
    "onnx": "framework: onnx\nlstm: {input_size: 10, hidden_size: 20}\n",
}


@pytest.mark.parametrize("framework", sorted(LSTMS))
def test_expect_target_is_read_in_every_framework(framework, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(LSTMS[framework] + "expect:\n  target: [N, 1]\n")
    config, problems = read_config(str(path))
    assert problems == [] and config.expect == ({"target": ("N", 1)},)
    assert config.origins[("expect", 0, "target")] == ("expect", "target")


@pytest.mark.parametrize(("target", "code", "column"), [("[0, 1]", "LS008", 12), ("[1.5]", "LS007", 12),
                                                         ("5", "LS003", 11)])
def test_a_bad_target_is_placed_at_its_value(target, code, column, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(LSTMS["torch"] + f"expect:\n  target: {target}\n")
    config, problems = read_config(str(path))
    assert config is None
    assert [(p.code, p.line, p.column) for p in problems] == [(code, 3, column)]
