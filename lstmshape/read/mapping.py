"""Reading a config lstmshape did not write: `--from TARGET=PATH` and `--set TARGET=VALUE` (or a
[tool.lstmshape] group) turn the user's own document into the `lstm` / `data` / `framework`
sections the readers read, and every value keeps where it was written, so each problem points at
the user's file:line:col (or at the `--set` option or pyproject.toml line it came from).

TARGET is `lstm`, `data` (a whole section: the keys lstmshape knows are taken, the others are the
project's business), `lstm.KEY`, `data.KEY` (one value, under any name lstmshape accepts there) or
`framework`. PATH is a dot-separated key path from the document root; integers index lists, `.`
is the root. When a mapping applies, nothing else in the file is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..codes import MAPPING_PATH
from ..problems import ERROR, Problem, json_path
from ..registry import resolve as registered
from ..yamlload import Tagged, YamlDoc, YamlError, parse_yaml
from .data import DATA_KEYS
from .reader import suggest
from .torch import LSTM_KEYS
from .values import kind_of

FRAMEWORK_KEYS = "lstmshape.read.frameworks:KEYS"  # keras and onnx names, loaded for their TARGETs only
SECTIONS = ("lstm", "data")


class MappingError(Exception):
    """A mapping that cannot apply to any file (an unknown TARGET, a malformed option): a usage error."""


@dataclass(frozen=True)
class Source:
    """Where a mapping, or a value given outside the file, was written: `--set lstm.input_size=80`
    (file `--set`, line = which --set, column of the value) or a pyproject.toml line."""

    file: str
    line: int
    column: int
    text: str  # how a message names it: `--from lstm=model.encoder`, `pyproject.toml:14:8`


@dataclass(frozen=True)
class Entry:
    """One mapping: TARGET from a PATH in the file (`path` is a tuple), or set to `value`."""

    target: str
    source: Source
    path: tuple | None = None
    value: Any = None


def names(section: str, framework: str | None = None) -> dict[str, str]:
    """Every name lstmshape accepts in `section` (all frameworks' unless one is given) → its canonical name."""
    if section == "data":
        groups = [DATA_KEYS]
    else:
        groups = [LSTM_KEYS] if framework in (None, "torch") else []
        if framework != "torch":
            others = registered(FRAMEWORK_KEYS)
            groups += [others[framework]] if framework in others else list(others.values())
    return {n: key.name for keys in groups for key in keys for n in (key.name, *key.aliases)}


def check_target(target: str, where: str) -> None:
    section, _, key = target.partition(".")
    if target == "framework" or (section in SECTIONS and not key):
        return
    if section in SECTIONS and key and "." not in key:
        if key in names(section, "torch"):
            return
        known = names(section)
        if key in known:
            return
        close = suggest(key, tuple(known))
        hint = f"; did you mean '{section}.{close}'?" if close else ""
        raise MappingError(f"{where}: '{section}' has no setting '{key}'{hint}")
    raise MappingError(f"{where}: unknown TARGET '{target}': expected lstm, data, framework, lstm.KEY or data.KEY")


def parse_path(text: str, where: str) -> tuple:
    """`model.encoder` → ("model", "encoder"); `layers.0` → ("layers", 0); `.` → ()."""
    text = text.strip()
    if text == ".":
        return ()
    parts = text.split(".")
    if not text or any(not p for p in parts):
        raise MappingError(f"{where}: PATH {text!r} is not a dot-separated key path (use '.' for the root)")
    return tuple(int(p) if p.isdigit() else p for p in parts)


def from_option(text: str, index: int = 1) -> Entry:
    """`--from TARGET=PATH` as given on the command line."""
    where = f"--from {text}"
    target, eq, path = text.partition("=")
    if not eq:
        raise MappingError(f"{where}: expected TARGET=PATH, e.g. --from lstm=model.encoder")
    check_target(target.strip(), where)
    return Entry(target.strip(), Source("--from", index, len(target) + 2, where), parse_path(path, where))


def set_option(text: str, index: int = 1) -> Entry:
    """`--set TARGET=VALUE` as given on the command line; VALUE is read as a YAML scalar."""
    where = f"--set {text}"
    target, eq, raw = text.partition("=")
    if not eq:
        raise MappingError(f"{where}: expected TARGET=VALUE, e.g. --set lstm.input_size=80")
    check_target(target.strip(), where)
    if target.strip() in SECTIONS:
        raise MappingError(f"{where}: --set gives one value: use {target.strip()}.KEY=VALUE")
    return Entry(target.strip(), Source("--set", index, len(target) + 2, where), value=scalar(raw, where))


def scalar(raw: str, where: str) -> Any:
    try:
        value = parse_yaml(raw or "null", where).data
    except YamlError as exc:
        raise MappingError(f"{where}: VALUE is not a YAML scalar: {exc.problem.message}") from None
    if isinstance(value, (dict, list, Tagged)):
        raise MappingError(f"{where}: VALUE must be a single scalar (a number, true/false or a name), got {kind_of(value)}")
    return value


@dataclass(frozen=True)
class MappedDoc(YamlDoc):
    """The sections a mapping built (`data`), each value linked to where it was written: a path
    in `original` (`links`) or a Source outside the file (`given`)."""

    original: YamlDoc | None = field(default=None, repr=False)
    links: dict = field(default_factory=dict, repr=False)  # synthetic parts → parts in original
    given: dict = field(default_factory=dict, repr=False)  # synthetic parts → Source

    def _link(self, parts: tuple):
        for size in range(len(parts), -1, -1):
            head = parts[:size]
            if head in self.given:
                return None, self.given[head]
            if head in self.links:
                return self.links[head] + parts[size:], None
        return None, None

    def mark(self, parts: tuple, key: bool = False) -> tuple[int, int]:
        return self.place(parts, key)[1:3]

    def place(self, parts: tuple, key: bool = False) -> tuple[str, int, int, str]:
        linked, source = self._link(parts)
        if source is not None:
            return source.file, source.line, source.column, json_path(parts)
        if linked is None:
            return self.path, 1, 1, json_path(parts)
        return (self.path, *self.original.mark(linked, key=key), json_path(linked))

    def source_of(self, parts: tuple) -> tuple[YamlDoc, tuple] | None:
        linked, _ = self._link(parts)
        return None if linked is None else (self.original, linked)

    def describe(self, parts: tuple) -> dict:
        """Where the setting at `parts` came from, for `infer`'s sources."""
        linked, source = self._link(parts)
        if source is not None:
            return {"from": source.text, "file": source.file, "line": source.line, "column": source.column}
        line, col = self.original.mark(linked)
        return {"from": ".".join(str(p) for p in linked) or ".", "file": self.path, "line": line, "column": col}


def apply(doc: YamlDoc, entries: list[Entry]) -> tuple[MappedDoc, list[Problem]]:
    """The sections `entries` map out of `doc` (later entries override earlier ones), and the
    problems of paths that are not in the file (LS012)."""
    data: dict = {}
    links: dict = {}
    given: dict = {}
    problems: list[Problem] = []
    framework = "torch"
    for entry in entries:  # the framework first: a section takes the names of that framework's LSTM
        if entry.target == "framework":
            value = entry.value if entry.path is None else walk(doc, entry, [])
            framework = value if isinstance(value, str) and value in ("torch", "keras", "onnx") else framework
    for entry in entries:
        if entry.path is None:
            value = entry.value
        else:
            value = walk(doc, entry, problems)
            if value is _NOWHERE:
                continue
        section, _, key = entry.target.partition(".")
        if entry.target == "framework":
            _put(data, links, given, ("framework",), value, entry)
        elif not key:
            body = value.value if isinstance(value, Tagged) and not isinstance(value.value, str) else value
            if not isinstance(body, dict):
                at = entry.path
                line, col = doc.mark(at)
                problems.append(Problem(doc.path, line, col, MAPPING_PATH, ERROR,
                                        f"path '{_dotted(at)}' of {entry.source.text} is {kind_of(body)}; "
                                        f"expected a mapping of {section} settings", json_path(at)))
                continue
            known = names(section, framework)
            for name, item in body.items():
                if name in known:
                    _put(data, links, given, (section, name), item, entry, entry.path + (name,), known)
        else:
            _put(data, links, given, (section, key), value, entry, entry.path, names(section, framework))
    return MappedDoc(doc.path, data, {}, {}, original=doc, links=links, given=given), problems


def _put(data: dict, links: dict, given: dict, parts: tuple, value: Any, entry: Entry, path: tuple | None = None,
         known: dict | None = None) -> None:
    """Place one value; a name already mapped for the same setting (an alias) is replaced."""
    if len(parts) == 2:
        section = data.setdefault(parts[0], {})
        if known:
            for other in [n for n in section if known.get(n) == known.get(parts[1])]:
                del section[other]
                links.pop((parts[0], other), None)
                given.pop((parts[0], other), None)
        section[parts[1]] = value
    else:
        data[parts[0]] = value
    links.pop(parts, None)
    given.pop(parts, None)
    if path is None:
        given[parts] = entry.source
    else:
        links[parts] = path


_NOWHERE = object()


def walk(doc: YamlDoc, entry: Entry, problems: list[Problem]) -> Any:
    """The value at `entry.path`, or _NOWHERE (and the LS012 problem, at the last part that exists)."""
    node: Any = doc.data
    for depth, part in enumerate(entry.path):
        if isinstance(node, Tagged) and not isinstance(node.value, str):
            node = node.value  # `!new:speechbrain.nnet.RNN.LSTM {hidden_size: 64}`: its arguments are data
        here = entry.path[:depth]
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
            continue
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            continue
        where = f"'{_dotted(here)}'" if here else "the top level"
        if isinstance(node, dict):
            close = suggest(str(part), tuple(str(k) for k in node))
            why = f"{where} has no key '{part}'" + (f"; did you mean '{close}'?" if close else "")
        elif isinstance(node, list):
            why = (f"{where} is a list of {len(node)}; index it with 0..{len(node) - 1}" if node
                   else f"{where} is an empty list")
        else:
            why = f"{where} is {kind_of(node)}, which has no key '{part}'"
        line, col = doc.mark(here, key=True)
        problems.append(Problem(doc.path, line, col, MAPPING_PATH, ERROR,
                                f"path '{_dotted(entry.path)}' of {entry.source.text} is not in the file: {why}",
                                json_path(here)))
        return _NOWHERE
    return node


def _dotted(parts: tuple) -> str:
    return ".".join(str(p) for p in parts) or "."
