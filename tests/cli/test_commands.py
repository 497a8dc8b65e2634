"""Tests of lstmshape.cli.commands: each command, from its parsed options to an exit code.

`check`, `infer`, `draw` and `rules` end to end through helpers.run (the console script's
function, in process): exit codes (1 with file:line:col, 2 for usage errors), --strict and
--exit-zero, directories read recursively, a missing file never said OK, standard input as `-`,
hostile files without a traceback, `draw` of GRU/RNN cells and of Keras and ONNX stacks, and
`rules` listing and documenting every code. The console script itself where the process is the
point: on an 80-column terminal (helpers.on_terminal), on a FIFO (helpers.run_script), and with
control characters in `draw`'s output path (helpers.run_bounded).
"""

from __future__ import annotations

import json
import os

import pytest

from helpers import REPO, SIZES, config_text, on_terminal, run, run_bounded, run_script, write
from lstmshape.codes import ALL, lookup
from lstmshape.rules import RULES, documentation


def screen(*args: str, env: dict | None = None) -> str:
    """What `lstmshape ARGS` shows on an 80-column terminal."""
    return on_terminal(*args, env=env)[1]


IDS = list(RULES)


def test_clean_file(checked_tree):
    result = run("check", checked_tree / "good.yaml")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 file OK\n", "")


def test_directory_is_read_recursively_sorted_and_only_yaml(checked_tree):
    result = run("check", "--format", "json", checked_tree)
    assert result.returncode == 1
    files = [p["file"] for p in json.loads(result.stdout)["problems"]]
    assert files == [str(checked_tree / "sub" / "bad.yml"), str(checked_tree / "sub" / "deeper" / "warn.yaml")]
    text = run("check", checked_tree)
    assert text.stdout.splitlines()[-1] == "1 error, 1 warning in 2 of 3 files"
    assert run("check", checked_tree / "good.yaml", checked_tree / "good.yaml").stdout == "all 2 files OK\n"


def test_many_files_never_stop_at_the_first_bad_one(checked_tree):
    bad = checked_tree / "sub" / "bad.yml"
    broken = checked_tree / "broken.yaml"
    broken.write_text("lstm: [\n")
    result = run("check", broken, bad, checked_tree / "good.yaml")
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == [str(broken), str(bad)]
    assert result.stdout.splitlines()[-1] == "2 errors in 2 of 3 files"


def test_warnings_pass_unless_strict(checked_tree):
    warn = checked_tree / "sub" / "deeper" / "warn.yaml"
    result = run("check", warn)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"{warn}:1:50: warning[LS009] dropout 0.5 has no effect with num_layers 1: torch applies dropout "
        "between stacked layers only (and warns)",
        "1 warning in 1 of 1 file",
    ]
    assert run("check", "--strict", warn).returncode == 1


def test_exit_zero(checked_tree):
    assert run("check", "--exit-zero", checked_tree).returncode == 0
    assert run("check", "--exit-zero", "--strict", checked_tree).returncode == 0
    assert run("check", "--exit-zero", checked_tree / "missing.yaml").returncode == 2


@pytest.mark.parametrize("args, message", [
    ((), "at least one"),
    (("--format", "xml", "x.yaml"), "xml"),
    (("--bogus", "x.yaml"), "--bogus"),
])
def test_usage_errors(args, message):
    result = run("check", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_file_is_a_usage_error_but_the_rest_is_checked(checked_tree):
    result = run("check", checked_tree / "nope.yaml", checked_tree / "sub" / "bad.yml")
    assert result.returncode == 2
    assert "error[LS101]" in result.stdout
    assert f"lstmshape: error: {checked_tree / 'nope.yaml'}: no such file or directory" in result.stderr


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


def test_exit_1_always_says_why_on_stderr(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(f"lstm: {{input_size: {10**40}, hidden_size: 20}}\ndata: {{batch_size: 1, seq_len: 1}}\n")
    result = run("infer", path, "--verify")
    assert result.returncode == 1
    assert result.stderr.startswith(f"lstmshape: error: {path}: the forward pass") and "not verified" in result.stderr


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


def test_unbatched_with_a_batch_size_warns(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4}\ndata: {unbatched: true, batch_size: 8}\n")
    result = run("check", path)
    assert result.returncode == 0
    assert f"{path}:2:37: warning[LS010] batch_size 8 is unused" in result.stdout


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


def test_cli_gru_picture_has_no_cell_state(tmp_path):
    out = tmp_path / "gru.svg"
    result = run("draw", "configs/gru.yaml", "-o", str(out))
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert "nn.GRU" in svg and "hn[3] (8, 64)" in svg and "c0[" not in svg and "cn[" not in svg
    assert svg.count("data-tensor=\"c0\"") == svg.count("data-tensor=\"cn\"") == 0 and "h0[0] (8, 64)" in svg


def test_draw_shows_every_block_of_a_keras_and_an_onnx_stack(tmp_path):
    import xml.etree.ElementTree as ET

    for name, wanted in (("keras_stack", ["lstm[0]: keras: Bidirectional", "lstm[1]: keras: LSTM(8",
                                          "a stack of 2 keras.layers.LSTM blocks, lstm[0] at the bottom"]),
                         ("onnx_stack", ["node lstm_0: ONNX LSTM", "node lstm_1: ONNX LSTM", "node lstm_2: ONNX LSTM",
                                         "Y of lstm_1 → X of lstm_2", "(batch, seq, 2, H) | Transpose(perm=[2, 0, 1, 3])"])):
        out = tmp_path / f"{name}.svg"
        result = run("draw", f"configs/{name}.yaml", "-o", out, cwd=REPO)
        assert result.returncode == 0, result.stderr
        texts = " | ".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
        for text in wanted:
            assert text in texts, (name, text)


def test_rules_command_lists_every_code():
    result = run("rules")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [code.id for code in ALL]  # every rule module's code, the reader's, infer --as's LS201/LS202
    assert set(IDS) <= set(listed)
    for code in ALL:
        assert f"{code}  {code.severity}" in result.stdout and code.summary in result.stdout


@pytest.mark.parametrize("code", ["LS101", "ls111", "head-chain", "LS009", "LS001", "unknown-key", "LS205"])
def test_rules_command_shows_full_doc(code):
    result = run("rules", code)
    found = lookup(code)
    assert result.returncode == 0
    assert result.stdout == f"{found} {found.name} ({found.severity})\n\n{documentation(found)}\n"
    assert "Failing example::" in result.stdout and "Passing example::" in result.stdout


def test_rules_command_unknown_code_is_a_usage_error():
    result = run("rules", "LS999")
    assert result.returncode == 2 and "unknown rule" in result.stderr


@pytest.mark.parametrize("text, cell_state, title", [
    ("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, bidirectional: true, return_state: true}\n",
     ("forward_c", "backward_c"), "keras.layers.GRU"),
    ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: rnn, direction: bidirectional, num_layers: 2}\n",
     ("Y_c", "initial_c"), "node rnn_1: ONNX RNN"),
])
def test_draw_keras_and_onnx_cells_without_cell_state(tmp_path, text, cell_state, title):
    config = tmp_path / "net.yaml"
    config.write_text(text + "data: {batch_size: 2, seq_len: 5}\n")
    out = tmp_path / "net.svg"
    result = run("draw", config, "-o", out)
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert title in svg and not any(name in svg for name in cell_state)
    lstm = text.replace("cell: gru, ", "").replace("cell: rnn, ", "")
    config.write_text(lstm + "data: {batch_size: 2, seq_len: 5}\n")  # the LSTM's picture has them
    assert run("draw", config, "-o", out).returncode == 0
    assert all(name in out.read_text() for name in cell_state)


def test_draw_messages_are_one_printable_line(tmp_path):
    path = write(tmp_path, "ok.yaml", config_text("torch", SIZES["torch"]))
    ran = run_bounded("draw", path, "-o", tmp_path / "o\x1b]0;t\x07\u202e.txt", cwd=tmp_path)
    ran.assert_harmless()
    assert ran.returncode == 2 and "\x1b" not in ran.stderr and "\u202e" not in ran.stderr
    assert ran.stderr.count("\n") == 1
