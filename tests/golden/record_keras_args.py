"""Re-record tests/golden/frameworks/keras_args.json from real Keras 3 (run by hand).

    KERAS_BACKEND=torch python tests/golden/record_keras_args.py

What Keras 3 does with the layer arguments lstmshape reads beyond the sizes (input_shape,
batch_input_shape, dropout, recurrent_dropout, activation, recurrent_activation, unit_forget_bias,
stateful, unroll, time_major):

* "activations": the names keras.activations.get accepts;
* "layers": for a grid of keras configs with those arguments, the real model's outputs (in call
  order), count_params(), every weight's path and shape, and a stateful layer's state variables;
* "verdicts": configs written as a user writes them (the `lstm` and `data` sections), built the way
  `lstmshape infer` prints the layer (on its keras.Input) and fed an array of the data's shape:
  whether Keras builds and runs it, and with what output shapes or which error.

tests/frameworks/test_keras.py holds lstmshape against this file (so the plain test run stays a real
test) and, where Keras is installed, against Keras live with these same builders.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("frameworks") / "keras_args.json"
HELD_OUT = Path(__file__).with_name("keras_args")  # held-out configs: tests/golden/keras_args/*.yaml
BATCH, SEQ = 2, 5
ANY_BATCH = 3  # the rows fed when the data leaves the batch symbolic (any size would do)


def layer_cases() -> list[dict]:
    """KerasLSTM arguments: every argument that changes no shape, alone and together, per cell."""
    base = {"input_dim": 3, "units": 4}
    return [
        base,
        {**base, "dropout": 0.3, "recurrent_dropout": 0.2},
        {**base, "activation": "relu", "recurrent_activation": "hard_sigmoid"},
        {**base, "activation": None, "unit_forget_bias": False, "unroll": True},
        {**base, "stateful": True, "return_sequences": True, "return_state": True},
        {**base, "stateful": True, "bidirectional": True, "return_sequences": True},
        {**base, "stateful": True, "num_layers": 2, "dropout": 0.1},
        {**base, "cell": "gru", "stateful": True, "activation": "softsign", "recurrent_dropout": 0.5},
        {**base, "cell": "rnn", "activation": "relu", "dropout": 0.2, "unroll": True},
        {**base, "input_shape": (SEQ, 3), "return_sequences": True},
        {**base, "input_shape": (None, 3), "return_sequences": True},
        {**base, "batch_input_shape": (BATCH, SEQ, 3), "stateful": True, "return_sequences": True},
    ]


def verdict_cases() -> list[dict]:
    """Configs as written (lstm and data sections), some Keras refuses and some it runs."""
    k = {"units": 4}
    return [
        {"lstm": {**k, "input_shape": [15]}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_shape": [2, 10, 3]}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_shape": [10, None]}, "data": {"batch_size": 2}},
        {"lstm": {**k, "batch_input_shape": [10, 3]}, "data": {}},
        {"lstm": {**k, "input_shape": [10, 3]}, "data": {"batch_size": 2, "seq_len": 10}},
        {"lstm": {**k, "input_shape": [15, 1]}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_shape": [1, 15]}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_shape": [None, 3]}, "data": {"batch_size": 2, "seq_len": 12}},
        {"lstm": {**k, "input_shape": [10, 3]}, "data": {"batch_size": 2, "seq_len": 12}},
        {"lstm": {**k, "input_dim": 5, "input_shape": [10, 3]}, "data": {"batch_size": 2, "seq_len": 10}},
        {"lstm": {**k, "input_dim": 3, "stateful": True}, "data": {}},
        {"lstm": {**k, "input_dim": 3, "stateful": True}, "data": {"batch_size": 2, "seq_len": 6}},
        {"lstm": {**k, "input_dim": 3, "stateful": True, "cell": "gru"}, "data": {"batch_size": "B"}},
        {"lstm": {**k, "batch_input_shape": [2, None, 3], "stateful": True}, "data": {"seq_len": 7}},
        {"lstm": {**k, "batch_input_shape": [4, 6, 3], "stateful": True}, "data": {"batch_size": 2}},
        {"lstm": {**k, "batch_input_shape": [4, 6, 3]}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "stateful": True, "bidirectional": True, "return_state": True},
         "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "stateful": True, "bidirectional": True}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "time_major": True}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "time_major": False}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "activation": "Tanh"}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "recurrent_activation": "hardsigmoid"}, "data": {"batch_size": 2}},
        {"lstm": {**k, "input_dim": 3, "activation": "swish", "recurrent_activation": None}, "data": {}},
        {"lstm": {**k, "input_dim": 3, "cell": "gru", "unit_forget_bias": False}, "data": {}},
        {"lstm": {**k, "input_dim": 3, "cell": "rnn", "recurrent_activation": "sigmoid"}, "data": {}},
        {"lstm": {**k, "input_dim": 3, "cell": "rnn", "recurrent_dropout": 0.3, "unroll": True}, "data": {}},
    ]


CLASSES = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"}
SIZES = ("input_dim", "num_layers", "bidirectional", "merge_mode", "cell", "input_shape", "batch_input_shape")


def build(lstm: dict, data: dict):
    """The keras.Model for a keras config written as `lstm` and `data` sections, as lstmshape's
    `infer` line writes it: the declared input as keras.Input(shape=...) / (batch_shape=...), a
    stateful layer's Input with the data's batch size, every other key a layer argument."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    lstm = written(lstm)
    batch = data.get("batch_size")
    fixed = batch if lstm.get("stateful") and isinstance(batch, int) else None
    if "batch_input_shape" in lstm:
        inp = keras.Input(batch_shape=tuple(lstm["batch_input_shape"]))
    elif "input_shape" in lstm:
        inp = keras.Input(shape=tuple(lstm["input_shape"]), batch_size=fixed)
    else:
        inp = keras.Input(shape=(None, lstm["input_dim"]), batch_size=fixed)
    args = {key: value for key, value in lstm.items() if key not in SIZES and key != "units"}
    layers, x = lstm.get("num_layers", 1), inp
    for n in range(layers):
        last = n == layers - 1
        layer = getattr(keras.layers, CLASSES[lstm.get("cell", "lstm")])(
            lstm["units"], **{**args, "return_sequences": args.get("return_sequences", False) or not last,
                              "return_state": args.get("return_state", False) and last})
        if lstm.get("bidirectional"):
            layer = keras.layers.Bidirectional(layer, merge_mode=lstm.get("merge_mode", "concat"))
        x = layer(x)
    return keras.Model(inp, x)


def written(lstm: dict) -> dict:
    """The lstm section with the alias batch_shape under its canonical name."""
    return {("batch_input_shape" if key == "batch_shape" else key): value for key, value in lstm.items()}


def fed(lstm: dict, data: dict) -> tuple:
    """The shape of the array a config's data section describes (its declared input where the data is silent)."""
    lstm = written(lstm)
    declared = lstm.get("batch_input_shape") or [None, *lstm.get("input_shape", [None, lstm.get("input_dim")])]
    batch = data.get("batch_size") if isinstance(data.get("batch_size"), int) else declared[0] or ANY_BATCH
    seq = data.get("seq_len") if isinstance(data.get("seq_len"), int) else declared[1] if len(declared) > 2 else None
    features = lstm.get("input_dim") or declared[-1]
    if len(declared) != 3:  # a declared input of the wrong rank: the data has that rank
        return (batch, *declared[1:])
    return (batch, seq or SEQ, features)


def outputs(model, x) -> list[list[int]]:
    out = model(x)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    return [list(o.shape) for o in out]


def observe_verdict(case: dict) -> dict:
    """Whether Keras builds the config's model and runs it on the data's array."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = build(case["lstm"], case["data"])
            shape = fed(case["lstm"], case["data"])
            return {"case": case, "runs": True, "fed": list(shape),
                    "outputs": outputs(model, np.zeros(shape, np.float32))}
        except Exception as exc:  # Keras raises ValueError, TypeError or (from torch) RuntimeError
            return {"case": case, "runs": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}


def observe_layer(case: dict) -> dict:
    """The real model's outputs, count_params(), weights and stateful state variables for a KerasLSTM case."""
    lstm = {key: (list(v) if isinstance(v, tuple) else v) for key, v in case.items()}
    declared = lstm.get("batch_input_shape") or ([None, *lstm["input_shape"]] if "input_shape" in lstm else None)
    data = {"batch_size": BATCH, "seq_len": SEQ}
    model = build(lstm, data)
    shape = (BATCH, (declared[1] if declared and declared[1] else SEQ), lstm["input_dim"])
    states = []
    for layer in model.layers:  # a Bidirectional wrapper's states are its two inner layers'
        inner = [layer.forward_layer, layer.backward_layer] if hasattr(layer, "forward_layer") else [layer]
        states += [list(v.shape) for one in inner for v in (getattr(one, "states", None) or [])]
    return {"case": case, "outputs": outputs(model, np.zeros(shape, np.float32)), "count_params": int(model.count_params()),
            "weights": [list(w.shape) for w in model.weights], "states": states}


def activations() -> list[str]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    from keras.src.activations import ALL_OBJECTS_DICT

    return sorted(ALL_OBJECTS_DICT)


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    doc = {"keras": keras.__version__, "activations": activations(),
           "layers": [observe_layer(c) for c in layer_cases()],
           "verdicts": [observe_verdict(c) for c in verdict_cases()]}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(doc['layers'])} layer and {len(doc['verdicts'])} verdict cases to {OUT}")


if __name__ == "__main__":
    main()
