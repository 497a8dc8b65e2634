"""The same LSTM in Keras 3 and in ONNX: their config sections, shapes, and translations.

A config picks its framework with the top-level key `framework: torch | keras | onnx` (default
torch). The `lstm` section then holds that framework's own settings (keras.layers.LSTM's
arguments, or the ONNX LSTM node's attributes), validated with the same machinery and the same
file:line:col messages as torch configs.

`translate(config, "keras")` expresses a config in another framework, or says, at the setting that
prevents it, why that framework cannot express it. Pure: no numpy, no framework imported.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any, Iterable

from ..config import Config, Key, LSTMConfig, _show, data_config
from ..problems import ERROR, WARNING, Problem, json_path
from .keras import MERGE_MODES, KerasLSTM
from .onnx import DIRECTIONS, OnnxLSTM

FRAMEWORKS = ("torch", "keras", "onnx")
NOTE = "note"

# Codes of framework problems (a separate series, so they never collide with config/check codes).
CODES = {
    "LS201": ("not-expressible", "`infer --as`: a setting the target framework has no equivalent for."),
    "LS202": ("translation-note", "`infer --as`: how a setting carries over (a transpose, a flip, a split)."),
}

KERAS_KEYS = (
    Key("input_dim", "positive_int", ("feature_size",), required=True),
    Key("units", "positive_int", (), required=True),
    Key("num_layers", "positive_int", ("n_layers",)),
    Key("return_sequences", "bool"),
    Key("return_state", "bool"),
    Key("go_backwards", "bool"),
    Key("use_bias", "bool"),
    Key("bidirectional", "bool"),
    Key("merge_mode", "choice"),
)
ONNX_KEYS = (
    Key("input_size", "positive_int", ("feature_size",), required=True),
    Key("hidden_size", "positive_int", (), required=True),
    Key("num_layers", "positive_int", ("n_layers",)),
    Key("direction", "choice"),
    Key("layout", "choice"),
    Key("input_forget", "choice"),
    Key("peepholes", "bool"),
    Key("bias", "bool"),
    Key("sequence_lens", "bool"),
)
KEYS = {"keras": KERAS_KEYS, "onnx": ONNX_KEYS}
CHOICES = {
    ("keras", "merge_mode"): MERGE_MODES,
    ("onnx", "direction"): DIRECTIONS,
    ("onnx", "layout"): (0, 1),
    ("onnx", "input_forget"): (0, 1, False, True),
}
# Keys of one framework written in another's section: say what the equivalent is.
FOREIGN = {
    "keras": {
        "hidden_size": "Keras calls it 'units'",
        "input_size": "Keras calls it 'input_dim'",
        "batch_first": "Keras input is always (batch, seq_len, features)",
        "bias": "Keras calls it 'use_bias'",
        "direction": "Keras uses 'bidirectional' and 'go_backwards'",
        "proj_size": "keras.layers.LSTM has no projection",
        "dropout": "dropout is training-only and does not change a shape; lstmshape does not model it for Keras",
        "layout": "Keras input is always (batch, seq_len, features)",
    },
    "onnx": {
        "units": "ONNX calls it 'hidden_size'",
        "input_dim": "ONNX calls it 'input_size'",
        "batch_first": "ONNX calls it 'layout' (1 = batch first)",
        "bidirectional": "ONNX uses 'direction: bidirectional'",
        "go_backwards": "ONNX uses 'direction: reverse'",
        "proj_size": "the ONNX LSTM operator has no projection",
        "dropout": "the ONNX LSTM operator has no dropout",
        "return_sequences": "the ONNX LSTM node always returns Y, Y_h and Y_c",
        "return_state": "the ONNX LSTM node always returns Y, Y_h and Y_c",
        "use_bias": "ONNX calls it 'bias' (whether input B is given)",
    },
}


def read_framework_config(reader, data: dict) -> Config | None:
    """The `lstm` and `data` sections of a keras or onnx config, checked by `reader`
    (config._Reader), which collects the problems."""
    framework = data.get("framework")
    if framework not in KEYS:
        close = difflib.get_close_matches(str(framework), FRAMEWORKS, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close and isinstance(framework, str) else ""
        reader.problem(("framework",), "LS008" if isinstance(framework, str) else "LS007",
                       f"framework must be one of torch, keras, onnx, got {_show(framework)}{hint}")
        return None
    if "lstm" not in data:
        required = ", ".join(k.name for k in KEYS[framework] if k.required)
        reader.problem((), "LS005", f"missing section 'lstm' ({required}, ...)")
        return None
    body = data["lstm"]
    if isinstance(body, dict):
        known = {n for k in KEYS[framework] for n in (k.name, *k.aliases)}
        foreign = {key: why for key, why in FOREIGN[framework].items() if key in body and key not in known}
        for key, why in foreign.items():
            reader.problem(("lstm", key), "LS004", f"unknown key '{key}' in a {framework} 'lstm' section: {why}",
                           key=True)
        data = {**data, "lstm": {k: v for k, v in body.items() if k not in foreign}}
    lstm = reader.section("lstm", data, KEYS[framework])
    values = reader.section("data", data) if "data" in data else {}
    if lstm is None or values is None:
        return None
    ok = _choices(reader, framework, lstm)
    if values.get("unbatched"):
        reader.problem(reader.origins[("data", "unbatched")], "LS008",
                       f"{framework} has no unbatched input: {'keras.Input' if framework == 'keras' else 'X'} is "
                       "always 3-D; use batch_size 1")
        ok = False
    if framework == "keras":
        ok = _keras_checks(reader, lstm) and ok
        if not ok or "input_dim" not in lstm or "units" not in lstm:
            return None
        spec: Any = KerasLSTM(**lstm)
    else:
        if "input_forget" in lstm:
            lstm["input_forget"] = bool(lstm["input_forget"])
        if not ok or "input_size" not in lstm or "hidden_size" not in lstm:
            return None
        spec = OnnxLSTM(**lstm)
    return Config(reader.doc.path, spec, data_config(values), reader.origins, reader.doc, framework=framework)


def _choices(reader, framework: str, lstm: dict) -> bool:
    ok = True
    for (fw, name), choices in CHOICES.items():
        if fw != framework or name not in lstm:
            continue
        value = lstm[name]
        if any(value == c and type(value) is type(c) for c in choices):
            continue
        shown = ", ".join("null" if c is None else str(c).lower() for c in choices)
        close = difflib.get_close_matches(str(value), [str(c) for c in choices if isinstance(c, str)], n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close and isinstance(value, str) else ""
        same_type = any(type(value) is type(c) for c in choices)
        reader.problem(reader.origins[("lstm", name)], "LS008" if same_type else "LS007",
                       f"{name} must be one of {shown}, got {_show(value)}{hint}")
        ok = False
    return ok


def _keras_checks(reader, lstm: dict) -> bool:
    ok = True
    if "merge_mode" in lstm and not lstm.get("bidirectional", False):
        reader.problem(reader.origins[("lstm", "merge_mode")], "LS203",
                       "merge_mode has no effect without bidirectional: true (it is an argument of "
                       "keras.layers.Bidirectional)", WARNING)
    if lstm.get("bidirectional") and lstm.get("go_backwards"):
        reader.problem(reader.origins[("lstm", "go_backwards")], "LS008",
                       "go_backwards true with bidirectional: keras.layers.Bidirectional refuses it (its backward "
                       "layer already has go_backwards=True, and the two must differ)")
        ok = False
    if lstm.get("bidirectional") and "merge_mode" in lstm and lstm["merge_mode"] is None and lstm.get("num_layers", 1) > 1:
        reader.problem(reader.origins[("lstm", "merge_mode")], "LS008",
                       f"merge_mode null returns the two directions as two tensors, which the next of "
                       f"num_layers {lstm['num_layers']} stacked layers cannot take; use concat, sum, mul or ave")
        ok = False
    return ok


# ---------------------------------------------------------------------------------------------
# infer: dispatch on framework


def infer(config: Config, matrix: bool = False, layers: Iterable[int] | None = None) -> list:
    """Shapes for a config of any framework: torch's Inference, KerasInference or OnnxInference."""
    framework = getattr(config, "framework", "torch")
    if framework == "keras":
        from . import keras

        return keras.infer(config, matrix, layers)
    if framework == "onnx":
        from . import onnx

        return onnx.infer(config, matrix, layers)
    from ..shapes import infer as infer_torch

    return infer_torch(config, matrix=matrix, layers=layers)


# ---------------------------------------------------------------------------------------------
# translate: the same network in another framework


class _Translation:
    def __init__(self, config: Config, target: str):
        self.config = config
        self.target = target
        self.problems: list[Problem] = []

    def at(self, key: str | None) -> tuple:
        origins = self.config.origins
        if key is not None and ("lstm", key) in origins:
            return origins[("lstm", key)]
        return ("lstm",)

    def add(self, key: str | None, code: str, severity: str, message: str) -> None:
        parts = self.at(key)
        doc = self.config.source
        line, col = doc.mark(parts, key=parts == ("lstm",)) if doc is not None else (1, 1)
        self.problems.append(Problem(self.config.path, line, col, code, severity, message, json_path(parts)))

    def error(self, key: str | None, message: str) -> None:
        self.add(key, "LS201", ERROR, message)

    def note(self, key: str | None, message: str) -> None:
        self.add(key, "LS202", NOTE, message)


def translate(config: Config, target: str) -> tuple[Config | None, list[Problem]]:
    """`config` expressed in `target`, with notes on how settings carry over; None (and LS201
    errors naming each setting) when the target cannot express it."""
    source = getattr(config, "framework", "torch")
    if target not in FRAMEWORKS:
        raise ValueError(f"unknown framework {target!r}; expected one of {', '.join(FRAMEWORKS)}")
    if source == target:
        return config, []
    t = _Translation(config, target)
    spec = _neutral(config, t)
    data = config.data
    if data.unbatched:
        t.note("unbatched", f"{target} input is always batched: add a batch axis of 1 (x[None]); "
               f"batch_size becomes 1")
        data = replace(data, unbatched=False, batch_size=1)
    lstm = {"torch": _to_torch, "keras": _to_keras, "onnx": _to_onnx}[target](spec, t)
    if any(p.is_error for p in t.problems) or lstm is None:
        return None, t.problems
    return replace(config, lstm=lstm, data=data, framework=target), t.problems


def _neutral(config: Config, t: _Translation) -> dict:
    """The framework-free description: sizes, direction ('forward', 'reverse', 'bidirectional'),
    batch_first, bias, and the settings only some frameworks have."""
    lstm = config.lstm
    source = getattr(config, "framework", "torch")
    if source == "torch":
        return {
            "input": lstm.input_size, "hidden": lstm.hidden_size, "layers": lstm.num_layers,
            "direction": "bidirectional" if lstm.bidirectional else "forward",
            "direction_key": "bidirectional", "batch_first": lstm.batch_first, "bias": lstm.bias,
            "bias_key": "bias", "proj_size": lstm.proj_size, "dropout": lstm.dropout, "source": source,
        }
    if source == "keras":
        if lstm.bidirectional:
            direction, key = "bidirectional", "bidirectional"
        else:
            direction, key = ("reverse", "go_backwards") if lstm.go_backwards else ("forward", None)
        return {
            "input": lstm.input_dim, "hidden": lstm.units, "layers": lstm.num_layers,
            "direction": direction, "direction_key": key, "batch_first": True, "bias": lstm.use_bias,
            "bias_key": "use_bias", "merge_mode": lstm.merge_mode if lstm.bidirectional else "concat",
            "return_sequences": lstm.return_sequences, "return_state": lstm.return_state, "source": source,
        }
    return {
        "input": lstm.input_size, "hidden": lstm.hidden_size, "layers": lstm.num_layers,
        "direction": lstm.direction, "direction_key": "direction", "batch_first": lstm.layout == 1,
        "bias": lstm.bias, "bias_key": "bias", "peepholes": lstm.peepholes,
        "input_forget": lstm.input_forget, "sequence_lens": lstm.sequence_lens, "source": source,
    }


def _common_blockers(spec: dict, t: _Translation) -> None:
    name = {"torch": "torch.nn.LSTM", "keras": "keras.layers.LSTM", "onnx": "the ONNX LSTM operator"}[t.target]
    if spec.get("proj_size"):
        t.error("proj_size", f"proj_size {spec['proj_size']} has no equivalent in {name}: it has no projection "
                             "(weight_hr); h would have to keep hidden_size features")
    if spec.get("peepholes"):
        t.error("peepholes", f"peepholes (input P) have no equivalent in {name}: its cell state never feeds "
                             "the gates")
    if spec.get("input_forget"):
        t.error("input_forget", f"input_forget (coupled input and forget gates, f = 1 − i) has no equivalent "
                                f"in {name}")
    merge = spec.get("merge_mode", "concat")
    if spec["direction"] == "bidirectional" and merge in ("sum", "mul", "ave"):
        what = {"torch": "torch.nn.LSTM always concatenates the two directions",
                "onnx": "the ONNX LSTM node returns the two directions separately in Y (an Add/Mul after it "
                        "would be needed, which lstmshape does not emit)"}[t.target]
        t.error("merge_mode", f"merge_mode {merge!r} has no equivalent: {what}")
    elif spec["direction"] == "bidirectional" and merge is None:
        split = {"torch": "output[..., :H] is the forward and output[..., H:] the backward output",
                 "onnx": "Y[:, 0] / Y[:, :, 0] (layout 0 / 1) is the forward and index 1 the backward output"}[t.target]
        t.note("merge_mode", f"merge_mode null: {split} (H = {spec['hidden']})")


def _to_torch(spec: dict, t: _Translation) -> LSTMConfig | None:
    _common_blockers(spec, t)
    if spec["direction"] == "reverse":
        key = spec["direction_key"]
        what = "go_backwards" if key == "go_backwards" else "direction 'reverse'"
        t.error(key, f"{what} has no equivalent in torch.nn.LSTM, which runs forward or both ways; flip "
                     "the input along time (x.flip(time_dim)) and run a forward LSTM with the same weights")
    if spec["source"] == "keras":
        t.note(None, "Keras input is (batch, seq_len, features): batch_first=True")
        if not spec["return_sequences"]:
            last = "torch.cat((hn[-2], hn[-1]), dim=-1)" if spec["direction"] == "bidirectional" else "hn[-1]"
            t.note("return_sequences", f"return_sequences false: Keras' output is torch's {last} "
                                       "(torch always returns every step's output and every layer's final state)")
        if spec["layers"] > 1 and spec["return_state"]:
            t.note("return_state", "Keras returns the last layer's states only: torch's hn/cn hold every layer's; "
                                   "the last layer's are hn[-2:] / hn[-1:] (bidirectional / not)")
    if spec["source"] == "onnx" and spec["sequence_lens"]:
        t.note("sequence_lens", "sequence_lens: pack the batch with "
                                "torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)")
    if spec["source"] != "torch" and spec["bias"]:
        t.note(spec["bias_key"], "torch has two bias vectors (bias_ih, bias_hh) that are summed; lstmshape.convert "
                                 "splits " + ("Keras' single bias as (bias, zeros)" if spec["source"] == "keras"
                                              else "ONNX B as (Wb, Rb)"))
    if any(p.is_error for p in t.problems):
        return None
    return LSTMConfig(spec["input"], spec["hidden"], spec["layers"], spec["direction"] == "bidirectional",
                      spec["batch_first"], 0, spec["bias"], 0.0)


def _to_keras(spec: dict, t: _Translation) -> KerasLSTM | None:
    _common_blockers(spec, t)
    if not spec["batch_first"]:
        what = "batch_first false" if spec["source"] == "torch" else "layout 0"
        key = "batch_first" if spec["source"] == "torch" else "layout"
        t.note(key, f"{what}: Keras input is always (batch, seq_len, features); transpose the first two axes")
    go_backwards = spec["direction"] == "reverse"
    if go_backwards:
        t.note("direction", "direction 'reverse' → go_backwards=True: Keras returns the sequence in the order it "
                            "read it (last step first), while ONNX Y is indexed by the original time step: flip "
                            "Keras' output along axis 1 to compare; Y_h / Y_c are the same")
    if spec["source"] == "torch":
        t.note(None, "return_sequences=True and return_state=True reproduce torch's (output, (hn, cn)); Keras "
                     "returns the last layer's h and c only" + (", forward then backward"
                                                                if spec["direction"] == "bidirectional" else ""))
        if spec.get("dropout"):
            t.note("dropout", f"dropout {spec['dropout']} (training only): torch applies it to the inputs of layers "
                              "2..n; in Keras set LSTM(dropout=...) on those layers")
    if spec["source"] == "onnx" and spec["sequence_lens"]:
        t.note("sequence_lens", "sequence_lens: Keras masks padded steps instead (keras.layers.Masking, or "
                                "mask= when calling the layer)")
    if spec["source"] != "keras" and spec["bias"]:
        t.note(spec["bias_key"], "Keras has one bias vector: lstmshape.convert sums "
                                 + ("bias_ih + bias_hh" if spec["source"] == "torch" else "Wb + Rb"))
    if any(p.is_error for p in t.problems):
        return None
    return KerasLSTM(spec["input"], spec["hidden"], spec["layers"], return_sequences=True, return_state=True,
                     go_backwards=go_backwards, use_bias=spec["bias"],
                     bidirectional=spec["direction"] == "bidirectional",
                     merge_mode="concat")


def _to_onnx(spec: dict, t: _Translation) -> OnnxLSTM | None:
    _common_blockers(spec, t)
    if spec["direction"] == "reverse":
        t.note("go_backwards", "go_backwards → direction 'reverse': ONNX Y is indexed by the original time step, "
                               "while Keras returns the sequence in the order it read it (last step first): "
                               "flip one along time to compare; Y_h / Y_c are the same")
    if spec["source"] == "keras":
        t.note(None, "Keras input is (batch, seq_len, features): layout 1")
        t.note(None, "the ONNX node always returns Y (every step, 4-D), Y_h and Y_c")
    if spec["source"] == "torch":
        t.note("batch_first", f"batch_first {str(spec['batch_first']).lower()} → layout {int(spec['batch_first'])} "
                              "(torch.onnx.export itself always emits layout 0 and transposes batch-first input)")
        if spec.get("dropout"):
            t.note("dropout", f"dropout {spec['dropout']} is training-only; exported graphs drop it")
    if spec["bias"] and spec["source"] == "keras":
        t.note("use_bias", "ONNX has two bias vectors (B = Wb ++ Rb): lstmshape.convert uses Keras' bias as Wb "
                           "and zeros as Rb")
    if any(p.is_error for p in t.problems):
        return None
    return OnnxLSTM(spec["input"], spec["hidden"], spec["layers"], spec["direction"], int(spec["batch_first"]),
                    bias=spec["bias"])


__all__ = ["CODES", "FRAMEWORKS", "KerasLSTM", "OnnxLSTM", "infer", "read_framework_config", "translate"]
