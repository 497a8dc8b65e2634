"""lstmshape.frameworks.head: the one head walk and the one `expect` comparison, which the rules
and the picture read.

Keras and ONNX configs' `expect`, `head` and `data.lengths`, checked against the real frameworks.

tests/golden/checks/*.yaml are held-out configs (each names the codes it must get on its first
line); tests/golden/record_checks.py builds each in real Keras 3 / ONNX (onnx.reference,
onnxruntime) and records what happens in tests/golden/frameworks/checks.json. Here lstmshape's
problems and shapes are held against those records, and the records against the live frameworks
where they are installed.
"""

from __future__ import annotations

import json

import pytest

from helpers import GOLDEN_DIR, REPO, codes_written, path_of, problems_of, recorder, run, write
from lstmshape.check import check_file
from lstmshape.frameworks import infer
from lstmshape.read import parse_text, read_config
from lstmshape.render.picture import scene
from lstmshape.render.result_text import shape_text
from lstmshape.rules import context_for, run_rules


TORCH_HEADS = {
    "output": ("output", (5, 32, 40)),
    "last_step": ("output[-1]", (32, 40)),
    "hn_last": ("hn[-1]", (32, 20)),
    "hn_concat": ("cat(hn[-2], hn[-1])", (32, 40)),
}


rec = recorder("record_checks")


GOLDEN = json.loads((GOLDEN_DIR / "frameworks" / "checks.json").read_text())


CASES = rec.cases()


NAMES = sorted(CASES)


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


@pytest.mark.parametrize("source", list(TORCH_HEADS))
def test_the_torch_walk_feeds_what_ls101_reports_and_the_picture_draws(tmp_path, source):
    text = ("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\ndata: {batch_size: 32, seq_len: 5}\n"
            f"head:\n  - linear: {{in_features: 7, out_features: 3, input: {source}}}\n  - relu\n")
    config, problems = parse_text(text)
    steps = context_for(config).head_steps
    what, dims = TORCH_HEADS[source]
    assert [(s.index, s.source, tuple(d.size for d in s.fed)) for s in steps] == [(0, what, dims), (1, "head[0]'s output",
                                                                                   dims[:-1] + (3,))]
    (p,) = [p for p in run_rules(config) if p.code == "LS101"]
    assert f"head[0].in_features is 7 but {steps[0].explained}" in p.message and str(dims[-1]) in steps[0].explained
    assert p.subject == ("head", 0)
    head = scene(config, infer(config), [p]).head
    assert [h.shape_in for h in head.layers] == [f"{what} {shape_text(dims)}", shape_text(dims[:-1] + (3,))]
    assert [m.code for m in head.layers[0].marks] == ["LS101"] and head.from_state == source.startswith("hn")


def test_the_onnx_walk_stops_where_the_rules_report(tmp_path):
    text = ("framework: onnx\nlstm: {input_size: 10, hidden_size: 20, direction: bidirectional, layout: 1}\n"
            "data: {batch_size: 32, seq_len: 5}\nhead:\n  - gemm: {input: Y_h, in_features: 40, out_features: 3}\n")
    config, _ = parse_text(text)
    (step,) = context_for(config).head_steps
    assert (step.error, step.tensor, tuple(d.size for d in step.fed)) == ("rank", "Y_h", (32, 2, 20))
    (p,) = run_rules(config)
    assert p.code == "LS125" and p.message == f"head[0]: {step.why}" and p.subject == ("head", 0)


def test_one_mismatch_value_for_every_framework():
    torch_config, _ = parse_text("lstm: {input_size: 10, hidden_size: 20}\ndata: {batch_size: 32, seq_len: 5}\n"
                                 "expect: {h0: [32, 1, 20]}\n")
    keras_config, _ = parse_text("framework: keras\nlstm: {input_dim: 10, units: 20}\nexpect: {state_h: [32, 20]}\n")
    (torch_m,) = context_for(torch_config).expect_mismatches
    (keras_m,) = context_for(keras_config).expect_mismatches
    assert type(torch_m) is type(keras_m)
    assert (torch_m.kind, torch_m.label, torch_m.tensor.shape) == ("state-batch-first", "expect.h0", (1, 32, 20))
    assert (keras_m.kind, keras_m.tensor) == ("not-returned", None) and "return_state: true" in keras_m.hint
    (p,) = run_rules(torch_config)
    assert (p.code, p.subject) == ("LS111", ("expect", 0, "h0"))


def test_check_json_gives_each_problem_its_subject():
    result = run("check", "--format", "json", "examples/model.yaml", cwd=REPO)
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["subject"]) for p in problems] == [("LS101", ["head", 0]), ("LS111", ["expect", 0, "h0"])]
    subjects = {p.code: p.subject for p in check_file(str(REPO / "configs/projection.yaml"))}
    assert subjects == {"LS114": None}
    result = run("check", "--format", "json", "configs/projection.yaml", cwd=REPO)
    assert [sorted(p) for p in json.loads(result.stdout)["problems"]] == [
        ["code", "column", "file", "line", "message", "path", "severity"]]  # a setting's problem has no subject


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
