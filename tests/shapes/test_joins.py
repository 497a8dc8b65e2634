"""Tests of lstmshape.shapes.joins: the layers between and around LSTMs, as torch runs them.

Every case of tests/golden/around.json (joins, enforce_sorted, the DataLoader's last batch,
encoder → decoder bridges; recorded by tests/golden/record_around.py, re-observed from live
torch): lstmshape reports exactly its codes for what torch refuses or silently gets wrong, its
messages name the sizes torch's errors give, and its shapes, bridged states and batch counts are
torch's. Through helpers.run: `check` at line and column, `infer --format json` and `draw` of
joins, bridge and decoder, each bad input named at its place, and the shipped
examples/around_*.yaml. Sizes of 10**40 and 10**30 sequences through the console script
(helpers.run_script).
"""

from __future__ import annotations

import json
import re

import pytest

from helpers import GOLDEN_DIR, REPO, problems_of, recorder, run, run_script, write
from lstmshape.frameworks import infer
from lstmshape.read import parse_text
from lstmshape.shapes.joins import bridged_state, infer_decoder


GOLDEN = json.loads((GOLDEN_DIR / "around.json").read_text())["records"]


# case → (the codes lstmshape reports, whether torch raises on it: False where torch runs a wrong
# model without a word, which is why lstmshape says so)
EXPECTED = {
    "rnnp": ((), False),
    "rnnp_in_features_wrong": (("LS131",), True),
    "rnnp_input_size_wrong": (("LS130",), True),
    "deepspeech_sum": ((), False),
    "sum_input_size_wrong": (("LS130",), True),
    "sum_unidirectional": (("LS132",), False),  # the view splits hidden_size in halves and adds them
    "sorted": ((), False),
    "unsorted_enforced": (("LS133",), True),
    "unsorted_not_enforced": ((), False),
    "partial_last_batch": (("LS134",), True),
    "partial_last_batch_batch_first": (("LS134",), True),
    "drop_last": ((), False),
    "dataset_divides": ((), False),
    "empty_epoch": (("LS135",), False),  # no batch at all: nothing raises, nothing trains
    "seq2seq_concat": ((), False),
    "seq2seq_sum": ((), False),
    "seq2seq_linear": ((), False),
    "seq2seq_rows_wrong": (("LS136",), True),
    "seq2seq_layers_wrong": (("LS136",), True),
    "seq2seq_directions_as_layers": (("LS137",), False),  # rows fit: the backward direction feeds layer 1
    "seq2seq_layers_as_directions": (("LS137",), False),  # encoder layer 1 feeds the backward direction
    "seq2seq_size_wrong": (("LS138",), True),
    "seq2seq_bridge_in_wrong": (("LS139",), True),
    "seq2seq_stack_encoder": ((), False),
}


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


BAD = {
    "join on block 0": ("lstm:\n  - {input_size: 4, hidden_size: 5, join: sum}\n  - {hidden_size: 3}\n",
                        "2:37: error[LS008] lstm[0] has no block before it to join"),
    "join on a single lstm": ("lstm: {input_size: 4, hidden_size: 5, join: sum}\n",
                              "1:39: error[LS003] 'join' says what sits between two blocks of a stack"),
    "unknown step": ("lstm:\n  - {input_size: 4, hidden_size: 5, bidirectional: true}\n  - {join: summ, hidden_size: 3}\n",
                     "3:12: error[LS004] unknown step 'summ' in 'lstm[1].join'; did you mean 'sum'?"),
    "linear without out_features": ("lstm:\n  - {input_size: 4, hidden_size: 5}\n  - join: {linear: {in_features: 5}}\n"
                                    "    hidden_size: 3\n", "3:20: error[LS005] 'lstm[1].join.linear' needs 'out_features'"),
    "decoder not a mapping": ("lstm: {input_size: 4, hidden_size: 5}\ndecoder: 5\n",
                              "2:10: error[LS003] 'decoder' is a scalar (5); expected a mapping"),
    "decoder without lstm": ("lstm: {input_size: 4, hidden_size: 5}\ndecoder: {bridge: sum}\n",
                             "error[LS005] 'decoder' needs 'lstm'"),
    "decoder hidden_size float": ("lstm: {input_size: 4, hidden_size: 5}\ndecoder:\n  lstm: {input_size: 3, hidden_size: 5.0}\n",
                                  "3:38: error[LS007] hidden_size is not an integer, got float 5.0"),
    "decoder unknown key": ("lstm: {input_size: 4, hidden_size: 5}\ndecoder:\n  lstm: {input_size: 3, hidden_size: 5}\n  brigde: sum\n",
                            "4:3: error[LS004] unknown key 'brigde' in 'decoder'; did you mean 'bridge'?"),
    "bridge step unknown": ("lstm: {input_size: 4, hidden_size: 5}\ndecoder:\n  lstm: {input_size: 3, hidden_size: 5}\n  bridge: [cat]\n",
                            "4:12: error[LS004] unknown step 'cat' in 'decoder.bridge'"),
    "dataset_size zero": ("lstm: {input_size: 4, hidden_size: 5}\ndata: {dataset_size: 0}\n",
                          "2:22: error[LS008] dataset_size must be a positive integer, got 0"),
    "drop_last string": ("lstm: {input_size: 4, hidden_size: 5}\ndata: {drop_last: 'no'}\n",
                         "2:19: error[LS007] drop_last is not a boolean (true or false), got string 'no'"),
    "keras decoder": ("framework: keras\nlstm: {input_dim: 4, units: 5}\ndecoder: {lstm: {input_size: 3, hidden_size: 5}}\n",
                      "3:1: error[LS204] 'decoder' is not checked for keras configs yet"),
    "onnx dataset_size": ("framework: onnx\nlstm: {input_size: 4, hidden_size: 5}\ndata: {dataset_size: 10}\n",
                          "3:8: error[LS204] 'data.dataset_size' is not checked for onnx configs yet"),
}


def test_every_recorded_case_has_an_expectation():
    assert set(EXPECTED) == set(GOLDEN) == set(recorder("record_around").CASES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lstmshape_refuses_what_torch_refuses(name, tmp_path):
    codes, raises = EXPECTED[name]
    problems = problems_of(tmp_path, GOLDEN[name]["yaml"], f"{name}.yaml")
    assert tuple(p.code for p in problems) == codes, problems
    assert ("error" in GOLDEN[name]["torch"]) is raises
    if raises:
        assert problems[0].severity == "error"


@pytest.mark.parametrize("name", sorted(n for n, (codes, raises) in EXPECTED.items() if raises))
def test_the_message_names_what_torch_names(name, tmp_path):
    """Each refusal says the sizes (or quotes the words) torch's own error gives."""
    message = problems_of(tmp_path, GOLDEN[name]["yaml"], f"{name}.yaml")[0].message
    torch_error = GOLDEN[name]["torch"]["error"]
    code = EXPECTED[name][0][0]
    if code == "LS133":
        assert "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True" in torch_error
        assert "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True" in message
        assert "enforce_sorted=False" in message
    elif code == "LS134":
        assert torch_error in message  # Expected hidden[0] size (2, 2, 5), got [2, 16, 5]
        batch = numbers(GOLDEN[name]["torch"]["raised"])  # batch i of n
        assert (f"batch {batch[0]} of each epoch" if batch[1] > 1 else "the only batch") in message
        assert "drop_last: true" in message
    elif code in ("LS130",):  # input.size(-1) must be equal to input_size. Expected 10, got 4
        expected, got = numbers(torch_error)[-2:]
        assert f"input_size is {expected} but" in message and f"hands it {got} features" in message
    elif code in ("LS131", "LS139"):  # mat1 and mat2 shapes cannot be multiplied (21x10 and 5x4)
        _, features, in_features, _ = map(int, re.search(r"\((\d+)x(\d+) and (\d+)x(\d+)\)", torch_error).groups())
        assert f"in_features is {in_features} but" in message and f"{features} features" in message
    elif code == "LS136":  # Expected hidden[0] size (2, 3, 5), got [4, 3, 5]
        _, *need, = numbers(torch_error)[:4]
        got = numbers(torch_error)[4:]
        assert f"({', '.join(map(str, got))})" in message and f"({', '.join(map(str, need))})" in message
    elif code == "LS138":
        need, got = numbers(torch_error)[3], numbers(torch_error)[-1]
        assert f"has {got} features" in message and f"needs {need}" in message
    else:
        raise AssertionError(f"no message check for {code}")


@pytest.mark.parametrize("name", sorted(n for n, rec in GOLDEN.items() if "error" not in rec["torch"]))
def test_shapes_are_the_ones_torch_produced(name):
    config, problems = parse_text(GOLDEN[name]["yaml"], f"{name}.yaml")
    observed = GOLDEN[name]["torch"]["shapes"]
    results = infer(config)
    mine = {}
    for k, result in enumerate(results):
        for tensor in ("input", "output", "hn"):
            mine[f"lstm[{k}].{tensor}"] = list(result[tensor].shape)
    decoder = infer_decoder(config)
    if decoder is not None:
        state = bridged_state(config.blocks[-1], config.decoder.bridge)
        mine["decoder.h0"] = [state.rows, config.data.batch_size, state.h]
        assert mine["decoder.h0"] == list(decoder["h0"].shape)
        for tensor in ("input", "output", "hn"):
            mine[f"decoder.{tensor}"] = list(decoder[tensor].shape)
    if config.data.lengths:  # pad_packed_sequence gives max(lengths) steps
        for key in [k for k in mine if k.endswith(".output")]:
            axis = 1 if config.blocks[0].batch_first else 0
            mine[key][axis] = max(config.data.lengths)
    compared = {key: value for key, value in observed.items() if not key.startswith("batch")}
    assert {key: mine[key] for key in compared} == compared
    if "batches" in GOLDEN[name]["torch"]:  # a DataLoader epoch: every batch torch got ran
        data = config.data
        full, rest = divmod(data.dataset_size, data.batch_size)
        assert GOLDEN[name]["torch"]["batches"] == full + (0 if data.drop_last or not rest else 1)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_matches_torch_live(name, torch):
    assert recorder("record_around").observe(GOLDEN[name]["yaml"]) == GOLDEN[name]["torch"]


def test_check_cli_reports_at_line_and_column(tmp_path):
    path = write(tmp_path, "c.yaml", GOLDEN["seq2seq_rows_wrong"]["yaml"])
    result = run("check", path)
    assert result.returncode == 1, result.stderr
    assert f"{path}:4:53: error[LS136]" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_infer_json_shows_joins_bridge_and_decoder(tmp_path):
    path = write(tmp_path, "c.yaml", GOLDEN["seq2seq_stack_encoder"]["yaml"])
    result = run("infer", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["around"]["joins"] == [{"block": 1, "steps": [
        {"kind": "sum", "features_in": 10, "features_out": 5, "code": "x.view(T, N, 2, 5).sum(2)"}]}]
    assert doc["around"]["bridge"] == {"from": {"rows": 2, "h": 3, "c": 3}, "steps": []}
    observed = GOLDEN["seq2seq_stack_encoder"]["torch"]["shapes"]
    assert doc["around"]["decoder"]["shapes"]["h0"] == observed["decoder.h0"]
    assert doc["around"]["decoder"]["shapes"]["output"] == observed["decoder.output"]


def test_draw_draws_the_joins_the_bridge_and_the_decoder(tmp_path):
    path = write(tmp_path, "c.yaml", GOLDEN["seq2seq_stack_encoder"]["yaml"])
    result = run("draw", path, "-o", str(tmp_path / "out.svg"))
    assert (result.returncode, result.stderr) == (0, "")  # nothing left out to mention
    svg = (tmp_path / "out.svg").read_text()
    assert svg.startswith("<?xml")
    for text in (">join lstm[0] → lstm[1]<", ">x.view(T, N, 2, 5).sum(2)<", ">(7, 3, 5)<", ">bridge lstm[1] → decoder",
                 ">decoder h0 (2, 3, 3) · c0 (2, 3, 3)<", ">decoder: nn.LSTM(input_size=4, hidden_size=3, num_layers=2,"):
        assert text in svg, text


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_named_at_its_place(case, tmp_path):
    text, expected = BAD[case]
    path = write(tmp_path, "c.yaml", text)
    result = run("check", path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_hostile_sizes_stay_bounded(tmp_path):
    """A dataset of 10**30 sequences and 10**40-unit blocks are arithmetic, not allocations."""
    text = ("lstm:\n  - {input_size: 4, hidden_size: 10000000000000000000000000000000000000000, bidirectional: true}\n"
            "  - join: sum\n    hidden_size: 3\n"
            "data: {batch_size: 7, seq_len: 5, dataset_size: 1000000000000000000000000000000}\n"
            "expect:\n  - {h0: [2, 7, 10000000000000000000000000000000000000000]}\n  - null\n"
            "decoder:\n  lstm: {input_size: 3, hidden_size: 3}\n")
    path = write(tmp_path, "c.yaml", text)
    result = run_script("check", path, timeout=20)
    assert result.returncode == 1, result.stderr
    assert ("with dataset_size 1000000000000000000000000000000 and drop_last false, batch "
            "142857142857142857142857142858 of each epoch") in result.stdout
    assert "1000000000000000000000000000000 mod 7 = 1 sequences" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    result = run_script("infer", path, "--format", "json", timeout=20)
    assert json.loads(result.stdout)["around"]["joins"][0]["steps"][0]["features_out"] == 10**40


def test_examples_shipped_for_the_readme():
    shipped = {"around_rnnp.yaml": None, "around_seq2seq_bridge.yaml": None, "around_deepspeech.yaml": "LS130",
               "around_packed.yaml": "LS133", "around_loader.yaml": "LS134", "around_seq2seq.yaml": "LS136"}
    for name, code in shipped.items():
        result = run("check", "--format", "json", f"examples/{name}", cwd=REPO)
        assert result.returncode == (0 if code is None else 1), result.stdout + result.stderr
        assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ([code] if code else [])
