"""Tests of lstmshape.identify: which LSTMs, GRUs and RNNs a checkpoint holds, from names and shapes.

`lstmshape inspect` (helpers.run) names each recurrent layer as the cell it is (LSTM, GRU, RNN,
Keras' SimpleRNN), reports an incomplete tensor set instead of guessing, and writes YAML that
`infer` takes, with the file's parameters. The checkpoints of tests/golden/weights/ (.safetensors
and .npz) are held against tests/golden/weights/truth.json, recorded from torch by
tests/golden/record_weights.py (re-run live). Live oracles: files torch.save and safetensors
write (a Lightning-style checkpoint too), torch.onnx.export, ONNX graphs built with onnx.helper,
and Keras 3 models (GRU/SimpleRNN cases of tests/golden/record_rnn_frameworks.py); GRU and RNN
tensors from tests/golden/rnn_forward/.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from helpers import GOLDEN_DIR, npz, recorder, run, torch_tensors
from lstmshape.checkpoint import read_checkpoint
from lstmshape.forward import init_rnn_params
from lstmshape.frameworks import infer
from lstmshape.identify import TensorInfo, identify_torch
from lstmshape.read import parse_text


def keras_archive(path, layers: list[dict]):
    """A .keras archive whose config.json holds `layers` (no weights: inspect reads the config)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": layers}}))
    return path


def golden_params(name: str) -> dict:
    case = np.load(GOLDEN_DIR / "rnn_forward" / f"{name}.npz")
    return {key[6:]: case[key] for key in case.files if key.startswith("param.")}


def infer_lstm_of(config):
    from lstmshape.frameworks import infer

    return infer(config)


rnn_rec = recorder("record_rnn_frameworks")


def inspect_yaml(path) -> list:
    result = run("inspect", path, "--format", "yaml")
    assert result.returncode == 0, result.stderr
    configs = []
    for doc in result.stdout.split("---\n"):
        config, problems = parse_text(doc, "derived.yaml")
        assert problems == [], (doc, problems)
        configs.append(config)
    return configs


WEIGHTS = GOLDEN_DIR / "weights"


TRUTH = json.loads((WEIGHTS / "truth.json").read_text())


inspect_rec = recorder("record_weights")


def found(checkpoint) -> list[dict]:
    return [{"prefix": lstm.prefix, "config": lstm.config, "num_params": lstm.num_params}
            for lstm in checkpoint.lstms]


def by_prefix(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["prefix"])


def info(name: str, *shape: int) -> TensorInfo:
    return TensorInfo(name, shape, "float32", 4 * int(np.prod(shape)))


INCOMPLETE = {
    "missing layer": ([info("a.weight_ih_l0", 20, 3), info("a.weight_hh_l0", 20, 5),
                       info("a.weight_ih_l2", 20, 5), info("a.weight_hh_l2", 20, 5)],
                      "missing weight_ih_l1, weight_hh_l1"),
    "stray reverse": ([info("weight_ih_l0", 20, 3), info("weight_hh_l0", 20, 5), info("weight_ih_l0_reverse", 20, 3)],
                      "missing weight_hh_l0_reverse"),
    "inconsistent sizes": ([info("x.weight_ih_l0", 20, 3), info("x.weight_hh_l0", 20, 6)],
                           "weight_hh_l0 is [20, 6], not [20, 5]"),
    "no input weights": ([info("x.weight_hh_l0", 20, 5)], "no weight_ih_l0"),
    "not four gates": ([info("x.weight_ih_l0", 21, 3), info("x.weight_hh_l0", 21, 5)],
                       "weight_ih_l0 is [21, 3]; an LSTM's is [4 × hidden_size, input_size]"),
    "projection too large": ([info("x.weight_ih_l0", 20, 3), info("x.weight_hh_l0", 20, 5),
                              info("x.weight_hr_l0", 5, 5)], "weight_hr_l0 is [5, 5]"),
}


def test_inspect_names_a_gru_a_gru(tmp_path):
    path = npz(tmp_path / "gru.npz", torch_tensors("gru.", 3, 8, 16, layers=2))
    table = run("inspect", path)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0] == f"{path} (NumPy npz): 1 GRU; 0 other tensors"
    yaml = run("inspect", path, "--format", "yaml").stdout
    assert yaml.startswith(f'# the GRU "gru." of "{path}" (NumPy npz, float32, 2,880 parameters)\n')
    assert "LSTM" not in table.stdout + yaml


def test_inspect_names_each_cell_of_a_mixed_file(tmp_path):
    tensors = torch_tensors("enc.", 4, 8, 16) | torch_tensors("dec.", 3, 16, 16) | torch_tensors("aux.", 3, 4, 4)
    tensors |= torch_tensors("out.", 1, 4, 4) | {"head.weight": np.zeros((2, 16), np.float32)}
    path = npz(tmp_path / "mixed.npz", tensors)
    table = run("inspect", path)
    assert table.stdout.splitlines()[0] == (f"{path} (NumPy npz): 4 recurrent layers: an LSTM, 2 GRUs and an RNN; "
                                            "1 other tensor")
    comments = [line for line in run("inspect", path, "--format", "yaml").stdout.splitlines()
                if line.startswith("#")]
    assert [c.split('"')[0] for c in comments] == ["# the LSTM ", "# the GRU ", "# the GRU ", "# the RNN "]


def test_a_broken_gru_is_called_a_gru(tmp_path):
    tensors = torch_tensors("dec.", 3, 8, 16)
    del tensors["dec.bias_hh_l0"]
    path = npz(tmp_path / "broken.npz", tensors)
    result = run("inspect", path)
    assert result.returncode == 1
    assert (f"{path}:1:1: error[LS307] the GRU tensors under 'dec.' are not one whole GRU: missing bias_hh_l0 "
            "(held against the GRU that weight_ih_l0") in result.stdout + result.stderr


def test_keras_layers_are_named_as_keras_names_them(tmp_path):
    built = {"build_config": {"input_shape": [None, 5, 3]}}
    path = keras_archive(tmp_path / "m.keras", [
        {"class_name": "GRU", "config": {"name": "gru", "units": 4}, **built},
        {"class_name": "SimpleRNN", "config": {"name": "rnn", "units": 4}, **built},
        {"class_name": "GRU", "config": {"name": "unbuilt", "units": 4}}])
    result = run("inspect", path)
    out = result.stdout + result.stderr
    assert f"{path} (Keras 3 model): 2 recurrent layers: a GRU and a SimpleRNN; 0 other tensors" in out
    assert "the GRU tensors under 'unbuilt' are not one whole GRU: the layer was never built" in out
    assert "LSTM" not in out


def test_inspect_tells_gru_and_rnn_from_lstm_npz(tmp_path):
    """torch's own GRU/RNN tensors (recorded from torch) under prefixes, beside an LSTM's."""
    tensors = {f"enc.{k}": v for k, v in golden_params("gru_f32_everything").items()}
    tensors |= {f"dec.{k}": v for k, v in golden_params("rnn_relu_f64_no_bias_3_layers").items()}
    tensors |= {f"tagger.{k}": v for k, v in init_rnn_params("lstm", 4, 3, seed=1).items()}
    path = tmp_path / "mixed.npz"
    np.savez(path, **tensors)
    result = run("inspect", str(path), "--format", "yaml")
    assert result.returncode == 0, result.stderr
    docs = {doc.split('"')[1]: doc for doc in result.stdout.split("---\n")}
    assert "cell: gru" in docs["enc."] and "num_layers: 3" in docs["enc."] and "bidirectional: true" in docs["enc."]
    assert "cell: rnn" in docs["dec."] and "bias: false" in docs["dec."] and "hidden_size: 4" in docs["dec."]
    assert "cell" not in docs["tagger."] and "proj_size: 0" in docs["tagger."]
    for prefix, doc in docs.items():  # each derived config gives exactly the file's tensors
        config, problems = parse_text(doc, "derived.yaml")
        assert problems == [], problems
        (shapes,) = infer_lstm_of(config)
        assert {p.name: p.shape for p in shapes.params} == {
            k[len(prefix):]: v.shape for k, v in tensors.items() if k.startswith(prefix)}
    table = run("inspect", str(path))
    assert "3 recurrent layers: a GRU, an RNN and an LSTM; 0 other tensors" in table.stdout


@pytest.mark.oracle
def test_inspect_real_torch_files(torch, tmp_path):
    net = torch.nn.ModuleDict({"gru": torch.nn.GRU(5, 6, 2, batch_first=True), "rnn": torch.nn.RNN(6, 2)})
    torch.save(net.state_dict(), tmp_path / "net.pt")
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, tmp_path / "net.safetensors")
    for name in ("net.pt", "net.safetensors"):
        result = run("inspect", str(tmp_path / name), "--format", "json")
        assert result.returncode == 0, result.stderr
        found = {lstm["prefix"]: lstm for lstm in json.loads(result.stdout)["lstms"]}
        assert found["gru."]["config"]["cell"] == "gru" and found["gru."]["config"]["num_layers"] == 2
        assert found["rnn."]["config"]["cell"] == "rnn" and found["rnn."]["num_params"] == 6 * 2 + 2 * 2 + 4


@pytest.mark.oracle
@pytest.mark.parametrize("case", [c for c in rnn_rec.keras_cases() if c["num_layers"] == 2 and c["return_sequences"]
                                  and not c["return_state"]], ids=lambda c: f"{c['cell']}-{c['reset_after']}-{c['bidirectional']}")
def test_inspect_real_keras_file(keras, tmp_path, case):
    model = rnn_rec.build_keras(case)
    model.save(tmp_path / "m.keras")
    configs = inspect_yaml(tmp_path / "m.keras")
    assert [c.blocks[0].cell for c in configs] == [case["cell"]] * 2
    assert all(c.blocks[0].reset_after == case["reset_after"] for c in configs if case["cell"] == "gru")
    assert sum(infer(c)[0].num_params for c in configs) == model.count_params()


@pytest.mark.oracle
@pytest.mark.parametrize("case", [c for c in rnn_rec.onnx_cases() if c["num_layers"] == 2 and c["layout"] == 1],
                         ids=lambda c: f"{c['cell']}-{c['linear_before_reset']}-{c['direction']}-{c['bias']}")
def test_inspect_real_onnx_file(onnx, tmp_path, case):
    import onnx as onnx_module

    onnx_module.save(rnn_rec.build_onnx(case), tmp_path / "m.onnx")
    configs = inspect_yaml(tmp_path / "m.onnx")
    assert [(c.blocks[0].cell, c.blocks[0].linear_before_reset, c.blocks[0].direction) for c in configs] == [
        (case["cell"], case["linear_before_reset"], case["direction"])] * 2
    weights = rnn_rec.onnx_weights(case)
    assert [infer(c)[0].num_params for c in configs] == [sum(w.size for w in node.values()) for node in weights]


@pytest.mark.parametrize("name", sorted(TRUTH))
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_golden_checkpoints_are_named_as_torch_built_them(name, suffix):
    checkpoint = read_checkpoint(str(WEIGHTS / f"{name}{suffix}"))
    assert by_prefix(found(checkpoint)) == by_prefix(TRUTH[name]["lstms"])
    assert {t.name: list(t.shape) for t in checkpoint.tensors} == TRUTH[name]["state_dict"]
    assert checkpoint.incomplete == ()
    lstm_tensors = sum(len(lstm.tensors) for lstm in checkpoint.lstms)
    assert checkpoint.other_tensors == len(TRUTH[name]["state_dict"]) - lstm_tensors


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(inspect_rec.MODELS))
def test_torch_models_saved_in_every_format(torch, tmp_path, name):
    from safetensors.torch import save_file

    model = inspect_rec.build(name, seed=3)
    state = model.state_dict()
    torch.save(state, tmp_path / "m.pt")
    torch.save({"epoch": 7, "state_dict": state}, tmp_path / "lightning.ckpt")
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp_path / "m.safetensors"))
    np.savez(tmp_path / "m.npz", **{k: v.numpy() for k, v in state.items()})
    expected = by_prefix(inspect_rec.truth(name, model)["lstms"])
    for file in ("m.pt", "lightning.ckpt", "m.safetensors", "m.npz"):
        assert by_prefix(found(read_checkpoint(str(tmp_path / file)))) == expected, file
    result = run("inspect", tmp_path / "m.pt", "--format", "json")
    assert by_prefix([{k: l[k] for k in ("prefix", "config", "num_params")}
                      for l in json.loads(result.stdout)["lstms"]]) == expected


@pytest.mark.oracle
def test_recorder_reproduces_the_golden_truth(torch, tmp_path):
    assert inspect_rec.record(tmp_path) == TRUTH


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore")  # the legacy exporter's deprecation and tracer notes
def test_torch_onnx_export(torch, onnx, tmp_path):
    lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    torch.onnx.export(lstm, (torch.zeros(3, 2, 4),), str(tmp_path / "m.onnx"), dynamo=False)
    checkpoint = read_checkpoint(str(tmp_path / "m.onnx"))
    assert [lstm.config for lstm in checkpoint.lstms] == [
        {"input_size": 4, "hidden_size": 5, "direction": "bidirectional", "layout": 0, "input_forget": False,
         "peepholes": False, "bias": True},
        {"input_size": 10, "hidden_size": 5, "direction": "bidirectional", "layout": 0, "input_forget": False,
         "peepholes": False, "bias": True},
    ]
    assert sum(l.num_params for l in checkpoint.lstms) == sum(p.numel() for p in lstm.parameters())


@pytest.mark.oracle
def test_onnx_helper_nodes_and_their_yaml(onnx, tmp_path):
    from onnx import TensorProto, helper, numpy_helper

    h, d, i = 3, 1, 2
    inits = [numpy_helper.from_array(np.zeros(shape, np.float32), name) for name, shape in
             (("W", (d, 4 * h, i)), ("R", (d, 4 * h, h)), ("P", (d, 3 * h)))]
    nodes = [helper.make_node("LSTM", ["X", "W", "R", "", "", "", "", "P"], ["Y"], name="peep",
                              hidden_size=h, direction="reverse", layout=1),
             helper.make_node("Identity", ["W"], ["W2"]),
             helper.make_node("LSTM", ["X", "W2", "R"], ["Y2"], name="computed", hidden_size=h)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 5, i])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 5, d, h]),
                               helper.make_tensor_value_info("Y2", TensorProto.FLOAT, [2, d, 5, h])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    onnx.save(model, tmp_path / "m.onnx")
    result = run("inspect", tmp_path / "m.onnx", "--format", "yaml", "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "'computed'" in result.stderr and "is computed in the graph" in result.stderr
    config = tmp_path / "out" / "peep.yaml"
    assert config.read_text().splitlines()[1:] == [
        "framework: onnx", "lstm:", "  input_size: 2", "  hidden_size: 3", "  direction: reverse", "  layout: 1",
        "  input_forget: false", "  peepholes: true", "  bias: false"]
    inferred = json.loads(run("infer", config, "--format", "json").stdout)
    node = inferred["results"][0]["nodes"][0]
    assert (node["W"], node["R"], node["P"]) == ([d, 4 * h, i], [d, 4 * h, h], [d, 3 * h])


@pytest.mark.oracle
def test_keras_model(keras, tmp_path):
    inputs = keras.Input((5, 8))
    # named by Keras: "bidirectional" in a fresh process, "bidirectional_1" after another (a global counter)
    bidirectional = keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True), merge_mode="sum")
    x = keras.layers.LSTM(4, use_bias=False, name="last")(bidirectional(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3)(x))
    model.save(tmp_path / "m.keras")
    checkpoint = read_checkpoint(str(tmp_path / "m.keras"))
    layers = {layer.name: layer for layer in model.layers}
    assert bidirectional.name.startswith("bidirectional")
    assert [lstm.prefix for lstm in checkpoint.lstms] == [bidirectional.name, "last"]
    for lstm in checkpoint.lstms:
        layer = layers[lstm.prefix]
        assert lstm.num_params == layer.count_params()
        assert sorted(t.shape for t in lstm.tensors) == sorted(tuple(w.shape) for w in layer.weights)
    assert checkpoint.lstms[0].config == {"input_dim": 8, "units": 6, "bidirectional": True, "merge_mode": "sum",
                                          "use_bias": True, "return_sequences": True, "return_state": False,
                                          "go_backwards": False}
    assert run("inspect", tmp_path / "m.keras", "--format", "yaml", "-o", tmp_path / "out").returncode == 0
    for lstm in checkpoint.lstms:
        inferred = run("infer", tmp_path / "out" / f"{lstm.prefix}.yaml", "--format", "json")
        assert json.loads(inferred.stdout)["results"][0]["num_params"] == layers[lstm.prefix].count_params()


@pytest.mark.parametrize("case", sorted(INCOMPLETE))
def test_incomplete_sets_are_reported_not_guessed(case):
    tensors, reason = INCOMPLETE[case]
    lstms, incomplete = identify_torch(tensors + [info("head.weight", 3, 4)])
    assert lstms == [] and len(incomplete) == 1
    assert reason in incomplete[0].message


def test_no_lstm_at_all(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.zeros((2, 2)))
    result = run("inspect", tmp_path / "plain.npz")
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / 'plain.npz'}:1:1: error[LS305] no LSTM, GRU or RNN found among its 1 tensors\n"
