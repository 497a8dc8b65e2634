"""Safe, bounded YAML loading that remembers where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of two duplicate keys. We
compose the document into nodes (no object is ever constructed from a tag), then build plain
Python values ourselves, recording the line and column of every key and value by its path. All
work is bounded: file size, nesting depth, and the number of nodes an alias may expand to (a
"billion laughs" document is refused after a few thousand steps, not after 10⁹).

A duplicate key keeps the last value, as the training script's loader does, and is recorded as
an LS002 problem on the document (`YamlDoc.problems`), not raised: an error in lstmshape's own
configs and inside what a mapping reads, a warning elsewhere in a file read through a mapping.

Tags: the standard ones (`!!int`, `!!str`, ...) are read; YAML's own object tags (`!!python/...`)
are refused; a local tag such as HyperPyYAML's `!new:`, `!name:`, `!apply:` or `!ref` becomes an
inert `Tagged` placeholder (nothing is constructed), an error only where lstmshape reads a value.
JSON is read by the same parser (JSON is YAML flow syntax), so its problems get positions too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml

from .codes import DUPLICATE_KEY, INVALID_YAML
from .problems import ERROR, Problem, json_path

MAX_BYTES = 1 << 20  # a training config is a few KB; 1 MiB is generous
MAX_DEPTH = 64
MAX_NODES = 50_000  # values built after alias expansion

# libyaml's parser where PyYAML was built with it (valid files only: errors are re-parsed by the
# pure-Python parser so that messages and positions never depend on how PyYAML was built)
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("null", "bool", "int", "float", "str")}
_IMPLICIT_AS_TEXT = {_CORE + "timestamp"}  # `2024-01-01` stays the text the user wrote


class Tagged:
    """A value under a local tag (`!new:torch.nn.LSTM`, `!ref <seed>`): kept, never constructed.
    `value` is the scalar's text, or the plain mapping or list the tag was put on. (A plain class:
    a dataclass would cost every `check` its start-up.)"""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any):
        self.tag, self.value = tag, value

    def __eq__(self, other) -> bool:
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r}, {self.value!r})"

    def __str__(self) -> str:
        return f"{self.tag} {self.value}" if isinstance(self.value, str) and self.value else self.tag


class YamlError(Exception):
    """The file cannot be read as one safe YAML document; `problem` says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class YamlDoc:
    """Plain data (dict, list, str, int, float, bool, None) plus where each piece was written."""

    path: str
    data: Any
    value_marks: dict[tuple, tuple[int, int]] = field(repr=False)
    key_marks: dict[tuple, tuple[int, int]] = field(repr=False)
    # what loading found that does not stop reading: a duplicate key (LS002, the last value kept,
    # as PyYAML does). The reader reports them; a mapping first decides which matter (mapping.apply)
    problems: tuple[Problem, ...] = field(default=(), repr=False)

    def mark(self, parts: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `parts` (or of its key), else of its nearest ancestor."""
        marks = self.key_marks if key else self.value_marks
        while parts:
            if parts in marks:
                return marks[parts]
            if key and parts in self.value_marks:
                return self.value_marks[parts]
            parts = parts[:-1]
        return self.value_marks.get((), (1, 1))

    def place(self, parts: tuple, key: bool = False) -> tuple[str, int, int, str]:
        """File, line, column and JSON path a problem at `parts` is reported at."""
        return (self.path, *self.mark(parts, key=key), json_path(parts))

    def describe(self, parts: tuple) -> dict:
        """Where the setting at `parts` was written, for `infer`'s sources."""
        line, col = self.mark(parts)
        return {"from": ".".join(str(p) for p in parts), "file": self.path, "line": line, "column": col}

    def source_of(self, parts: tuple) -> tuple["YamlDoc", tuple] | None:
        """The document and path the value at `parts` was written at (None: not in a file)."""
        return self, parts


def load_yaml(path: str | os.PathLike) -> YamlDoc:
    """Read and parse one file; raise `YamlError` for anything that is not a safe document."""
    return parse_yaml(*read_file(path)[::-1])


def read_file(path: str | os.PathLike) -> tuple[str, bytes]:
    """The file's name and its bytes, at most MAX_BYTES + 1 of them (every format's reader starts here)."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            return name, fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlError(problem(name, 1, 1, f"cannot read file: {exc.strerror or exc}")) from None


def text_of(raw: bytes, name: str, what: str = "YAML") -> str:
    """A config file's text: refused when larger than MAX_BYTES, binary (a NUL byte) or not UTF-8,
    at the offending byte's line and column."""
    if len(raw) > MAX_BYTES:
        raise YamlError(problem(name, 1, 1, f"file is larger than {MAX_BYTES} bytes; not a config"))
    if b"\0" in raw:
        line, col = position(raw, raw.index(b"\0"))
        raise YamlError(problem(name, line, col, f"file contains a NUL byte: binary, not {what}"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)  # utf-8-sig counts after the BOM
        line, col = position(raw, bad)
        raise YamlError(problem(name, line, col, f"file is not UTF-8 text (byte 0x{raw[bad]:02x})")) from None


def parse_yaml(raw: bytes | str, name: str = "<string>") -> YamlDoc:
    text = text_of(raw, name) if isinstance(raw, bytes) else raw
    if name.endswith(".json") and "\t" in text:
        # JSON allows tabs between tokens, YAML 1.1 does not; a JSON string cannot hold a raw tab,
        # so each is whitespace: one space keeps every column
        text = text.replace("\t", " ")
    try:
        loader = yaml.SafeLoader(text)  # checks every character at once: refuses control characters
    except yaml.reader.ReaderError as exc:
        line, col = position(text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise YamlError(problem(name, line, col, f"file contains control character #x{ord(char):04x}: "
                                 "not YAML text")) from None
    if _FAST_LOADER is not None:  # libyaml: the same events and marks, several times faster
        fast = _Builder(name, _FAST_LOADER(text))
        try:
            data = fast.document()
        except yaml.YAMLError:
            pass  # reported below with the pure-Python parser's message and position
        else:
            loader.dispose()
            return YamlDoc(name, data, fast.value_marks, fast.key_marks, tuple(fast.duplicates))
        finally:
            fast.loader.dispose()
    builder = _Builder(name, loader)
    try:
        data = builder.document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(problem(name, line, col, f"invalid YAML: {exc.problem or exc}")) from None
    except yaml.YAMLError as exc:
        raise YamlError(problem(name, 1, 1, f"invalid YAML: {exc}")) from None
    finally:
        builder.loader.dispose()
    return YamlDoc(name, data, builder.value_marks, builder.key_marks, tuple(builder.duplicates))


class _Frame:
    """A container being filled; the root frame is a one-slot list holding the document."""

    __slots__ = ("container", "parts", "key", "merges", "anchor", "first", "is_root", "tag")

    def __init__(self, container, parts: tuple, anchor=None, first: int = 0, is_root: bool = False,
                 tag: str | None = None):
        self.container = container
        self.parts = parts
        self.key = None  # the mapping key whose value comes next
        self.merges: list = []  # values of `<<` keys, applied when the mapping ends
        self.anchor = anchor
        self.first = first
        self.is_root = is_root
        self.tag = tag  # a local tag on the container: it is stored as Tagged(tag, container)


class _Builder:
    """Builds values straight from the parser's event stream, without recursion.

    PyYAML's composer recurses once per nesting level (and its scanner slows quadratically with
    flow depth), so depth is checked here as events arrive: a hostile document is refused after
    MAX_DEPTH levels, before the parser has crawled through the rest. An alias re-uses the
    anchored value and its size counts again towards MAX_NODES, so an alias bomb is refused
    without ever being expanded.
    """

    def __init__(self, name: str, loader: yaml.SafeLoader):
        self.name = name
        self.loader = loader
        self.nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.value_marks: dict[tuple, tuple[int, int]] = {}
        self.key_marks: dict[tuple, tuple[int, int]] = {}
        self.first_keys: dict[tuple, tuple[int, int]] = {}  # a duplicated key's first place
        self.duplicates: list[Problem] = []

    def fail(self, event, message: str, parts: tuple = ()) -> YamlError:
        return YamlError(problem(self.name, *_mark(event), message, INVALID_YAML, json_path(parts)))

    def document(self) -> Any:
        get, check = self.loader.get_event, self.loader.check_event
        get()  # stream start
        if check(yaml.StreamEndEvent):
            raise YamlError(problem(self.name, 1, 1, "file is empty: expected a mapping with an 'lstm' section"))
        get()  # document start
        root = _Frame([], (), is_root=True)
        stack = [root]
        while not root.container:
            event = get()
            frame = stack[-1]
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                stack.pop()
                self._close(frame)
                self._store(stack[-1], frame.container if frame.tag is None else Tagged(frame.tag, frame.container))
                continue
            if isinstance(frame.container, dict) and frame.key is None:
                self._key(frame, event)
                continue
            parts = self._child_parts(frame)
            self.value_marks[parts] = _mark(event)  # a duplicated key's: the value kept, the last
            self._count(event, 1, parts)
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    raise self.fail(event, f"unknown alias *{event.anchor}", parts)
                value, size = self.anchors[event.anchor]
                self._count(event, size, parts)
                self._store(frame, value)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                is_map = isinstance(event, yaml.MappingStartEvent)
                local = _local(event.tag)
                if not local:
                    self._check_tag(event, _CORE + ("map" if is_map else "seq"), parts)
                if len(stack) > MAX_DEPTH:
                    raise self.fail(event, f"YAML is nested too deeply (limit {MAX_DEPTH} levels)", parts)
                stack.append(_Frame({} if is_map else [], parts, event.anchor, self.nodes,
                                    tag=event.tag if local else None))
            else:
                value = self._scalar(event, parts)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                self._store(frame, value)
        get()  # document end
        if not check(yaml.StreamEndEvent):
            raise self.fail(get(), "expected a single YAML document, found more than one")
        return root.container[0]

    @staticmethod
    def _child_parts(frame: _Frame) -> tuple:
        if frame.is_root:
            return ()
        if isinstance(frame.container, dict):
            return frame.parts + (frame.key,)
        return frame.parts + (len(frame.container),)

    def _count(self, event, size: int, parts: tuple) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise self.fail(event, f"document expands to more than {MAX_NODES} values (an alias bomb?)", parts)

    def _check_tag(self, event, tag: str, parts: tuple) -> None:
        if event.tag is not None and event.tag not in (tag, "!"):
            shown = event.tag.replace(_CORE, "!!")
            raise self.fail(event, f"YAML tag {shown} is not allowed: lstmshape constructs no objects", parts)

    def _scalar(self, event: yaml.ScalarEvent, parts: tuple) -> Any:
        tag = event.tag
        if _local(tag):
            return Tagged(tag, event.value)
        if tag in (None, "!"):
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        if node.tag in _IMPLICIT_AS_TEXT and event.tag is None:
            return event.value
        if node.tag not in _SCALAR_TAGS:
            self._check_tag(node, "", parts)
        try:
            return self.loader.construct_object(node)
        except (ValueError, yaml.YAMLError) as exc:  # e.g. an int of more than 4300 digits
            raise self.fail(event, f"cannot read scalar {event.value[:40]!r}: {exc}", parts) from None

    def _key(self, frame: _Frame, event) -> None:
        if not isinstance(event, yaml.ScalarEvent):
            raise self.fail(event, "a mapping key must be a plain scalar", frame.parts)
        key = event.value
        if key == "<<" and event.tag is None and not event.style:  # plain: None (PyYAML) or "" (libyaml)
            frame.key = _MERGE
            return
        parts = frame.parts + (key,)
        if key in frame.container:  # kept, as PyYAML keeps it: whether it matters is the reader's call
            first = self.first_keys.setdefault(parts, self.key_marks[parts])
            self.duplicates.append(problem(
                self.name, *_mark(event), f"duplicate key {key!r} (first at line {first[0]}, column {first[1]}); "
                "YAML loaders silently keep only the last one", DUPLICATE_KEY, json_path(parts)))
        self.key_marks[parts] = _mark(event)
        frame.key = key

    def _store(self, frame: _Frame, value: Any) -> None:
        if isinstance(frame.container, list):
            frame.container.append(value)
        elif frame.key is _MERGE:
            frame.merges.append(value)
            frame.key = None
        else:
            frame.container[frame.key] = value
            frame.key = None

    def _close(self, frame: _Frame) -> None:
        """Apply `<<: *defaults` merges (keys the mapping does not set itself) and the anchor."""
        for merge in frame.merges:
            sources = merge if isinstance(merge, list) else [merge]
            for source in sources:
                if not isinstance(source, dict):
                    line, col = self.value_marks.get(frame.parts, (1, 1))
                    raise YamlError(problem(self.name, line, col, "a merge key '<<' takes a mapping or a list of mappings", INVALID_YAML, json_path(frame.parts)))
                for key, value in source.items():
                    frame.container.setdefault(key, value)
        if frame.anchor:
            value = frame.container if frame.tag is None else Tagged(frame.tag, frame.container)
            self.anchors[frame.anchor] = (value, self.nodes - frame.first)


_MERGE = "<<"  # plain `<<` can never be a stored key: it always merges


def _local(tag: str | None) -> bool:
    """A local tag (`!new:x`, `!ref`): not YAML's own `!!` namespace, not the bare `!`."""
    return tag is not None and tag.startswith("!") and tag != "!"


def _mark(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def position(raw: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in raw bytes or decoded text."""
    newline = b"\n" if isinstance(raw, bytes) else "\n"
    line = raw.count(newline, 0, offset) + 1
    col = offset - (raw.rfind(newline, 0, offset) + 1) + 1
    return line, col


def problem(name: str, line: int, col: int, message: str, code: str = INVALID_YAML, path: str = "$") -> Problem:
    return Problem(name, line, col, code, ERROR, message, path)


def bounded(data: Any, name: str, what: str) -> Any:
    """`data` (built by another format's reader) held to the YAML loader's limits: at most MAX_DEPTH
    levels and MAX_NODES values, counted with values shared by reference counted again (so a
    macro or import used many times costs its size each time, as an alias does)."""
    pending, nodes = [(data, 0)], 0
    while pending:
        node, depth = pending.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise YamlError(problem(name, 1, 1, f"{what} document expands to more than {MAX_NODES} values"))
        if isinstance(node, (dict, list)):
            if depth >= MAX_DEPTH:
                raise YamlError(problem(name, 1, 1, f"{what} document is nested too deeply (limit {MAX_DEPTH} levels)"))
            pending.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return data


def not_a_file(path: str) -> str | None:
    """Why `path` cannot be read as a file, without opening it (a FIFO would block forever)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}" + (" (a broken symbolic link)" if os.path.islink(path) else "")
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else \
        "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
    return f"cannot read file: {kind}, not a regular file"
