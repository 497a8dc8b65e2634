"""The YAML config → frozen dataclasses, with every problem found at once and placed exactly.

Validation mirrors torch.nn.LSTM's constructor and goes further: PyTorch accepts
`hidden_size=20.0` until deep inside cuDNN, we say at line and column that it is not an integer.
Aliases cover the names people actually use for the same quantity; an alias given together with
its canonical key must agree with it.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Union

from .problems import ERROR, Problem, json_path
from .yamlload import YamlDoc, YamlError, load_yaml, parse_yaml

Dim = Union[int, str]  # a concrete size, or a symbol such as "N"

# Every problem has a stable code; each code is documented by its module in lstmshape/rules/.

SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class LSTMConfig:
    """The constructor arguments of torch.nn.LSTM."""

    input_size: int
    hidden_size: int
    num_layers: int = 1
    bidirectional: bool = False
    batch_first: bool = False
    proj_size: int = 0
    bias: bool = True
    dropout: float = 0.0

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        """Features of h (and of each direction's output): proj_size when projecting."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size


@dataclass(frozen=True)
class DataConfig:
    """The input the LSTM is called with. Omitted sizes stay symbolic."""

    batch_size: Dim = "N"
    seq_len: Dim = "L"
    unbatched: bool = False
    # a variable-length (packed) batch: one length per sequence; None when every sequence is seq_len
    lengths: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Config:
    path: str
    lstm: LSTMConfig
    data: DataConfig = DataConfig()
    # where each setting was written: ("lstm", "hidden_size") → its path in the document
    origins: dict = field(default_factory=dict, compare=False, repr=False)
    source: YamlDoc | None = field(default=None, compare=False, repr=False)
    # torch, keras or onnx: which framework's settings `lstm` holds (see lstmshape.frameworks)
    framework: str = "torch"
    # `lstm` given as a list: every block of the stack, in order (`lstm` is blocks[0]); a single
    # LSTM has blocks == (lstm,). head: layers fed by the last block; expect: per block, the
    # shapes the surrounding code assumes (see lstmshape.surround)
    blocks: tuple = ()
    head: tuple = ()
    expect: tuple = ()

    @property
    def stack(self) -> tuple[LSTMConfig, ...]:
        return self.blocks or (self.lstm,)


class ConfigError(Exception):
    """The config has errors; `problems` lists all of them (and any warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(f"{p.file}:{p.line}:{p.column}: {p.severity}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Key:
    """One config key: its canonical name, the aliases people use for it, and its kind."""

    name: str
    kind: str  # positive_int | nonneg_int | bool | fraction | dim | directions
    aliases: tuple[str, ...] = ()
    required: bool = False


LSTM_KEYS = (
    Key("input_size", "positive_int", ("feature_size", "num_features", "input_dim"), required=True),
    Key("hidden_size", "positive_int", ("num_units", "hidden_dim"), required=True),
    Key("num_layers", "positive_int", ("hidden_num_layers", "n_layers")),
    Key("bidirectional", "bool"),
    Key("num_directions", "directions"),
    Key("batch_first", "bool"),
    Key("proj_size", "nonneg_int"),
    Key("bias", "bool"),
    Key("dropout", "fraction"),
)
DATA_KEYS = (
    Key("batch_size", "dim"),
    Key("seq_len", "dim", ("time_step", "time_steps", "timesteps", "sequence_length", "seq_length", "num_frames")),
    Key("unbatched", "bool"),
    Key("lengths", "lengths"),
)
SECTIONS = {"lstm": LSTM_KEYS, "data": DATA_KEYS}
MODEL_SECTIONS = ("head", "expect")  # the model around the LSTM: lstmshape/surround.py


def load_config(path: str | os.PathLike) -> Config:
    """Read a config file; raise `ConfigError` listing every error (library entry point)."""
    config, problems = read_config(path)
    if config is None:
        raise ConfigError(problems)
    return config


def read_config(path: str | os.PathLike) -> tuple[Config | None, list[Problem]]:
    """Read a config file: the config (None if it has errors) and every problem found."""
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        return None, [exc.problem]
    return parse_config(doc)


def parse_text(text: str | bytes, name: str = "<string>") -> tuple[Config | None, list[Problem]]:
    try:
        doc = parse_yaml(text, name)
    except YamlError as exc:
        return None, [exc.problem]
    return parse_config(doc)


def parse_config(doc: YamlDoc) -> tuple[Config | None, list[Problem]]:
    reader = _Reader(doc)
    config = reader.config()
    # the rules read torch settings; keras/onnx configs are checked in lstmshape.frameworks
    if config is not None and config.framework == "torch" and not any(p.is_error for p in reader.problems):
        from .rules import config_stage_problems  # LS009: a documented rule, reported on reading

        reader.problems += config_stage_problems(config)
    problems = sorted(reader.problems, key=lambda p: (p.line, p.column))
    if any(p.is_error for p in problems):
        return None, problems
    return config, problems


class _Reader:
    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.problems: list[Problem] = []
        self.origins: dict = {}

    def problem(self, parts: tuple, code: str, message: str, severity: str = ERROR, key: bool = False) -> None:
        line, col = self.doc.mark(parts, key=key)
        self.problems.append(Problem(self.doc.path, line, col, code, severity, message, json_path(parts)))

    def config(self) -> Config | None:
        data = self.doc.data
        if not isinstance(data, dict):
            self.problem((), "LS003", f"top level is {_kind(data)}; expected a mapping with an 'lstm' section")
            return None
        self.unknown_keys((), data, tuple(SECTIONS) + ("framework",) + MODEL_SECTIONS)
        if data.get("framework", "torch") != "torch":
            from .frameworks import read_framework_config

            return read_framework_config(self, data)
        if "lstm" not in data:
            self.problem((), "LS005", "missing section 'lstm' (input_size, hidden_size, ...)")
            return None
        if isinstance(data["lstm"], list):
            return self.stack(data)
        lstm = self.section("lstm", data)
        values = self.section("data", data) if "data" in data else {}
        head, expect = self.surroundings(data, 1, False)
        if lstm is None or values is None:
            return None
        bidirectional = self.directions(lstm)
        self.cross_checks(lstm)
        if bidirectional is None or "input_size" not in lstm or "hidden_size" not in lstm:
            return None
        if head is None or expect is None:
            return None
        return Config(self.doc.path, LSTMConfig(**lstm), data_config(values), self.origins, self.doc,
                      head=head, expect=expect)

    def stack(self, data: dict) -> Config | None:
        """`lstm` as a list of blocks: block k+1's input_size defaults to block k's output features."""
        body = data["lstm"]
        if not body:
            self.problem(("lstm",), "LS003", "'lstm' is an empty list; expected one block (a mapping) or more")
            return None
        blocks = [self.section("lstm", data, index=k) for k in range(len(body))]
        values = self.section("data", data) if "data" in data else {}
        head, expect = self.surroundings(data, len(body), True)
        built: list[LSTMConfig] = []
        for k, lstm in enumerate(blocks):
            self.origins[("lstm", k)] = ("lstm", k)
            if lstm is None:
                continue
            bidirectional = self.directions(lstm, ("lstm", k))
            self.cross_checks(lstm, ("lstm", k))
            if k > 0 and "input_size" not in lstm and len(built) == k:
                lstm["input_size"] = built[-1].num_directions * built[-1].h_out
            if bidirectional is not None and "input_size" in lstm and "hidden_size" in lstm and len(built) == k:
                built.append(LSTMConfig(**lstm))
        if len(built) != len(blocks) or values is None or head is None or expect is None:
            return None
        return Config(self.doc.path, built[0], data_config(values), self.origins, self.doc,
                      blocks=tuple(built), head=head, expect=expect)

    def surroundings(self, data: dict, blocks: int, stacked: bool) -> tuple:
        """The head and expect sections (empty when absent, None when invalid)."""
        from .surround import parse_expect, parse_head

        head = parse_head(self, data["head"]) if "head" in data else ()
        expect = parse_expect(self, data["expect"], blocks, stacked) if "expect" in data else ()
        return head, expect
    def section(self, name: str, data: dict, keys: tuple[Key, ...] | None = None,
                index: int | None = None) -> dict | None:
        """Canonical name → value for one section, with aliases folded in and types checked
        (against `keys`, default the torch table SECTIONS[name]); `index`: block `index` of a
        stack given as a list (whose blocks after the first may omit input_size)."""
        parts = (name,) if index is None else (name, index)
        body = data[name] if index is None else data[name][index]
        where = json_path(parts)[2:]
        if not isinstance(body, dict):
            self.problem(parts, "LS003", f"'{where}' is {_kind(body)}; expected a mapping of settings")
            return None
        keys = keys if keys is not None else SECTIONS[name]
        self.unknown_keys(parts, body, tuple(n for k in keys for n in (k.name, *k.aliases)))
        out: dict = {}
        for key in keys:
            given = [n for n in (key.name, *key.aliases) if n in body]
            if not given:
                if key.required and not (index and key.name == "input_size"):
                    also = f" (or {', '.join(key.aliases)})" if key.aliases else ""
                    self.problem(parts, "LS005", f"'{where}' needs '{key.name}'{also}", key=True)
                continue
            ok = True
            for alias in given:
                value = self.check_value(parts + (alias,), key, body[alias])
                ok = ok and value is not _BAD
            if not ok:
                continue
            first = given[0]
            for alias in given[1:]:
                if body[alias] != body[first] or type(body[alias]) is not type(body[first]):
                    line, col = self.doc.mark(parts + (first,))
                    self.problem(
                        parts + (alias,), "LS006",
                        f"'{alias}' is {body[alias]!r} but '{first}' (line {line}, column {col}) is "
                        f"{body[first]!r}; they name the same setting ({key.name})",
                    )
                    ok = False
            if ok:
                out[key.name] = body[first]
                self.origins[parts + (key.name,)] = parts + (first,)
                if index == 0:
                    self.origins[(name, key.name)] = parts + (first,)
        return out

    def unknown_keys(self, parts: tuple, body: dict, known: tuple[str, ...]) -> None:
        for key in body:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
                where = f"in '{json_path(parts)[2:]}'" if parts else "at top level"
                self.problem(parts + (key,), "LS004", f"unknown key '{key}' {where}{hint}", key=True)

    def check_value(self, parts: tuple, key: Key, value: Any) -> Any:
        name = parts[-1]
        for message in _type_errors(key.kind, value):
            code = "LS008" if message.startswith(("must be", "is too large")) else "LS007"
            self.problem(parts, code, f"{name} {message}, got {_show(value)}")
            return _BAD
        return value

    def directions(self, lstm: dict, at: tuple = ("lstm",)) -> bool | None:
        """Fold num_directions into bidirectional; None when the two disagree."""
        if "num_directions" not in lstm:
            return lstm.get("bidirectional", False)
        from_directions = lstm.pop("num_directions") == 2
        if "bidirectional" in lstm and lstm["bidirectional"] != from_directions:
            line, col = self.doc.mark(self.origins[at + ("bidirectional",)])
            self.problem(
                self.origins[at + ("num_directions",)], "LS006",
                f"num_directions is {2 if from_directions else 1} but bidirectional "
                f"(line {line}, column {col}) is {str(lstm['bidirectional']).lower()}",
            )
            return None
        lstm["bidirectional"] = from_directions
        self.origins.setdefault(at + ("bidirectional",), self.origins[at + ("num_directions",)])
        if at == ("lstm", 0):
            self.origins.setdefault(("lstm", "bidirectional"), self.origins[at + ("num_directions",)])
        return from_directions

    def cross_checks(self, lstm: dict, at: tuple = ("lstm",)) -> None:
        """Rules between settings, run on whichever of them are valid. (dropout with one layer,
        LS009, is a rule module: lstmshape/rules/ls009_dropout_single_layer.py.)"""
        hidden, proj = lstm.get("hidden_size"), lstm.get("proj_size", 0)
        if hidden is not None and proj >= hidden:
            self.problem(self.origins[at + ("proj_size",)], "LS008",
                         f"proj_size must be smaller than hidden_size ({hidden}), got {proj}; "
                         "torch.nn.LSTM refuses it")


_BAD = object()


MAX_SIZE = 10**100  # sizes stay exact integers; past a googol their products outgrow str()


def _type_errors(kind: str, value: Any) -> Iterator[str]:
    """Why `value` does not fit `kind` (nothing when it does)."""
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and kind in ("positive_int", "nonneg_int", "dim") and value > MAX_SIZE:
        yield "is too large: sizes up to 10**100 are accepted (they stay exact integers)"
    elif kind in ("positive_int", "nonneg_int", "directions"):
        if not is_int:
            yield "is not an integer"
        elif kind == "positive_int" and value < 1:
            yield "must be a positive integer"
        elif kind == "nonneg_int" and value < 0:
            yield "must be 0 or a positive integer"
        elif kind == "directions" and value not in (1, 2):
            yield "must be 1 or 2"
    elif kind == "bool":
        if not isinstance(value, bool):
            yield "is not a boolean (true or false)"
    elif kind == "fraction":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            yield "is not a number"
        elif not 0 <= value <= 1:
            yield "must be in [0, 1]"
    elif kind == "lengths":
        if not isinstance(value, list) or not value:
            yield "is not a non-empty list of sequence lengths such as [5, 3, 2]"
        elif not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
            yield "is not a list of integers"
        elif min(value) < 1:
            yield "must be a list of positive integers"
    elif kind == "dim":
        if isinstance(value, str):
            if not SYMBOL.match(value):
                yield "is not a positive integer or a symbol name such as B"
        elif not is_int:
            yield "is not a positive integer or a symbol name such as B"
        elif value < 1:
            yield "must be a positive integer"


def data_config(values: dict) -> DataConfig:
    """The checked `data` section as a DataConfig (lengths as a tuple: the config stays hashable)."""
    if "lengths" in values:
        values = {**values, "lengths": tuple(values["lengths"])}
    return DataConfig(**values)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a scalar ({_show(value)})"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if value is None:
        return "null"
    if isinstance(value, int) and abs(value) > 10**12:
        return f"a {len(str(abs(value)))}-digit number"
    return repr(value)
