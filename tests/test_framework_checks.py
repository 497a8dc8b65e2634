"""Keras and ONNX configs' `expect`, `head` and `data.lengths`, checked against the real frameworks.

tests/golden/checks/*.yaml are held-out configs (each names the codes it must get on its first
line); tests/golden/record_checks.py builds each in real Keras 3 / ONNX (onnx.reference,
onnxruntime) and records what happens in tests/golden/frameworks/checks.json. Here lstmshape's
problems and shapes are held against those records, and the records against the live frameworks
where they are installed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import GOLDEN_DIR, REPO, problems_of, recorder, run, write
from lstmshape.check import check_file
from lstmshape.read import read_config
from lstmshape.rules import context_for

rec = recorder("record_checks")
GOLDEN = json.loads((GOLDEN_DIR / "frameworks" / "checks.json").read_text())
CASES = rec.cases()
NAMES = sorted(CASES)


def path_of(name: str) -> str:
    return str(GOLDEN_DIR / "checks" / name)


def codes_written(name: str) -> list[str]:
    first = (GOLDEN_DIR / "checks" / name).read_text().splitlines()[0]
    assert first.startswith("# codes:"), name
    return sorted(first.split(":", 1)[1].split())


def test_golden_covers_every_held_out_config():
    assert sorted(GOLDEN) == NAMES and len(NAMES) >= 20
    assert {c["framework"] for c in CASES.values()} == {"keras", "onnx"}


@pytest.mark.parametrize("name", NAMES)
def test_held_out_config_gets_exactly_its_codes(name):
    assert sorted(p.code for p in check_file(path_of(name))) == codes_written(name)


@pytest.mark.parametrize("name", NAMES)
def test_expect_shapes_are_the_frameworks(name):
    """Every expect name: lstmshape's shape is the one the real layer/node returns (None when it
    returns no such tensor), and exactly the entries that differ from it are reported."""
    observed = GOLDEN[name]
    config, _ = read_config(path_of(name))
    context = context_for(config)
    flagged = {p.path.split(".")[2].split("[")[0] for p in check_file(path_of(name)) if p.path.startswith("$.expect.")}
    wrong = set()
    for tensor, seen in observed["expect"].items():
        ours = context.tensor(0, tensor)
        assert (list(ours.shape) if ours is not None else None) == seen["real"], (tensor, seen)
        if seen["real"] != CASES[name]["expect"][tensor]:
            wrong.add(tensor)
        if "error" in seen:  # Keras's own refusal of 2-D input is what LS119 explains
            assert "expected ndim=3, found ndim=2" in seen["error"]
            assert any(p.code == "LS119" for p in check_file(path_of(name)))
    assert flagged == wrong


@pytest.mark.parametrize("name", [n for n in NAMES if "head" in GOLDEN[n]])
def test_head_is_fed_what_the_framework_feeds_it_and_fails_where_it_fails(name):
    observed = GOLDEN[name]["head"]
    config, _ = read_config(path_of(name))
    steps = context_for(config).head_steps
    ours = [[d.size for d in step.fed] for step in steps if step.fed]
    assert ours == observed["fed"]
    errors = [p for p in check_file(path_of(name)) if p.is_error and p.path.startswith("$.head")]
    if observed["error_at"] is None:
        assert errors == []
    else:
        assert [p.path.split("]")[0] for p in errors] == [f"$.head[{observed['error_at']}"]


@pytest.mark.parametrize("name", [n for n in NAMES if "lengths" in GOLDEN[n]])
def test_lengths_are_refused_where_the_framework_refuses_them(name):
    observed = GOLDEN[name]["lengths"]
    codes = {p.code for p in check_file(path_of(name))}
    assert codes & {"LS106", "LS107"} == refusal_code(CASES[name]["data"], observed["error"])
    if "Y_h_differs" in observed:  # LS121's claim: without sequence_lens, Y_h is the padded state
        assert observed["Y_h_differs"] and "LS121" in codes


def refusal_code(data: dict, error: str | None) -> set[str]:
    """The code for the framework's refusal of data.lengths: LS106 when there is not one length per
    sequence of the batch (the mask or sequence_lens has the wrong size, refused before any value is
    read), else LS107 (a length outside 0..seq_len with the right count); none when it accepts them."""
    if error is None:
        return set()
    if len(data["lengths"]) != data["batch_size"]:
        assert "size of tensor a" in error or "Got invalid dimensions for input: sequence_lens" in error, error
        return {"LS106"}
    assert "sequence_lens" in error and "<= seq_length" in error, error
    return {"LS107"}


def strip_messages(observed: dict) -> dict:
    """An observation without the frameworks' message texts (they name layers by a global counter)."""
    out = json.loads(json.dumps(observed))
    for part in ("head", "lengths"):
        if part in out:
            out[part]["error"] = out[part]["error"] is not None
    for entry in out["expect"].values():
        if "error" in entry:
            entry["error"] = "expected ndim=3, found ndim=2" in entry["error"]
    return out


@pytest.mark.oracle
def test_golden_matches_live_keras(keras):
    try:
        for name in NAMES:
            if CASES[name]["framework"] == "keras":
                assert strip_messages(rec.observe(CASES[name])) == strip_messages(GOLDEN[name]), name
    finally:  # Keras names layers by a global counter: later tests expect it fresh
        keras.backend.clear_session()


@pytest.mark.oracle
def test_golden_matches_live_onnx(onnx):
    from conftest import require

    require("onnxruntime")
    for name in NAMES:
        if CASES[name]["framework"] == "onnx":
            assert strip_messages(rec.observe(CASES[name])) == strip_messages(GOLDEN[name]), name


def test_cli_reports_file_line_column_and_exit_codes():
    broken = [path_of(n) for n in NAMES if codes_written(n)]
    clean = [path_of(n) for n in NAMES if not codes_written(n)]
    result = run("check", *broken)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "[LS" in line]
    assert len(lines) == sum(len(codes_written(n)) for n in NAMES)
    for line in lines:
        file, row, col, _ = line.split(":", 3)
        assert file in broken and int(row) >= 1 and int(col) >= 1
    result = run("check", *clean)
    assert result.returncode == 0, result.stdout + result.stderr


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


def test_symbols_behave_as_for_torch(tmp_path):
    clean = ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, direction: bidirectional, layout: 1}\n"
             "expect: {X: [N, L, 3], Y: [N, L, 2, 4], Y_h: [N, 2, 4]}\n"
             "head:\n  - gemm: {input: Y_h, reshape: [N, -1], in_features: 8, out_features: 2}\n")
    assert problems_of(tmp_path, clean) == []
    wrong = clean.replace("Y_h: [N, 2, 4]", "Y_h: [B, 2, 4]")
    problems = problems_of(tmp_path, wrong)
    assert [p.code for p in problems] == ["LS110"] and "batch_size N" in problems[0].message
    keras = "framework: keras\nlstm: {input_dim: 3, units: 4, return_state: true}\nexpect: {state_h: [N, 4]}\n"
    assert problems_of(tmp_path, keras) == []


def test_hostile_sizes_and_shapes_stay_bounded(tmp_path):
    huge = 10 ** 90
    text = (f"framework: onnx\nlstm: {{input_size: {huge}, hidden_size: {huge}, direction: bidirectional}}\n"
            f"data: {{batch_size: {huge}, seq_len: {huge}}}\n"
            f"expect: {{Y: [{huge}, 2, {huge}, {huge}]}}\n"
            f"head:\n  - gemm: {{input: Y_h, transpose: [1, 0, 2], reshape: [0, -1], in_features: 3, out_features: 2}}\n")
    problems = problems_of(tmp_path, text)
    assert [p.code for p in problems] == ["LS101"] and "digit number" in problems[0].message
    deep = "framework: keras\nlstm: {input_dim: 3, units: 4}\nexpect: {output: " + "[" * 500 + "]" * 500 + "}\n"
    result = run("check", write(tmp_path, "c.yaml", deep))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    wide = "framework: keras\nlstm: {input_dim: 3, units: 4}\nexpect: {output: [" + ", ".join(["2"] * 10000) + "]}\n"
    problems = problems_of(tmp_path, wide)
    assert [p.code for p in problems] == ["LS003"]


def test_a_torch_check_never_loads_keras_or_onnx():
    """lstmshape's own Keras and ONNX modules are plain arithmetic, imported with the package (their
    cost was measured at a few ms); the frameworks themselves are never imported by a check."""
    code = ("import sys; from lstmshape.check import check_file; check_file('configs/bilstm.yaml'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'onnx', 'onnxruntime', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_keras_stack_reads_its_declared_input_in_every_block(tmp_path):
    """The first block's input_shape fixes seq_len for the blocks after it too: a later block's
    expect is held against the same time axis Keras builds (here 10), not a symbol."""
    path = tmp_path / "stack.yaml"
    path.write_text("framework: keras\nlstm:\n"
                 "  - {units: 16, input_shape: [10, 8], return_sequences: true}\n  - {units: 4}\n"
                 "expect:\n  - {input: [N, 10, 8]}\n  - {input: [N, 10, 16], output: [N, 4]}\n")
    assert check_file(str(path)) == []
    path.write_text(path.read_text().replace("[N, 10, 16]", "[N, 12, 16]"))
    (problem,) = check_file(str(path))
    assert (problem.code, problem.line) == ("LS110", 7) and "should be seq_len 10" in problem.message
