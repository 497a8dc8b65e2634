"""The `lstm` section of a keras or onnx config: keras.layers.LSTM's (GRU's, SimpleRNN's)
arguments, or the ONNX LSTM (GRU, RNN) node's attributes, read with the same machinery and the
same file:line:col messages as torch's, in the words of the config's Framework
(lstmshape.frameworks). A key of another framework written here is named with its equivalent."""

from __future__ import annotations

import difflib
from typing import Any

from ..codes import (INPUT_SHAPE_RANK, KERAS_2_ARGUMENT, MISSING_KEY, NO_EFFECT, OUT_OF_RANGE, STACK_2D_INPUT,
                     UNCHECKED_SECTION, UNKNOWN_ACTIVATION, UNKNOWN_KEY, WRONG_STRUCTURE, WRONG_TYPE)
from ..problems import WARNING
from ..frameworks import Framework
from ..settings import CELLS, KERAS_ACTIVATIONS, Config, KerasLSTM
from .head import read_model, section_keys
from .data import DATA_KEYS, data_config, read_data
from .reader import Reader, homes
from .values import classify_choice, show, suggest

def read_framework(reader: Reader, data: dict, framework: Framework) -> Config | None:
    """A keras or onnx config (top-level keys already checked): None when it has errors. `lstm`
    is one block or a list of blocks, as torch's; block k+1's input size defaults to what block
    k hands on (Keras: its merged output features; ONNX: num_directions × hidden_size of its last
    node's Y, reshaped to 3-D). A Keras block that returns (batch, units) cannot feed another
    (LS205)."""
    reader.homes = homes(section_keys(framework, DATA_KEYS, {}))
    if "lstm" not in data:
        required = ", ".join(k.name for k in framework.keys if k.required)
        reader.problem((), MISSING_KEY, f"missing section 'lstm' ({required}, ...)")
        return None
    listed = isinstance(data["lstm"], list)
    if listed and not data["lstm"]:
        reader.problem(("lstm",), WRONG_STRUCTURE, "'lstm' is an empty list; expected one block (a mapping) or more")
        return None
    bodies = data["lstm"] if listed else [data["lstm"]]
    places = [("lstm", k) if listed else ("lstm",) for k in range(len(bodies))]
    bodies = [without_legacy(reader, framework, without_foreign(reader, framework, body, at), at)
              for body, at in zip(bodies, places)]
    data = {**data, "lstm": bodies if listed else bodies[0]}
    sections = [reader.section("lstm", data, framework_keys(framework, body, k == 0), index=k if listed else None)
                for k, body in enumerate(bodies)]
    values = read_data(reader, data)
    head, expect = read_model(reader, data, framework, len(bodies))
    ok = values is not None and head is not None and expect is not None \
        and sections_checked(reader, framework, data, values)
    if values is not None and values.get("unbatched") and not framework.takes_unbatched:
        unbatched_refused(reader, framework)
        ok = False
    built: list = []
    for k, (lstm, at) in enumerate(zip(sections, places)):
        if listed:
            reader.origins[at] = at
        if lstm is None:
            ok = False
            continue
        fine = choices_ok(reader, framework, lstm, at)
        fine = cell_ok(reader, framework, lstm, at) and fine
        if framework.input_shape_keys:  # Keras: the layer arguments and what Bidirectional refuses
            fine = keras_checks(reader, lstm, at) and fine
        settings = normalised(reader, framework, lstm, at)
        if k > 0 and framework.input_key not in settings and len(built) == k:
            settings[framework.input_key] = framework.handed_on(built[-1])
        if fine and framework.input_key in settings and framework.hidden_key in settings and len(built) == k:
            block = framework.settings(settings)
            if k > 0 and framework.sequences_optional:
                fine = keras_feeds(reader, built[-1], k)
            built.append(block)
        ok = fine and ok
    if not ok or len(built) != len(sections):
        return None
    return Config(reader.doc.path, tuple(built), data_config(values), reader.origins, reader.doc,
                  framework=framework.name, head=head, expect=expect, listed=listed)


def without_foreign(reader: Reader, framework: Framework, body: Any, at: tuple) -> Any:
    """The section (or block) `at` without the keys of another framework, each named with its equivalent."""
    if not isinstance(body, dict):
        return body
    known = {n for k in framework.keys for n in (k.name, *k.aliases)}
    foreign = {key: why for key, why in framework.foreign.items() if key in body and key not in known}
    where = "'lstm'" if at == ("lstm",) else f"'lstm[{at[1]}]'"
    for key, why in foreign.items():
        reader.problem(at + (key,), UNKNOWN_KEY, f"unknown key '{key}' in {framework.article} "
                       f"{framework.name} {where} section: {why}", key=True)
    return {k: v for k, v in body.items() if k not in foreign}


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


def unbatched_refused(reader: Reader, framework: Framework) -> None:
    reader.problem(reader.origins[("data", "unbatched")], OUT_OF_RANGE,
                   f"{framework.name} has no unbatched input: {framework.input_name} is always 3-D; use batch_size 1")


def cell_ok(reader: Reader, framework: Framework, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """Whether the cell switch names a cell (lstm, gru, rnn) and no setting belongs to another cell."""
    cell = CELLS["lstm"]
    if "cell" in lstm:
        value, where = lstm["cell"], reader.origins[at + ("cell",)]
        if not isinstance(value, str) or value.lower() not in framework.cell_names:
            classes = ", ".join(framework.cell_class(cell) for cell in CELLS.values())
            reader.problem(where, OUT_OF_RANGE if isinstance(value, str) else WRONG_TYPE,
                           f"{where[-1]} must be one of lstm, gru, rnn ({classes}), got {show(value)}")
            return False
        cell = CELLS[framework.cell_names[value.lower()][0]]
    ok = True
    for key, only in framework.cell_only.items():
        if key in lstm and cell.name != only:
            reader.problem(reader.origins[at + (key,)], OUT_OF_RANGE,
                           f"{key} is an attribute of {framework.operator(CELLS[only])} only; "
                           f"{framework.operator(cell)} has no such setting")
            ok = False
    return ok


def normalised(reader: Reader, framework: Framework, lstm: dict, at: tuple) -> dict:
    """A checked section's settings as the settings class takes them (a new dict): the cell
    switch folded into lstm, gru or rnn, ONNX's input_forget a bool, a declared Keras input
    shape a tuple that gives input_dim when the section leaves it out."""
    out = dict(lstm)
    if isinstance(out.get("cell"), str) and out["cell"].lower() in framework.cell_names:
        out["cell"] = framework.cell_names[out["cell"].lower()][0]
    if "input_forget" in out:
        out["input_forget"] = bool(out["input_forget"])
    for key in ("input_shape", "batch_input_shape"):
        if isinstance(out.get(key), list) and out[key] and out[key][-1] is not None:
            out[key] = tuple(out[key])
            if "input_dim" not in out:
                out["input_dim"] = out[key][-1]
                where = reader.origins[at + (key,)] + (len(out[key]) - 1,)
                reader.origins[at + ("input_dim",)] = where
                if at == ("lstm", 0):
                    reader.origins.setdefault(("lstm", "input_dim"), where)
    return out


def sections_checked(reader: Reader, framework: Framework, data: dict, values: dict) -> bool:
    """False (and LS204 at each) when the config has sections lstmshape does not check for
    `framework` (its `unchecked`: "data.KEY" for a data key): a gate never passes what it did not
    look at."""
    unchecked = [(key,) for key in framework.unchecked if key in data and "." not in key]
    unchecked += [reader.origins[("data", key.split(".")[1])] for key in framework.unchecked
                  if key.startswith("data.") and key.split(".")[1] in values]
    for parts in unchecked:
        what = ".".join(str(p) for p in parts[:2]) if parts[0] == "data" else parts[0]
        reader.problem(parts, UNCHECKED_SECTION, f"'{what}' is not checked for {framework.name} configs yet (lstmshape "
                       f"checks it against torch.nn.LSTM's shapes); remove it, or check the same network as a torch "
                       f"config (`lstmshape infer CONFIG --as torch` shows its settings)", key=True)
    return not unchecked


def choices_ok(reader: Reader, framework: Framework, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """Every setting with a fixed set of values holds one of them."""
    ok = True
    for name, choices in framework.choices.items():
        if name not in lstm:
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


def without_legacy(reader: Reader, framework: Framework, body: Any, at: tuple) -> Any:
    """The section (or block) `at` without the arguments of an older version (Keras 2's), each
    reported (LS014)."""
    if not isinstance(body, dict):
        return body
    for key, why in framework.legacy.items():
        if key in body:
            reader.problem(at + (key,), KERAS_2_ARGUMENT, f"{key} is a Keras 2 argument: {why}", key=True)
    return {k: v for k, v in body.items() if k not in framework.legacy}


def framework_keys(framework: Framework, body: Any, first: bool = True) -> tuple:
    """The keys of a section (or block): a Keras input_dim may come from a declared input shape's
    features; a later block's input size defaults to what the block before hands on."""
    keys = framework.keys
    declared = isinstance(body, dict) and any(k in body for k in framework.input_shape_keys)
    if declared or not first:
        keys = tuple(k._replace(required=False) if k.name == framework.input_key else k for k in keys)
    return keys


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
