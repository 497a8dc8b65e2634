"""A JSON Schema (draft 2020-12) of the config format, built from the reader's own key tables
(`lstmshape.read`: names, aliases, kinds, required keys, the docs on each key), so that an editor
running yaml-language-server gives completion, hover docs and squiggles that agree with
`lstmshape check`. `lstmshape schema` prints it; lstmshape/schema/lstmshape.schema.json is the
same text, shipped in the package (tests/schema/test___init__.py keeps the two equal).

What a schema cannot say, and `lstmshape check` still does: cross-field rules (proj_size <
hidden_size, a stack's `expect` has one entry per block, a setting of another cell, ...), the
value an interpolation (`${a.b}`, `!ref <a>`) resolves to, and the difference between 20 and
20.0 (one number to JSON Schema; the reader refuses 20.0 where an integer is needed).
"""

from __future__ import annotations

import json

from ..read import MAX_BLOCKS
from ..frameworks import DEFAULT, FRAMEWORKS, TORCH, of
from ..frameworks.base import TARGET
from ..read.data import DATA_KEYS
from ..read.head import BRIDGE_STEPS, DECODER_KEYS, JOIN_STEPS, layer_kinds
from ..read.values import MAX_SIZE
from ..settings import KERAS_ACTIVATIONS, MAX_STATE, NO_STATE, NONLINEARITIES, STATE_NAMES, Key

SHIPPED = "lstmshape.schema.json"  # beside this module
# data.state written as a tuple in text, as the reader splits it: (h0, c0), [h0, c0], h0, c0, (h0,)
STATE_NAME = r"\s*(?:" + "|".join(sorted(STATE_NAMES)) + r")\s*"
STATE_LIST = STATE_NAME + r"(?:," + STATE_NAME + r"){0,%d},?" % (MAX_STATE - 1)
STATE_TEXT = rf"^(?:\s*\({STATE_LIST}\)\s*|\s*\[{STATE_LIST}\]\s*|(?=.*,){STATE_LIST})$"
MAX_DIMS = 8  # an expected shape, a transpose or a reshape: 1 to 8 entries (read.head)

# A value the reader resolves before it checks it: an interpolation (`${a.b}`), Hydra's `???`, or
# the text of a HyperPyYAML `!ref <a>` (an editor shows a tagged scalar as its text).
RESOLVED = {"type": "string", "pattern": r"\$\{|^\?\?\?$|<[^<>]+>",
            "description": "An interpolation (${a.b}), !ref <a> or ???: lstmshape checks the value it resolves to."}
# PyYAML reads YAML 1.1, where these are booleans too; an editor reads YAML 1.2, where they are text
# (true/false are booleans in both: quoted, they are text in both).
YAML11_TRUE = ("yes", "Yes", "YES", "on", "On", "ON")
YAML11_FALSE = ("no", "No", "NO", "off", "Off", "OFF")
SIZE = {"type": "integer", "minimum": 1, "maximum": MAX_SIZE}
SYMBOL = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}


def boolean(only: bool | None = None) -> dict:
    """true/false (or only one of them), and the YAML 1.1 words PyYAML reads as them (`yes`, `off`)."""
    words = [*(YAML11_TRUE if only in (None, True) else ()), *(YAML11_FALSE if only in (None, False) else ())]
    plain = {"type": "boolean"} if only is None else {"const": only}
    return {"anyOf": [plain, {"enum": words}]}


def any_case(names) -> dict:
    """One of `names` in any letter case (the reader lowers the value first): the lower-case and
    upper-case spellings listed for completion, any other case by pattern."""
    spelt = "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in n) for n in names)
    return {"anyOf": [{"enum": sorted({*names, *(n.upper() for n in names)})}, {"type": "string",
                                                                                  "pattern": f"^({spelt})$"}]}


def choices(framework: str, name: str) -> dict:
    """A `choice` key's values, as the reader takes them."""
    if name == "cell":
        return any_case(of(framework).cell_names)
    if name == "nonlinearity":
        return any_case(NONLINEARITIES)
    return {"enum": list(of(framework).choices[name])}


def kind_schema(kind: str, framework: str = DEFAULT.name, name: str = "") -> dict:
    """The JSON Schema of one kind of value (lstmshape.read.values.classify), as it reads it."""
    if kind == "positive_int":
        return dict(SIZE)
    if kind == "nonneg_int":
        return {"type": "integer", "minimum": 0, "maximum": MAX_SIZE}
    if kind == "directions":
        return {"enum": [1, 2]}
    if kind == "bool":
        return boolean()
    if kind == "fraction":
        return {"type": "number", "minimum": 0, "maximum": 1}
    if kind == "rate":
        return {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
    if kind == "dim":
        return {"anyOf": [dict(SIZE), SYMBOL]}
    if kind == "lengths":
        return {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1}}
    if kind == "state":
        names = sorted(STATE_NAMES)
        return {"anyOf": [{"type": "null"}, {"enum": [NO_STATE, *names]},
                          {"type": "array", "minItems": 1, "maxItems": MAX_STATE, "items": {"enum": names}},
                          {"type": "string", "pattern": STATE_TEXT}]}
    if kind == "input_shape":
        return {"type": "array", "items": {"anyOf": [dict(SIZE), {"type": "null"}]}}
    if kind == "activation":
        return {"enum": [*KERAS_ACTIVATIONS, None]} if of(framework).input_shape_keys else \
            {"type": ["string", "null"]}  # a Keras section: Keras's own names
    if kind == "choice":
        return choices(framework, name)
    raise ValueError(f"no JSON Schema for the kind {kind!r}")  # a kind added to classify: give it one here


def value(kind: str, doc: str) -> dict:
    """A value of `kind` (a $defs entry: interpolations allowed), with its doc."""
    return {"$ref": f"#/$defs/{kind}", "description": doc}


def kind_name(key: Key, framework: str) -> str:
    """The $defs entry of a key's kind (a choice's values are the key's own)."""
    return f"{framework}.{key.name}" if key.kind == "choice" else key.kind


def kind_defs() -> dict:
    """$defs: each kind (and each choice key's values) once, interpolations allowed."""
    tables = [(DEFAULT.keys, DEFAULT.name), (DATA_KEYS, DEFAULT.name),
              *((f.keys, f.name) for f in FRAMEWORKS.values() if f is not DEFAULT)]
    found = {kind_name(k, f): kind_schema(k.kind, f, k.name) for keys, f in tables for k in keys}
    found.update({k: kind_schema(k) for k in ("positive_int", "fraction", "bool", "dim")})
    return {name: {"anyOf": [schema, {"$ref": "#/$defs/resolved"}]} for name, schema in sorted(found.items())}


def key_properties(keys: tuple[Key, ...], framework: str, overrides: dict | None = None) -> dict:
    """Each key and each alias of a table → its kind, with the key's doc."""
    out = {}
    for key in keys:
        schema = (overrides or {}).get(key.name) or {"$ref": f"#/$defs/{kind_name(key, framework)}"}
        out[key.name] = {**schema, "description": key.doc}
        for alias in key.aliases:
            out[alias] = {**schema, "description": f"Alias of {key.name}: {key.doc}"}
    return out


def required(keys: tuple[Key, ...], skip: tuple[str, ...] = (), also: dict | None = None) -> list:
    """`allOf` parts: each required key, by its name or any alias (or, per `also`, another key
    that stands for it: total_hidden_size for hidden_size)."""
    parts = []
    for key in keys:
        if not key.required or key.name in skip:
            continue
        names = (key.name, *key.aliases, *(also or {}).get(key.name, ()))
        parts.append({"anyOf": [{"required": [n]} for n in names]})
    return parts


def section(properties: dict, doc: str, parts: list | None = None) -> dict:
    """A mapping of settings with no other keys (an unknown key is LS004)."""
    out = {"type": "object", "description": doc, "properties": properties, "additionalProperties": False}
    return {**out, "allOf": parts} if parts else out


def torch_block(first: bool, joined: bool) -> dict:
    """torch.nn.LSTM's arguments: `lstm` itself, a block of a stack, or a decoder's."""
    totals = {"hidden_size": ("total_hidden_size",)}
    skip = () if first else ("input_size",)
    properties = key_properties(TORCH.keys, TORCH.name)
    doc = TORCH.section_doc if first else "A later block of the stack (input_size defaults "\
        "to what the block before hands on)."
    if joined:
        properties["join"] = {"description": "What sits between the block before and this one: a step (sum, "
                              "linear: {...}, an activation, dropout) or a list of them.",
                              "$ref": "#/$defs/join"}
    return section(properties, doc, required(TORCH.keys, skip, totals))


def framework_block(framework: str, first: bool) -> dict:
    """keras.layers.LSTM's arguments or the ONNX LSTM node's attributes, for `lstm` or a block."""
    fw = of(framework)
    keys = fw.keys
    skip = () if first else (fw.input_key,)
    parts = required(keys, skip)
    if fw.input_shape_keys and first:  # Keras: input_dim may come from a declared input shape
        parts = [{"anyOf": [p, *({"required": [k]} for k in fw.input_shape_keys)]} if p["anyOf"][0]["required"] ==
                 [fw.input_key] else p for p in parts]
    title = fw.section_doc
    return section(key_properties(keys, framework), title if first else f"A later block: {title}", parts)


def block_defs(framework: str) -> dict:
    """$defs: `lstm` (or a stack's first block) and a later block of a stack."""
    if of(framework).reads_around:  # torch's blocks: joins between them
        return {f"{framework}.lstm": torch_block(True, False), f"{framework}.block": torch_block(False, True)}
    return {f"{framework}.lstm": framework_block(framework, True),
            f"{framework}.block": framework_block(framework, False)}


def lstm_section(framework: str) -> dict:
    """`lstm`: one mapping, or a stack given as a list of blocks."""
    first, later = {"$ref": f"#/$defs/{framework}.lstm"}, {"$ref": f"#/$defs/{framework}.block"}
    stack = {"type": "array", "minItems": 1, "maxItems": MAX_BLOCKS, "prefixItems": [first], "items": later,
             "description": "A stack: one block after another, each block's input the output of the one before."}
    return {"description": "The LSTM (GRU, RNN): one mapping of its settings, or a list of blocks for a stack.",
            "anyOf": [first, stack]}


def data_section(framework: str) -> dict:
    """`data`: the input the LSTM is called with (keras and onnx: no torch-only keys, always batched)."""
    fw = of(framework)
    torch_only = tuple(k.split(".")[1] for k in fw.unchecked if k.startswith("data."))
    keys = tuple(k for k in DATA_KEYS if k.name not in torch_only)
    overrides = {} if fw.takes_unbatched else {"unbatched": {"anyOf": [boolean(False), {"$ref": "#/$defs/resolved"}]}}
    return section(key_properties(keys, framework, overrides), "The input the LSTM is called with.")


def dims(entry: dict, doc: str) -> dict:
    return {"type": "array", "minItems": 1, "maxItems": MAX_DIMS, "items": entry, "description": doc}


def shape() -> dict:
    """An expected shape, as `expect` gives it."""
    return dims(value("dim", "A positive integer or a symbol such as N."),
                "A shape: 1 to 8 dimensions, each an integer or a symbol, e.g. [32, 5, 40] or [N, L, 40].")


def expect_section(framework: str) -> dict:
    """`expect`: the shapes the surrounding code assumes, per tensor (a list for a stack)."""
    names = of(framework).expect_keys
    one = {"type": "object", "additionalProperties": False,
           "description": "Tensor name → the shape the code expects.",
           "properties": {n: value("shape", f"The shape the code expects of {n}." if n != TARGET else
                                   "The shape of the targets the loss gets, held against the head's final output.")
                          for n in names}}
    return {"description": f"Shapes the surrounding code assumes: {', '.join(names)}; for a stack a list with one "
                           "mapping (or null) per block.",
            "anyOf": [one, {"type": "null"}, {"type": "array", "items": {"anyOf": [one, {"type": "null"}]}}]}


# A stack of two blocks or more has a list of expectations (one per block: a count the schema cannot
# compare); one LSTM has one mapping, or a list of exactly one.
EXPECT_BY_LSTM = {"if": {"required": ["lstm"], "properties": {"lstm": {"type": "array", "minItems": 2}}},
                  "then": {"properties": {"expect": {"type": "array", "minItems": 2}}},
                  "else": {"properties": {"expect": {"if": {"type": "array"}, "then": {"minItems": 1, "maxItems": 1}}}}}


def weighted_spec(framework: str, kind: str, first: bool) -> dict:
    """A feature-changing head layer's settings: linear, dense, gemm, matmul."""
    fw = of(framework)
    sizes = fw.weighted[kind]
    properties = {name: value("positive_int", f"{kind}'s {name}" + ("" if needed else " (optional)"))
                  for name, needed in sizes}
    for key in fw.head_layer_keys:
        if key in ("bias", "use_bias"):
            properties[key] = value("bool", "Whether the layer has a bias.")
    if first:
        properties["input"] = {"enum": list(fw.head_inputs),
                               "description": "Which LSTM tensor feeds the head (head[0] only)."}
    if "activation" in fw.head_layer_keys:
        properties["activation"] = {"type": "string", "description": "A Keras activation name such as relu."}
    if "transpose" in fw.head_layer_keys:
        properties["transpose"] = dims({"type": "integer", "minimum": 0, "maximum": MAX_DIMS - 1},
                                       "A Transpose before the layer: a permutation of the axes, e.g. [1, 0, 2].")
        properties["reshape"] = dims({"anyOf": [{"enum": [0, -1]}, kind_schema("dim"), {"$ref": "#/$defs/resolved"}]},
                                     "A Reshape before the layer: sizes, symbols, 0 (copy) or -1 (inferred).")
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [name for name, needed in sizes if needed], "description": f"The {kind} layer's settings."}


def head_layer(framework: str, first: bool) -> dict:
    """One head layer: a shape-preserving one by name, or a one-key mapping."""
    weighted = of(framework).weighted
    plain = layer_kinds(of(framework))[len(weighted):]
    named = {"enum": list(plain), "description": "A layer that keeps the shape."}
    properties = {kind: weighted_spec(framework, kind, first) for kind in weighted}
    properties.update({k: {"type": "null", "description": "A layer that keeps the shape."} for k in plain})
    properties["dropout"] = value("fraction", "Dropout with this probability.")
    return {"anyOf": [named, {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": properties,
                              "additionalProperties": False}]}


def head_section(framework: str) -> dict:
    return {"type": "array", "prefixItems": [{"$ref": f"#/$defs/{framework}.head_first"}],
            "items": {"$ref": f"#/$defs/{framework}.head_layer"},
            "description": "The layers fed by the (last) LSTM, in order."}


def steps(allowed: tuple[str, ...], doc: str) -> dict:
    """A join or bridge: one step or a list of them."""
    linear = {"type": "object", "additionalProperties": False, "required": ["out_features"],
              "properties": {"in_features": value("positive_int", "Features in (default: what reaches it)."),
                             "out_features": value("positive_int", "Features out."),
                             "bias": value("bool", "Whether the Linear has a bias.")}}
    properties = {k: {"type": "null", "description": f"A {k} step (no settings)."} for k in allowed
                  if k not in ("linear", "dropout")}
    properties.update(linear={**linear, "description": "A Linear: out_features (and in_features)."},
                      dropout=value("fraction", "Dropout with this probability."))
    step = {"anyOf": [{"enum": list(allowed)},
                      {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": properties,
                       "additionalProperties": False}]}
    return {"description": doc, "anyOf": [step, {"type": "array", "minItems": 1, "items": step}]}


def decoder_section() -> dict:
    docs = {"lstm": "The decoder's nn.LSTM arguments (input_size is its own: the target embeddings).",
            "bridge": "What the code does to the encoder's (hn, cn) first: concat, sum, linear: {...}, tanh, "
                      "or a list of these in order; omitted: passed as they are.",
            "seq_len": "The decoder's own steps (target length); default T."}
    schemas = {"lstm": {"$ref": "#/$defs/torch.lstm"}, "bridge": {"$ref": "#/$defs/bridge"},
               "seq_len": {"$ref": "#/$defs/dim"}}
    properties = {key: {**schemas[key], "description": docs[key]} for key in DECODER_KEYS}
    return {**section(properties, "A seq2seq decoder LSTM whose initial state is the encoder's final one."),
            "required": ["lstm"]}


TOP_DOCS = {
    "framework": "Which framework's LSTM the settings are for: torch (default), keras or onnx.",
    "lstm": "The LSTM (GRU, RNN): one mapping of its settings, or a list of blocks for a stack.",
    "data": "The input the LSTM is called with: batch_size, seq_len, lengths, ...",
    "head": "The layers fed by the (last) LSTM, in order.",
    "expect": "Shapes the surrounding code assumes, per tensor.",
    "decoder": "A seq2seq decoder LSTM (torch configs) whose initial state is the encoder's final one.",
}


def variant(framework: str) -> dict:
    """The whole config of one framework."""
    properties = {"framework": {"enum": [framework], "description": TOP_DOCS["framework"]},
                  "lstm": lstm_section(framework), "data": data_section(framework),
                  "head": head_section(framework), "expect": expect_section(framework)}
    if "decoder" not in of(framework).unchecked:
        properties["decoder"] = decoder_section()
    return {"type": "object", "properties": properties, "additionalProperties": False, "allOf": [EXPECT_BY_LSTM]}


def build() -> dict:
    """The schema, as a dict: the top-level keys, then each framework's whole config by `framework`."""
    others = [f for f in FRAMEWORKS if of(f) is not DEFAULT]
    by_framework = [{"if": {"required": ["framework"], "properties": {"framework": {"const": f}}},
                     "then": {"$ref": f"#/$defs/{f}"}} for f in others]
    by_framework.append({"if": {"required": ["framework"], "properties": {"framework": {"enum": others}}},
                         "else": {"$ref": f"#/$defs/{DEFAULT.name}"}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "lstmshape config",
        "description": "A config of lstmshape: an LSTM's (GRU's, RNN's) settings and the model around it. Generated by "
                       "`lstmshape schema` from the reader's key tables.",
        "type": "object",
        "properties": {**{k: {"description": doc} for k, doc in TOP_DOCS.items()},
                       "framework": {"enum": list(FRAMEWORKS), "description": TOP_DOCS["framework"]}},
        "required": ["lstm"],
        "allOf": by_framework,
        "$defs": {**{f: variant(f) for f in FRAMEWORKS}, **kind_defs(), "resolved": RESOLVED, "shape": shape(),
                  **{k: v for f in FRAMEWORKS for k, v in block_defs(f).items()},
                  **{f"{f}.head_first": head_layer(f, True) for f in FRAMEWORKS},
                  **{f"{f}.head_layer": head_layer(f, False) for f in FRAMEWORKS},
                  "join": steps(JOIN_STEPS, "What sits between two blocks of a stack."),
                  "bridge": steps(BRIDGE_STEPS, "The bridge from the encoder's final state to the decoder's.")},
    }


def text() -> str:
    """The schema as `lstmshape schema` prints it and the package ships it."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def shipped_text() -> str:
    """The schema file shipped in the package."""
    from importlib.resources import files

    return files(__name__).joinpath(SHIPPED).read_text(encoding="utf-8")


__all__ = ["build", "shipped_text", "text"]
