"""The `lstm` section of a keras or onnx config: keras.layers.LSTM's (GRU's, SimpleRNN's)
arguments, or the ONNX LSTM (GRU, RNN) node's attributes, read with the same machinery and the same file:line:col messages as torch's.
A key of another framework written here is named with its equivalent."""

from __future__ import annotations

import difflib
from typing import Any

from ..codes import (INPUT_SHAPE_RANK, KERAS_2_ARGUMENT, MISSING_KEY, NO_EFFECT, OUT_OF_RANGE, STACK_2D_INPUT,
                     UNCHECKED_SECTION, UNKNOWN_ACTIVATION, UNKNOWN_KEY, WRONG_STRUCTURE, WRONG_TYPE)
from ..problems import WARNING
from ..settings import (CELLS, DIRECTIONS, FRAMEWORKS, KERAS_ACTIVATIONS, MERGE_MODES, Config, KerasArguments,
                        KerasLSTM, OnnxLSTM)
from .around import read_expect, read_head, section_keys
from .data import DATA_KEYS, data_config, read_data
from .reader import Reader, homes
from .values import Key, classify_choice, show, suggest

KERAS_KEYS = (
    Key("input_dim", "positive_int", ("feature_size",), required=True,
        doc="Features per time step (required unless input_shape or batch_input_shape gives them)."),
    Key("units", "positive_int", (), required=True,
        doc="keras.layers.LSTM's units: the size of h and c."),
    Key("num_layers", "positive_int", ("n_layers",),
        doc="Identical layers stacked (default 1)."),
    Key("return_sequences", "bool",
        doc="Return the whole sequence (batch, timesteps, units) rather than the last step (default false)."),
    Key("return_state", "bool",
        doc="Also return the final states (default false)."),
    Key("go_backwards", "bool",
        doc="Process the sequence backwards (default false)."),
    Key("use_bias", "bool",
        doc="Whether the layer has a bias vector (default true)."),
    Key("bidirectional", "bool",
        doc="Wrap the layer in keras.layers.Bidirectional (default false)."),
    Key("merge_mode", "choice",
        doc="How Bidirectional merges the two directions: concat, sum, mul, ave or null (default concat)."),
    Key("cell", "choice", ("rnn_type", "cell_type"),
        doc="Which layer: lstm, gru or rnn (LSTM, GRU, SimpleRNN; any case)."),
    Key("reset_after", "bool",
        doc="keras.layers.GRU's reset_after (GRU only; default true)."),
    Key("input_shape", "input_shape",
        doc="(timesteps, features) of the input, null for any size: Keras adds the batch."),
    Key("batch_input_shape", "input_shape", ("batch_shape",),
        doc="(batch, timesteps, features) of the input, null for any size."),
    Key("dropout", "rate",
        doc="Dropout rate of the inputs, in [0, 1)."),
    Key("recurrent_dropout", "rate",
        doc="Dropout rate of the recurrent state, in [0, 1)."),
    Key("activation", "activation",
        doc="A keras.activations name such as tanh, or null (linear)."),
    Key("recurrent_activation", "activation",
        doc="A keras.activations name such as sigmoid, or null (linear); LSTM and GRU only."),
    Key("unit_forget_bias", "bool",
        doc="Add 1 to the forget gate's bias at initialisation (LSTM only; default true)."),
    Key("stateful", "bool",
        doc="Keep the states between batches (default false)."),
    Key("unroll", "bool",
        doc="Unroll the recurrence (default false)."),
)
# The keys that let a keras config leave out input_dim: the shapes' last size is the features
KERAS_SHAPE_KEYS = ("input_shape", "batch_input_shape", "batch_shape")
ONNX_KEYS = (
    Key("input_size", "positive_int", ("feature_size",), required=True,
        doc="Features per time step of X (required on the first block)."),
    Key("hidden_size", "positive_int", (), required=True,
        doc="The ONNX LSTM node's hidden_size: the size of Y_h and Y_c."),
    Key("num_layers", "positive_int", ("n_layers",),
        doc="Nodes stacked, each fed the one before (default 1)."),
    Key("direction", "choice",
        doc="forward, reverse or bidirectional (default forward)."),
    Key("layout", "choice",
        doc="0: X is (seq, batch, features); 1: batch first (default 0)."),
    Key("input_forget", "choice",
        doc="Couple the input and forget gates, 0 or 1 (LSTM only; default 0)."),
    Key("peepholes", "bool",
        doc="Whether input P (the peephole weights) is given (LSTM only)."),
    Key("bias", "bool",
        doc="Whether input B (the biases) is given (default true)."),
    Key("sequence_lens", "bool",
        doc="Whether input sequence_lens (one length per sequence) is given."),
    Key("cell", "choice", ("op_type",),
        doc="Which operator: lstm, gru or rnn (LSTM, GRU, RNN; any case)."),
    Key("linear_before_reset", "choice",
        doc="The ONNX GRU node's linear_before_reset, 0 or 1 (GRU only)."),
)
# The cell switch's values, case-insensitive: lstmshape's names, and Keras' class names
CELL_NAMES = {"lstm": "lstm", "gru": "gru", "rnn": "rnn", "simplernn": "rnn", "simple_rnn": "rnn"}
# Settings of one cell only: (framework, key) → the cell that has it
CELL_ONLY = {("keras", "reset_after"): "gru", ("keras", "unit_forget_bias"): "lstm", ("onnx", "linear_before_reset"): "gru",
             ("onnx", "peepholes"): "lstm", ("onnx", "input_forget"): "lstm"}
KEYS = {"keras": KERAS_KEYS, "onnx": ONNX_KEYS}
INPUT_KEY = {"keras": "input_dim", "onnx": "input_size"}
HIDDEN_KEY = {"keras": "units", "onnx": "hidden_size"}
CHOICES = {
    ("keras", "merge_mode"): MERGE_MODES,
    ("onnx", "direction"): DIRECTIONS,
    ("onnx", "layout"): (0, 1),
    ("onnx", "input_forget"): (0, 1, False, True),
    ("onnx", "linear_before_reset"): (0, 1),
}
# Keras 2 arguments that Keras 3's layers refuse ("Unrecognized keyword arguments"): say what to do.
KERAS_2 = {
    "time_major": "Keras 3's keras.layers.LSTM has no time_major (Keras 2 had it; Keras 3 raises \"Unrecognized "
                  "keyword arguments passed to LSTM\"): its input is always (batch, timesteps, features); remove "
                  "the key and transpose time-major data first, keras.ops.transpose(x, (1, 0, 2))",
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
    if not isinstance(framework, str) or framework not in KEYS:  # (a list or mapping is no key of KEYS)
        named = isinstance(framework, str) and len(framework) <= 64  # difflib is quadratic
        close = difflib.get_close_matches(framework, FRAMEWORKS, n=1, cutoff=0.5) if named else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        reader.problem(("framework",), OUT_OF_RANGE if isinstance(framework, str) else WRONG_TYPE,
                       f"framework must be one of torch, keras, onnx, got {show(framework)}{hint}")
        return None
    reader.homes = homes(section_keys(framework, KEYS[framework], DATA_KEYS))
    if "lstm" not in data:
        required = ", ".join(k.name for k in KEYS[framework] if k.required)
        reader.problem((), MISSING_KEY, f"missing section 'lstm' ({required}, ...)")
        return None
    body = data["lstm"]
    if isinstance(body, list):
        return read_framework_stack(reader, data, framework)
    body = without_foreign(reader, framework, body, ("lstm",))
    if framework == "keras":
        body = keras_2_arguments(reader, body, ("lstm",))
    data = {**data, "lstm": body}
    lstm = reader.section("lstm", data, framework_keys(framework, body))
    values = read_data(reader, data)
    head, expect = read_around(reader, data, framework)
    if lstm is None or values is None or head is None or expect is None:
        return None
    ok = choices_ok(reader, framework, lstm) and sections_checked(reader, framework, data, values)
    ok = cell_ok(reader, framework, lstm) and ok
    if values.get("unbatched"):
        unbatched_refused(reader, framework)
        ok = False
    if framework == "keras":
        ok = keras_checks(reader, lstm) and ok
        if not ok or "input_dim" not in lstm or "units" not in lstm:
            return None
        spec: Any = keras_lstm(lstm)
    else:
        if "input_forget" in lstm:
            lstm["input_forget"] = bool(lstm["input_forget"])
        if not ok or "input_size" not in lstm or "hidden_size" not in lstm:
            return None
        spec = OnnxLSTM(**lstm)
    return Config(reader.doc.path, spec, data_config(values), reader.origins, reader.doc, framework=framework,
                  head=head, expect=expect)


def read_around(reader: Reader, data: dict, framework: str, blocks: int = 1) -> tuple:
    """The head and expect sections in the framework's own names (empty when absent, None when
    invalid); for a stack of blocks, expect has one entry per block, as torch's."""
    head = read_head(reader, data["head"], framework) if "head" in data else ()
    expect = read_expect(reader, data["expect"], blocks, blocks > 1, framework) if "expect" in data else ()
    return head, expect


def without_foreign(reader: Reader, framework: str, body: Any, at: tuple) -> Any:
    """The section (or block) `at` without the keys of another framework, each named with its equivalent."""
    if not isinstance(body, dict):
        return body
    known = {n for k in KEYS[framework] for n in (k.name, *k.aliases)}
    foreign = {key: why for key, why in FOREIGN[framework].items() if key in body and key not in known}
    where = "'lstm'" if at == ("lstm",) else f"'lstm[{at[1]}]'"
    for key, why in foreign.items():
        reader.problem(at + (key,), UNKNOWN_KEY, f"unknown key '{key}' in {'an' if framework == 'onnx' else 'a'} "
                       f"{framework} {where} section: {why}", key=True)
    return {k: v for k, v in body.items() if k not in foreign}


def read_framework_stack(reader: Reader, data: dict, framework: str) -> Config | None:
    """`lstm` as a list of blocks, as torch's: block k+1's input size defaults to what block k
    hands on (Keras: its merged output features; ONNX: num_directions × hidden_size of its last
    node's Y, reshaped to 3-D). A Keras block that returns (batch, units) cannot feed another
    (LS205)."""
    body = data["lstm"]
    if not body:
        reader.problem(("lstm",), WRONG_STRUCTURE, "'lstm' is an empty list; expected one block (a mapping) or more")
        return None
    body = [without_foreign(reader, framework, block, ("lstm", k)) for k, block in enumerate(body)]
    if framework == "keras":
        body = [keras_2_arguments(reader, block, ("lstm", k)) for k, block in enumerate(body)]
    data = {**data, "lstm": body}
    input_key = INPUT_KEY[framework]
    blocks = [reader.section("lstm", data, framework_keys(framework, block, k == 0), index=k)
              for k, block in enumerate(body)]
    values = read_data(reader, data)
    head, expect = read_around(reader, data, framework, len(body))
    ok = values is not None and head is not None and expect is not None \
        and sections_checked(reader, framework, data, values)
    if values is not None and values.get("unbatched"):
        unbatched_refused(reader, framework)
        ok = False
    built: list = []
    for k, lstm in enumerate(blocks):
        reader.origins[("lstm", k)] = ("lstm", k)
        if lstm is None:
            ok = False
            continue
        at = ("lstm", k)
        fine = choices_ok(reader, framework, lstm, at)
        fine = cell_ok(reader, framework, lstm, at) and fine
        if framework == "keras":
            fine = keras_checks(reader, lstm, at) and fine
        else:
            lstm["input_forget"] = bool(lstm.get("input_forget", False))
        if k > 0 and input_key not in lstm and len(built) == k:
            before = built[-1]
            lstm[input_key] = before.out_features if framework == "keras" else before.num_directions * before.hidden_size
        if fine and input_key in lstm and HIDDEN_KEY[framework] in lstm and len(built) == k:
            block = keras_lstm(lstm) if framework == "keras" else OnnxLSTM(**lstm)
            if framework == "keras" and k > 0:
                fine = keras_feeds(reader, built[-1], k)
            built.append(block)
        ok = fine and ok
    if not ok or len(built) != len(blocks):
        return None
    return Config(reader.doc.path, built[0], data_config(values), reader.origins, reader.doc, framework=framework,
                  blocks=tuple(built), head=head, expect=expect)


def keras_feeds(reader: Reader, before: KerasLSTM, k: int) -> bool:
    """Whether Keras block k-1's output can be block k's input: a 3-D sequence, one tensor."""
    at = ("lstm", k - 1)
    if not before.return_sequences:
        reader.problem(reader.origins.get(at + ("return_sequences",), at), STACK_2D_INPUT,
                       f"lstm[{k - 1}] returns (batch, {before.out_features}) without return_sequences, so lstm[{k}] "
                       f"gets a 2-D input and Keras refuses it (\"expected ndim=3, found ndim=2\"); set "
                       f"return_sequences: true on lstm[{k - 1}]")
        return False
    if before.bidirectional and before.merge_mode is None:
        reader.problem(reader.origins[at + ("merge_mode",)], OUT_OF_RANGE,
                       f"merge_mode null returns the two directions as two tensors, which lstm[{k}] cannot take; "
                       "use concat, sum, mul or ave")
        return False
    return True


def unbatched_refused(reader: Reader, framework: str) -> None:
    reader.problem(reader.origins[("data", "unbatched")], OUT_OF_RANGE,
                   f"{framework} has no unbatched input: {'keras.Input' if framework == 'keras' else 'X'} is "
                   "always 3-D; use batch_size 1")


def cell_ok(reader: Reader, framework: str, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """Fold the cell switch into `cell` (lstm, gru, rnn); a setting of another cell is an error."""
    if "cell" in lstm:
        value, where = lstm["cell"], reader.origins[at + ("cell",)]
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
            reader.problem(reader.origins[at + (key,)], OUT_OF_RANGE,
                           f"{key} is an attribute of {owner} only; {what} has no such setting")
            ok = False
    return ok


# Sections checked for torch configs only: (framework, section) pairs, "data.KEY" for a data key.
# head, expect and data.lengths are checked in Keras's and ONNX's own terms; the model around the
# LSTM (a decoder, the DataLoader) is torch's only.
TORCH_ONLY = ("decoder", "data.enforce_sorted", "data.dataset_size", "data.drop_last")
UNCHECKED: tuple[tuple[str, str], ...] = tuple((fw, key) for fw in ("keras", "onnx") for key in TORCH_ONLY)


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


def choices_ok(reader: Reader, framework: str, lstm: dict, at: tuple = ("lstm",)) -> bool:
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
        reader.problem(reader.origins[at + (name,)], code,
                       f"{name} must be one of {shown}, got {show(value)}{hint}")
        ok = False
    return ok


def keras_2_arguments(reader: Reader, body: Any, at: tuple) -> Any:
    """The section (or block) `at` without its Keras 2 arguments, each reported (LS014)."""
    if not isinstance(body, dict):
        return body
    for key, why in KERAS_2.items():
        if key in body:
            reader.problem(at + (key,), KERAS_2_ARGUMENT, f"{key} is a Keras 2 argument: {why}", key=True)
    return {k: v for k, v in body.items() if k not in KERAS_2}


def framework_keys(framework: str, body: Any, first: bool = True) -> tuple:
    """The keys of a section (or block): a Keras input_dim may come from a declared input shape's
    features; a later block's input size defaults to what the block before hands on."""
    keys = KEYS[framework]
    declared = framework == "keras" and isinstance(body, dict) and any(k in body for k in KERAS_SHAPE_KEYS)
    if declared or not first:
        keys = tuple(k._replace(required=False) if k.name == INPUT_KEY[framework] else k for k in keys)
    return keys


def keras_lstm(lstm: dict) -> KerasLSTM:
    """A checked Keras section (or block) as settings: the shape-free arguments apart."""
    arguments = KerasArguments(**{k: lstm.pop(k) for k in KerasArguments._fields if k in lstm})
    return KerasLSTM(**lstm, arguments=arguments)


def keras_arguments(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """The Keras layer arguments lstmshape reads beyond the sizes: activations by name, the
    declared input shape's axes (and input_dim from its features), as tuples for the settings."""
    ok = True
    for key in ("activation", "recurrent_activation"):
        value = lstm.get(key)
        if isinstance(value, str) and value not in KERAS_ACTIVATIONS:
            close = suggest(value, KERAS_ACTIVATIONS) if len(value) <= 64 else None  # difflib is quadratic
            hint = f"; did you mean '{close}'?" if close else "; see keras.activations (null is linear)"
            shown = repr(value) if len(value) <= 64 else repr(value[:60] + "…")
            reader.problem(reader.origins[at + (key,)], UNKNOWN_ACTIVATION,
                           f"{key} {shown} is not a Keras activation: keras.activations.get raises \"Could not "
                           f"interpret activation function identifier\" (names are lower case){hint}")
            ok = False
    if "recurrent_activation" in lstm and lstm.get("cell") == "rnn":
        reader.problem(reader.origins[at + ("recurrent_activation",)], OUT_OF_RANGE,
                       "recurrent_activation is an argument of keras.layers.LSTM and GRU only; keras.layers.SimpleRNN "
                       "has no such setting (it raises \"Unrecognized keyword arguments\")")
        ok = False
    return input_shape_ok(reader, lstm, at) and ok


def input_shape_ok(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """input_shape is (timesteps, features) and batch_input_shape (batch, timesteps, features):
    Keras adds the batch to the first, so anything else reaches the layer with the wrong ndim."""
    given = [key for key in ("input_shape", "batch_input_shape") if key in lstm]
    if len(given) == 2:
        reader.problem(reader.origins[at + ("batch_input_shape",)], INPUT_SHAPE_RANK,
                       "input_shape and batch_input_shape both given: give one (batch_input_shape is the batch "
                       "followed by input_shape)")
        return False
    if not given:
        return True
    key = given[0]
    if at[1:] not in ((), (0,)):
        reader.problem(reader.origins[at + (key,)], INPUT_SHAPE_RANK,
                       f"{key} on lstm[{at[1]}]: only the first block's input is declared (Keras builds the model "
                       f"from its keras.Input; lstm[{at[1]}] is fed by lstm[{at[1] - 1}])")
        return False
    dims, where = lstm[key], reader.origins[at + (key,)]
    shown = listed(dims)
    want = 2 if key == "input_shape" else 3
    if len(dims) != want:
        reader.problem(where, INPUT_SHAPE_RANK, rank_message(key, dims, shown))
        return False
    if dims[-1] is None:
        reader.problem(where + (want - 1,), INPUT_SHAPE_RANK,
                       f"{key} {shown} leaves the features unknown: Keras builds the kernel (features, gates × units) "
                       "from them and refuses a null (\"Shapes used to initialize variables must be fully-defined\"); "
                       "give the number of features")
        return False
    lstm[key] = tuple(dims)
    if "input_dim" not in lstm:
        lstm["input_dim"] = dims[-1]
        reader.origins[at + ("input_dim",)] = where + (want - 1,)
        if at == ("lstm", 0):
            reader.origins.setdefault(("lstm", "input_dim"), where + (want - 1,))
    return True


def listed(dims: list) -> str:
    """A declared shape as the config writes it, `[null, 10, 64]`; a long one cut short (hostile input)."""
    words = ["null" if d is None else show(d) if d > 10**12 else str(d) for d in dims[:8]]
    return "[" + ", ".join(words) + (f", … ({len(dims)} sizes)" if len(dims) > 8 else "") + "]"


def rank_message(key: str, dims: list, shown: str) -> str:
    """Why a declared input shape with the wrong number of axes fails, in Keras's words, and the fix."""
    found = len(dims) + (1 if key == "input_shape" else 0)
    keras_says = f"\"expected ndim=3, found ndim={found}\""
    if key == "input_shape" and len(dims) == 1:
        n = dims[0] if dims[0] is not None else "T"
        return (f"input_shape {shown} has no time axis: Keras adds the batch only, so the layer gets a 2-D input "
                f"(batch, {n}) and raises {keras_says}; an LSTM reads (batch, timesteps, features): reshape the "
                f"data to (batch, {n}, 1) and write input_shape: [{n}, 1] ({n} steps of 1 feature), or to "
                f"(batch, 1, {n}) and input_shape: [1, {n}] (1 step of {n} features)")
    if key == "input_shape" and len(dims) == 3:
        return (f"input_shape {shown} has 3 axes, but Keras adds the batch axis itself, so the layer gets a 4-D "
                f"input and raises {keras_says}; if the first size is the batch, write input_shape: "
                f"{listed(dims[1:])} or batch_input_shape: {shown}")
    if key == "batch_input_shape" and len(dims) == 2:
        return (f"batch_input_shape {shown} has 2 axes: it is (batch, timesteps, features), batch first; write "
                f"batch_input_shape: {listed([None, *dims])} or input_shape: {shown}")
    what = "(timesteps, features): Keras adds the batch" if key == "input_shape" else "(batch, timesteps, features)"
    return f"{key} {shown} has {len(dims)} axes; it must be {what}, else the layer raises {keras_says}"


def keras_checks(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """What keras.layers.Bidirectional refuses or ignores between settings, and the layer arguments."""
    ok = keras_arguments(reader, lstm, at)
    if "merge_mode" in lstm and not lstm.get("bidirectional", False):
        reader.problem(reader.origins[at + ("merge_mode",)], NO_EFFECT,
                       "merge_mode has no effect without bidirectional: true (it is an argument of "
                       "keras.layers.Bidirectional)", WARNING)
    if lstm.get("bidirectional") and lstm.get("go_backwards"):
        reader.problem(reader.origins[at + ("go_backwards",)], OUT_OF_RANGE,
                       "go_backwards true with bidirectional: keras.layers.Bidirectional refuses it (its backward "
                       "layer already has go_backwards=True, and the two must differ)")
        ok = False
    if lstm.get("bidirectional") and "merge_mode" in lstm and lstm["merge_mode"] is None and lstm.get("num_layers", 1) > 1:
        reader.problem(reader.origins[at + ("merge_mode",)], OUT_OF_RANGE,
                       f"merge_mode null returns the two directions as two tensors, which the next of "
                       f"num_layers {lstm['num_layers']} stacked layers cannot take; use concat, sum, mul or ave")
        ok = False
    return ok
