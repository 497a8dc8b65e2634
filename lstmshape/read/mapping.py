"""Reading a config lstmshape did not write: `--from TARGET=PATH` and `--set TARGET=VALUE` (or a
[tool.lstmshape] group) build an lstmshape config (`lstm`, `data`, `framework`, `head`, `expect`,
`decoder`) out of the user's own document, and every value keeps where it was written, so each
problem points at the user's file:line:col (or at the `--set` option or pyproject.toml line it
came from).

TARGET is a path into that config: a section (`lstm`, `data`, `head`, ...), a setting
(`lstm.hidden_size`), a block of a stack (`lstm.1.input_size`), a head layer's value
(`head.0.linear.in_features`), an expected shape's dimension (`expect.output.2`). PATH is a path
into the user's file, or integer arithmetic over such paths (lstmshape.read.paths has the
grammar). VALUE is a YAML flow value, so a structure is written once and its numbers filled from
the file. A TARGET inside another one fills it: entries apply shallowest TARGET first, in the
order given among equal depths (--from before --set, a project group's before the command line's).
When a mapping applies, nothing else in the file is read.

A list becomes a stack: `lstm` mapped from a list of mappings (`model.layers[type=lstm]`) is one
block per element, and a hidden size mapped from a list of sizes (`layers: [80, 80]`) one block
per size (the first block's input_size from the input size, each next one's from the block before).

What a mapping leaves behind says so: a key of an `lstm` section mapped whole that looks like a
size of the LSTM but is not read (LS016, the words in lstmshape/codes.py's UNREAD_SIZE_KEY),
and a duplicate key outside the mapped paths, a warning there since the mapping never reads it
(LS002 stays an error on a mapped path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..codes import DUPLICATE_KEY, MAPPING_PATH, OUT_OF_RANGE, UNREAD_SIZE_KEY, UNRESOLVED_VALUE, WRONG_TYPE
from ..problems import ERROR, WARNING, Problem, json_path
from ..frameworks import DEFAULT, FRAMEWORKS, framework_named, of
from ..yamlload import Tagged, YamlDoc, YamlError, parse_yaml
from .head import DECODER_KEYS
from .data import DATA_KEYS
from .interpolation import resolve as resolve_interpolation
from .paths import (MAX_DIGITS, Expression, PathError, Ref, Select, dotted, parse_expression, parse_path, references,
                    show, too_big)
from .values import MAX_BLOCKS, kind_of, needs_resolving, show as shown, suggest

SECTIONS = ("lstm", "data", "framework", "head", "expect", "decoder")
WHOLE = ("lstm", "data")  # sections whose known keys are taken from a mapping, the others ignored
INPUT_NAMES = ("input_size", "input_dim", "input_shape", "batch_input_shape")  # block 0's only, in a stack
HIDDEN_NAMES = ("hidden_size", "units", "total_hidden_size")  # a list of these: one block per size
MAX_VALUE = 65_536  # characters of one --set VALUE
MAX_SET_NODES = 10_000  # values inside one --set VALUE or pyproject `set` value
MAX_NAMED = 200  # characters of an option a message quotes


class MappingError(Exception):
    """A mapping that cannot apply to any file (an unknown TARGET, a malformed option, a TARGET
    that leads into nothing another option built): a usage error."""


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
    """One mapping: TARGET (`parts`, its path) from a PATH in the file (`path`, when PATH is one
    path; `expression`, when it computes), or set to `value`."""

    target: str
    source: Source
    path: tuple | None = None
    value: Any = None
    expression: Expression | None = None
    parts: tuple = ()  # TARGET's parts (check_target)


def names(section: str, framework: str | None = None) -> dict[str, str]:
    """Every name lstmshape accepts in `section` (all frameworks' unless one is given) → its canonical
    name; for `lstm`, with the names a mapping folds in (Framework.mapping_aliases)."""
    if section == "data":
        return {n: key.name for key in DATA_KEYS for n in (key.name, *key.aliases)}
    out = {}
    for each in [FRAMEWORKS[framework]] if framework in FRAMEWORKS else FRAMEWORKS.values():
        out.update(each.mapping_aliases)
        out.update({n: key.name for key in each.keys for n in (key.name, *key.aliases)})
    return out


def check_target(target: str, where: str) -> tuple:
    """TARGET's parts: a path into an lstmshape config (a usage error when it cannot be one)."""
    if "[" in target or "]" in target:
        raise MappingError(f"{where}: TARGET '{target.strip()}' names one place in the lstmshape config: a filter "
                           "[KEY=VALUE] belongs in PATH")
    try:
        parts = parse_path(target.strip())
    except PathError as exc:
        raise MappingError(f"{where}: TARGET: {exc}") from None
    if not parts or parts[0] not in SECTIONS or any(isinstance(p, Select) for p in parts):
        raise MappingError(f"{where}: unknown TARGET '{target.strip()}': expected a path into an lstmshape config: "
                           f"{', '.join(SECTIONS)}, or a path inside one (lstm.hidden_size, lstm.1.input_size, "
                           "head.0.linear.in_features, expect.output.2)")
    section, rest = parts[0], parts[1:]
    if section == "framework" and rest:
        raise MappingError(f"{where}: 'framework' is one value; it has no '{dotted(rest)}'")
    if section in ("lstm", "data") and rest:
        key = rest[1] if section == "lstm" and isinstance(rest[0], int) and len(rest) > 1 else rest[0]
        if isinstance(key, int) and section == "data":
            raise MappingError(f"{where}: 'data' is one mapping of settings; it has no element {key}")
        if isinstance(key, str):
            _known_key(section, key, where)
    if section == "decoder" and rest and rest[0] not in DECODER_KEYS:
        raise MappingError(f"{where}: 'decoder' has no '{rest[0]}'; expected {', '.join(DECODER_KEYS)}")
    if section == "decoder" and len(rest) > 1 and rest[0] == "lstm" and isinstance(rest[1], str):
        _known_key("lstm", rest[1], where)
    if section == "head" and rest and not isinstance(rest[0], int):
        raise MappingError(f"{where}: 'head' is a list of layers: index it (head.0.linear.in_features)")
    return parts


def _known_key(section: str, key: str, where: str) -> None:
    known = names(section)
    if key not in known:
        close = suggest(key, tuple(known))
        hint = f"; did you mean '{section}.{close}'?" if close else ""
        raise MappingError(f"{where}: '{section}' has no setting '{key}'{hint}")


def parse_path_option(text: str, where: str) -> tuple[tuple | None, Expression | None]:
    """A PATH as written: (its parts, None) for one path, (None, the expression) for arithmetic."""
    try:
        tree = parse_expression(text.strip())
    except PathError as exc:
        hint = " (use '.' for the root)" if not text.strip() else ""
        raise MappingError(f"{where}: PATH: {exc}{hint}") from None
    if isinstance(tree, Ref):
        return tree.parts, None
    return None, tree


def named(option: str, text: str) -> str:
    """How a message names an option: in full, or its start when it is long."""
    if len(text) <= MAX_NAMED:
        return f"{option} {text}"
    return f"{option} {text[:MAX_NAMED // 2]}… ({len(text):,} characters)"


def from_option(text: str, index: int = 1) -> Entry:
    """`--from TARGET=PATH` as given on the command line."""
    where = named("--from", text)
    target, eq, path = text.partition("=")
    if not eq:
        raise MappingError(f"{where}: expected TARGET=PATH, e.g. --from lstm=model.encoder")
    parts = check_target(target, where)
    plain, expression = parse_path_option(path, where)
    return Entry(target.strip(), Source("--from", index, len(target) + 2, where), plain, expression=expression,
                 parts=parts)


def set_option(text: str, index: int = 1) -> Entry:
    """`--set TARGET=VALUE` as given on the command line; VALUE is read as a YAML flow value."""
    where = named("--set", text)
    target, eq, raw = text.partition("=")
    if not eq:
        raise MappingError(f"{where}: expected TARGET=VALUE, e.g. --set lstm.input_size=80")
    parts = check_target(target, where)
    value = flow_value(raw, where)
    set_fits(parts, value, where)
    return Entry(target.strip(), Source("--set", index, len(target) + 2, where), value=value, parts=parts)


def flow_value(raw: str, where: str) -> Any:
    """VALUE as YAML reads it (`80`, `true`, `[80, 80]`, `{linear: {in_features: 0}}`): bounded, no tag."""
    if len(raw) > MAX_VALUE:
        raise MappingError(f"{where}: VALUE is {len(raw):,} characters long; at most {MAX_VALUE:,}")
    try:
        value = parse_yaml(raw or "null", where).data
    except YamlError as exc:
        raise MappingError(f"{where}: VALUE is not a YAML value: {exc.problem.message}") from None
    plain_value(value, where)
    return value


def plain_value(value: Any, where: str) -> None:
    """A given value holds numbers, booleans, strings, null, lists and mappings only, and not too many."""
    todo, seen = [value], 0
    while todo:
        node = todo.pop()
        seen += 1
        if seen > MAX_SET_NODES:
            raise MappingError(f"{where}: VALUE holds more than {MAX_SET_NODES:,} values")
        if isinstance(node, Tagged):
            raise MappingError(f"{where}: VALUE holds a tagged value ({node.tag}); give plain numbers, names, "
                               "lists and mappings")
        if isinstance(node, dict):
            todo += list(node.values())
        elif isinstance(node, list):
            todo += node
        elif not isinstance(node, (bool, int, float, str)) and node is not None:
            raise MappingError(f"{where}: VALUE holds {type(node).__name__} {node!r}; give plain numbers, names, "
                               "lists and mappings")


def set_fits(parts: tuple, value: Any, where: str) -> None:
    """A section given whole is what its reader reads: `lstm` a mapping (or a list of them: a
    stack), `data` a mapping."""
    if parts == ("data",) and not isinstance(value, dict):
        raise MappingError(f"{where}: data takes a mapping of settings, e.g. --set 'data={{batch_size: 8}}', "
                           f"got {kind_of(value)}")
    if parts == ("lstm",) and not isinstance(value, (dict, list)):
        raise MappingError(f"{where}: lstm takes a mapping of settings (or a list of them: a stack), e.g. "
                           f"--set 'lstm={{input_size: 80, hidden_size: 256}}', got {kind_of(value)}")


def ordered(entries: list[Entry]) -> list[Entry]:
    """The order entries apply in: shallowest TARGET first (so `head.0.linear.in_features` fills
    the `head` another entry gives), in the order given among equal depths."""
    return sorted(entries, key=lambda e: len(e.parts))


@dataclass(frozen=True)
class MappedDoc(YamlDoc):
    """The sections a mapping built (`data`), each value linked to where it was written: a path
    in `original` (`links`) or a Source outside the file (`given`); a computed value is linked to
    the first value it reads, and `computed` holds its expression."""

    original: YamlDoc | None = field(default=None, repr=False)
    links: dict = field(default_factory=dict, repr=False)  # synthetic parts → parts in original
    given: dict = field(default_factory=dict, repr=False)  # synthetic parts → Source
    computed: dict = field(default_factory=dict, repr=False)  # synthetic parts → the expression's text

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
        computed = self.computed.get(parts)
        return {"from": computed or dotted(linked), "file": self.path, "line": line, "column": col}


class _Nowhere(Exception):
    """A path not in the file, a value that cannot be computed: its problem is already recorded."""


@dataclass
class _Found:
    """What a PATH reached: the value and its parts in the file (a list of them after a filter)."""

    value: Any
    parts: tuple | None  # None: a selection, `items` holds (parts, value) of each element
    items: list | None = None


class _Mapping:
    """The config being built: its data, and where each piece came from."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.data: dict = {}
        self.links: dict = {}
        self.given: dict = {}
        self.computed: dict = {}
        self.read: set = set()  # every path of the file a mapping read (for LS002 and LS016)
        self.prefixes: set = set()  # every proper prefix of a key recorded in links, given or computed
        self.problems: list[Problem] = []
        self.framework = DEFAULT.name

    # --- where a value came from ---------------------------------------------------------------
    def record(self, table: dict, parts: tuple, origin: Any) -> None:
        table[parts] = origin
        self.prefixes.update(parts[:n] for n in range(1, len(parts)))

    def under(self, table: dict, parts: tuple) -> list[tuple]:
        """The keys of `table` at `parts` and below it; only a prefix ever recorded is searched, so
        placing a value costs the same in a stack of a thousand blocks as in one."""
        if parts not in self.prefixes:
            return [parts] if parts in table else []
        return [k for k in table if k[:len(parts)] == parts]

    def forget(self, parts: tuple) -> None:
        """Drop what was recorded at `parts` and below it (a value placed there replaces them)."""
        for table in (self.links, self.given, self.computed):
            for key in self.under(table, parts):
                del table[key]

    def copy_origin(self, old: tuple, new: tuple) -> None:
        """The origin of `old` (and everything under it), now also that of `new`."""
        for table in (self.links, self.given, self.computed):
            for key in self.under(table, old):
                self.record(table, new + key[len(old):], table[key])
        if old not in self.links and old not in self.given:
            linked, source = MappedDoc._link(self, old)  # type: ignore[arg-type]
            if source is not None:
                self.record(self.given, new, source)
            elif linked is not None:
                self.record(self.links, new, linked)

    def origin(self, parts: tuple, entry: Entry, found: _Found | None, computed: str | None = None) -> None:
        self.forget(parts)
        if found is None:
            self.record(self.given, parts, entry.source)
            return
        if found.parts is None:
            for k, (at, _) in enumerate(found.items):
                self.record(self.links, parts + (k,), at)
            return
        self.record(self.links, parts, found.parts)
        if computed is not None:
            self.record(self.computed, parts, computed)

    def file_problem(self, at: tuple, code, message: str, key: bool = False) -> None:
        line, col = self.doc.mark(at, key=key)
        self.problems.append(Problem(self.doc.path, line, col, code, ERROR, message, json_path(at)))

    # --- reading the file ----------------------------------------------------------------------
    def locate(self, path: tuple, entry: Entry) -> _Found:
        """The value at `path` in the file; _Nowhere (and the LS012 problem, at the last part that exists)."""
        node: Any = self.doc.data
        at: tuple = ()
        items: list | None = None  # after a filter: (parts, value) of each element selected
        for depth, part in enumerate(path):
            if items is not None and not isinstance(part, Select):
                if isinstance(part, int):
                    if not -len(items) <= part < len(items):
                        self._missing(path, entry, at, f"'{dotted(path[:depth])}' selects {len(items)}; "
                                                        f"index the selection with 0..{len(items) - 1}")
                    at, node = items[part]
                    items = None
                    continue
                if len(items) != 1:
                    self._missing(path, entry, at, f"'{dotted(path[:depth])}' selects {len(items)} elements, and "
                                                    f"'{part}' needs one: index the selection (.0) or filter further")
                (at, node), items = items[0], None
            if isinstance(node, Tagged) and not isinstance(node.value, str):
                node = node.value  # `!new:speechbrain.nnet.RNN.LSTM {hidden_size: 64}`: its arguments are data
            if isinstance(part, Select):
                pool = items if items is not None else (
                    [(at + (k,), v) for k, v in enumerate(node)] if isinstance(node, list) else None)
                if pool is None:
                    self._missing(path, entry, at, f"'{dotted(path[:depth]) if depth else 'the top level'}' is "
                                                    f"{kind_of(node)}; a filter {part} selects from a list")
                items = [(p, v) for p, v in pool if _selected(v, part)]
                if not items:
                    self._missing(path, entry, at, f"no element of '{dotted(path[:depth])}' has {part.key}: "
                                                    f"{part.value}" + _values_of(pool, part.key))
                continue
            if isinstance(node, dict) and part in node and not isinstance(part, bool):
                at, node = at + (part,), node[part]
                continue
            if isinstance(node, dict) and str(part) in node:
                at, node = at + (str(part),), node[str(part)]
                continue
            if isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
                index = part % len(node)
                at, node = at + (index,), node[index]
                continue
            where = f"'{dotted(path[:depth])}'" if depth else "the top level"
            if isinstance(node, dict):
                rest = ".".join(str(p) for p in path[depth:] if not isinstance(p, Select))
                dotted_key = next((k for k in node if isinstance(k, str) and "." in k
                                   and (rest == k or rest.startswith(k + "."))), None)
                close = suggest(str(part), tuple(str(k) for k in node)) if isinstance(part, str) else None
                why = f"{where} has no key '{part}'" + (
                    f"; the key '{dotted_key}' holds a dot: quote it, {dotted(path[:depth] + (dotted_key,))}"
                    if dotted_key else f"; did you mean '{close}'?" if close else "")
            elif isinstance(node, list):
                why = (f"{where} is a list of {len(node)}; index it with 0..{len(node) - 1} (or -1..-{len(node)} "
                       "from the end)" if node else f"{where} is an empty list")
            else:
                why = f"{where} is {kind_of(node)}, which has no key '{part}'"
            self._missing(path, entry, at, why)
        if items is not None:
            self.read.update(p for p, _ in items)
            return _Found([v for _, v in items], None, items)
        self.read.add(at)
        return _Found(node, at)

    def _missing(self, path: tuple, entry: Entry, at: tuple, why: str):
        self.file_problem(at, MAPPING_PATH, f"path '{dotted(path)}' of {entry.source.text} is not in the file: {why}",
                          key=True)
        raise _Nowhere

    def compute(self, tree: Expression, entry: Entry) -> int:
        """The integer an expression comes to; _Nowhere (and the problem) when it cannot."""
        if isinstance(tree, int):
            return tree
        if isinstance(tree, Ref):
            found = self.locate(tree.parts, entry)
            value = found.value
            if found.parts is not None and needs_resolving(value):
                value = resolve_interpolation(self.doc, found.parts, value)
                if getattr(value, "unresolved", False):
                    self.file_problem(found.parts, UNRESOLVED_VALUE, f"{entry.source.text}: '{tree.text}' "
                                                                      f"{value.message}")
                    raise _Nowhere
            if not isinstance(value, int) or isinstance(value, bool):
                what = kind_of(value) if isinstance(value, (dict, list)) else shown(value)
                self.file_problem(found.parts or (), WRONG_TYPE,
                                  f"{entry.source.text}: '{tree.text}' is {what}; the expression computes with "
                                  "integers only (a boolean or a float is not one)")
                raise _Nowhere
            if too_big(value):
                self.file_problem(found.parts, OUT_OF_RANGE, f"{entry.source.text}: '{tree.text}' has more than "
                                                             f"{MAX_DIGITS} digits; no size of a network has")
                raise _Nowhere
            return value
        left, right = self.compute(tree.left, entry), self.compute(tree.right, entry)
        if tree.op == "//":
            if right == 0 or left % right:
                why = "divides by zero" if right == 0 else f"leaves a remainder of {left % right}"
                self._bad(tree, entry, f"{entry.source.text}: {show(tree)} is {left} // {right}, which {why}; "
                                       "a size is a whole number")
            result = left // right
        else:
            result = left + right if tree.op == "+" else left - right if tree.op == "-" else left * right
        if too_big(result):
            self._bad(tree, entry, f"{entry.source.text}: {show(tree)} comes to a number of more than "
                                   f"{MAX_DIGITS} digits; no size of a network is")
        return result

    def _bad(self, tree: Expression, entry: Entry, message: str):
        refs = references(tree)
        at = self._located(refs[0].parts) if refs else None
        if at is None:
            raise MappingError(message)
        self.file_problem(at, OUT_OF_RANGE, message)
        raise _Nowhere

    def _located(self, path: tuple) -> tuple | None:
        """The parts in the file of a path already read (quietly: its problems were reported)."""
        problems = len(self.problems)
        try:
            return self.locate(path, Entry("", Source("", 0, 0, ""))).parts
        except _Nowhere:
            del self.problems[problems:]
            return None

    # --- building the config --------------------------------------------------------------------
    def apply(self, entry: Entry) -> None:
        computed = None
        if entry.path is not None:
            found: _Found | None = self.locate(entry.path, entry)
            value = found.value
        elif entry.expression is not None:
            value = self.compute(entry.expression, entry)
            refs = references(entry.expression)
            found = _Found(value, self._located(refs[0].parts)) if refs else None
            found = None if found is not None and found.parts is None else found
            computed = show(entry.expression)
        else:
            found, value = None, entry.value
        parts = entry.parts
        section = parts[0]
        if parts == ("framework",):
            self.data["framework"] = value
            self.origin(parts, entry, found)
        elif len(parts) == 1 and section in WHOLE:
            self.whole(section, value, entry, found)
        elif len(parts) == 1:
            self.data[section] = value
            self.origin(parts, entry, found, computed)
        else:
            self.place(parts, value, entry, found, computed)

    def whole(self, section: str, value: Any, entry: Entry, found: _Found | None) -> None:
        """A section mapped whole: its known keys taken (`lstm` from a list: one block per element)."""
        body = value.value if isinstance(value, Tagged) and not isinstance(value.value, str) else value
        if section == "lstm" and isinstance(body, list):
            items = found.items if found is not None and found.items is not None else [
                ((found.parts + (k,)) if found is not None else None, v) for k, v in enumerate(body)]
            if not items or len(items) > MAX_BLOCKS:
                self._not_blocks(entry, found, f"a list of {len(items):,}; a stack has 1 to {MAX_BLOCKS:,} blocks")
                return
            self.forget(("lstm",))
            self.data["lstm"] = []
            if found is not None:  # the stack is the file's list (a filter's: the list it selects from)
                self.record(self.links, ("lstm",), found.parts if found.parts is not None else items[0][0][:-1])
            for k, (at, item) in enumerate(items):
                item = item.value if isinstance(item, Tagged) and not isinstance(item.value, str) else item
                if not isinstance(item, dict):
                    self._not_blocks(entry, _Found(item, at) if at is not None else None,
                                     f"{kind_of(item)} at element {k}; expected a mapping of lstm settings per block")
                    self.data.pop("lstm")
                    return
                self.data["lstm"].append({})
                if at is not None:
                    self.record(self.links, ("lstm", k), at)
                self.settings(("lstm", k), item, entry, at)
            return
        if not isinstance(body, dict):
            self._not_blocks(entry, found, f"{kind_of(body)}; expected a mapping of {section} settings")
            return
        if section == "lstm" and isinstance(self.data.get("lstm"), list):
            for k in range(len(self.data["lstm"])):
                self.settings(("lstm", k), body, entry, found.parts if found is not None else None, k == 0)
            return
        if not isinstance(self.data.get(section), dict):
            self.data[section] = {}
        self.settings((section,), body, entry, found.parts if found is not None else None)

    def _not_blocks(self, entry: Entry, found: _Found | None, what: str) -> None:
        at = None if found is None else found.parts if found.parts is not None else found.items[0][0][:-1]
        if at is None:
            raise MappingError(f"{entry.source.text}: the value is {what}")
        self.file_problem(at, MAPPING_PATH, f"path '{dotted(entry.path or at)}' of {entry.source.text} is {what}")

    def settings(self, at: tuple, body: dict, entry: Entry, path: tuple | None, first: bool = True) -> None:
        """The settings of `body` lstmshape knows, into the section (or block) at `at`."""
        known = names(at[0], self.framework if at[0] == "lstm" else None)
        mapped = of(self.framework).mapping_aliases if at[0] == "lstm" else {}
        for name, item in body.items():
            if name not in known or (not first and known[name] in INPUT_NAMES):
                continue
            key = known[name] if name in mapped and known[name] not in body else name
            if path is not None:
                self.read.add(path + (name,))
            self.put(at + (key,), item, entry, None if path is None else _Found(item, path + (name,)), known)

    def put(self, parts: tuple, value: Any, entry: Entry, found: _Found | None, known: dict | None = None,
            computed: str | None = None) -> None:
        """One value into a section or block; a name already there for the same setting (an alias) is replaced."""
        owner = self.node(parts[:-1])
        if known:
            for other in [n for n in owner if n != parts[-1] and known.get(n) == known.get(parts[-1])]:
                del owner[other]
                self.forget(parts[:-1] + (other,))
        owner[parts[-1]] = value
        self.origin(parts, entry, found, computed)

    def node(self, parts: tuple) -> Any:
        node: Any = self.data
        for part in parts:
            node = node[part]
        return node

    def place(self, parts: tuple, value: Any, entry: Entry, found: _Found | None, computed: str | None) -> None:
        """A value at a TARGET inside a section: the mappings on the way are made, a list must
        have the element; `lstm.KEY` on a stack is every block's (input_size the first block's
        only), and a hidden size given as a list of sizes makes the stack."""
        section = parts[0]
        if section == "lstm" and isinstance(parts[1], str):
            known = names("lstm", self.framework)
            key = known.get(parts[1])
            sizes = value if key in HIDDEN_NAMES and isinstance(value, list) else None
            if sizes is not None:
                self.sizes_stack(parts, sizes, entry, found)
                return
            if isinstance(self.data.get("lstm"), list):
                blocks = self.data["lstm"][:1] if key in INPUT_NAMES else self.data["lstm"]
                for k in range(len(blocks)):
                    self.descend(("lstm", k) + parts[1:], value, entry, found, computed, known)
                return
            self.descend(parts, value, entry, found, computed, known)
            return
        known = names("lstm", self.framework) if parts[:2] == ("decoder", "lstm") and len(parts) == 3 else (
            names(section) if section == "data" and len(parts) == 2 else None)
        self.descend(parts, value, entry, found, computed, known)

    def descend(self, parts: tuple, value: Any, entry: Entry, found: _Found | None, computed: str | None,
                known: dict | None) -> None:
        node: Any = self.data
        for depth, part in enumerate(parts[:-1]):
            here = parts[:depth + 1]
            if isinstance(node, dict) and isinstance(part, str):
                if (part not in node or node[part] is None) and isinstance(parts[depth + 1], int):
                    raise MappingError(f"{entry.source.text}: TARGET '{entry.target}' leads into nothing: "
                                       f"'{dotted(here)}' is not given; give the list first, e.g. --set "
                                       f"'{dotted(here)}=[...]' (or from = ... in a project group)")
                if part not in node or node[part] is None:
                    node[part] = {}
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
                parts = parts[:depth] + (part % len(node),) + parts[depth + 1:]
                node = node[part]
            else:
                self._nowhere(parts, depth, node, entry)
                return
            if not isinstance(node, (dict, list)):
                self._nowhere(parts, depth + 1, node, entry)
                return
        last = parts[-1]
        if isinstance(node, list):
            if not isinstance(last, int) or not -len(node) <= last < len(node):
                self._nowhere(parts, len(parts) - 1, node, entry)
                return
            parts = parts[:-1] + (last % len(node),)
            node[last] = value
            self.origin(parts, entry, found, computed)
            return
        if not isinstance(last, str):
            self._nowhere(parts, len(parts) - 1, node, entry)
            return
        self.put(parts, value, entry, found, known, computed)

    def _nowhere(self, parts: tuple, depth: int, node: Any, entry: Entry) -> None:
        """TARGET leads into nothing: a usage error when what it leads through was given by
        options; a problem at the file's value when it was mapped from the file."""
        here, part = parts[:depth], parts[depth]
        if isinstance(node, list):
            why = (f"'{dotted(here)}' is a list of {len(node)}, which has no element {part}" if isinstance(part, int)
                   else f"'{dotted(here)}' is a list of {len(node)}: index it ({dotted(here)}.0.{part})")
        elif isinstance(node, dict):
            why = f"'{dotted(here)}' is a mapping, which has no element {part}"
        else:
            why = f"'{dotted(here)}' is {kind_of(node)}, which holds no '{part}'"
        linked, _ = MappedDoc._link(self, here)  # type: ignore[arg-type]
        if linked is None:
            raise MappingError(f"{entry.source.text}: TARGET '{entry.target}' leads into nothing: {why}")
        self.file_problem(linked, MAPPING_PATH, f"TARGET '{entry.target}' of {entry.source.text} leads into "
                                                f"nothing: {why}")

    def sizes_stack(self, parts: tuple, sizes: list, entry: Entry, found: _Found | None) -> None:
        """`lstm.hidden_size` from a list of sizes: one block per size, the other settings each
        block's (the input size the first block's only)."""
        if not sizes or len(sizes) > MAX_BLOCKS:
            self._not_blocks(entry, found, f"a list of {len(sizes):,} sizes; a stack has 1 to {MAX_BLOCKS:,} blocks")
            return
        key = parts[-1]
        current = self.data.get("lstm")
        if isinstance(current, list) and len(current) != len(sizes):
            what = f"a list of {len(sizes)} sizes, but lstm is a stack of {len(current)} blocks"
            self._not_blocks(entry, found, what)
            return
        known = names("lstm", self.framework)
        if not isinstance(current, list):
            base = current if isinstance(current, dict) else {}
            self.data["lstm"] = [{} for _ in sizes]
            for k in range(len(sizes)):
                for name, item in base.items():
                    if k == 0 or known.get(name) not in INPUT_NAMES:
                        self.data["lstm"][k][name] = item
                        self.copy_origin(("lstm", name), ("lstm", k, name))
            for name in base:
                self.forget(("lstm", name))
        items = found.items if found is not None and found.items is not None else [
            ((found.parts + (k,)) if found is not None and found.parts is not None else None, v)
            for k, v in enumerate(sizes)]
        for k, (at, size) in enumerate(items):
            self.put(("lstm", k, key), size, entry, _Found(size, at) if at is not None else None, known)


def _selected(value: Any, select: Select) -> bool:
    """An element a filter keeps: a mapping whose `key` holds `value`, compared as the text YAML writes."""
    value = value.value if isinstance(value, Tagged) and not isinstance(value.value, str) else value
    return isinstance(value, dict) and select.key in value and _text(value[select.key]) == select.value


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value) if isinstance(value, (str, int, float)) else None


def _values_of(pool: list, key: str) -> str:
    seen = sorted({t for _, v in pool if isinstance(v, dict) and (t := _text(v.get(key))) is not None and key in v})
    return f" (its elements have {key}: {', '.join(seen[:8])}{', ...' if len(seen) > 8 else ''})" if seen else ""


def apply(doc: YamlDoc, entries: list[Entry]) -> tuple[MappedDoc, list[Problem]]:
    """The config `entries` map out of `doc` (shallowest TARGET first, later entries override
    earlier ones), and the problems of paths that are not in the file or values that cannot be
    computed (LS012, LS007, LS008). A TARGET leading into nothing options built: MappingError."""
    mapping = _Mapping(doc)
    for entry in entries:  # the framework first: a section takes the names of that framework's LSTM
        if entry.target == "framework":
            value = entry.value
            if entry.path is not None:
                try:
                    value = mapping.locate(entry.path, entry).value
                except _Nowhere:
                    mapping.problems.clear()
            mapping.framework = framework_named(value) or mapping.framework
    mapping.read.clear()
    for entry in ordered(entries):
        try:
            mapping.apply(entry)
        except _Nowhere:
            continue
    found = tuple(weighed(doc.problems, mapping.read)) + tuple(
        unread_sizes(doc, entries, mapping.read, mapping.framework))
    return MappedDoc(doc.path, mapping.data, {}, {}, found, original=doc, links=mapping.links, given=mapping.given,
                     computed=mapping.computed), mapping.problems


def weighed(loaded: tuple[Problem, ...], read: set) -> list[Problem]:
    """The loader's duplicate keys (LS002) as they matter to a mapped file: an error on a mapped
    path (a key the mapping reads, one inside a section mapped whole, or one a mapped path runs
    through), a warning elsewhere: the mapping never reads that key, so its value is the project's
    business (PyYAML keeps the last one without a word)."""
    mapped = {_address(json_path(parts)) for parts in read}
    through = {p[:end + 1] for p in mapped for end, ch in enumerate(p) if ch == "."}  # each one's prefixes
    out = []
    for problem in loaded:
        at = _address(problem.path)
        inside = any(at[:end + 1] in mapped for end, ch in enumerate(at) if ch == ".")
        if problem.code != DUPLICATE_KEY or inside or at in through:
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


# LS016: which keys look like a size of the LSTM (lstmshape/codes.py's UNREAD_SIZE_KEY says why)
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
SIZE_PATTERN, NOT_THE_RNN_PATTERN = "|".join(SIZE_PARTS), "|".join(NOT_THE_RNN_PARTS)
MAX_REFERENCES = 1_000  # interpolations followed to find what a read value reads in turn


def size_names(framework: str) -> dict[str, str | None]:
    """The LSTM's sizes a key may mean (MEANINGS) → the framework's name for each (None: it has no
    such setting)."""
    fw = of(framework)
    keys = {key.name for key in fw.keys}
    return {"input_size": fw.input_key, "hidden_size": fw.hidden_key,
            "num_layers": "num_layers" if "num_layers" in keys else None,
            "proj_size": "proj_size" if "proj_size" in keys else None}


def unread_sizes(doc: YamlDoc, entries: list[Entry], read: set, framework: str) -> list[Problem]:
    """LS016: every key inside an `lstm` section mapped whole (nested ones too) that looks like a
    size of the LSTM, holds a number (or a reference to one), and that nothing reads: not taken by
    name, not mapped by another entry, not reached by an interpolation or !ref of a value read.
    Not where the user mapped the setting it would be by name (`--from/--set lstm.KEY`): a choice."""
    known = names("lstm", framework)
    read = _reached(doc, {tuple(map(str, path)) for path in read})
    chosen = {str(known.get(e.parts[-1])).removeprefix("total_")
              for e in entries if e.parts[:1] == ("lstm",) and len(e.parts) > 1}
    out: list[Problem] = []
    seen: set = set()
    for entry in entries:
        if entry.target != "lstm" or entry.path is None:
            continue
        try:
            found = _Mapping(doc).locate(entry.path, entry)
        except _Nowhere:
            continue
        bodies = found.items if found.items is not None else [(found.parts, found.value)]
        if found.items is None and isinstance(found.value, list):
            bodies = [(found.parts + (k,), v) for k, v in enumerate(found.value)]
        for at, body in bodies:
            body = body.value if isinstance(body, Tagged) else body
            if isinstance(body, dict):
                out += _unread_in(doc, body, at, entry, read, known, chosen, framework, seen)
    return out


def _unread_in(doc: YamlDoc, body: dict, at: tuple, entry: Entry, read: set, known: dict, chosen: set,
               framework: str, seen: set) -> list[Problem]:
    out: list[Problem] = []
    mapped, sizes = dotted(entry.path), size_names(framework)
    for parts, within, words in _leaves(body, at, (), read, set(known)):
        meaning = _meaning(words)
        name = sizes.get(meaning) if meaning else None
        if parts in seen or (name is not None and name in chosen):
            continue
        seen.add(parts)
        line, col = doc.mark(parts, key=True)
        out.append(Problem(doc.path, line, col, UNREAD_SIZE_KEY, WARNING,
                           _unread_message(within, parts, entry, mapped, name, framework), json_path(parts)))
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


def _unread_message(within: tuple, parts: tuple, entry: Entry, mapped: str, name: str | None, framework: str) -> str:
    key = ".".join(map(str, within))
    if name is None:
        sizes = ", ".join(n for n in size_names(framework).values() if n)
        target, meaning = "lstm.KEY", f"one of the LSTM's sizes (KEY: {sizes})"
    else:
        target, meaning = f"lstm.{name}", f"the LSTM's {name}"
    path = dotted(parts)
    if entry.source.file == "--from":
        by, how = entry.source.text, f"--from {target}={path}"
    else:
        by, how = f"lstm = \"{mapped}\" ({entry.source.text})", f'"{target}" = "{path}" in that group\'s from table'
    return (f"'{key}' looks like a size of the LSTM but is not read: {by} takes only the settings lstmshape "
            f"knows by name; if it is {meaning}, map it with {how}")


