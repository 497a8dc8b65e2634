"""Re-record tests/golden/frameworks/rnn_*.json and rnn_numerics.npz from real Keras 3 and ONNX
for GRU and vanilla RNN cells (run by hand):

    KERAS_BACKEND=torch python tests/golden/record_rnn_frameworks.py

rnn_keras_shapes.json: for a grid of keras GRU (reset_after true and false) and SimpleRNN configs,
the shapes a real keras.Model returns, model.count_params() and every weight's path and shape.
rnn_onnx_shapes.json: for a grid of ONNX GRU (linear_before_reset 0 and 1) and RNN configs, the
shapes onnx.shape_inference gives every node's Y and Y_h, checked against the reference evaluator.
rnn_numerics.npz: torch.nn.GRU/RNN weights converted by lstmshape.convert and run by Keras and by
the ONNX reference evaluator (onnxruntime for the Relu RNN, which the evaluator lacks), beside
torch's own outputs (and Keras reset_after=False against ONNX
linear_before_reset=0). The builders here are what tests/frameworks/test_keras.py runs live.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("frameworks")
BATCH, SEQ = 2, 5


# ------------------------------------------------------------------------------------------- keras


def keras_cases() -> list[dict]:
    out = []
    cells = (("gru", True), ("gru", False), ("rnn", True))
    for (cell, reset_after), bidirectional, rs, st, n in itertools.product(
            cells, (False, True), (False, True), (False, True), (1, 2)):
        out.append({"input_dim": 3, "units": 4, "num_layers": n, "return_sequences": rs, "return_state": st,
                    "use_bias": not (st and n == 2), "bidirectional": bidirectional, "merge_mode": "concat",
                    "cell": cell, "reset_after": reset_after})
    return out


def build_keras(case: dict, batch=BATCH, seq=SEQ):
    """The real keras.Model for a keras GRU/SimpleRNN config (layer names as lstmshape names them)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    from lstmshape.settings import KerasLSTM
    from lstmshape.frameworks.keras import layer_names

    lstm = KerasLSTM(**case)
    inp = keras.Input(shape=(seq, lstm.input_dim), batch_size=batch)
    x = inp
    for k, name in enumerate(layer_names(lstm)):
        last = k == lstm.num_layers - 1
        kw = dict(return_sequences=lstm.return_sequences or not last, return_state=lstm.return_state and last,
                  go_backwards=lstm.go_backwards, use_bias=lstm.use_bias,
                  name=f"{lstm.kind.keras_name}_{k}" if lstm.bidirectional else name)
        layer = (keras.layers.GRU(lstm.units, reset_after=lstm.reset_after, **kw) if lstm.cell == "gru"
                 else keras.layers.SimpleRNN(lstm.units, **kw))
        if lstm.bidirectional:
            layer = keras.layers.Bidirectional(layer, merge_mode=lstm.merge_mode, name=name)
        x = layer(x)
    return keras.Model(inp, x)


def keras_outputs(model, x) -> list[np.ndarray]:
    out = model(x)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o.detach().cpu().numpy() if hasattr(o, "detach") else o) for o in out]


def observe_keras(case: dict) -> dict:
    model = build_keras(case)
    return {"case": case, "outputs": [list(o.shape) for o in model.outputs],
            "count_params": int(model.count_params()), "weights": {w.path: list(w.shape) for w in model.weights}}


# -------------------------------------------------------------------------------------------- onnx


def onnx_cases() -> list[dict]:
    out = []
    cells = (("gru", 0), ("gru", 1), ("rnn", 0))
    for (cell, lbr), layout, direction, n, bias in itertools.product(
            cells, (0, 1), ("forward", "reverse", "bidirectional"), (1, 2), (True, False)):
        out.append({"input_size": 3, "hidden_size": 4, "num_layers": n, "direction": direction, "layout": layout,
                    "bias": bias, "cell": cell, "linear_before_reset": lbr})
    return out


def onnx_weights(case: dict, seed: int = 0) -> list[dict]:
    """Seeded random W, R, B per node, in ONNX layout."""
    rng = np.random.default_rng(seed)
    d = 2 if case["direction"] == "bidirectional" else 1
    h, g = case["hidden_size"], 3 if case["cell"] == "gru" else 1
    out = []
    for k in range(case["num_layers"]):
        fed = case["input_size"] if k == 0 else d * h
        node = {"W": rng.uniform(-0.5, 0.5, (d, g * h, fed)), "R": rng.uniform(-0.5, 0.5, (d, g * h, h))}
        if case.get("bias", True):
            node["B"] = rng.uniform(-0.5, 0.5, (d, 2 * g * h))
        out.append({key: v.astype(np.float32) for key, v in node.items()})
    return out


def build_onnx(case: dict, weights: list[dict] | None = None, batch=BATCH, seq=SEQ, opset=14, activation=None):
    """A ModelProto of stacked GRU or RNN nodes glued as exporters do; every initial_h a graph input,
    every Y and Y_h a graph output with unknown shape (for shape inference to fill in)."""
    from onnx import TensorProto, helper, numpy_helper

    from lstmshape.settings import DataConfig, OnnxLSTM
    from lstmshape.frameworks.onnx import infer_onnx

    lstm = OnnxLSTM(**case)
    ours = infer_onnx(lstm, DataConfig(batch, seq))
    weights = weights or onnx_weights(case)
    d = lstm.num_directions
    x_shape = [seq, batch, lstm.input_size] if lstm.layout == 0 else [batch, seq, lstm.input_size]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)]
    nodes, inits, outputs = [], [], []
    x_name = "X"
    for k, node in enumerate(ours.nodes):
        names = [x_name]
        for name in ("W", "R", "B"):
            if name in weights[k]:
                inits.append(numpy_helper.from_array(np.asarray(weights[k][name], np.float32), f"{name}_{k}"))
                names.append(f"{name}_{k}")
            elif name == "B":
                names.append("")
        names.append("")  # sequence_lens
        inputs.append(helper.make_tensor_value_info(f"initial_h_{k}", TensorProto.FLOAT, list(node["initial_h"].shape)))
        names.append(f"initial_h_{k}")
        outs = [f"Y_{k}", f"Y_h_{k}"]
        attrs = {"hidden_size": lstm.hidden_size, "direction": lstm.direction, "layout": lstm.layout}
        if lstm.cell == "gru":
            attrs["linear_before_reset"] = lstm.linear_before_reset
        if activation is not None:
            attrs["activations"] = [activation] * d
        nodes.append(helper.make_node(lstm.kind.onnx, names, outs, name=f"{lstm.cell}_{k}", **attrs))
        outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs]
        if k < lstm.num_layers - 1:
            src = f"Y_{k}"
            if lstm.layout == 0 and d == 2:
                nodes.append(helper.make_node("Transpose", [src], [f"T_{k}"], perm=[0, 2, 1, 3]))
                src = f"T_{k}"
            if d == 1:  # as the shape engine's glue says: Squeeze the direction axis
                inits.append(numpy_helper.from_array(np.array([1 if lstm.layout == 0 else 2], np.int64), f"axes_{k}"))
                nodes.append(helper.make_node("Squeeze", [src, f"axes_{k}"], [f"X_{k + 1}"]))
            else:
                inits.append(numpy_helper.from_array(np.array([0, 0, -1], np.int64), f"shape_{k}"))
                nodes.append(helper.make_node("Reshape", [src, f"shape_{k}"], [f"X_{k + 1}"]))
            x_name = f"X_{k + 1}"
    graph = helper.make_graph(nodes, "lstmshape", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def onnx_feeds(case: dict, rng, batch=BATCH, seq=SEQ, zero_state=False) -> dict:
    from lstmshape.settings import DataConfig, OnnxLSTM
    from lstmshape.frameworks.onnx import infer_onnx

    ours = infer_onnx(OnnxLSTM(**case), DataConfig(batch, seq))
    feeds = {"X": rng.standard_normal(ours.nodes[0]["X"].shape).astype(np.float32)}
    for k, node in enumerate(ours.nodes):
        shape = node["initial_h"].shape
        feeds[f"initial_h_{k}"] = np.zeros(shape, np.float32) if zero_state else (
            0.5 * rng.standard_normal(shape)).astype(np.float32)
    return feeds


def run_onnx_reference(model, feeds: dict) -> dict:
    from onnx.reference import ReferenceEvaluator

    names = [o.name for o in model.graph.output]
    return dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))


def run_onnxruntime(model, feeds: dict) -> dict:
    """onnxruntime, for what the reference evaluator lacks (the RNN node's Relu activation)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in model.graph.output]
    return dict(zip(names, session.run(names, feeds)))


def observe_onnx(case: dict) -> dict:
    import onnx

    model = build_onnx(case)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    shapes = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        shapes[info.name] = [dim.dim_value for dim in info.type.tensor_type.shape.dim]
    for init in inferred.graph.initializer:
        shapes[init.name] = list(init.dims)
    nodes = []
    for k in range(case["num_layers"]):
        node = {"X": shapes["X" if k == 0 else f"X_{k}"], "W": shapes[f"W_{k}"], "R": shapes[f"R_{k}"]}
        if case["bias"]:
            node["B"] = shapes[f"B_{k}"]
        node.update({"initial_h": shapes[f"initial_h_{k}"], "Y": shapes[f"Y_{k}"], "Y_h": shapes[f"Y_h_{k}"]})
        nodes.append(node)
    run = run_onnx_reference(model, onnx_feeds(case, np.random.default_rng(1)))
    for k, node in enumerate(nodes):
        for name in ("Y", "Y_h"):
            assert list(run[f"{name}_{k}"].shape) == node[name], (case, name)
    return {"case": case, "nodes": nodes}


# ---------------------------------------------------------------------------------------- numerics


NUMERIC_CASES = {  # torch module kwargs; mode as lstmshape.forward.rnn_forward names it
    "gru_bidirectional_2_layers": ("gru", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True}),
    "gru_batch_first": ("gru", {"input_size": 3, "hidden_size": 4, "num_layers": 1, "batch_first": True}),
    "rnn_tanh_bidirectional": ("rnn_tanh", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True}),
    "rnn_relu": ("rnn_relu", {"input_size": 3, "hidden_size": 4, "num_layers": 1, "nonlinearity": "relu"}),
}


def torch_module(mode: str, kw: dict):
    import torch

    return torch.nn.GRU(**kw) if mode == "gru" else torch.nn.RNN(**kw)


def numerics_case(name: str, rng) -> dict:
    """torch's outputs for seeded weights; Keras' and the ONNX reference evaluator's with the
    weights lstmshape.convert gives them."""
    import torch

    from lstmshape import convert

    mode, kw = NUMERIC_CASES[name]
    torch.manual_seed(0)
    net = torch_module(mode, kw)
    sd = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    batch_first, bidirectional = kw.get("batch_first", False), kw.get("bidirectional", False)
    cell = "gru" if mode == "gru" else "rnn"
    x = rng.standard_normal((BATCH, SEQ, 3) if batch_first else (SEQ, BATCH, 3)).astype(np.float32)
    with torch.no_grad():
        out, hn = net(torch.from_numpy(x))
    arrays = {"x": x, "torch_output": out.numpy(), "torch_hn": hn.numpy()} | {"sd/" + k: v for k, v in sd.items()}
    case = {"input_dim": 3, "units": 4, "num_layers": kw["num_layers"], "return_sequences": True,
            "return_state": True, "bidirectional": bidirectional, "cell": cell}
    model = build_keras(case)
    if mode == "rnn_relu":
        for layer in model.layers[1:]:
            layer.cell.activation = __import__("keras").activations.relu
    model.set_weights(convert.keras_weight_list(convert.torch_to_keras(sd)))
    for i, o in enumerate(keras_outputs(model, x if batch_first else x.swapaxes(0, 1))):
        arrays[f"keras_out{i}"] = o
    ocase = {"input_size": 3, "hidden_size": 4, "num_layers": kw["num_layers"],
             "direction": "bidirectional" if bidirectional else "forward", "layout": int(batch_first),
             "cell": cell, "linear_before_reset": 1 if cell == "gru" else 0}
    omodel = build_onnx(ocase, convert.torch_to_onnx(sd), activation="Relu" if mode == "rnn_relu" else None)
    feeds = onnx_feeds(ocase, rng, zero_state=True) | {"X": x}
    run = run_onnxruntime if mode == "rnn_relu" else run_onnx_reference
    for k, v in run(omodel, feeds).items():
        arrays["onnx/" + k] = v
    return arrays


def keras_before_reset_case(rng) -> dict:
    """A Keras GRU with reset_after=False and its ONNX linear_before_reset=0 counterpart."""
    from lstmshape import convert

    case = {"input_dim": 3, "units": 4, "num_layers": 2, "return_sequences": True, "return_state": True,
            "bidirectional": True, "cell": "gru", "reset_after": False}
    model = build_keras(case)
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    x = rng.standard_normal((BATCH, SEQ, 3)).astype(np.float32)
    arrays = {"x": x} | {f"weight{i}": w for i, w in enumerate(weights)}
    arrays |= {f"keras_out{i}": o for i, o in enumerate(keras_outputs(model, x))}
    layers = convert.keras_layers_from_list(weights, 2, True)
    ocase = {"input_size": 3, "hidden_size": 4, "num_layers": 2, "direction": "bidirectional", "layout": 1,
             "cell": "gru", "linear_before_reset": 0}
    omodel = build_onnx(ocase, convert.keras_to_onnx(layers))
    feeds = onnx_feeds(ocase, rng, zero_state=True) | {"X": x}
    arrays |= {"onnx/" + k: v for k, v in run_onnx_reference(omodel, feeds).items()}
    return arrays


def record_numerics() -> dict:
    rng = np.random.default_rng(7)
    arrays = {}
    for name in NUMERIC_CASES:
        arrays |= {f"{name}/{k}": v for k, v in numerics_case(name, rng).items()}
    arrays |= {f"keras_gru_before_reset/{k}": v for k, v in keras_before_reset_case(rng).items()}
    return arrays


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import onnx

    OUT.mkdir(exist_ok=True)
    keras_doc = {"keras": keras.__version__, "batch": BATCH, "seq": SEQ,
                 "cases": [observe_keras(c) for c in keras_cases()]}
    (OUT / "rnn_keras_shapes.json").write_text(json.dumps(keras_doc, indent=1) + "\n")
    onnx_doc = {"onnx": onnx.__version__, "opset": 14, "batch": BATCH, "seq": SEQ,
                "cases": [observe_onnx(c) for c in onnx_cases()]}
    (OUT / "rnn_onnx_shapes.json").write_text(json.dumps(onnx_doc, indent=1) + "\n")
    np.savez_compressed(OUT / "rnn_numerics.npz", **record_numerics())
    print(f"wrote {len(keras_doc['cases'])} keras and {len(onnx_doc['cases'])} onnx shape cases, "
          f"{len(NUMERIC_CASES) + 1} numeric cases to {OUT}")


if __name__ == "__main__":
    main()
