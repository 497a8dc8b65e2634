"""`lstmshape infer` end to end, through the console script's function (helpers.run), and the
script itself where the process is the point (FORCE_COLOR, read when typer is imported; python -m)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run, run_script

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted(p.name for p in (ROOT / "configs").glob("*.yaml") if p.name != "broken.yaml" and "keras" not in p.name and "onnx" not in p.name)
TORCH_CONFIGS = [name for name in CONFIGS if "stack" not in name]


@pytest.mark.parametrize("name", TORCH_CONFIGS)
def test_table_golden(name, golden):
    result = run("infer", f"configs/{name}")
    assert result.returncode == 0, result.stderr
    golden(f"infer-{name}.txt", result.stdout)


@pytest.mark.parametrize("name", TORCH_CONFIGS)
def test_json_golden(name, golden):
    result = run("infer", f"configs/{name}", "--format", "json")
    assert result.returncode == 0, result.stderr
    golden(f"infer-{name}.json", result.stdout)


@pytest.mark.parametrize("args, name", [
    (("configs/bilstm.yaml", "--explain"), "explain-bilstm.txt"),
    (("configs/projection.yaml", "--explain"), "explain-projection.txt"),
    (("configs/batch_first.yaml", "--matrix"), "matrix-batch_first.txt"),
    (("configs/symbolic.yaml", "--matrix", "--layers", "1,3"), "matrix-symbolic.txt"),
])
def test_other_views_golden(args, name, golden):
    result = run("infer", *args)
    assert result.returncode == 0, result.stderr
    golden(name, result.stdout)


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


def test_aliases_give_the_same_shapes_as_canonical_keys(tmp_path):
    canonical = tmp_path / "canonical.yaml"
    canonical.write_text("lstm: {input_size: 64, hidden_size: 128, num_layers: 3, batch_first: true, dropout: 0.1}\n"
                         "data: {batch_size: 8, seq_len: 100}\n")
    aliased = json.loads(run("infer", "configs/batch_first.yaml", "--format", "json").stdout)["results"]
    assert aliased == json.loads(run("infer", str(canonical), "--format", "json").stdout)["results"]


def test_config_errors_exit_1_with_file_line_column():
    result = run("infer", "configs/broken.yaml")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "configs/broken.yaml:3:15: error[LS007] input_size is not an integer, got float 10.0",
        "configs/broken.yaml:6:3: error[LS004] unknown key 'bidirectinal' in 'lstm'; did you mean 'bidirectional'?",
        "configs/broken.yaml:7:14: error[LS008] proj_size must be smaller than hidden_size (20), got 20; torch.nn.LSTM refuses it",
    ]


def test_warnings_go_to_stderr_and_exit_0(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4, dropout: 0.3}\n")
    result = run("infer", str(path))
    assert result.returncode == 0
    assert result.stderr == f"{path}:1:48: warning[LS009] dropout 0.3 has no effect with num_layers 1: torch applies dropout between stacked layers only (and warns)\n"


@pytest.mark.parametrize("content", [b"", b"- a\n", b"\xff\xfe\x00", b"lstm: {input_size: 3, input_size: 4}\n",
                                     b"lstm: !!python/object/apply:os.system [touch /tmp/pwned]\n", b"lstm: [\n"])
def test_hostile_files_exit_1_without_traceback(tmp_path, content):
    path = tmp_path / "h.yaml"
    path.write_bytes(content)
    result = run("infer", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith(f"{path}:")
    assert path.read_bytes() == content


@pytest.mark.parametrize("args, message", [
    (("infer", "nope.yaml"), "lstmshape: error: nope.yaml: no such file"),
    (("infer", "configs"), "lstmshape: error: configs: is a directory; infer takes one config file"),
    (("infer", "configs/basic.yaml", "--layers", "0,2"), "--layers takes positive integers"),
    (("infer", "configs/basic.yaml", "--layers", "two"), "--layers takes positive integers"),
    (("infer", "configs/basic.yaml", "--format", "xml"), "'xml' is not one of"),
    (("infer", "configs/basic.yaml", "--bogus"), "No such option"),
    (("infer",), "Missing argument"),
])
def test_usage_errors_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_layers_implies_matrix():
    doc = json.loads(run("infer", "configs/basic.yaml", "--layers", "4,1", "--format", "json").stdout)
    assert sorted({r["num_layers"] for r in doc["results"]}) == [1, 4] and len(doc["results"]) == 8
    combinations = {(r["batch_first"], r["bidirectional"], r["num_layers"]) for r in doc["results"]}
    assert len(combinations) == 8
    for r in doc["results"]:  # configs/basic.yaml: 10 features, hidden 20, batch 16, 50 steps
        d, batch_first = 2 if r["bidirectional"] else 1, r["batch_first"]
        state = [d * r["num_layers"], 16, 20]  # h and c ignore batch_first
        assert r["shapes"] == {"input": [16, 50, 10] if batch_first else [50, 16, 10],
                               "output": [16, 50, d * 20] if batch_first else [50, 16, d * 20],
                               "h0": state, "c0": state, "hn": state, "cn": state}, r


def test_colour_only_when_asked_and_never_with_no_color():
    assert "\x1b[" not in run("infer", "configs/basic.yaml").stdout  # piped: plain text
    assert "\x1b[36m" in run_script("infer", "configs/basic.yaml", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[36m" not in run_script("infer", "configs/basic.yaml", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_python_dash_m_and_version():
    result = subprocess.run([sys.executable, "-m", "lstmshape", "infer", "configs/basic.yaml", "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and json.loads(result.stdout)["results"][0]["shapes"]["output"] == [50, 16, 20]
    assert run("--version").stdout.startswith("lstmshape ")


def test_library_gives_the_same_results():
    from lstmshape import infer, load_config

    (result,) = infer(load_config(ROOT / "configs" / "bilstm.yaml"))
    assert result.shapes["output"] == (5, 32, 40) and result.num_params == 15040
    assert len(infer(load_config(ROOT / "configs" / "bilstm.yaml"), matrix=True)) == 8
