"""Tests of lstmshape.render.infer_json: `infer --format json`, its stable, documented structure.

End to end through helpers.run: the JSON of every shipped torch config byte for byte against
tests/golden/cli/infer-*.json (the `golden` fixture; --regen-golden rewrites them), the
documented keys, --matrix with symbols, unbatched, GRU's null cell state, --explain's derivations
and traps, Keras arguments with where each value came from, a broken config (its problems as
`check --format json` gives them) and `--as onnx` on a stack from tests/golden/record_stacks.py's
CASES. JsonReporter in process for the summary past 8 layers, in every framework.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from helpers import REPO, SIZES, parsed, recorder, run, write
from lstmshape.frameworks import infer
from lstmshape.render.infer_json import JsonReporter


ROOT = REPO


CONFIGS = sorted(p.name for p in (ROOT / "configs").glob("*.yaml") if p.name != "broken.yaml" and "keras" not in p.name and "onnx" not in p.name)


TORCH_CONFIGS = [name for name in CONFIGS if "stack" not in name]


RECORDER = recorder("record_stacks")


@pytest.mark.parametrize("name", TORCH_CONFIGS)
def test_json_golden(name, golden):
    result = run("infer", f"configs/{name}", "--format", "json")
    assert result.returncode == 0, result.stderr
    golden(f"infer-{name}.json", result.stdout)


def test_json_structure_is_the_documented_one():
    doc = json.loads(run("infer", "configs/bilstm.yaml", "--format", "json").stdout)
    assert doc["config"] == "configs/bilstm.yaml" and doc["framework"] == "torch"
    (result,) = doc["results"]
    assert {k: result[k] for k in ("batch_first", "bidirectional", "num_layers", "proj_size")} == {
        "batch_first": False, "bidirectional": True, "num_layers": 2, "proj_size": 0}
    assert result["shapes"] == {"input": [5, 32, 10], "output": [5, 32, 40], "h0": [4, 32, 20],
                                "c0": [4, 32, 20], "hn": [4, 32, 20], "cn": [4, 32, 20]}
    assert result["params"]["weight_ih_l0"] == [80, 10] and result["params"]["weight_ih_l1_reverse"] == [80, 40]
    assert result["num_params"] == 15040


def test_json_matrix_and_symbols():
    doc = json.loads(run("infer", "configs/symbolic.yaml", "--matrix", "--format", "json").stdout)
    combos = [(r["batch_first"], r["bidirectional"], r["num_layers"]) for r in doc["results"]]
    assert combos == [(bf, bi, n) for bf in (False, True) for bi in (False, True) for n in (1, 2)]
    assert doc["results"][-1]["shapes"]["output"] == ["B", "T", 512]
    assert doc["results"][-1]["shapes"]["hn"] == [4, "B", 256]


def test_json_unbatched_has_no_batch_entry():
    (result,) = json.loads(run("infer", "configs/unbatched.yaml", "--format", "json").stdout)["results"]
    assert result["shapes"] == {"input": [12, 3], "output": [12, 8], "h0": [2, 8], "c0": [2, 8], "hn": [2, 8], "cn": [2, 8]}


def test_infer_json_is_json_even_for_a_broken_config():
    result = run("infer", "configs/broken.yaml", "--format", "json", cwd=REPO)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["results"] == [] and doc["framework"] is None
    checked = json.loads(run("check", "--format", "json", "configs/broken.yaml", cwd=REPO).stdout)
    assert doc["problems"] == checked["problems"]


def test_json_explain_holds_the_derivations_and_traps():
    table = run("infer", "configs/bilstm.yaml", "--explain", cwd=REPO).stdout
    doc = json.loads(run("infer", "configs/bilstm.yaml", "--explain", "--format", "json", cwd=REPO).stdout)
    explain = doc["results"][0]["explain"]
    assert explain["derivations"]["output"][2] == {"size": 40, "meaning": "num_directions × hidden_size",
                                                   "why": "40 = num_directions 2 × hidden_size 20"}
    assert explain["traps"] and all(" ".join(trap.split()[:6]) in table for trap in explain["traps"])
    for name in ("keras_bilstm.yaml", "onnx_bidirectional.yaml"):
        doc = json.loads(run("infer", f"configs/{name}", "--explain", "--format", "json", cwd=REPO).stdout)
        assert doc["results"][0]["explain"]["traps"]


def test_cli_json_has_null_cell_state():
    result = run("infer", "configs/gru.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    (doc,) = json.loads(result.stdout)["results"]
    assert doc["cell"] == "gru" and doc["shapes"]["c0"] is None and doc["shapes"]["cn"] is None
    assert doc["shapes"]["hn"] == [4, 8, 64] and doc["params"]["weight_ih_l0"] == [192, 40]
    assert doc["bytes"]["c0"] is None


def test_as_onnx_json_lists_one_node_per_layer_of_every_block(tmp_path):
    path = write(tmp_path, "stack.yaml", RECORDER.CASES["torch_bilstm_then_lstm"])
    result = run("infer", path, "--as", "onnx", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["framework"] == "onnx"
    assert [r["block"] for r in doc["results"]] == [0, 1]
    assert [len(r["nodes"]) for r in doc["results"]] == [2, 1]
    assert [r["node_names"] for r in doc["results"]] == [["lstm_0", "lstm_1"], ["lstm_2"]]
    assert doc["results"][1]["nodes"][0]["X"] == [5, 2, 8]
    assert doc["results"][0]["to_next_block"].startswith("Transpose(perm=[0, 2, 1, 3])")
    assert {p["code"] for p in doc["problems"]} == {"LS202"}


@pytest.mark.parametrize("framework", SIZES)
def test_json_lists_eight_layers_whole_and_summarises_nine(framework):
    """Up to 8 layers the JSON is what it always was (every parameter or node, no new key); from 9 on,
    the layers between the third and the last are one `repeated_layers` (`repeated_nodes`) entry."""
    for layers in (8, 9):
        out = io.StringIO()
        config = parsed(framework, num_layers=layers)
        JsonReporter(out).report(config, infer(config))
        (result,) = json.loads(out.getvalue())["results"]
        repeated = result.get("repeated_nodes" if framework == "onnx" else "repeated_layers")
        listed = len(result["nodes"]) if framework == "onnx" else len({re.sub(r"\D", "", n) for n in result["params"]})
        assert (listed, repeated and repeated["count"]) == ((8, None) if layers == 8 else (4, 5))


def test_infer_json_lists_the_arguments_and_where_each_came_from():
    result = run("infer", "--format", "json", "configs/keras_stateful.yaml", cwd=REPO)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    (shapes,) = doc["results"]
    assert shapes["arguments"] == {"batch_input_shape": [16, 15, 1], "dropout": 0.2, "recurrent_dropout": 0.1,
                                   "stateful": True}
    assert shapes["shapes"] == {"input": [16, 15, 1], "outputs": [[16, 50]]}
    assert (doc["sources"]["lstm.input_dim"]["line"], doc["sources"]["lstm.input_dim"]["column"]) == (5, 31)
    assert doc["sources"]["lstm.stateful"]["value"] is True
    assert doc["sources"]["lstm.activation"]["value"] == "tanh"
    plain = json.loads(run("infer", "--format", "json", "configs/keras_bilstm.yaml", cwd=REPO).stdout)
    assert "arguments" not in plain["results"][0]


def test_infer_json_has_no_block_key_for_a_single_lstm():
    result = run("infer", "--format", "json", REPO / "configs" / "bilstm.yaml")
    assert result.returncode == 0
    assert all("block" not in r for r in json.loads(result.stdout)["results"])
