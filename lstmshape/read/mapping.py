"""Reading a config lstmshape did not write: `--from TARGET=PATH` and `--set TARGET=VALUE` (or a
[tool.lstmshape] group) turn the user's own document into the `lstm` / `data` / `framework`
sections the readers read, and every value keeps where it was written, so each problem points at
the user's file:line:col (or at the `--set` option or pyproject.toml line it came from).

TARGET is `lstm`, `data` (a whole section: the keys lstmshape knows are taken, the others are the
project's business), `lstm.KEY`, `data.KEY` (one value, under any name lstmshape accepts there) or
`framework`. PATH is a dot-separated key path from the document root; integers index lists, `.`
is the root. When a mapping applies, nothing else in the file is read.

What a mapping leaves behind says so: a key of an `lstm` section mapped whole that looks like a
size of the LSTM but is not read (LS016, the words in lstmshape/rules/ls016_unread_size_key.py),
and a duplicate key outside the mapped paths, a warning there since the mapping never reads it
(LS002 stays an error on a mapped path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..codes import DUPLICATE_KEY, MAPPING_PATH, UNREAD_SIZE_KEY
from ..problems import ERROR, WARNING, Problem, json_path
from ..registry import resolve as registered
from ..yamlload import Tagged, YamlDoc, YamlError, parse_yaml
from .data import DATA_KEYS
from .values import suggest
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
    found = tuple(weighed(doc.problems, entries)) + tuple(unread_sizes(doc, entries, links, framework))
    return MappedDoc(doc.path, data, {}, {}, found, original=doc, links=links, given=given), problems


def weighed(loaded: tuple[Problem, ...], entries: list[Entry]) -> list[Problem]:
    """The loader's duplicate keys (LS002) as they matter to a mapped file: an error on a mapped
    path (a key the mapping reads, one inside a section mapped whole, or one a mapped path runs
    through), a warning elsewhere: the mapping never reads that key, so its value is the project's
    business (PyYAML keeps the last one without a word)."""
    mapped = [_address(json_path(e.path)) for e in entries if e.path is not None]
    out = []
    for problem in loaded:
        at = _address(problem.path)
        if problem.code != DUPLICATE_KEY or any(at.startswith(p) or p.startswith(at) for p in mapped):
            out.append(problem)
        else:
            out.append(Problem(problem.file, problem.line, problem.column, problem.code, WARNING,
                               problem.message + " (outside the mapped paths: lstmshape reads neither)", problem.path))
    return out


def _address(path: str) -> str:
    """A JSON path compared by prefix: `$.a[0]` and `$.a.0` alike (a mapped `a.0` also finds a key
    "0"), ending in a separator so that `$.a.` is not a prefix of `$.ab.`. Keys holding `.` or `[`
    can make two paths read alike: then a duplicate counts as mapped, never the other way round."""
    return (re.sub(r"\[(\d+)\]", r".\1", path) if "[" in path else path) + "."


# LS016: which keys look like a size of the LSTM (lstmshape/rules/ls016_unread_size_key.py says why)
SIZE_PARTS = ("layer", "hidden", "unit", "size", "dim", "memory", "neuron", "feat", "cells", "depth")
COUNT_WORDS = ("n", "num")  # a key's first word: `n_mels`, `num_blocks`
NOT_THE_RNN_PARTS = ("batch", "vocab", "epoch", "step", "worker", "gpu", "seed", "shard", "buffer", "cache", "queue",
                     "sample", "kernel", "filt", "stride", "conv", "pool", "patch", "image", "class", "label", "beam",
                     "window", "fft", "token", "optim", "sched", "attention", "iter")
NOT_THE_RNN_WORDS = ("out", "output", "outputs", "head", "heads", "lr", "hop", "win", "img", "att", "mlp")
# the setting a key most likely means, by the words in it (first match), for `--from lstm.KEY=PATH`
MEANINGS = (("layers", "num_layers"), ("depth", "num_layers"), ("proj", "proj_size"), ("input", "input_size"),
            ("feat", "input_size"), ("in", "input_size"), ("hidden", "hidden_size"), ("unit", "hidden_size"),
            ("memory", "hidden_size"), ("neuron", "hidden_size"), ("cells", "hidden_size"), ("rnn", "hidden_size"),
            ("lstm", "hidden_size"), ("gru", "hidden_size"), ("layer", "hidden_size"))  # `layer_size`
# each framework's name for them (None: it has no such setting)
SIZE_NAMES = {"torch": {"input_size": "input_size", "hidden_size": "hidden_size", "num_layers": "num_layers",
                        "proj_size": "proj_size"},
              "keras": {"input_size": "input_dim", "hidden_size": "units", "num_layers": "num_layers",
                        "proj_size": None},
              "onnx": {"input_size": "input_size", "hidden_size": "hidden_size", "num_layers": "num_layers",
                       "proj_size": None}}
SIZE_PATTERN, NOT_THE_RNN_PATTERN = "|".join(SIZE_PARTS), "|".join(NOT_THE_RNN_PARTS)
MAX_REFERENCES = 1_000  # interpolations followed to find what a read value reads in turn


def unread_sizes(doc: YamlDoc, entries: list[Entry], links: dict, framework: str) -> list[Problem]:
    """LS016: every key inside an `lstm` section mapped whole (nested ones too) that looks like a
    size of the LSTM, holds a number (or a reference to one), and that nothing reads: not taken by
    name, not mapped by another entry, not reached by an interpolation or !ref of a value read.
    Not where the user mapped the setting it would be by name (`--from/--set lstm.KEY`): a choice."""
    known = names("lstm", framework)
    read = _reached(doc, {tuple(map(str, path)) for path in links.values()})
    chosen = {str(known.get(e.target.partition(".")[2])).removeprefix("total_")
              for e in entries if e.target.startswith("lstm.")}
    out: list[Problem] = []
    seen: set = set()
    for entry in entries:
        if entry.target != "lstm" or entry.path is None:
            continue
        body = walk(doc, entry, [])
        body = body.value if isinstance(body, Tagged) else body
        if not isinstance(body, dict):
            continue
        for parts, within, words in _leaves(body, entry.path, (), read, set(known)):
            meaning = _meaning(words)
            name = SIZE_NAMES[framework].get(meaning) if meaning else None
            if parts in seen or (name is not None and name in chosen):
                continue
            seen.add(parts)
            line, col = doc.mark(parts, key=True)
            out.append(Problem(doc.path, line, col, UNREAD_SIZE_KEY, WARNING,
                               _unread_message(within, parts, entry, name, framework), json_path(parts)))
    return out


def _leaves(node: Any, at: tuple, within: tuple, read: set, known: set):
    """(path, path within the section, words of the key) of each value under `node` that looks
    like an unread size; a key that is another part's (a batch, a convolution, the head after the
    LSTM) is skipped with everything under it."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        parts, inner = at + (key,), within + (key,)
        words = _words(key) if isinstance(key, str) else []
        if tuple(map(str, parts)) in read or (not within and key in known) or _another_part(words):
            continue
        value = value.value if isinstance(value, Tagged) and not isinstance(value.value, str) else value
        if isinstance(value, (dict, list)) and not _sizes(value):
            yield from _leaves(value, parts, inner, read, known)
        elif words and _size_like(key, words) and (_number_like(value) or _sizes(value)):
            yield parts, inner, words


def _words(key: str) -> list[str]:
    """`predRnnLayers`, `pred-rnn_layers` → ["pred", "rnn", "layers"]."""
    lower = key.lower()
    if lower != key:  # camelCase: a word starts at each capital
        lower = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
    return [w for w in re.split(r"[^a-z0-9]+", lower) if w]


def _size_like(key: str, words: list[str]) -> bool:
    """A name of a size or count: a SIZE_PARTS word in it, or a first word of COUNT_WORDS."""
    return re.search(SIZE_PATTERN, key.lower()) is not None or (len(words) > 1 and words[0] in COUNT_WORDS)


def _another_part(words: list[str]) -> bool:
    """A key of another part than the recurrent layer (NOT_THE_RNN_PARTS, NOT_THE_RNN_WORDS)."""
    return re.search(NOT_THE_RNN_PATTERN, " ".join(words)) is not None or \
        not set(words).isdisjoint(NOT_THE_RNN_WORDS)


def _meaning(words: list[str]) -> str | None:
    """The torch setting a key of these words most likely is (MEANINGS, a part of three letters or
    more found in any word, a shorter one as a whole word), None when its words do not say."""
    spaced = f" {' '.join(words)} "
    if words[0] in COUNT_WORDS and "layer" in spaced:  # `n_layer`, GPT's count
        return "num_layers"
    return next((meaning for part, meaning in MEANINGS if (part if len(part) > 2 else f" {part} ") in spaced), None)


def _number_like(value: Any) -> bool:
    """A size as configs write it: an integer, or a reference still to resolve (`${...}`, `!ref`, `???`)."""
    if isinstance(value, Tagged):
        return value.tag == "!ref"
    if isinstance(value, str):
        return "${" in value or value == "???"
    return isinstance(value, int) and not isinstance(value, bool)


def _sizes(value: Any) -> bool:
    """A list of sizes, one per layer (`hidden_sizes: [256, 128]`)."""
    return isinstance(value, list) and bool(value) and all(_number_like(v) for v in value)


def _reached(doc: YamlDoc, read: set) -> set:
    """`read` and every path an interpolation (`${a.b}`, `${.b}`) or `!ref <a.b>` in a value read
    reaches, followed in turn (at most MAX_REFERENCES)."""
    todo = list(read)
    while todo and len(read) < MAX_REFERENCES:
        at = todo.pop()
        for target in _references(at, _value_at(doc.data, at)):
            if target not in read:
                read.add(target)
                todo.append(target)
    return read


def _references(at: tuple, value: Any) -> list[tuple]:
    """The key paths (as text) the value at `at` refers to: `!ref <a.b>`, `${a.b}`, `${.b}`."""
    if isinstance(value, Tagged) and value.tag == "!ref" and isinstance(value.value, str):
        return [tuple(p for p in re.split(r"[.\[\]]+", name.strip()) if p)
                for name in re.findall(r"<([^<>]+)>", value.value)]
    if not isinstance(value, str) or "${" not in value:
        return []
    out = []
    for name in re.findall(r"\$\{\s*(\.*[\w.\-\[\]]*)\s*\}", value):
        dots = len(name) - len(name.lstrip("."))
        base = at[: max(0, len(at) - dots)] if dots else ()  # `${.x}`: a sibling, `${..x}`: one up
        out.append(base + tuple(p for p in re.split(r"[.\[\]]+", name.lstrip(".")) if p))
    return out


def _value_at(data: Any, at: tuple) -> Any:
    """The value at a key path given as text (None where there is none)."""
    for part in at:
        data = data.value if isinstance(data, Tagged) and not isinstance(data.value, str) else data
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _unread_message(within: tuple, parts: tuple, entry: Entry, name: str | None, framework: str) -> str:
    key = ".".join(map(str, within))
    if name is None:
        sizes = ", ".join(n for n in SIZE_NAMES[framework].values() if n)
        target, meaning = "lstm.KEY", f"one of the LSTM's sizes (KEY: {sizes})"
    else:
        target, meaning = f"lstm.{name}", f"the LSTM's {name}"
    path = ".".join(map(str, parts))
    mapped = ".".join(map(str, entry.path)) or "."
    if entry.source.file == "--from":
        by, how = entry.source.text, f"--from {target}={path}"
    else:
        by, how = f"lstm = \"{mapped}\" ({entry.source.text})", f'"{target}" = "{path}" in that group\'s from table'
    return (f"'{key}' looks like a size of the LSTM but is not read: {by} takes only the settings lstmshape "
            f"knows by name; if it is {meaning}, map it with {how}")


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
