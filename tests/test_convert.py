"""Tests of lstmshape.convert: weights moved between torch, Keras and ONNX, proven by running them.

LSTM round trips torch → Keras → torch and torch → ONNX → torch, in NumPy and with live torch,
Keras and onnx.reference, and the NumPy runs against tests/golden/frameworks/numerics.npz
(recorded by tests/golden/record_frameworks.py). GRU and RNN: torch's output and hn against
Keras' and ONNX's runs of the converted weights and against rnn_forward, on
tests/golden/frameworks/rnn_numerics.npz (recorded by tests/golden/record_rnn_frameworks.py) and
live; exact round trips, gate order and bias rows, and the refusals where there is no equivalent.
Also `infer --as` (lstmshape.translate, and the CLI through helpers.run): the same config in
another framework, and what cannot be expressed named at its line.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from helpers import GOLDEN_DIR, REPO, assert_golden_close, recorder, run
from lstmshape import convert
from lstmshape.forward import init_params, lstm_forward, rnn_forward
from lstmshape.frameworks import infer
from lstmshape.read import parse_text, read_config
from lstmshape.translate import translate


HERE = REPO / "tests"


rec = recorder("record_frameworks")


GRID = [(n, bi) for n in (1, 2) for bi in (False, True)]


def _torch_lstm(torch, kw, seed=0):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(**kw)
    with torch.no_grad():  # nonzero, distinct biases so that a wrong bias merge would show
        for name, p in lstm.named_parameters():
            if name.startswith("bias"):
                p.uniform_(-0.5, 0.5)
    return lstm, {k: v.detach().numpy().copy() for k, v in lstm.state_dict().items()}


rnn_rec = recorder("record_rnn_frameworks")


NUMERICS = np.load(GOLDEN_DIR / "frameworks" / "rnn_numerics.npz")


ATOL = 1e-5  # float32: one framework against another, recorded together (ours: helpers.assert_golden_close)


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


def check_before_reset(a: dict) -> None:
    """Keras GRU reset_after=False against ONNX GRU linear_before_reset=0 with converted weights."""
    y, y_h = a["onnx/Y_1"], a["onnx/Y_h_1"]  # layout 1: (batch, seq, 2, H), (batch, 2, H)
    np.testing.assert_allclose(y.reshape(y.shape[0], y.shape[1], -1), a["keras_out0"], atol=ATOL)
    np.testing.assert_allclose(y_h[:, 0], a["keras_out1"], atol=ATOL)
    np.testing.assert_allclose(y_h[:, 1], a["keras_out2"], atol=ATOL)


@pytest.mark.parametrize("num_layers,bidirectional", GRID)
def test_torch_keras_torch_round_trip_numpy(num_layers, bidirectional):
    sd = init_params(3, 4, num_layers, bidirectional, seed=3)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    out, (hn, cn) = lstm_forward(x, sd, num_layers, bidirectional, batch_first=True)
    keras_out = convert.keras_forward(x, convert.torch_to_keras(sd), return_sequences=True, return_state=True)
    np.testing.assert_allclose(keras_out[0], out, atol=1e-5)
    d = 2 if bidirectional else 1
    for i in range(d):  # keras: forward h, c (, backward h, c) of the last layer
        np.testing.assert_allclose(keras_out[1 + 2 * i], hn[-d + i], atol=1e-5)
        np.testing.assert_allclose(keras_out[2 + 2 * i], cn[-d + i], atol=1e-5)
    back = convert.keras_to_torch(convert.torch_to_keras(sd))
    out2, _ = lstm_forward(x, back, num_layers, bidirectional, batch_first=True)
    np.testing.assert_allclose(out2, out, atol=1e-5)
    assert not any(back[k].any() for k in back if k.startswith("bias_hh"))  # split as (bias, zeros)


@pytest.mark.parametrize("num_layers,bidirectional", GRID)
@pytest.mark.parametrize("layout", [0, 1])
def test_torch_onnx_torch_round_trip_numpy(num_layers, bidirectional, layout):
    sd = init_params(3, 4, num_layers, bidirectional, seed=4)
    nodes = convert.torch_to_onnx(sd)
    back = convert.onnx_to_torch(nodes)
    assert set(back) == set(sd) and all(np.array_equal(back[k], sd[k]) for k in sd)  # exact
    x = np.random.default_rng(1).standard_normal((2, 5, 3) if layout else (5, 2, 3)).astype(np.float32)
    out, (hn, cn) = lstm_forward(x, sd, num_layers, bidirectional, batch_first=bool(layout))
    direction = "bidirectional" if bidirectional else "forward"
    y, states = convert.onnx_stack_forward(x, nodes, direction=direction, layout=layout)
    y3 = (y.transpose(0, 2, 1, 3) if layout == 0 else y).reshape(out.shape)
    np.testing.assert_allclose(y3, out, atol=1e-5)
    y_h = np.concatenate([s[0] if layout == 0 else s[0].swapaxes(0, 1) for s in states])
    np.testing.assert_allclose(y_h, hn, atol=1e-5)


def test_sequence_lens_equals_torch_packed_lengths_numpy():
    sd = init_params(3, 4, 1, True, seed=5)
    x = np.random.default_rng(2).standard_normal((5, 3, 3)).astype(np.float32)
    lengths = np.array([5, 2, 4])
    out, (hn, _) = lstm_forward(x, sd, 1, True, lengths=lengths)
    (node,) = convert.torch_to_onnx(sd)
    y, y_h, _ = convert.onnx_forward(x, node["W"], node["R"], node["B"], lengths, direction="bidirectional")
    np.testing.assert_allclose(y.transpose(0, 2, 1, 3).reshape(out.shape), out, atol=1e-5)
    np.testing.assert_allclose(y_h, hn, atol=1e-5)


def test_keras_onnx_round_trip_and_refusals():
    sd = init_params(3, 4, 2, True, seed=6)
    layers = convert.torch_to_keras(sd)
    again = convert.onnx_to_keras(convert.keras_to_onnx(layers))
    for a, b in zip(convert.keras_weight_list(layers), convert.keras_weight_list(again)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(ValueError, match="proj_size"):
        convert.torch_to_keras(init_params(3, 4, 1, False, proj_size=2))
    with pytest.raises(ValueError, match="peepholes"):
        convert.onnx_to_torch([{"W": np.zeros((1, 16, 3)), "R": np.zeros((1, 16, 4)), "P": np.zeros((1, 12))}])


def test_numeric_goldens_recorded_from_torch_keras_and_onnx():
    data = np.load(HERE / "golden" / "frameworks" / "numerics.npz")
    for name, kw in rec.NUMERIC_CASES.items():
        p = name + "/"
        sd = {k[len(p + "sd/"):]: data[k] for k in data.files if k.startswith(p + "sd/")}
        x = data[p + "x"]
        depth = x.shape[1 if kw["batch_first"] else 0] * kw["num_layers"]
        out, (hn, cn) = lstm_forward(x, sd, kw["num_layers"], kw["bidirectional"], kw["batch_first"])
        assert_golden_close(out, data[p + "torch_output"], p + "torch_output", depth)
        assert_golden_close(hn, data[p + "torch_hn"], p + "torch_hn", depth)
        xk = x if kw["batch_first"] else x.swapaxes(0, 1)
        keras_out = convert.keras_forward(xk, convert.torch_to_keras(sd), True, True)
        for i, o in enumerate(keras_out):
            assert_golden_close(o, data[p + f"keras_out{i}"], p + f"keras_out{i}", depth)
        direction = "bidirectional" if kw["bidirectional"] else "forward"
        y, states = convert.onnx_stack_forward(x, convert.torch_to_onnx(sd), direction, int(kw["batch_first"]))
        assert_golden_close(y, data[p + f"onnx/Y_{kw['num_layers'] - 1}"], p + "onnx/Y", depth)
        for k, (y_h, y_c) in enumerate(states):
            assert_golden_close(y_h, data[p + f"onnx/Y_h_{k}"], p + f"onnx/Y_h_{k}", depth)


@pytest.mark.oracle
@pytest.mark.parametrize("num_layers,bidirectional", GRID)
@pytest.mark.parametrize("batch_first", [False, True])
def test_torch_to_keras_to_torch_with_real_frameworks(torch, keras, num_layers, bidirectional, batch_first):
    kw = dict(input_size=3, hidden_size=4, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    lstm, sd = _torch_lstm(torch, kw)
    x = np.random.default_rng(3).standard_normal((2, 5, 3) if batch_first else (5, 2, 3)).astype(np.float32)
    out, (hn, cn) = (t.detach().numpy() if not isinstance(t, tuple) else tuple(s.detach().numpy() for s in t)
                     for t in lstm(torch.from_numpy(x)))
    model = rec.build_keras({"input_dim": 3, "units": 4, "num_layers": num_layers, "return_sequences": True,
                             "return_state": True, "bidirectional": bidirectional})
    model.set_weights(convert.keras_weight_list(convert.torch_to_keras(sd)))
    xk = x if batch_first else x.swapaxes(0, 1)
    got = rec.keras_outputs(model, xk)
    np.testing.assert_allclose(got[0], out if batch_first else out.swapaxes(0, 1), atol=1e-5)
    d = 2 if bidirectional else 1
    np.testing.assert_allclose(np.stack(got[1::2]), hn[-d:], atol=1e-5)
    np.testing.assert_allclose(np.stack(got[2::2]), cn[-d:], atol=1e-5)
    # and back: keras' weights as a torch state_dict give torch's outputs again
    back = convert.keras_to_torch(convert.keras_layers_from_list(model.get_weights(), num_layers, bidirectional))
    lstm.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in back.items()})
    out2, _ = lstm(torch.from_numpy(x))
    np.testing.assert_allclose(out2.detach().numpy(), out, atol=1e-5)


@pytest.mark.oracle
@pytest.mark.parametrize("num_layers,bidirectional", GRID)
@pytest.mark.parametrize("batch_first", [False, True])
def test_torch_to_onnx_to_torch_with_real_frameworks(torch, onnx, num_layers, bidirectional, batch_first):
    kw = dict(input_size=3, hidden_size=4, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    lstm, sd = _torch_lstm(torch, kw, seed=1)
    x = np.random.default_rng(4).standard_normal((2, 5, 3) if batch_first else (5, 2, 3)).astype(np.float32)
    out, (hn, cn) = lstm(torch.from_numpy(x))
    out, hn = out.detach().numpy(), hn.detach().numpy()
    case = {"input_size": 3, "hidden_size": 4, "num_layers": num_layers,
            "direction": "bidirectional" if bidirectional else "forward", "layout": int(batch_first)}
    nodes = convert.torch_to_onnx(sd)
    model = rec.build_onnx(case, nodes)
    feeds = {k: (np.zeros_like(v) if k.startswith("initial") else v)
             for k, v in rec.onnx_feeds(case, np.random.default_rng(0)).items()}
    feeds["X"] = x
    got = rec.run_onnx_reference(model, case, None, feeds)
    y = got[f"Y_{num_layers - 1}"]
    y3 = (y.transpose(0, 2, 1, 3) if not batch_first else y).reshape(out.shape)
    np.testing.assert_allclose(y3, out, atol=1e-5)
    y_h = np.concatenate([got[f"Y_h_{k}"] if not batch_first else got[f"Y_h_{k}"].swapaxes(0, 1)
                          for k in range(num_layers)])
    np.testing.assert_allclose(y_h, hn, atol=1e-5)
    back = convert.onnx_to_torch(nodes)
    assert all(np.array_equal(back[k], sd[k]) for k in sd)


def test_torch_config_as_keras_and_onnx():
    config, _ = read_config("configs/bilstm.yaml")
    keras_config, notes = translate(config, "keras")
    assert keras_config.framework == "keras" and not any(n.is_error for n in notes)
    (result,) = infer(keras_config)
    assert [t.shape for t in result.outputs] == [(32, 5, 40), (32, 20), (32, 20), (32, 20), (32, 20)]
    onnx_config, _ = translate(config, "onnx")
    (result,) = infer(onnx_config)
    assert result.nodes[0]["Y"].shape == (5, 2, 32, 20) and onnx_config.blocks[0].layout == 0
    # parameter count: torch's two biases are one in Keras, two (in B) in ONNX
    torch_params = infer(config)[0].num_params
    assert result.num_params == torch_params
    assert infer(keras_config)[0].num_params == torch_params - 2 * 2 * 80


def test_back_and_forth_translation_is_identity():
    config, _ = read_config("configs/batch_first.yaml")
    there, _ = translate(config, "onnx")
    back, _ = translate(there, "torch")
    assert back.blocks[0] == replace(config.blocks[0], dropout=0.0)  # dropout is training-only: noted, not carried


@pytest.mark.parametrize("text,target,key,line", [
    ("lstm: {input_size: 3, hidden_size: 8,\n  proj_size: 2}\n", "keras", "proj_size", 2),
    ("lstm: {input_size: 3, hidden_size: 8,\n  proj_size: 2}\n", "onnx", "proj_size", 2),
    ("framework: onnx\nlstm:\n  input_size: 3\n  hidden_size: 4\n  peepholes: true\n", "torch", "peepholes", 5),
    ("framework: onnx\nlstm:\n  input_size: 3\n  hidden_size: 4\n  input_forget: 1\n", "keras", "input_forget", 5),
    ("framework: onnx\nlstm:\n  input_size: 3\n  hidden_size: 4\n  direction: reverse\n", "torch", "reverse", 5),
    ("framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  bidirectional: true\n  merge_mode: sum\n", "torch",
     "merge_mode", 6),
    ("framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  go_backwards: true\n", "torch", "go_backwards", 5),
])
def test_what_cannot_be_expressed_is_named_at_its_line(text, target, key, line):
    config, problems = parse_text(text, "c.yaml")
    assert config is not None, problems
    translated, problems = translate(config, target)
    errors = [p for p in problems if p.is_error]
    assert translated is None and errors and errors[0].code == "LS201"
    assert key in errors[0].message and errors[0].line == line


def test_expressible_across_frameworks():
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, go_backwards: true}\n")
    onnx_config, notes = translate(config, "onnx")
    assert onnx_config.blocks[0].direction == "reverse" and onnx_config.blocks[0].layout == 1
    assert any("reverse" in n.message for n in notes)
    config, _ = parse_text("lstm: {input_size: 3, hidden_size: 4, batch_first: true}\n")
    assert translate(config, "onnx")[0].blocks[0].layout == 1


def test_cli_as(tmp_path):
    done = run("infer", "configs/bilstm.yaml", "--as", "keras", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["framework"] == "keras"
    assert doc["results"][0]["shapes"]["outputs"] == [[32, 5, 40], [32, 20], [32, 20], [32, 20], [32, 20]]
    assert "note[LS202]" in done.stderr
    done = run("infer", "configs/projection.yaml", "--as", "onnx")
    assert done.returncode == 1 and "proj_size" in done.stderr and "[LS201]" in done.stderr
    assert done.stderr.startswith("configs/projection.yaml:")
    done = run("infer", "configs/onnx_bidirectional.yaml", "--as", "torch", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["results"][0]["shapes"]["output"] == [5, 32, 40]


def test_cli_framework_json_and_matrix():
    done = run("infer", "configs/onnx_bidirectional.yaml", "--format", "json")
    doc = json.loads(done.stdout)
    assert doc["framework"] == "onnx" and len(doc["results"][0]["nodes"]) == 2
    assert doc["results"][0]["nodes"][0]["Y"] == [5, 2, 32, 20]
    done = run("infer", "configs/keras_bilstm.yaml", "--matrix")
    assert done.returncode == 0 and "return_sequences" in done.stdout


@pytest.mark.parametrize("name", list(rnn_rec.NUMERIC_CASES))
def test_converted_weights_agree_golden(name):
    mode, kw = rnn_rec.NUMERIC_CASES[name]
    assert_all_agree(mode, kw, case_arrays(name))


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(rnn_rec.NUMERIC_CASES))
def test_converted_weights_agree_live(torch, keras, onnx, name):
    mode, kw = rnn_rec.NUMERIC_CASES[name]
    assert_all_agree(mode, kw, rnn_rec.numerics_case(name, np.random.default_rng(3)))


def test_keras_before_reset_agrees_with_onnx_golden():
    check_before_reset(case_arrays("keras_gru_before_reset"))


@pytest.mark.oracle
def test_keras_before_reset_agrees_with_onnx_live(keras, onnx):
    check_before_reset(rnn_rec.keras_before_reset_case(np.random.default_rng(5)))


@pytest.mark.parametrize("name", list(rnn_rec.NUMERIC_CASES))
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
