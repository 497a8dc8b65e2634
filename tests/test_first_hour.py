"""What tripped a new user in the first hour (issue #11), each through the CLI's entry point (the
console script itself in a pipe, on a terminal and on a FIFO): exit codes and gates, output a
person reads, the glossary's own words, standard input."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from helpers import REPO, console_script, on_terminal, run, run_script

ESCAPE = re.compile(r"\x1b\[")


def shell(command: str) -> subprocess.CompletedProcess:
    """`command` in bash with pipefail, the console script's directory first on PATH."""
    path = os.path.dirname(console_script()) + os.pathsep + os.environ["PATH"]
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PATH": path}, timeout=120)


def screen(*args: str, env: dict | None = None) -> str:
    """What `lstmshape ARGS` shows on an 80-column terminal."""
    return on_terminal(*args, env=env)[1]


# --- exit codes and gates -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["lstmshape infer configs/bilstm.yaml | head -1",
                                     "lstmshape infer configs/bilstm.yaml --matrix | head -1",
                                     "lstmshape --help | head -1", "lstmshape infer --help | head -1",
                                     "lstmshape check --format sarif configs/bilstm.yaml | head -1"])
def test_a_closed_pipe_exits_0_like_cat(command):
    result = shell(command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stderr == ""


def test_a_missing_file_never_says_ok(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("lstm: {input_size: 3, hidden_size: 4}\n")
    for args in (("nope.yaml",), (good, "nope.yaml")):
        result = run("check", *args, cwd=tmp_path)
        assert result.returncode == 2 and "OK" not in result.stdout, result.stdout
        assert "nope.yaml: no such file or directory" in result.stderr


def test_a_directory_without_configs_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no yaml here\n")
    result = run("check", tmp_path / "empty")
    assert result.returncode == 2 and "OK" not in result.stdout
    assert f"{tmp_path / 'empty'}: no config found" in result.stderr


def test_sarif_records_a_run_that_could_not_read_its_file(tmp_path):
    result = run("check", "--format", "sarif", tmp_path / "nope.yaml")
    assert result.returncode == 2
    invocation = json.loads(result.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "nope.yaml: no such file" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    clean = json.loads(run("check", "--format", "sarif", "configs/basic.yaml").stdout)
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_infer_json_is_json_even_for_a_broken_config():
    result = run("infer", "configs/broken.yaml", "--format", "json", cwd=REPO)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["results"] == [] and doc["framework"] is None
    checked = json.loads(run("check", "--format", "json", "configs/broken.yaml", cwd=REPO).stdout)
    assert doc["problems"] == checked["problems"]


def test_exit_1_always_says_why_on_stderr(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(f"lstm: {{input_size: {10**40}, hidden_size: 20}}\ndata: {{batch_size: 1, seq_len: 1}}\n")
    result = run("infer", path, "--verify")
    assert result.returncode == 1
    assert result.stderr.startswith(f"lstmshape: error: {path}: the forward pass") and "not verified" in result.stderr


# --- output a person reads ------------------------------------------------------------------


def test_no_color_on_a_terminal_means_no_escape_code_at_all():
    assert ESCAPE.search(screen("infer", "configs/bilstm.yaml"))  # bold and colour without it
    assert not ESCAPE.search(screen("infer", "configs/bilstm.yaml", env={"NO_COLOR": "1"}))
    assert not ESCAPE.search(screen("check", "configs/broken.yaml", env={"NO_COLOR": "1"}))


@pytest.mark.parametrize("args", [("infer", "configs/bilstm.yaml", "--explain"),
                                  ("infer", "configs/bilstm.yaml", "--matrix", "--verify"),
                                  ("infer", "configs/projection.yaml", "--matrix", "--verify", "--layers", "1,2,3")])
def test_nothing_a_user_needs_is_cut_at_80_columns(args):
    shown = screen(*args, env={"NO_COLOR": "1"})
    assert "…" not in shown, shown
    columns: dict = {}  # each table column read top to bottom: a wrapped cell reads back whole
    for line in shown.splitlines():
        parts = line.split("│")[1:-1]
        for i, part in enumerate(parts):
            columns[len(parts), i] = columns.get((len(parts), i), "") + part.strip()
    cells = " ".join(text.replace(" ", "") for text in columns.values())
    if "--matrix" in args:
        counts = run(*args[:2], "--matrix", *args[4:], "--format", "json", cwd=REPO)
        for result in json.loads(counts.stdout)["results"]:
            assert f"{result['num_params']:,}" in cells
    else:
        for name in ("weight_ih_l0_reverse", "weight_hh_l1_reverse", "num_directions×num_layers"):
            assert name in cells, name


def test_unbatched_verify_names_no_batch_size():
    result = run("infer", "configs/unbatched.yaml", "--verify", "--format", "json", cwd=REPO)
    assert result.returncode == 0
    assert json.loads(result.stdout)["results"][0]["run_at"] == {}
    assert "batch_size" not in run("infer", "configs/unbatched.yaml", "--verify", cwd=REPO).stdout


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


def test_help_comes_from_typer():
    for flag in ("-h", "--help"):
        result = run("infer", flag, env={"COLUMNS": "120"})
        assert result.returncode == 0
        assert "Usage: lstmshape infer [OPTIONS] {CONFIG}" in result.stdout
        for option in ("--matrix", "--layers", "--explain", "--format", "--verify", "--full", "--as", "--weights",
                       "--prefix", "--from", "--set"):
            assert option in result.stdout, option
        assert "<table|json>" in result.stdout
    top = run("-h").stdout
    assert all(name in top for name in ("infer", "check", "draw", "inspect", "rules", "--install-completion"))
    check = run("check", "--help", env={"COLUMNS": "120"}).stdout
    formats = check[check.index("--format"):check.index("--strict")]
    assert all(name in formats for name in ("text", "json", "github", "sarif", "markdown", "gitlab", "junit"))
    assert "--skip-non-configs" in check and "--verbose" in check


def test_a_bad_value_says_what_is_allowed():
    result = run("infer", "configs/basic.yaml", "--format", "xml", cwd=REPO)
    assert result.returncode == 2
    assert "lstmshape: error: Invalid value for '--format': 'xml' is not one of 'table', 'json'." in result.stderr
    assert "Value error" not in result.stderr


def test_full_is_verify_at_full_size_and_prefix_needs_weights():
    full = run("infer", "configs/basic.yaml", "--full", "--format", "json", cwd=REPO)
    assert full.returncode == 0 and json.loads(full.stdout)["results"][0]["verified"] is True
    bad = run("infer", "configs/basic.yaml", "--prefix", "rnn", cwd=REPO)
    assert bad.returncode == 2 and "--prefix works with --weights only" in bad.stderr


@pytest.mark.parametrize("words, offered", [("lstmshape inf", "infer"), ("lstmshape infer --ma", "--matrix"),
                                            ("lstmshape check --exit", "--exit-zero"),
                                            ("lstmshape check --format gith", "github"),
                                            ("lstmshape infer x --format j", "json")])
def test_shell_completion_is_typers(words, offered):
    """What bash asks the installed completion script (`lstmshape --install-completion`) for."""
    env = {"_LSTMSHAPE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    result = run(env=env)
    assert result.returncode == 0 and result.stdout.split() == [offered], result.stderr


def test_as_with_verify_speaks_of_the_translation_not_the_config():
    result = run("infer", "configs/bilstm.yaml", "--as", "keras", "--verify", cwd=REPO)
    assert result.returncode == 2
    assert "--as keras" in result.stderr and "this is a keras config" not in result.stderr
    assert "verify the torch config without --as" in result.stderr


# --- the glossary's own words, and small things ----------------------------------------------


@pytest.mark.parametrize("name", ["frames", "node_num", "number_of_frames", "time_step", "sequence_length"])
def test_every_glossary_name_for_seq_len(tmp_path, name):
    path = tmp_path / "c.yaml"
    path.write_text(f"lstm: {{input_size: 3, hidden_size: 4}}\ndata: {{batch_size: 2, {name}: 200}}\n")
    result = run("infer", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["shapes"]["input"] == [200, 2, 3]


def test_unbatched_with_a_batch_size_warns(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4}\ndata: {unbatched: true, batch_size: 8}\n")
    result = run("check", path)
    assert result.returncode == 0
    assert f"{path}:2:37: warning[LS010] batch_size 8 is unused" in result.stdout


def test_did_you_mean_ignores_letter_case(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4}\nhead:\n  - ReLU\n  - {Linear: {in_features: 4, "
                    "out_features: 2}}\n")
    out = run("check", path).stdout
    assert "unknown layer 'ReLU' in head[0]; did you mean 'relu'?" in out
    assert "unknown key 'Linear' in 'head[1]'; did you mean 'linear'?" in out


def test_small_wording(tmp_path):
    onnx = tmp_path / "onnx.yaml"
    onnx.write_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, units: 4}\n")
    assert "in an onnx 'lstm' section" in run("check", onnx).stdout
    chain = tmp_path / "chain.yaml"
    chain.write_text("lstm: {input_size: 10, hidden_size: 20}\nhead:\n  - linear: {in_features: 20, out_features: 16}"
                     "\n  - relu\n  - linear: {in_features: 8, out_features: 3}\n")
    line = run("check", chain).stdout.splitlines()[0]
    assert line.endswith("(its out_features; the layers between keep the feature size)") and "))" not in line


def test_a_key_holding_a_line_break_stays_on_one_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text('lstm: {input_size: 3, hidden_size: 4, "bad\\r\\nkey": 1}\n')
    result = run("check", path)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 2 and "bad\\r\\nkey" in result.stdout


# --- standard input and FIFOs ----------------------------------------------------------------


def test_dash_reads_standard_input():
    text = (REPO / "configs" / "broken.yaml").read_text()
    for command in ("check", "infer"):
        result = run(command, "-", input=text)
        assert result.returncode == 1
        lines = result.stdout if command == "check" else result.stderr
        assert "<stdin>:3:15: error[LS007] input_size is not an integer" in lines
    good = run("infer", "-", "--format", "json", input=(REPO / "configs" / "bilstm.yaml").read_text())
    assert good.returncode == 0 and json.loads(good.stdout)["config"] == "<stdin>"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_infer_on_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "conf.yaml"
    os.mkfifo(fifo)
    result = run_script("infer", fifo, timeout=30)
    assert result.returncode == 1
    assert result.stderr == f"{fifo}:1:1: error[LS001] cannot read file: a FIFO, not a regular file\n"
