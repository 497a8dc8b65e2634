"""lstmshape.frameworks.head: the one head walk and the one `expect` comparison, which the rules
and the picture read."""

from __future__ import annotations

import json

import pytest

from helpers import REPO, run
from lstmshape.check import check_file
from lstmshape.frameworks import infer
from lstmshape.read import parse_text
from lstmshape.render.result_text import shape_text
from lstmshape.render.picture import scene
from lstmshape.rules import context_for, run_rules

TORCH_HEADS = {
    "output": ("output", (5, 32, 40)),
    "last_step": ("output[-1]", (32, 40)),
    "hn_last": ("hn[-1]", (32, 20)),
    "hn_concat": ("cat(hn[-2], hn[-1])", (32, 40)),
}


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
