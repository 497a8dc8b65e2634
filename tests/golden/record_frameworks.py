"""Re-record tests/golden/frameworks/ from real Keras 3 and ONNX (run by hand).

    KERAS_BACKEND=torch python tests/golden/record_frameworks.py

keras_shapes.json: for a grid of keras configs, the shapes a real keras.Model returns (in call
order), model.count_params() and every weight's path and shape. onnx_shapes.json: for a grid of
onnx configs, a ModelProto of stacked LSTM nodes built with onnx.helper, and the shapes
onnx.shape_inference.infer_shapes gives every node's Y, Y_h, Y_c (plus the input shapes the
reference evaluator accepted). numerics.npz: a few cases run by Keras, the ONNX reference evaluator
and torch.nn.LSTM on seeded weights. tests/frameworks/test_keras.py compares lstmshape against
these files, so the plain test command stays meaningful without the oracles installed.

The builders here are also what the live oracle tests (tests/frameworks/test_keras.py, tests/frameworks/test_onnx.py)
use, so the goldens and the live tests build exactly the same models.
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
    for rs, st, n, gb, bias in itertools.product((False, True), (False, True), (1, 2), (False, True), (True, False)):
        out.append({"input_dim": 3, "units": 4, "num_layers": n, "return_sequences": rs, "return_state": st,
                    "go_backwards": gb, "use_bias": bias, "bidirectional": False, "merge_mode": "concat"})
    for merge, rs, st, n in itertools.product(("concat", "sum", "mul", "ave", None), (False, True), (False, True), (1, 2)):
        if merge is None and n > 1:
            continue
        out.append({"input_dim": 3, "units": 4, "num_layers": n, "return_sequences": rs, "return_state": st,
                    "go_backwards": False, "use_bias": merge != "mul", "bidirectional": True, "merge_mode": merge})
    return out


def build_keras(case: dict, batch=BATCH, seq=SEQ):
    """The real keras.Model for a keras config (layer names as lstmshape names them)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    from lstmshape.settings import KerasLSTM
    from lstmshape.frameworks.keras import layer_names

    lstm = KerasLSTM(**case)
    inp = keras.Input(shape=(seq, lstm.input_dim), batch_size=batch)
    x = inp
    for k, name in enumerate(layer_names(lstm)):
        last = k == lstm.num_layers - 1
        layer = keras.layers.LSTM(
            lstm.units, return_sequences=lstm.return_sequences or not last, return_state=lstm.return_state and last,
            go_backwards=lstm.go_backwards, use_bias=lstm.use_bias, name=f"lstm_{k}" if lstm.bidirectional else name)
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
    outs = model.outputs
    return {
        "case": case,
        "outputs": [list(o.shape) for o in outs],
        "count_params": int(model.count_params()),
        "weights": {w.path: list(w.shape) for w in model.weights},
    }


# -------------------------------------------------------------------------------------------- onnx


def onnx_cases() -> list[dict]:
    out = []
    for layout, direction, n, bias, peep, lens in itertools.product(
        (0, 1), ("forward", "reverse", "bidirectional"), (1, 2), (True, False), (False, True), (False, True)
    ):
        out.append({"input_size": 3, "hidden_size": 4, "num_layers": n, "direction": direction, "layout": layout,
                    "bias": bias, "peepholes": peep, "sequence_lens": lens})
    return out


def build_onnx(case: dict, weights: list[dict] | None = None, batch=BATCH, seq=SEQ, opset=14):
    """A ModelProto: the stack of LSTM nodes lstmshape describes, glued as exporters do.

    Weights are initializers (seeded random unless given); X, sequence_lens and every node's
    initial_h / initial_c are graph inputs; every node's Y, Y_h, Y_c are graph outputs with
    unknown shapes, for shape inference to fill in."""
    from onnx import TensorProto, helper, numpy_helper

    from lstmshape.settings import DataConfig, OnnxLSTM
    from lstmshape.frameworks.onnx import infer_onnx

    lstm = OnnxLSTM(**case)
    ours = infer_onnx(lstm, DataConfig(batch, seq))
    weights = weights or onnx_weights(case)
    d, h = lstm.num_directions, lstm.hidden_size
    x_shape = [seq, batch, lstm.input_size] if lstm.layout == 0 else [batch, seq, lstm.input_size]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)]
    if lstm.sequence_lens:
        inputs.append(helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, [batch]))
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
        names.append("sequence_lens" if lstm.sequence_lens else "")
        for name in ("initial_h", "initial_c"):
            inputs.append(helper.make_tensor_value_info(f"{name}_{k}", TensorProto.FLOAT, list(node[name].shape)))
            names.append(f"{name}_{k}")
        if lstm.peepholes:
            inits.append(numpy_helper.from_array(np.asarray(weights[k]["P"], np.float32), f"P_{k}"))
            names.append(f"P_{k}")
        outs = [f"Y_{k}", f"Y_h_{k}", f"Y_c_{k}"]
        attrs = {"hidden_size": h, "direction": lstm.direction, "layout": lstm.layout}
        if lstm.input_forget:
            attrs["input_forget"] = 1
        nodes.append(helper.make_node("LSTM", names, outs, name=f"lstm_{k}", **attrs))
        outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs]
        if k < lstm.num_layers - 1:  # glue, as torch.onnx export emits it (layout 0)
            if lstm.layout == 0 and d == 2:
                nodes.append(helper.make_node("Transpose", [f"Y_{k}"], [f"T_{k}"], perm=[0, 2, 1, 3]))
                src = f"T_{k}"
            else:
                src = f"Y_{k}"
            if d == 1:
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


def onnx_weights(case: dict, seed: int = 0) -> list[dict]:
    """Seeded random W, R, B (P) per node, in ONNX layout."""
    rng = np.random.default_rng(seed)
    d = 2 if case["direction"] == "bidirectional" else 1
    h = case["hidden_size"]
    out = []
    for k in range(case["num_layers"]):
        fed = case["input_size"] if k == 0 else d * h
        node = {"W": rng.uniform(-0.5, 0.5, (d, 4 * h, fed)), "R": rng.uniform(-0.5, 0.5, (d, 4 * h, h))}
        if case.get("bias", True):
            node["B"] = rng.uniform(-0.5, 0.5, (d, 8 * h))
        if case.get("peepholes"):
            node["P"] = rng.uniform(-0.5, 0.5, (d, 3 * h))
        out.append({key: v.astype(np.float32) for key, v in node.items()})
    return out


def inferred_shapes(model) -> dict:
    """Every value's shape after onnx.shape_inference.infer_shapes (strict)."""
    import onnx

    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    shapes = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        dims = info.type.tensor_type.shape.dim
        shapes[info.name] = [dim.dim_value if dim.HasField("dim_value") else dim.dim_param for dim in dims]
    for init in inferred.graph.initializer:
        shapes[init.name] = list(init.dims)
    return shapes


def observe_onnx(case: dict) -> dict:
    model = build_onnx(case)
    shapes = inferred_shapes(model)
    nodes = []
    for k in range(case["num_layers"]):
        node = {"X": shapes["X" if k == 0 else f"X_{k}"], "W": shapes[f"W_{k}"], "R": shapes[f"R_{k}"]}
        if case["bias"]:
            node["B"] = shapes[f"B_{k}"]
        if case["sequence_lens"]:
            node["sequence_lens"] = shapes["sequence_lens"]
        node["initial_h"], node["initial_c"] = shapes[f"initial_h_{k}"], shapes[f"initial_c_{k}"]
        if case["peepholes"]:
            node["P"] = shapes[f"P_{k}"]
        node.update({"Y": shapes[f"Y_{k}"], "Y_h": shapes[f"Y_h_{k}"], "Y_c": shapes[f"Y_c_{k}"]})
        nodes.append(node)
    # the reference evaluator must accept the declared initial_h/initial_c and give the same shapes
    run = run_onnx_reference(model, case, np.random.default_rng(1))
    observed = {name: list(v.shape) for name, v in run.items()}
    for k, node in enumerate(nodes):
        for name in ("Y", "Y_h", "Y_c"):
            assert observed[f"{name}_{k}"] == node[name], (case, name, observed[f"{name}_{k}"], node[name])
    return {"case": case, "nodes": nodes}


def onnx_feeds(case: dict, rng, batch=BATCH, seq=SEQ, lengths=None) -> dict:
    from lstmshape.settings import DataConfig, OnnxLSTM
    from lstmshape.frameworks.onnx import infer_onnx

    ours = infer_onnx(OnnxLSTM(**case), DataConfig(batch, seq))
    feeds = {"X": rng.standard_normal(ours.nodes[0]["X"].shape).astype(np.float32)}
    if case.get("sequence_lens"):
        feeds["sequence_lens"] = np.asarray(lengths if lengths is not None else [seq] * batch, np.int32)
    for k, node in enumerate(ours.nodes):
        for name in ("initial_h", "initial_c"):
            feeds[f"{name}_{k}"] = (0.5 * rng.standard_normal(node[name].shape)).astype(np.float32)
    return feeds


def run_onnx_reference(model, case: dict, rng, feeds=None) -> dict:
    from onnx.reference import ReferenceEvaluator

    feeds = feeds or onnx_feeds(case, rng)
    names = [o.name for o in model.graph.output]
    return dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))


# ---------------------------------------------------------------------------------------- numerics


NUMERIC_CASES = {
    "torch_bilstm_2layers": {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True, "batch_first": False},
    "torch_lstm_batch_first": {"input_size": 3, "hidden_size": 4, "num_layers": 1, "bidirectional": False, "batch_first": True},
}


def record_numerics() -> dict:
    """Seeded torch weights and input; torch's outputs; the keras model's and the ONNX reference
    evaluator's outputs with the converted weights."""
    import torch

    from lstmshape import convert

    arrays = {}
    rng = np.random.default_rng(7)
    for name, kw in NUMERIC_CASES.items():
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(**kw)
        sd = {k: v.detach().numpy().copy() for k, v in lstm.state_dict().items()}
        shape = (BATCH, SEQ, kw["input_size"]) if kw["batch_first"] else (SEQ, BATCH, kw["input_size"])
        x = rng.standard_normal(shape).astype(np.float32)
        out, (hn, cn) = lstm(torch.from_numpy(x))
        prefix = name + "/"
        arrays.update({prefix + "x": x, prefix + "torch_output": out.detach().numpy(),
                       prefix + "torch_hn": hn.detach().numpy(), prefix + "torch_cn": cn.detach().numpy()})
        arrays.update({prefix + "sd/" + k: v for k, v in sd.items()})
        # keras (batch-first, return_sequences + return_state)
        d = 2 if kw["bidirectional"] else 1
        case = {"input_dim": kw["input_size"], "units": kw["hidden_size"], "num_layers": kw["num_layers"],
                "return_sequences": True, "return_state": True, "bidirectional": kw["bidirectional"]}
        model = build_keras(case)
        model.set_weights(convert.keras_weight_list(convert.torch_to_keras(sd)))
        xk = x if kw["batch_first"] else x.swapaxes(0, 1)
        for i, o in enumerate(keras_outputs(model, xk)):
            arrays[prefix + f"keras_out{i}"] = o
        # onnx (layout as batch_first)
        ocase = {"input_size": kw["input_size"], "hidden_size": kw["hidden_size"], "num_layers": kw["num_layers"],
                 "direction": "bidirectional" if d == 2 else "forward", "layout": int(kw["batch_first"])}
        omodel = build_onnx(ocase, convert.torch_to_onnx(sd))
        feeds = onnx_feeds(ocase, rng)
        feeds = {k: (np.zeros_like(v) if k.startswith("initial") else v) for k, v in feeds.items()}
        feeds["X"] = x
        for k, v in run_onnx_reference(omodel, ocase, rng, feeds).items():
            arrays[prefix + "onnx/" + k] = v
    return arrays


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import onnx

    OUT.mkdir(exist_ok=True)
    keras_doc = {"keras": keras.__version__, "batch": BATCH, "seq": SEQ,
                 "cases": [observe_keras(c) for c in keras_cases()]}
    (OUT / "keras_shapes.json").write_text(json.dumps(keras_doc, indent=1) + "\n")
    onnx_doc = {"onnx": onnx.__version__, "opset": 14, "batch": BATCH, "seq": SEQ,
                "cases": [observe_onnx(c) for c in onnx_cases()]}
    (OUT / "onnx_shapes.json").write_text(json.dumps(onnx_doc, indent=1) + "\n")
    np.savez_compressed(OUT / "numerics.npz", **record_numerics())
    print(f"wrote {len(keras_doc['cases'])} keras and {len(onnx_doc['cases'])} onnx shape cases, "
          f"{len(NUMERIC_CASES)} numeric cases to {OUT}")


if __name__ == "__main__":
    main()
