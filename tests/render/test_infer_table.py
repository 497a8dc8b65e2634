"""Tests of lstmshape.render.infer_table: `infer` as rich tables, one row per tensor.

End to end through helpers.run: the table of every shipped torch config and the --explain and
--matrix views byte for byte against tests/golden/cli/infer-*.txt, explain-*.txt and
matrix-*.txt (the `golden` fixture; --regen-golden rewrites them), --layers implying --matrix,
an RNN without cell state under --matrix --verify and --explain, and a stack shown block by
block. Keys and file names holding rich markup, OSC sequences, BEL and bidi overrides are shown,
never obeyed: through the real console script (helpers.run_bounded) and on a real terminal
(helpers.on_terminal).
"""

from __future__ import annotations

import json
import re

import pytest

from helpers import REPO, on_terminal, run, run_bounded


ROOT = REPO


CONFIGS = sorted(p.name for p in (ROOT / "configs").glob("*.yaml") if p.name != "broken.yaml" and "keras" not in p.name and "onnx" not in p.name)


TORCH_CONFIGS = [name for name in CONFIGS if "stack" not in name]


HOSTILE = "m[/x]\x1b]0;pwned\x07\u202e[link=http://evil/x]k[bold]:smile:"


def hostile_run(tmp_path, *options, terminal: bool = False):
    """infer on a training config whose section name (the --from key) and file name hold markup,
    an OSC sequence, BEL and a bidi override."""
    path = tmp_path / "c[" / "x]\x1b[5m\u202e.yaml"
    path.parent.mkdir()
    path.write_text(json.dumps({HOSTILE: {"input_size": 10, "hidden_size": 20, "batch": 3}}))
    quoted = f'"{HOSTILE}"'  # a key holding [ and ] is one quoted segment of a PATH
    args = ("infer", str(path), "--from", f"lstm={quoted}", "--from", f"data.batch_size={quoted}.batch", *options)
    if terminal:
        return on_terminal(*args, columns=200, cwd=tmp_path)
    ran = run_bounded(*args, cwd=tmp_path)
    ran.assert_harmless()
    return ran.returncode, ran.stdout + ran.stderr


@pytest.mark.parametrize("name", TORCH_CONFIGS)
def test_table_golden(name, golden):
    result = run("infer", f"configs/{name}")
    assert result.returncode == 0, result.stderr
    golden(f"infer-{name}.txt", result.stdout)


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


def test_cli_matrix_and_verify_without_cell_state(tmp_path):
    path = tmp_path / "rnn.yaml"
    path.write_text("lstm: {input_size: 4, hidden_size: 6, mode: RNN_RELU}\ndata: {batch_size: 2, seq_len: 3}\n")
    result = run("infer", str(path), "--matrix", "--verify")
    assert result.returncode == 0, result.stderr
    assert "c0 / cn" not in result.stdout and "of nn.RNN" in result.stdout
    assert "8 of 8 combinations verified" in result.stdout
    single = run("infer", str(path), "--explain")
    assert "nn.RNN(input_size=4, hidden_size=6" in single.stdout and "nonlinearity='relu'" in single.stdout
    assert "│ c0" not in single.stdout and "nn.RNN has no cell state" in single.stdout


@pytest.mark.parametrize("options", [(), ("--explain",), ("--matrix",), ("--verify",)])
def test_hostile_keys_and_file_names_are_shown_not_obeyed(tmp_path, options):
    code, out = hostile_run(tmp_path, *options)
    assert code == 0, out
    assert "[/x]" in out and "[link=http://evil/x]" in out and ":smile:" in out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", out), repr(out[:400])


def test_hostile_strings_on_a_real_terminal(tmp_path):
    code, out = hostile_run(tmp_path, "--explain", terminal=True)
    assert code == 0, out
    assert "\x1b]" not in out and "\x07" not in out and "\u202e" not in out  # no OSC (title, link), no BEL
    assert "\x1b[5m" not in out and "[link=http://evil/x]" in out.replace("\r\n", "")


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
