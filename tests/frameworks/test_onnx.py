"""Tests of lstmshape.frameworks.onnx: the ONNX LSTM, GRU and RNN operators' shapes, node by node.

The shape engine (infer_onnx) against tests/golden/frameworks/onnx_shapes.json (recorded by
tests/golden/record_frameworks.py) and rnn_onnx_shapes.json (GRU and RNN, recorded by
tests/golden/record_rnn_frameworks.py), with the recorders re-run against live onnx shape
inference; num_params as the initializers' sizes. lstmshape.convert's NumPy ONNX forward pass
against onnx.reference.ReferenceEvaluator, and against onnxruntime for what the evaluator ignores
(sequence_lens, input_forget). Also: validation at line and column, missing keys, the shipped
configs/onnx_bidirectional.yaml, and --matrix over layout × direction × num_layers.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import require
from helpers import GOLDEN_DIR, REPO, recorder
from lstmshape.convert import onnx_forward, onnx_stack_forward
from lstmshape.frameworks import infer
from lstmshape.frameworks.onnx import infer_onnx
from lstmshape.read import parse_text, read_config
from lstmshape.settings import DataConfig, OnnxLSTM


HERE = REPO / "tests"


rec = recorder("record_frameworks")


GOLDEN = json.loads((HERE / "golden" / "frameworks" / "onnx_shapes.json").read_text())


def ours(case: dict):
    return infer_onnx(OnnxLSTM(**case), DataConfig(rec.BATCH, rec.SEQ))


def check_against(result, observed: dict) -> None:
    assert [{t.name: list(t.shape) for t in node.tensors} for node in result.nodes] == observed["nodes"]


def _run_ours(case: dict, weights: list[dict], feeds: dict) -> dict:
    """The stack in NumPy with the same weights and feeds as the ONNX model."""
    out, x = {}, feeds["X"]
    layout = case["layout"]
    for k, node in enumerate(weights):
        y, y_h, y_c = onnx_forward(x, node["W"], node["R"], node.get("B"), feeds.get("sequence_lens"),
                                   feeds[f"initial_h_{k}"], feeds[f"initial_c_{k}"], node.get("P"),
                                   direction=case["direction"], layout=layout,
                                   input_forget=case.get("input_forget", False))
        out.update({f"Y_{k}": y, f"Y_h_{k}": y_h, f"Y_c_{k}": y_c})
        x = (y.transpose(0, 2, 1, 3) if layout == 0 else y).reshape(y.shape[0], y.shape[2 - layout], -1)
    return out


rnn_rec = recorder("record_rnn_frameworks")


ONNX = json.loads((GOLDEN_DIR / "frameworks" / "rnn_onnx_shapes.json").read_text())


def onnx_ours(case: dict) -> list[dict]:
    result = infer_onnx(OnnxLSTM(**case), DataConfig(rnn_rec.BATCH, rnn_rec.SEQ))
    return [{name: list(shape) for name, shape in node.shapes.items()} for node in result.nodes]


@pytest.mark.parametrize("observed", GOLDEN["cases"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_shapes_match_golden_recorded_from_onnx(observed):
    check_against(ours(observed["case"]), observed)


def test_golden_covers_the_grid():
    assert [o["case"] for o in GOLDEN["cases"]] == rec.onnx_cases()


def test_num_params_counts_the_initializers():
    for observed in GOLDEN["cases"]:
        result = ours(observed["case"])
        expected = sum(int(np.prod(node[name])) for node in observed["nodes"] for name in ("W", "R", "B", "P")
                       if name in node)
        assert result.num_params == expected


@pytest.mark.oracle
def test_shapes_match_live_shape_inference_and_reference_evaluator(onnx):
    for case in rec.onnx_cases():
        check_against(ours(case), rec.observe_onnx(case))


@pytest.mark.oracle
def test_forward_matches_reference_evaluator(onnx):
    """Every layout × direction × num_layers × bias × peepholes, with nonzero initial states."""
    rng = np.random.default_rng(0)
    for case in rec.onnx_cases():
        if case["sequence_lens"]:
            continue  # the reference evaluator ignores sequence_lens: see the onnxruntime test
        weights = rec.onnx_weights(case)
        model = rec.build_onnx(case, weights)
        feeds = rec.onnx_feeds(case, rng)
        expected = rec.run_onnx_reference(model, case, rng, feeds)
        got = _run_ours(case, weights, feeds)
        for name, value in expected.items():
            np.testing.assert_allclose(got[name], value, atol=1e-5, err_msg=f"{case} {name}")


@pytest.mark.oracle
@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
def test_sequence_lens_and_input_forget_match_onnxruntime(onnx, direction):
    """onnxruntime refuses layout 1 for LSTM ("Batchwise recurrent operations (layout == 1) are not
    supported"), so this is layout 0; layout 1 is proven by the reference evaluator above."""
    ort = require("onnxruntime")
    layout = 0
    rng = np.random.default_rng(1)
    for input_forget in (False, True):
        case = {"input_size": 3, "hidden_size": 4, "num_layers": 1, "direction": direction, "layout": layout,
                "sequence_lens": True, "input_forget": input_forget, "peepholes": True}
        weights = rec.onnx_weights(case)
        model = rec.build_onnx(case, weights)
        feeds = rec.onnx_feeds(case, rng, lengths=[rec.SEQ, 2])
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        names = [o.name for o in model.graph.output]
        expected = dict(zip(names, session.run(None, feeds)))
        got = _run_ours(case, weights, feeds)
        for name, value in expected.items():
            np.testing.assert_allclose(got[name], value, atol=1e-5, err_msg=f"{case} {name}")


def test_stack_forward_glues_like_exporters():
    case = {"input_size": 3, "hidden_size": 4, "num_layers": 2, "direction": "bidirectional", "layout": 0}
    weights = rec.onnx_weights(case)
    x = np.random.default_rng(2).standard_normal((rec.SEQ, rec.BATCH, 3)).astype(np.float32)
    y, states = onnx_stack_forward(x, weights, direction="bidirectional", layout=0)
    assert y.shape == ours(case).nodes[-1]["Y"].shape and len(states) == 2


def test_example_config():
    config, problems = read_config("configs/onnx_bidirectional.yaml")
    assert problems == [] and config.framework == "onnx"
    (result,) = infer(config)
    assert [n["Y"].shape for n in result.nodes] == [(5, 2, 32, 20), (5, 2, 32, 20)]
    assert result.nodes[1]["X"].shape == (5, 32, 40)
    assert result.num_params == 2 * (80 * 10 + 80 * 20 + 160) + 2 * (80 * 40 + 80 * 20 + 160)


def test_validation_messages_have_positions_and_hints():
    text = (
        "framework: onnx\n"
        "lstm:\n"
        "  input_size: 10\n"
        "  hidden_size: -3\n"
        "  direction: backward\n"
        "  layout: '1'\n"
        "  batch_first: true\n"
        "  peephole: true\n"
    )
    config, problems = parse_text(text, "o.yaml")
    assert config is None
    got = {(p.line, p.column, p.code) for p in problems}
    assert got == {(4, 16, "LS008"), (5, 14, "LS008"), (6, 11, "LS007"), (7, 3, "LS004"), (8, 3, "LS004")}
    messages = " | ".join(p.message for p in problems)
    assert "ONNX calls it 'layout'" in messages and "did you mean 'peepholes'" in messages
    assert "must be one of forward, reverse, bidirectional" in messages


def test_missing_required_keys():
    config, problems = parse_text("framework: onnx\nlstm: {input_size: 3}\n")
    assert config is None and [p.code for p in problems] == ["LS005"] and "hidden_size" in problems[0].message


def test_matrix_spans_onnx_axes():
    config, _ = read_config("configs/onnx_bidirectional.yaml")
    results = infer(config, matrix=True, layers=[1, 3])
    axes = {(r.lstm.layout, r.lstm.direction, r.lstm.num_layers) for r in results}
    assert len(results) == len(axes) == 12
    for r in results:  # every node's shapes as the ONNX LSTM operator defines them for its layout
        assert len(r.nodes) == r.lstm.num_layers
        d = 2 if r.lstm.direction == "bidirectional" else 1
        for k, node in enumerate(r.nodes):
            features = 10 if k == 0 else d * 20  # Y reshaped to (.., num_directions × hidden) between nodes
            time_major = r.lstm.layout == 0
            expected = {
                "X": (5, 32, features) if time_major else (32, 5, features),
                "Y": (5, d, 32, 20) if time_major else (32, 5, d, 20),
                "Y_h": (d, 32, 20) if time_major else (32, d, 20),
                "Y_c": (d, 32, 20) if time_major else (32, d, 20),
                "W": (d, 80, features), "R": (d, 80, 20), "B": (d, 160),
            }
            assert {name: node[name].shape for name in expected} == expected, (r.lstm, k)


@pytest.mark.parametrize("observed", ONNX["cases"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_onnx_shapes_match_golden(observed):
    assert onnx_ours(observed["case"]) == observed["nodes"]


@pytest.mark.oracle
def test_onnx_shapes_match_live_shape_inference_and_reference_evaluator(onnx):
    for case in rnn_rec.onnx_cases()[::3]:
        assert onnx_ours(case) == rnn_rec.observe_onnx(case)["nodes"]
