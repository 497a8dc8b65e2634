"""The model around the LSTM: the `head` layers fed by it and the shapes its code `expect`s.

Reading only (types and structure, reported with the config codes LS003–LS008); whether the
numbers fit together is decided by the shape rules in `lstmshape.rules`.

    head:                                  # layers fed by the (last) LSTM, in order
      - linear: {in_features: 40, out_features: 16, input: hn_concat}
      - relu                               # shape-preserving layers: activations, dropout
      - dropout: 0.1
      - linear: {in_features: 16, out_features: 3}
    expect:                                # shapes the surrounding code assumes
      output: [32, 5, 40]                  # integers or symbols (N, L, B, ...)
      h0: [4, 32, 20]

For a stack (`lstm` given as a list of blocks), `expect` is a list with one mapping (or null)
per block, in the same order.
"""

from __future__ import annotations

from typing import Any

from ..codes import MISSING_KEY, OUT_OF_RANGE, UNKNOWN_KEY, WRONG_STRUCTURE
from ..problems import json_path
from ..settings import HeadLayer
from .reader import INVALID, Reader, close_match
from .values import Key, kind_of

HEAD_INPUTS = ("output", "last_step", "hn_last", "hn_concat")
EXPECT_TENSORS = ("input", "output", "h0", "c0", "hn", "cn")
ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid", "softmax", "log_softmax", "identity", "flatten")
PASSTHROUGH = ACTIVATIONS + ("dropout",)
LAYER_KINDS = ("linear",) + PASSTHROUGH


def read_head(reader: Reader, body: Any) -> tuple[HeadLayer, ...] | None:
    """The `head` list: one HeadLayer per layer (None when any is invalid)."""
    if not isinstance(body, list):
        reader.problem(("head",), WRONG_STRUCTURE, f"'head' is {kind_of(body)}; expected a list of layers such as "
                       "'- linear: {in_features: 40, out_features: 3}'")
        return None
    layers, ok = [], True
    for index, item in enumerate(body):
        parts = ("head", index)
        if isinstance(item, str) and item in PASSTHROUGH:
            layers.append(HeadLayer(item, parts=parts))
            continue
        if isinstance(item, str) and close_match(item, PASSTHROUGH):
            reader.problem(parts, UNKNOWN_KEY, f"unknown layer '{item}' in head[{index}]; did you mean "
                           f"'{close_match(item, PASSTHROUGH)[0]}'?")
            ok = False
            continue
        if not isinstance(item, dict) or len(item) != 1:
            reader.problem(parts, WRONG_STRUCTURE, f"head[{index}] is {kind_of(item)}; expected one layer, e.g. "
                           "'linear: {in_features: 40, out_features: 3}', 'relu' or 'dropout: 0.1'")
            ok = False
            continue
        (kind, spec), = item.items()
        if kind not in LAYER_KINDS:
            reader.unknown_keys(parts, item, LAYER_KINDS)
            ok = False
            continue
        if kind == "dropout":
            ok = reader.check_value(parts + (kind,), Key("dropout", "fraction"), spec) is not INVALID and ok
            layers.append(HeadLayer(kind, parts=parts))
            continue
        if kind != "linear":
            if spec is not None:
                reader.problem(parts + (kind,), WRONG_STRUCTURE, f"'{kind}' takes no settings; write '- {kind}'")
                ok = False
            layers.append(HeadLayer(kind, parts=parts))
            continue
        lparts = parts + ("linear",)
        if not isinstance(spec, dict):
            reader.problem(lparts, WRONG_STRUCTURE, f"head[{index}].linear is {kind_of(spec)}; expected a mapping "
                           "with in_features and out_features")
            ok = False
            continue
        known = ("in_features", "out_features", "input", "bias")
        reader.unknown_keys(lparts, spec, known)
        ok = ok and all(key in known for key in spec)
        values: dict = {}
        for name in ("in_features", "out_features"):
            if name not in spec:
                reader.problem(lparts, MISSING_KEY, f"head[{index}].linear needs '{name}'")
                ok = False
                continue
            value = reader.check_value(lparts + (name,), Key(name, "positive_int"), spec[name])
            if value is INVALID:
                ok = False
            else:
                values[name] = value
        if "bias" in spec and reader.check_value(lparts + ("bias",), Key("bias", "bool"), spec["bias"]) is INVALID:
            ok = False
        if "input" in spec:
            given = spec["input"]
            if index > 0:
                reader.problem(lparts + ("input",), OUT_OF_RANGE, f"head[{index}].linear.input: only head[0] chooses "
                               f"which LSTM tensor feeds it; head[{index}] is fed by head[{index - 1}]")
                ok = False
            elif given not in HEAD_INPUTS:
                reader.problem(lparts + ("input",), OUT_OF_RANGE, f"input must be one of {', '.join(HEAD_INPUTS)}, "
                               f"got {given!r}")
                ok = False
            else:
                values["input"] = given
        layers.append(HeadLayer("linear", values.get("in_features"), values.get("out_features"),
                                values.get("input", "output"), parts))
    return tuple(layers) if ok else None


def read_expect(reader: Reader, body: Any, blocks: int, stacked: bool) -> tuple[dict, ...] | None:
    """One mapping tensor name → shape per block; reader.origins gets ("expect", k, name) → parts."""
    if stacked and blocks > 1:
        if not isinstance(body, list):
            reader.problem(("expect",), WRONG_STRUCTURE, f"'expect' is {kind_of(body)}; lstm is a stack of {blocks} blocks, "
                           f"so expect is a list of {blocks} mappings (null for a block without expectations)")
            return None
        if len(body) != blocks:
            reader.problem(("expect",), WRONG_STRUCTURE, f"'expect' has {len(body)} entries but lstm has {blocks} blocks; "
                           "give one mapping (or null) per block, in order")
            return None
        entries = [(("expect", k), item) for k, item in enumerate(body)]
    elif isinstance(body, list) and len(body) == 1:
        entries = [(("expect", 0), body[0])]
    else:
        entries = [(("expect",), body)]
    out, ok = [], True
    for k, (parts, item) in enumerate(entries):
        shapes: dict = {}
        if item is None:
            out.append(shapes)
            continue
        if not isinstance(item, dict):
            reader.problem(parts, WRONG_STRUCTURE, f"'{json_path(parts)[2:]}' is {kind_of(item)}; expected a mapping of "
                           f"tensor → shape, e.g. 'output: [32, 5, 40]' ({', '.join(EXPECT_TENSORS)})")
            ok = False
            continue
        reader.unknown_keys(parts, item, EXPECT_TENSORS)
        ok = ok and all(key in EXPECT_TENSORS for key in item)
        for name in EXPECT_TENSORS:
            if name not in item:
                continue
            shape = read_shape(reader, parts + (name,), item[name])
            if shape is None:
                ok = False
                continue
            shapes[name] = shape
            reader.origins[("expect", k, name)] = parts + (name,)
        out.append(shapes)
    return tuple(out) if ok else None


def read_shape(reader: Reader, parts: tuple, value: Any) -> tuple | None:
    """One expected shape: a list of 1 to 8 dimensions, each a positive integer or a symbol."""
    if not isinstance(value, list) or not value or len(value) > 8:
        reader.problem(parts, WRONG_STRUCTURE, f"{json_path(parts)[2:]} is {kind_of(value)}; expected a list of 1 to 8 "
                       "dimensions (integers or symbols), e.g. [32, 5, 40] or [N, L, 40]")
        return None
    dim = Key("dim", "dim")
    ok = True
    for i, size in enumerate(value):
        ok = reader.check_value(parts + (i,), dim, size, json_path(parts + (i,))[2:]) is not INVALID and ok
    return tuple(value) if ok else None


# The steps of a join between two blocks of a stack, and of the bridge from an encoder's final
# state to a decoder's initial one. `sum` adds the two directions (deepspeech.pytorch's BatchRNN),
# `concat` puts them side by side (bridge only: a stack's blocks concatenate by default).
JOIN_STEPS = ("sum", "linear") + PASSTHROUGH
BRIDGE_STEPS = ("concat", "sum", "linear") + PASSTHROUGH


def read_steps(reader: Reader, parts: tuple, body: Any, allowed: tuple[str, ...]) -> tuple[HeadLayer, ...] | None:
    """A join or bridge: one step (`sum`, `linear: {in_features, out_features}`, `tanh`,
    `dropout: 0.1`) or a list of them, in order; None when any is invalid."""
    where = json_path(parts)[2:]
    items = [(parts + (i,), item) for i, item in enumerate(body)] if isinstance(body, list) else [(parts, body)]
    if not items:
        reader.problem(parts, WRONG_STRUCTURE, f"'{where}' is an empty list; expected one step or more, e.g. "
                       f"{', '.join(allowed[:3])}")
        return None
    layers, ok = [], True
    example = "'linear: {in_features: 640, out_features: 320}'"
    for at, item in items:
        if isinstance(item, str) and item in allowed:
            layers.append(HeadLayer(item, parts=at))
            continue
        if isinstance(item, str):
            close = close_match(item, allowed)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known steps: {', '.join(allowed)}"
            reader.problem(at, UNKNOWN_KEY, f"unknown step '{item}' in '{where}'{hint}")
            ok = False
            continue
        if not isinstance(item, dict) or len(item) != 1:
            reader.problem(at, WRONG_STRUCTURE, f"'{json_path(at)[2:]}' is {kind_of(item)}; expected one step, e.g. "
                           f"{example}, '{allowed[0]}' or 'tanh'")
            ok = False
            continue
        (kind, spec), = item.items()
        if kind not in allowed:
            reader.unknown_keys(at, item, allowed)
            ok = False
        elif kind == "dropout":
            ok = reader.check_value(at + (kind,), Key("dropout", "fraction"), spec) is not INVALID and ok
            layers.append(HeadLayer(kind, parts=at))
        elif kind != "linear":
            if spec is not None:
                reader.problem(at + (kind,), WRONG_STRUCTURE, f"'{kind}' takes no settings; write '{kind}'")
                ok = False
            layers.append(HeadLayer(kind, parts=at))
        else:
            linear = read_linear(reader, at + ("linear",), spec)
            ok = linear is not None and ok
            if linear is not None:
                layers.append(HeadLayer("linear", linear.get("in_features"), linear["out_features"], parts=at))
    return tuple(layers) if ok else None


def read_linear(reader: Reader, parts: tuple, spec: Any) -> dict | None:
    """A join's or bridge's Linear: out_features required, in_features optional (the features that
    reach it, when omitted)."""
    if not isinstance(spec, dict):
        reader.problem(parts, WRONG_STRUCTURE, f"'{json_path(parts)[2:]}' is {kind_of(spec)}; expected a mapping "
                       "with out_features (and in_features)")
        return None
    known = ("in_features", "out_features", "bias")
    reader.unknown_keys(parts, spec, known)
    ok = all(key in known for key in spec)
    values: dict = {}
    if "out_features" not in spec:
        reader.problem(parts, MISSING_KEY, f"'{json_path(parts)[2:]}' needs 'out_features'")
        ok = False
    for name in ("in_features", "out_features"):
        if name in spec:
            value = reader.check_value(parts + (name,), Key(name, "positive_int"), spec[name])
            ok = value is not INVALID and ok
            values[name] = value
    if "bias" in spec and reader.check_value(parts + ("bias",), Key("bias", "bool"), spec["bias"]) is INVALID:
        ok = False
    return values if ok else None
