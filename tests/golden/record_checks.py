"""Re-record tests/golden/frameworks/checks.json from real Keras 3 and ONNX (run by hand).

    KERAS_BACKEND=torch python tests/golden/record_checks.py

For every held-out config in tests/golden/checks/*.yaml (read with yaml.safe_load, not with
lstmshape), build what the config describes in the real framework and record what it does:

* expect: every name's real shape (null when the layer or node does not return it), and for a
  2-D Keras input the error Keras raises;
* head: the shape each head layer is fed, and the index and error of the first layer that fails;
* data.lengths: whether the framework takes them (the mask, the sequence_lens input) and, for an
  ONNX node without sequence_lens, whether Y_h differs from the one with the lengths.

tests/frameworks/test_head.py compares lstmshape's problems and shapes with these files, and
re-runs these observers live where Keras and ONNX are installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).parent
CASES = HERE / "checks"
OUT = HERE / "frameworks" / "checks.json"
KERAS_CELLS = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"}


def cases() -> dict[str, dict]:
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(CASES.glob("*.yaml"))}


def error_text(exc: Exception) -> str:
    """The framework's message, one line, without terminal colours."""
    import re

    text = re.sub(r"\x1b\[[0-9;]*m", "", " ".join(str(exc).split()))
    return f"{type(exc).__name__}: {text[:300]}"


# ------------------------------------------------------------------------------------------- keras


def keras_names(lstm: dict) -> list[str]:
    """The names lstmshape gives the tensors a Keras layer returns, in Keras's order."""
    cell = lstm.get("cell", "lstm")
    states = ["h", "c"] if cell == "lstm" else ["h"]
    if lstm.get("bidirectional") and lstm.get("merge_mode", "concat") is None:
        out = ["forward_output", "backward_output"]
    else:
        out = ["output"]
    if lstm.get("return_state"):
        if lstm.get("bidirectional"):
            out += [f"{d}_{s}" for d in ("forward", "backward") for s in states]
        else:
            out += [f"state_{s}" for s in states]
    return out


def keras_layers(lstm: dict) -> list:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    layers = []
    n = lstm.get("num_layers", 1)
    for k in range(n):
        last = k == n - 1
        layer = getattr(keras.layers, KERAS_CELLS[lstm.get("cell", "lstm")])(
            lstm["units"], return_sequences=lstm.get("return_sequences", False) or not last,
            return_state=lstm.get("return_state", False) and last)
        if lstm.get("bidirectional"):
            layer = keras.layers.Bidirectional(layer, merge_mode=lstm.get("merge_mode", "concat"))
        layers.append(layer)
    return layers


def keras_call(layers, x, mask=None):
    for layer in layers:
        x = layer(x, mask=mask) if mask is not None else layer(x)
        mask = None
    return list(x) if isinstance(x, (list, tuple)) else [x]


def keras_head_layer(spec):
    import keras

    if isinstance(spec, str):
        kind, settings = spec, None
    else:
        (kind, settings), = spec.items()
    if kind == "dense":
        layer = keras.layers.Dense(settings["units"])
        if "input_dim" in settings:  # the weights the code has: kernel (input_dim, units)
            layer.build((None, settings["input_dim"]))
        return layer
    if kind == "dropout":
        return keras.layers.Dropout(settings)
    if kind == "flatten":
        return keras.layers.Flatten()
    if kind == "global_average_pooling1d":
        return keras.layers.GlobalAveragePooling1D()
    if kind == "global_max_pooling1d":
        return keras.layers.GlobalMaxPooling1D()
    return keras.layers.Activation(kind)


def observe_keras(config: dict) -> dict:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    lstm, data = config["lstm"], config.get("data", {})
    batch, seq = data.get("batch_size", 2), data.get("seq_len", 3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, seq, lstm["input_dim"])).astype(np.float32)
    outputs = keras_call(keras_layers(lstm), x)
    real = dict(zip(keras_names(lstm), [list(o.shape) for o in outputs]))
    real["input"] = list(x.shape)
    out: dict = {"expect": {}, "returned": keras_names(lstm)}
    for name, shape in (config.get("expect") or {}).items():
        entry = {"real": real.get(name)}
        if name == "input" and len(shape) == 2:
            try:
                keras_call(keras_layers(lstm), np.zeros(shape, np.float32))
            except Exception as exc:  # noqa: BLE001 - the framework's own refusal is the observation
                entry["error"] = error_text(exc)
        out["expect"][name] = entry
    if config.get("head"):
        head = config["head"]
        first = head[0] if isinstance(head[0], dict) else {}
        source = next(iter(first.values())).get("input", "output") if first and "dense" in first else "output"
        tensor, fed, error_at, error = dict(zip(keras_names(lstm), outputs)).get(source), [], None, None
        for index, spec in enumerate(head):
            fed.append(list(tensor.shape))
            try:
                tensor = keras_head_layer(spec)(tensor)
            except Exception as exc:  # noqa: BLE001
                error_at, error = index, error_text(exc)
                break
        out["head"] = {"fed": fed, "error_at": error_at, "error": error}
    if "lengths" in data:
        lengths = np.asarray(data["lengths"])
        mask = np.arange(seq)[None, :] < lengths[:, None]
        entry = {"mask_steps": mask.sum(axis=1).tolist(), "error": None}
        try:
            keras_call(keras_layers(lstm), x, mask=keras.ops.convert_to_tensor(mask))
        except Exception as exc:  # noqa: BLE001
            entry["error"] = error_text(exc)
        out["lengths"] = entry
    return out


# -------------------------------------------------------------------------------------------- onnx


def onnx_case(lstm: dict) -> dict:
    return {"input_size": lstm["input_size"], "hidden_size": lstm["hidden_size"],
            "num_layers": lstm.get("num_layers", 1), "direction": lstm.get("direction", "forward"),
            "layout": lstm.get("layout", 0), "bias": lstm.get("bias", True), "peepholes": False,
            "sequence_lens": lstm.get("sequence_lens", False)}


def onnx_rec():
    import importlib.util

    spec = importlib.util.spec_from_file_location("record_frameworks", HERE / "record_frameworks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def onnx_head_model(model, case: dict, head: list, upto: int):
    """The LSTM graph with head[0..upto] appended as ONNX nodes (Transpose, Reshape, Gemm/MatMul,
    Relu, ...), the last one's output the only graph output."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    last = case["num_layers"] - 1
    first = next(iter(head[0].values())) if isinstance(head[0], dict) else {}
    current = {"Y": f"Y_{last}", "Y_h": f"Y_h_{last}", "Y_c": f"Y_c_{last}"}[first.get("input", "Y")]
    nodes, inits = list(graph.node), list(graph.initializer)
    for index, spec in enumerate(head[:upto + 1]):
        kind, settings = (spec, {}) if isinstance(spec, str) else next(iter(spec.items()))
        settings = settings if isinstance(settings, dict) else {}
        if "transpose" in settings:
            nodes.append(helper.make_node("Transpose", [current], [f"t{index}"], perm=settings["transpose"]))
            current = f"t{index}"
        if "reshape" in settings:
            inits.append(numpy_helper.from_array(np.asarray(settings["reshape"], np.int64), f"s{index}"))
            nodes.append(helper.make_node("Reshape", [current, f"s{index}"], [f"r{index}"]))
            current = f"r{index}"
        if kind in ("gemm", "matmul"):
            weight = np.ones((settings["in_features"], settings["out_features"]), np.float32)
            inits.append(numpy_helper.from_array(weight, f"w{index}"))
            nodes.append(helper.make_node("Gemm" if kind == "gemm" else "MatMul", [current, f"w{index}"],
                                          [f"h{index}"]))
        elif kind == "dropout":
            nodes.append(helper.make_node("Identity", [current], [f"h{index}"]))
        else:
            op = {"log_softmax": "LogSoftmax"}.get(kind, kind.capitalize())  # Relu, Tanh, Identity, Flatten, ...
            nodes.append(helper.make_node(op, [current], [f"h{index}"]))
        current = f"h{index}"
    out = [helper.make_tensor_value_info(current, TensorProto.FLOAT, None)]
    new = helper.make_graph(nodes, "head", list(graph.input), out, inits)
    head_model = helper.make_model(new, opset_imports=list(model.opset_import))
    head_model.ir_version = model.ir_version
    return head_model, current


def head_input_shape(model, case, head, upto, feeds) -> list:
    """The shape head[upto] is fed, after its own transpose and reshape: the head before it, then
    an Identity with those ops, run by the reference evaluator."""
    from onnx.reference import ReferenceEvaluator

    settings = next(iter(head[upto].values())) if isinstance(head[upto], dict) else {}
    settings = settings if isinstance(settings, dict) else {}
    probe = {"identity": {k: v for k, v in settings.items() if k in ("input", "transpose", "reshape")}}
    probe_model, _ = onnx_head_model(model, case, list(head[:upto]) + [probe], upto)
    return list(ReferenceEvaluator(probe_model).run(None, feeds)[0].shape)


def observe_onnx(config: dict) -> dict:
    import onnx
    from onnx.reference import ReferenceEvaluator

    rec = onnx_rec()
    lstm, data = config["lstm"], config.get("data", {})
    batch, seq = data.get("batch_size", 2), data.get("seq_len", 3)
    case = onnx_case(lstm)
    model = rec.build_onnx(case, batch=batch, seq=seq)
    shapes = rec.inferred_shapes(model)
    last = case["num_layers"] - 1
    real = {"X": shapes["X"], "Y": shapes[f"Y_{last}"], "Y_h": shapes[f"Y_h_{last}"], "Y_c": shapes[f"Y_c_{last}"],
            "initial_h": shapes["initial_h_0"], "initial_c": shapes["initial_c_0"]}
    if case["sequence_lens"]:
        real["sequence_lens"] = shapes["sequence_lens"]
    out: dict = {"expect": {name: {"real": real.get(name)} for name in (config.get("expect") or {})}}
    rng = np.random.default_rng(1)
    lengths = data.get("lengths")
    feeds = rec.onnx_feeds(case, rng, batch, seq, lengths if case["sequence_lens"] and lengths else None)
    if config.get("head"):
        head, fed, error_at, error = config["head"], [], None, None
        for index in range(len(head)):
            try:  # its transpose and reshape, then the layer: checked by strict shape inference and run
                fed.append(head_input_shape(model, case, head, index, feeds))
                head_model, _ = onnx_head_model(model, case, head, index)
                onnx.shape_inference.infer_shapes(head_model, check_type=True, strict_mode=True)
                ReferenceEvaluator(head_model).run(None, feeds)
            except Exception as exc:  # noqa: BLE001
                error_at, error = index, error_text(exc)
                break
        out["head"] = {"fed": fed, "error_at": error_at, "error": error}
    if lengths is not None:
        out["lengths"] = observe_lengths(rec, case, model, batch, seq, lengths)
    return out


def observe_lengths(rec, case: dict, model, batch: int, seq: int, lengths: list) -> dict:
    """onnxruntime (which honours sequence_lens; the reference evaluator ignores it) given the lengths."""
    import onnxruntime as ort

    with_lens = {**case, "sequence_lens": True}
    lens_model = rec.build_onnx(with_lens, batch=batch, seq=seq)
    session = ort.InferenceSession(lens_model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = rec.onnx_feeds(with_lens, np.random.default_rng(2), batch, seq)
    feeds["sequence_lens"] = np.asarray(lengths, np.int32)
    entry: dict = {"error": None}
    try:
        with_run = dict(zip([o.name for o in lens_model.graph.output], session.run(None, feeds)))
    except Exception as exc:  # noqa: BLE001
        entry["error"] = error_text(exc)
        return entry
    if not case["sequence_lens"]:  # what the configured node (no sequence_lens) returns instead
        plain = {k: v for k, v in feeds.items() if k != "sequence_lens"}
        bare = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        without = dict(zip([o.name for o in model.graph.output], bare.run(None, plain)))
        last = case["num_layers"] - 1
        entry["Y_h_differs"] = not np.allclose(with_run[f"Y_h_{last}"], without[f"Y_h_{last}"])
    return entry


def observe(config: dict) -> dict:
    return observe_keras(config) if config["framework"] == "keras" else observe_onnx(config)


def main() -> None:
    recorded = {name: observe(config) for name, config in cases().items()}
    OUT.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({len(recorded)} configs)")


if __name__ == "__main__":
    main()
