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

Keras and ONNX configs use their own names (each Framework's `expect_names`, `head_inputs`) and layers:

    head:                                  # framework: keras
      - dense: {units: 16, input_dim: 40, input: state_h}   # input_dim optional, as in Keras
      - global_average_pooling1d           # (batch, seq, f) → (batch, f); flatten → (batch, seq·f)
    head:                                  # framework: onnx
      - gemm: {input: Y_h, transpose: [1, 0, 2], reshape: [0, -1], in_features: 40, out_features: 3}
"""

from __future__ import annotations

from typing import Any

from ..codes import MISSING_KEY, OUT_OF_RANGE, UNKNOWN_KEY, WRONG_STRUCTURE, WRONG_TYPE
from ..problems import json_path
from ..frameworks import Framework
from ..settings import HeadLayer, Key
from .reader import INVALID, Reader, close_match
from .recognise import TOP_LEVEL
from .values import kind_of

ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid", "softmax", "log_softmax", "identity", "flatten")
PASSTHROUGH = ACTIVATIONS + ("dropout",)
DECODER_KEYS = ("lstm", "bridge", "seq_len")  # a torch config's decoder: its nn.LSTM, bridge and own steps


def layer_kinds(framework: Framework) -> tuple[str, ...]:
    """The layers a head of `framework` may hold: the weighted ones, then the shape-preserving."""
    return tuple(framework.weighted) + PASSTHROUGH + framework.pooling


def section_keys(framework: Framework, data: tuple[Key, ...], extra: dict) -> dict[str, tuple[str, ...]]:
    """Each section of a `framework` config → the keys it holds ("" the top level; head: its
    layers; `extra`: the sections only this reader reads, a torch decoder), so a key written in
    the wrong one is told where it belongs (`batch_first` in data)."""
    return {"": TOP_LEVEL, "lstm": tuple(n for k in framework.keys for n in (k.name, *k.aliases)),
            "data": tuple(n for k in data for n in (k.name, *k.aliases)), "head": layer_kinds(framework),
            "expect": framework.expect_keys, **extra}


def foreign_name(reader: Reader, parts: tuple, name: Any, framework: Framework, known: tuple, key: bool = True) -> bool:
    """An LS004 naming this framework's word for another framework's tensor name (True if it was one)."""
    ours = framework.foreign_names.get(name) if isinstance(name, str) else None
    if ours is None:
        return False
    reader.problem(parts, UNKNOWN_KEY, f"unknown tensor '{name}' in a {framework.name} config: "
                   f"{framework.label} calls it {ours} (names here: {', '.join(known)})", key=key)
    return True


def read_head(reader: Reader, body: Any, framework: Framework) -> tuple[HeadLayer, ...] | None:
    """The `head` list: one HeadLayer per layer (None when any is invalid), in `framework`'s layers."""
    example = framework.example_layer
    if not isinstance(body, list):
        reader.problem(("head",), WRONG_STRUCTURE, f"'head' is {kind_of(body)}; expected a list of layers such as "
                       f"'- {example}'")
        return None
    weighted = framework.weighted
    kinds = layer_kinds(framework)
    plain = kinds[len(weighted):]
    layers, ok = [], True
    for index, item in enumerate(body):
        parts = ("head", index)
        if isinstance(item, str) and item in plain:
            layers.append(HeadLayer(item, parts=parts))
            continue
        if isinstance(item, str) and close_match(item, plain):
            reader.problem(parts, UNKNOWN_KEY, f"unknown layer '{item}' in head[{index}]; did you mean "
                           f"'{close_match(item, plain)[0]}'?")
            ok = False
            continue
        if not isinstance(item, dict) or len(item) != 1:
            reader.problem(parts, WRONG_STRUCTURE, f"head[{index}] is {kind_of(item)}; expected one layer, e.g. "
                           f"'{example}', 'relu' or 'dropout: 0.1'")
            ok = False
            continue
        (kind, spec), = item.items()
        if kind not in kinds and kind in framework.foreign_layers:
            reader.problem(parts + (kind,), UNKNOWN_KEY, f"unknown layer '{kind}' in head[{index}] of a {framework.name} "
                           f"config: {framework.label} calls it {framework.foreign_layers[kind]}", key=True)
            ok = False
            continue
        if kind not in kinds:
            reader.unknown_keys(parts, item, kinds, section=False)
            ok = False
            continue
        if kind == "dropout":
            ok = reader.check_value(parts + (kind,), Key("dropout", "fraction"), spec) is not INVALID and ok
            layers.append(HeadLayer(kind, parts=parts))
            continue
        if kind not in weighted:
            if spec is not None:
                reader.problem(parts + (kind,), WRONG_STRUCTURE, f"'{kind}' takes no settings; write '- {kind}'")
                ok = False
            layers.append(HeadLayer(kind, parts=parts))
            continue
        layer = read_weighted(reader, framework, index, kind, spec)
        ok = layer is not None and ok
        layers.append(layer)
    return tuple(layers) if ok else None


def read_weighted(reader: Reader, framework: Framework, index: int, kind: str, spec: Any) -> HeadLayer | None:
    """One feature-changing layer: torch's linear, Keras's dense, ONNX's gemm or matmul."""
    lparts = ("head", index, kind)
    sizes = framework.weighted[kind]
    if not isinstance(spec, dict):
        reader.problem(lparts, WRONG_STRUCTURE, f"head[{index}].{kind} is {kind_of(spec)}; expected a mapping "
                       f"with {' and '.join(name for name, _ in sizes)}")
        return None
    known = tuple(name for name, _ in sizes) + ("input",) + framework.head_layer_keys
    reader.unknown_keys(lparts, spec, known, section=False)
    ok = all(key in known for key in spec)
    values: dict = {}
    for name, required in sizes:
        if name not in spec:
            if required:
                reader.problem(lparts, MISSING_KEY, f"head[{index}].{kind} needs '{name}'")
                ok = False
            continue
        value = reader.check_value(lparts + (name,), Key(name, "positive_int"), spec[name])
        if value is INVALID:
            ok = False
        else:
            values[name] = value
    for flag in ("bias", "use_bias"):
        if flag in spec and reader.check_value(lparts + (flag,), Key(flag, "bool"), spec[flag]) is INVALID:
            ok = False
    if "activation" in spec and not isinstance(spec["activation"], str):
        reader.problem(lparts + ("activation",), WRONG_TYPE, f"activation is {kind_of(spec['activation'])}; "
                       "expected a Keras activation name such as relu")
        ok = False
    inputs = framework.head_inputs
    if "input" in spec:
        given = spec["input"]
        if index > 0:
            reader.problem(lparts + ("input",), OUT_OF_RANGE, f"head[{index}].{kind}.input: only head[0] chooses "
                           f"which LSTM tensor feeds it; head[{index}] is fed by head[{index - 1}]")
            ok = False
        elif given not in inputs:
            if not foreign_name(reader, lparts + ("input",), given, framework, inputs, key=False):
                reader.problem(lparts + ("input",), OUT_OF_RANGE, f"input must be one of {', '.join(inputs)}, "
                               f"got {given!r}")
            ok = False
        else:
            values["input"] = given
    for name in ("transpose", "reshape"):
        if name in spec:
            dims = read_dims(reader, lparts + (name,), spec[name], permutation=name == "transpose")
            ok = dims is not None and ok
            values[name] = dims
    in_features, out_features = values.get(framework.in_key), values.get(framework.out_key)  # Keras: input_dim optional
    if not ok:
        return None
    if "input" in values:  # written, not the default (a Keras Dense fed the sequence on purpose)
        reader.origins[("head", index, "input")] = lparts + ("input",)
    ops = tuple((name, values[name]) for name in ("transpose", "reshape") if name in values)
    return HeadLayer(kind, in_features, out_features, values.get("input", inputs[0]), ("head", index), ops)


def read_model(reader: Reader, data: dict, framework: Framework, blocks: int) -> tuple:
    """The head and expect sections in the framework's own names (empty when absent, None when
    invalid); for a stack of blocks, expect has one entry per block."""
    head = read_head(reader, data["head"], framework) if "head" in data else ()
    expect = read_expect(reader, data["expect"], blocks, framework) if "expect" in data else ()
    return head, expect


def read_dims(reader: Reader, parts: tuple, value: Any, permutation: bool) -> tuple | None:
    """A transpose `perm` (axes 0..7) or a reshape target (1 to 8 entries: a positive size, a
    symbol, 0 = copy that input dimension, -1 = inferred), as ONNX's Transpose and Reshape take them."""
    what = "a permutation of the axes such as [1, 0, 2]" if permutation else "a shape such as [N, -1] or [0, -1]"
    if not isinstance(value, list) or not value or len(value) > 8:
        reader.problem(parts, WRONG_STRUCTURE, f"{json_path(parts)[2:]} is {kind_of(value)}; expected {what} "
                       "(1 to 8 entries)")
        return None
    dim = Key("dim", "dim")
    ok = True
    for i, size in enumerate(value):
        if isinstance(size, int) and not isinstance(size, bool) and (permutation and 0 <= size < 8
                                                                     or not permutation and size in (0, -1)):
            continue
        if permutation:
            reader.problem(parts + (i,), OUT_OF_RANGE if isinstance(size, int) else WRONG_TYPE,
                           f"{json_path(parts + (i,))[2:]} must be an axis 0..7, got {size!r}")
            ok = False
            continue
        ok = reader.check_value(parts + (i,), dim, size, json_path(parts + (i,))[2:]) is not INVALID and ok
    return tuple(value) if ok else None


def read_expect(reader: Reader, body: Any, blocks: int, framework: Framework) -> tuple[dict, ...] | None:
    """One mapping tensor name → shape per block, in `framework`'s tensor names; reader.origins
    gets ("expect", k, name) → parts. `target` (any block's entry) is the loss's targets."""
    names = framework.expect_keys
    if blocks > 1:
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
                           f"tensor → shape, e.g. '{names[1]}: [32, 5, 40]' ({', '.join(names)})")
            ok = False
            continue
        foreign = {key for key in item if key not in names and foreign_name(reader, parts + (key,), key, framework,
                                                                              names)}
        reader.unknown_keys(parts, {key: v for key, v in item.items() if key not in foreign}, names)
        ok = ok and all(key in names for key in item)
        for name in names:
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
            reader.unknown_keys(at, item, allowed, section=False)
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
    reader.unknown_keys(parts, spec, known, section=False)
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
