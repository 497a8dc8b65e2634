"""The `lstm` section of a keras or onnx config: keras.layers.LSTM's (GRU's, SimpleRNN's)
arguments, or the ONNX LSTM (GRU, RNN) node's attributes, read with the same machinery and the same file:line:col messages as torch's.
A key of another framework written here is named with its equivalent."""

from __future__ import annotations

import difflib
from typing import Any

from ..codes import MISSING_KEY, NO_EFFECT, OUT_OF_RANGE, UNCHECKED_SECTION, UNKNOWN_KEY, WRONG_TYPE
from ..problems import WARNING
from ..settings import CELLS, DIRECTIONS, FRAMEWORKS, MERGE_MODES, Config, KerasLSTM, OnnxLSTM
from .around import read_expect, read_head
from .data import data_config, read_data
from .reader import Reader
from .values import Key, classify_choice, show

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
    Key("cell", "choice", ("rnn_type", "cell_type")),
    Key("reset_after", "bool"),
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
    Key("cell", "choice", ("op_type",)),
    Key("linear_before_reset", "choice"),
)
# The cell switch's values, case-insensitive: lstmshape's names, and Keras' class names
CELL_NAMES = {"lstm": "lstm", "gru": "gru", "rnn": "rnn", "simplernn": "rnn", "simple_rnn": "rnn"}
# Settings of one cell only: (framework, key) → the cell that has it
CELL_ONLY = {("keras", "reset_after"): "gru", ("onnx", "linear_before_reset"): "gru",
             ("onnx", "peepholes"): "lstm", ("onnx", "input_forget"): "lstm"}
KEYS = {"keras": KERAS_KEYS, "onnx": ONNX_KEYS}
CHOICES = {
    ("keras", "merge_mode"): MERGE_MODES,
    ("onnx", "direction"): DIRECTIONS,
    ("onnx", "layout"): (0, 1),
    ("onnx", "input_forget"): (0, 1, False, True),
    ("onnx", "linear_before_reset"): (0, 1),
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
        "linear_before_reset": "Keras calls it 'reset_after' (keras.layers.GRU)",
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
        "reset_after": "ONNX calls it 'linear_before_reset' (the GRU node)",
    },
}


def read_framework(reader: Reader, data: dict) -> Config | None:
    """A keras or onnx config (top-level keys already checked): None when it has errors."""
    framework = data.get("framework")
    if framework not in KEYS:
        close = difflib.get_close_matches(str(framework), FRAMEWORKS, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close and isinstance(framework, str) else ""
        reader.problem(("framework",), OUT_OF_RANGE if isinstance(framework, str) else WRONG_TYPE,
                       f"framework must be one of torch, keras, onnx, got {show(framework)}{hint}")
        return None
    if "lstm" not in data:
        required = ", ".join(k.name for k in KEYS[framework] if k.required)
        reader.problem((), MISSING_KEY, f"missing section 'lstm' ({required}, ...)")
        return None
    body = data["lstm"]
    if isinstance(body, dict):
        known = {n for k in KEYS[framework] for n in (k.name, *k.aliases)}
        foreign = {key: why for key, why in FOREIGN[framework].items() if key in body and key not in known}
        for key, why in foreign.items():
            reader.problem(("lstm", key), UNKNOWN_KEY, f"unknown key '{key}' in {'an' if framework == 'onnx' else 'a'} {framework} 'lstm' section: {why}",
                           key=True)
        data = {**data, "lstm": {k: v for k, v in body.items() if k not in foreign}}
    lstm = reader.section("lstm", data, KEYS[framework])
    values = read_data(reader, data)
    head = read_head(reader, data["head"], framework) if "head" in data else ()
    expect = read_expect(reader, data["expect"], 1, False, framework) if "expect" in data else ()
    if lstm is None or values is None or head is None or expect is None:
        return None
    ok = choices_ok(reader, framework, lstm) and sections_checked(reader, framework, data, values)
    ok = cell_ok(reader, framework, lstm) and ok
    if values.get("unbatched"):
        reader.problem(reader.origins[("data", "unbatched")], OUT_OF_RANGE,
                       f"{framework} has no unbatched input: {'keras.Input' if framework == 'keras' else 'X'} is "
                       "always 3-D; use batch_size 1")
        ok = False
    if framework == "keras":
        ok = keras_checks(reader, lstm) and ok
        if not ok or "input_dim" not in lstm or "units" not in lstm:
            return None
        spec: Any = KerasLSTM(**lstm)
    else:
        if "input_forget" in lstm:
            lstm["input_forget"] = bool(lstm["input_forget"])
        if not ok or "input_size" not in lstm or "hidden_size" not in lstm:
            return None
        spec = OnnxLSTM(**lstm)
    return Config(reader.doc.path, spec, data_config(values), reader.origins, reader.doc, framework=framework,
                  head=head, expect=expect)


def cell_ok(reader: Reader, framework: str, lstm: dict) -> bool:
    """Fold the cell switch into `cell` (lstm, gru, rnn); a setting of another cell is an error."""
    if "cell" in lstm:
        value, where = lstm["cell"], reader.origins[("lstm", "cell")]
        if not isinstance(value, str) or value.lower() not in CELL_NAMES:
            classes = "LSTM, GRU, SimpleRNN" if framework == "keras" else "LSTM, GRU, RNN"
            reader.problem(where, OUT_OF_RANGE if isinstance(value, str) else WRONG_TYPE,
                           f"{where[-1]} must be one of lstm, gru, rnn ({classes}), got {show(value)}")
            return False
        lstm["cell"] = CELL_NAMES[value.lower()]
    cell = CELLS[lstm.get("cell", "lstm")]
    ok = True
    for (fw, key), only in CELL_ONLY.items():
        if fw == framework and key in lstm and cell.name != only:
            what = f"keras.layers.{cell.keras}" if framework == "keras" else f"the ONNX {cell.onnx} operator"
            owner = f"keras.layers.{CELLS[only].keras}" if framework == "keras" else f"the ONNX {CELLS[only].onnx} operator"
            reader.problem(reader.origins[("lstm", key)], OUT_OF_RANGE,
                           f"{key} is an attribute of {owner} only; {what} has no such setting")
            ok = False
    return ok


# Sections checked for torch only, so far: (framework, section) pairs, "data.lengths" for a data key.
# Empty since issue #10 checks head, expect and data.lengths in Keras's and ONNX's own terms; LS204
# stays the guard for any section added later.
UNCHECKED: tuple[tuple[str, str], ...] = ()


def sections_checked(reader: Reader, framework: str, data: dict, values: dict) -> bool:
    """False (and LS204 at each) when the config has sections lstmshape does not check for
    `framework`: a gate never passes what it did not look at."""
    unchecked = [(key,) for fw, key in UNCHECKED if fw == framework and key in data and "." not in key]
    unchecked += [reader.origins[("data", key.split(".")[1])] for fw, key in UNCHECKED
                  if fw == framework and key.startswith("data.") and key.split(".")[1] in values]
    for parts in unchecked:
        what = ".".join(str(p) for p in parts[:2]) if parts[0] == "data" else parts[0]
        reader.problem(parts, UNCHECKED_SECTION, f"'{what}' is not checked for {framework} configs yet (lstmshape "
                       f"checks it against torch.nn.LSTM's shapes); remove it, or check the same network as a torch "
                       f"config (`lstmshape infer CONFIG --as torch` shows its settings)", key=True)
    return not unchecked


def choices_ok(reader: Reader, framework: str, lstm: dict) -> bool:
    """Every setting with a fixed set of values holds one of them."""
    ok = True
    for (fw, name), choices in CHOICES.items():
        if fw != framework or name not in lstm:
            continue
        value = lstm[name]
        code = classify_choice(value, choices)
        if code is None:
            continue
        shown = ", ".join("null" if c is None else str(c).lower() for c in choices)
        close = difflib.get_close_matches(str(value), [str(c) for c in choices if isinstance(c, str)], n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close and isinstance(value, str) else ""
        reader.problem(reader.origins[("lstm", name)], code,
                       f"{name} must be one of {shown}, got {show(value)}{hint}")
        ok = False
    return ok


def keras_checks(reader: Reader, lstm: dict) -> bool:
    """What keras.layers.Bidirectional refuses or ignores between settings."""
    ok = True
    if "merge_mode" in lstm and not lstm.get("bidirectional", False):
        reader.problem(reader.origins[("lstm", "merge_mode")], NO_EFFECT,
                       "merge_mode has no effect without bidirectional: true (it is an argument of "
                       "keras.layers.Bidirectional)", WARNING)
    if lstm.get("bidirectional") and lstm.get("go_backwards"):
        reader.problem(reader.origins[("lstm", "go_backwards")], OUT_OF_RANGE,
                       "go_backwards true with bidirectional: keras.layers.Bidirectional refuses it (its backward "
                       "layer already has go_backwards=True, and the two must differ)")
        ok = False
    if lstm.get("bidirectional") and "merge_mode" in lstm and lstm["merge_mode"] is None and lstm.get("num_layers", 1) > 1:
        reader.problem(reader.origins[("lstm", "merge_mode")], OUT_OF_RANGE,
                       f"merge_mode null returns the two directions as two tensors, which the next of "
                       f"num_layers {lstm['num_layers']} stacked layers cannot take; use concat, sum, mul or ave")
        ok = False
    return ok
