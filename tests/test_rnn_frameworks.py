"""Keras GRU/SimpleRNN and ONNX GRU/RNN (issue #13): the shape engine against real Keras 3 and the
ONNX shape inference / reference evaluator, and lstmshape.convert's weights run by each framework
against torch.nn.GRU/RNN. Live where the oracles are installed, and on the goldens recorded by
tests/golden/record_rnn_frameworks.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstmshape import convert
from lstmshape.forward import rnn_forward
from lstmshape.read import parse_text
from lstmshape.settings import DataConfig, KerasLSTM, OnnxLSTM
from lstmshape.frameworks import infer
from lstmshape.frameworks.keras import infer_keras
from lstmshape.frameworks.onnx import infer_onnx
from lstmshape.translate import translate
from helpers import GOLDEN_DIR, assert_golden_close, recorder, run

rec = recorder("record_rnn_frameworks")
KERAS = json.loads((GOLDEN_DIR / "frameworks" / "rnn_keras_shapes.json").read_text())
ONNX = json.loads((GOLDEN_DIR / "frameworks" / "rnn_onnx_shapes.json").read_text())
NUMERICS = np.load(GOLDEN_DIR / "frameworks" / "rnn_numerics.npz")
ATOL = 1e-5  # float32: one framework against another, recorded together (ours: helpers.assert_golden_close)


def keras_ours(case: dict):
    return infer_keras(KerasLSTM(**case), DataConfig(rec.BATCH, rec.SEQ))


def check_keras(result, observed: dict) -> None:
    assert [list(t.shape) for t in result.outputs] == observed["outputs"]
    assert result.num_params == observed["count_params"]
    assert [(p.name, list(p.shape)) for p in result.params] == list(observed["weights"].items())


def onnx_ours(case: dict) -> list[dict]:
    result = infer_onnx(OnnxLSTM(**case), DataConfig(rec.BATCH, rec.SEQ))
    return [{name: list(shape) for name, shape in node.shapes.items()} for node in result.nodes]


# --- shapes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("observed", KERAS["cases"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_keras_shapes_match_golden(observed):
    check_keras(keras_ours(observed["case"]), observed)


@pytest.mark.parametrize("observed", ONNX["cases"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_onnx_shapes_match_golden(observed):
    assert onnx_ours(observed["case"]) == observed["nodes"]


def test_goldens_cover_the_grids():
    assert [o["case"] for o in KERAS["cases"]] == rec.keras_cases()
    assert [o["case"] for o in ONNX["cases"]] == rec.onnx_cases()
    assert {(c["cell"], c["reset_after"], c["bidirectional"]) for c in rec.keras_cases()} == {
        (cell, after, bi) for cell, after in (("gru", True), ("gru", False), ("rnn", True)) for bi in (False, True)}


@pytest.mark.oracle
def test_keras_shapes_match_live_keras(keras):
    for case in rec.keras_cases():
        check_keras(keras_ours(case), rec.observe_keras(case))


@pytest.mark.oracle
def test_onnx_shapes_match_live_shape_inference_and_reference_evaluator(onnx):
    for case in rec.onnx_cases()[::3]:
        assert onnx_ours(case) == rec.observe_onnx(case)["nodes"]


# --- conversion, run by every framework ---------------------------------------------------------


def case_arrays(name: str) -> dict:
    return {k[len(name) + 1:]: NUMERICS[k] for k in NUMERICS.files if k.startswith(name + "/")}


def assert_all_agree(mode: str, kw: dict, a: dict) -> None:
    """torch's output and hn, against Keras' and ONNX's runs of the converted weights, and rnn_forward."""
    batch_first, bidirectional = kw.get("batch_first", False), kw.get("bidirectional", False)
    out, hn = a["torch_output"], a["torch_hn"]
    d, last = 2 if bidirectional else 1, kw["num_layers"] - 1
    keras_seq = a["keras_out0"] if batch_first else a["keras_out0"].swapaxes(0, 1)
    np.testing.assert_allclose(keras_seq, out, atol=ATOL)
    for j in range(d):  # Keras returns the last layer's states, forward then backward
        np.testing.assert_allclose(a[f"keras_out{1 + j}"], hn[last * d + j], atol=ATOL)
    y, y_h = a[f"onnx/Y_{last}"], a[f"onnx/Y_h_{last}"]
    if batch_first:  # layout 1: (batch, seq, D, H), Y_h (batch, D, H)
        y, y_h = y.transpose(1, 2, 0, 3), y_h.swapaxes(0, 1)
    np.testing.assert_allclose(y.transpose(0, 2, 1, 3).reshape(out.shape if not batch_first else out.swapaxes(0, 1).shape),
                               out if not batch_first else out.swapaxes(0, 1), atol=ATOL)
    np.testing.assert_allclose(y_h, hn[last * d:], atol=ATOL)
    sd = {k[3:]: v for k, v in a.items() if k.startswith("sd/")}
    ours, our_hn = rnn_forward(a["x"], sd, mode, kw["num_layers"], bidirectional, batch_first)
    depth = a["x"].shape[1 if batch_first else 0] * kw["num_layers"]  # computed here, against torch's golden
    assert_golden_close(ours, out, "output", depth)
    assert_golden_close(our_hn, hn, "hn", depth)


@pytest.mark.parametrize("name", list(rec.NUMERIC_CASES))
def test_converted_weights_agree_golden(name):
    mode, kw = rec.NUMERIC_CASES[name]
    assert_all_agree(mode, kw, case_arrays(name))


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(rec.NUMERIC_CASES))
def test_converted_weights_agree_live(torch, keras, onnx, name):
    mode, kw = rec.NUMERIC_CASES[name]
    assert_all_agree(mode, kw, rec.numerics_case(name, np.random.default_rng(3)))


def check_before_reset(a: dict) -> None:
    """Keras GRU reset_after=False against ONNX GRU linear_before_reset=0 with converted weights."""
    y, y_h = a["onnx/Y_1"], a["onnx/Y_h_1"]  # layout 1: (batch, seq, 2, H), (batch, 2, H)
    np.testing.assert_allclose(y.reshape(y.shape[0], y.shape[1], -1), a["keras_out0"], atol=ATOL)
    np.testing.assert_allclose(y_h[:, 0], a["keras_out1"], atol=ATOL)
    np.testing.assert_allclose(y_h[:, 1], a["keras_out2"], atol=ATOL)


def test_keras_before_reset_agrees_with_onnx_golden():
    check_before_reset(case_arrays("keras_gru_before_reset"))


@pytest.mark.oracle
def test_keras_before_reset_agrees_with_onnx_live(keras, onnx):
    check_before_reset(rec.keras_before_reset_case(np.random.default_rng(5)))


@pytest.mark.parametrize("name", list(rec.NUMERIC_CASES))
def test_round_trips_are_exact(name):
    sd = {k[3:]: v for k, v in case_arrays(name).items() if k.startswith("sd/")}
    for back in (convert.keras_to_torch(convert.torch_to_keras(sd)), convert.onnx_to_torch(convert.torch_to_onnx(sd))):
        if name.startswith("rnn") and "bias_hh_l0" in back and not np.any(back["bias_hh_l0"]):
            # Keras' SimpleRNN has one bias: it comes back as (bias_ih + bias_hh, zeros)
            sd_summed = {k: (sd[k] + sd[k.replace("_ih", "_hh")] if k.startswith("bias_ih") else
                             np.zeros_like(sd[k]) if k.startswith("bias_hh") else sd[k]) for k in sd}
            assert sorted(back) == sorted(sd_summed)
            for k in sd:
                np.testing.assert_array_equal(back[k], sd_summed[k])
            continue
        assert sorted(back) == sorted(sd)
        for k in sd:
            np.testing.assert_array_equal(back[k], sd[k])


def test_gru_gate_order_and_bias_rows():
    h = 2
    w = np.arange(3 * h * 1, dtype=np.float32).reshape(3 * h, 1)  # rows r0 r1 z0 z1 n0 n1
    sd = {"weight_ih_l0": w, "weight_hh_l0": np.zeros((3 * h, h), np.float32),
          "bias_ih_l0": np.arange(6, dtype=np.float32), "bias_hh_l0": 10 + np.arange(6, dtype=np.float32)}
    (layer,) = convert.torch_to_keras(sd)
    assert layer["kernel"][0].tolist() == [2, 3, 0, 1, 4, 5]  # z, r, h
    assert layer["bias"].tolist() == [[2, 3, 0, 1, 4, 5], [12, 13, 10, 11, 14, 15]]
    (node,) = convert.torch_to_onnx(sd)
    assert node["W"][0, :, 0].tolist() == [2, 3, 0, 1, 4, 5]
    assert node["B"][0].tolist() == [2, 3, 0, 1, 4, 5, 12, 13, 10, 11, 14, 15]


def test_conversions_refuse_what_has_no_equivalent():
    layers = [{"kernel": np.zeros((3, 12)), "recurrent_kernel": np.zeros((4, 12)), "bias": np.zeros(12)}]
    with pytest.raises(ValueError, match="reset_after=False"):
        convert.keras_to_torch(layers)
    (node,) = convert.keras_to_onnx(layers)  # straight to linear_before_reset=0
    assert node["B"].shape == (1, 24) and node["W"].shape == (1, 12, 3)
    back = convert.onnx_to_keras([node], linear_before_reset=0)
    np.testing.assert_array_equal(back[0]["kernel"], layers[0]["kernel"])
    with pytest.raises(ValueError, match="not 4 \\(LSTM\\), 3 \\(GRU\\) or 1 \\(RNN\\)"):
        convert.torch_to_onnx({"weight_ih_l0": np.zeros((10, 3)), "weight_hh_l0": np.zeros((10, 5))})


# --- configs and --as -------------------------------------------------------------------------


def test_framework_cell_configs_and_errors():
    config, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, cell: SimpleRNN}\n")
    assert problems == [] and config.blocks[0].cell == "rnn"
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, reset_after: false}\n", "k.yaml")
    assert [(p.code, p.line, p.column) for p in problems] == [("LS008", 2, 45)]
    assert "reset_after is an attribute of keras.layers.GRU only" in problems[0].message
    _, problems = parse_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: gru, peepholes: true}\n")
    assert [p.code for p in problems] == ["LS008"] and "the ONNX LSTM operator only" in problems[0].message
    _, problems = parse_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: gru, "
                             "linear_before_reset: 2}\n")
    assert [p.code for p in problems] == ["LS008"]
    _, problems = parse_text("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, reset_after: true}\n")
    assert [p.code for p in problems] == ["LS004"] and "linear_before_reset" in problems[0].message


@pytest.mark.parametrize("text, target, cell, extra", [
    ("lstm: {input_size: 3, hidden_size: 4, cell: gru}", "keras", "gru", {"reset_after": True}),
    ("lstm: {input_size: 3, hidden_size: 4, cell: gru}", "onnx", "gru", {"linear_before_reset": 1}),
    ("lstm: {input_size: 3, hidden_size: 4, mode: RNN_RELU}", "onnx", "rnn", {}),
    ("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, reset_after: false}", "onnx", "gru",
     {"linear_before_reset": 0}),
    ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: gru, linear_before_reset: 1}", "torch", "gru", {}),
    ("framework: keras\nlstm: {input_dim: 3, units: 4, cell: rnn}", "torch", "rnn", {}),
])
def test_as_keeps_the_cell_and_its_gate_rows(text, target, cell, extra):
    config, _ = parse_text(text + "\n")
    translated, problems = translate(config, target)
    assert translated is not None, problems
    assert translated.blocks[0].cell == cell and all(getattr(translated.blocks[0], k) == v for k, v in extra.items())
    rows = {"gru": 12, "rnn": 4}[cell]  # 4 units: 3 or 1 gate blocks, never the LSTM's 16
    weights = [p.shape for p in infer(translated)[0].params if not p.name.endswith(("B", "bias"))]
    assert weights and all(rows in shape and 16 not in shape for shape in weights)


def test_as_refuses_a_gru_torch_cannot_express():
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, reset_after: false}\n", "k.yaml")
    translated, problems = translate(config, "torch")
    assert translated is None and [p.code for p in problems if p.is_error] == ["LS201"]
    assert "reset_after false has no equivalent in torch.nn.GRU" in problems[0].message


# --- inspect on real Keras and ONNX files -------------------------------------------------------


def inspect_yaml(path) -> list:
    result = run("inspect", path, "--format", "yaml")
    assert result.returncode == 0, result.stderr
    configs = []
    for doc in result.stdout.split("---\n"):
        config, problems = parse_text(doc, "derived.yaml")
        assert problems == [], (doc, problems)
        configs.append(config)
    return configs


@pytest.mark.oracle
@pytest.mark.parametrize("case", [c for c in rec.keras_cases() if c["num_layers"] == 2 and c["return_sequences"]
                                  and not c["return_state"]], ids=lambda c: f"{c['cell']}-{c['reset_after']}-{c['bidirectional']}")
def test_inspect_real_keras_file(keras, tmp_path, case):
    model = rec.build_keras(case)
    model.save(tmp_path / "m.keras")
    configs = inspect_yaml(tmp_path / "m.keras")
    assert [c.blocks[0].cell for c in configs] == [case["cell"]] * 2
    assert all(c.blocks[0].reset_after == case["reset_after"] for c in configs if case["cell"] == "gru")
    assert sum(infer(c)[0].num_params for c in configs) == model.count_params()


@pytest.mark.oracle
@pytest.mark.parametrize("case", [c for c in rec.onnx_cases() if c["num_layers"] == 2 and c["layout"] == 1],
                         ids=lambda c: f"{c['cell']}-{c['linear_before_reset']}-{c['direction']}-{c['bias']}")
def test_inspect_real_onnx_file(onnx, tmp_path, case):
    import onnx as onnx_module

    onnx_module.save(rec.build_onnx(case), tmp_path / "m.onnx")
    configs = inspect_yaml(tmp_path / "m.onnx")
    assert [(c.blocks[0].cell, c.blocks[0].linear_before_reset, c.blocks[0].direction) for c in configs] == [
        (case["cell"], case["linear_before_reset"], case["direction"])] * 2
    weights = rec.onnx_weights(case)
    assert [infer(c)[0].num_params for c in configs] == [sum(w.size for w in node.values()) for node in weights]


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
