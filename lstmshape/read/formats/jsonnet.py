"""jsonnet files (`.jsonnet`, `.libsonnet`), as allennlp keeps its experiments: evaluated by the
jsonnet library (the reference C++ implementation, PyPI `jsonnet`), never by hand-written code,
in a process of its own (lstmshape/read/formats/jsonnet_worker.py) so that a hostile file ends
within its bounds: MEMORY bytes of address space, DEADLINE seconds, MAX_STACK frames, an answer
of at most MAX_BYTES characters, and the document limits of YAML (depth, values).

Nothing outside the project is read: `import`, `importstr` and `importbin` take a relative path
that stays, symlinks resolved, inside the project (the directory of the pyproject.toml holding
[tool.lstmshape], else the file's own directory); no native function is given. `std.extVar(NAME)`
reads the value of `--ext-var NAME=VALUE` (or of the group's `ext-vars` table) and nothing else:
one not given reads as "" with an LS017 warning at the call.

Positions: the evaluated JSON has none, so each value is placed by the source text. A scan of the
file's tokens records where each field is written (`hidden_size: 128` inside `encoder: {...}`
inside `model: {...}` is ("model", "encoder", "hidden_size")) and where each list item starts. A
value is placed at its field when the path is written as a literal in the file (the last place,
as `+` gives the right-hand side); failing that at the one field whose path ends the same way
(longest ending first: a `local encoder = {hidden_size: 128}` used as `model.encoder`); failing
that at its nearest placed ancestor, else the file's first line. A file that does not evaluate
is an error at the line and column jsonnet names in this file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from ...codes import UNSET_EXT_VAR
from ...problems import WARNING, Problem
from ...yamlload import MAX_BYTES, YamlDoc, YamlError, bounded, problem, read_file, text_of
from ..recognise import locate_project

MEMORY = 256 << 20  # bytes of address space the evaluation may take
DEADLINE = 2.0  # seconds of wall time (and of CPU time): a real config evaluates in milliseconds
MAX_STACK = 500  # jsonnet's default: a deeper recursion is an error
MAX_IMPORTS = 64
MAX_RETRIES = 16  # evaluations, again each time an std.extVar whose name the scan could not see is unset
MAX_FIELDS = 50_000  # fields and list items the position scan records
MAX_SUFFIX = 8  # path endings indexed for the second way of placing a value
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jsonnet_worker.py")

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<comment>//[^\n]*|\#[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<block>\|\|\|.*?\n[ \t]*\|\|\||\|\|\|.*\Z)
  | (?P<string>@"(?:[^"]|"")*(?:"|\Z)|@'(?:[^']|'')*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z)|'(?:[^'\\]|\\.)*(?:'|\Z))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<op>[!$:~+\-&|^=<>*/%]+)
  | (?P<punct>.)
""", re.S | re.X)
_FIELD_COLONS = (":", "::", ":::", "+:", "+::", "+:::")
_UNDEFINED = re.compile(r"undefined external variable: (.*)")


def load_jsonnet(path: str | os.PathLike, ext_vars: dict[str, str]) -> YamlDoc:
    name, raw = read_file(path)
    text = text_of(raw, name, "jsonnet")
    fields, calls = scan(text)
    given = dict(ext_vars)
    notes = []
    for var, (line, col) in calls:
        if var not in given:
            given[var] = ""
            notes.append(unset(name, line, col, var))
    deadline = time.monotonic() + DEADLINE  # one budget for every evaluation of the file
    for _ in range(MAX_RETRIES):
        answer = evaluate(name, text, given, deadline - time.monotonic())
        missing = _UNDEFINED.match(answer.get("error", "").removeprefix("RUNTIME ERROR: "))
        if missing is None or missing.group(1) in given:
            break
        var = missing.group(1)
        given[var] = ""
        notes.append(unset(name, *error_place(answer["error"], name)[:2], var))
    if "error" in answer:
        line, col, message = error_place(answer["error"], name)
        unset_names = ", ".join(sorted(v for v in given if v not in ext_vars))
        hint = f" (external variables not given, read as \"\": {unset_names}; give them with --ext-var NAME=VALUE)" \
            if unset_names else ""
        raise YamlError(problem(name, line, col, f"invalid jsonnet: {message}{hint}"))
    try:
        data = json.loads(answer["json"])
    except RecursionError:
        raise YamlError(problem(name, 1, 1, "jsonnet document is nested too deeply")) from None
    bounded(data, name, "jsonnet")
    value_marks, key_marks = place(data, fields)
    return YamlDoc(name, data, value_marks, key_marks, tuple(notes))


def unset(name: str, line: int, col: int, var: str) -> Problem:
    return Problem(name, line, col, UNSET_EXT_VAR, WARNING,
                   f"std.extVar({var!r}) is not given: it reads as an empty string; give it with --ext-var {var}=VALUE")


def project_root(path: str) -> str:
    """The directory imports stay inside: the project's (its pyproject.toml with [tool.lstmshape]),
    else the file's own."""
    directory = os.path.dirname(os.path.abspath(path))
    found = locate_project(directory)
    return os.path.dirname(found) if found is not None else directory


def evaluate(name: str, text: str, ext_vars: dict[str, str], seconds: float = DEADLINE) -> dict:
    """jsonnet's answer for the file within `seconds`: {"json": text} or {"error": jsonnet's message}."""
    request = {"filename": os.path.abspath(name), "text": text, "ext_vars": ext_vars,
               "roots": [project_root(name)], "max_stack": MAX_STACK, "max_trace": 20,
               "max_output": MAX_BYTES, "max_imports": MAX_IMPORTS, "max_import_bytes": MAX_BYTES,
               "memory": MEMORY, "cpu_seconds": int(DEADLINE)}
    try:
        if seconds <= 0:
            raise subprocess.TimeoutExpired(WORKER, 0)
        done = subprocess.run([sys.executable, "-I", WORKER], input=json.dumps(request), capture_output=True,
                              text=True, timeout=seconds, env={})
    except subprocess.TimeoutExpired:
        return {"error": f"evaluation stopped: not finished within {DEADLINE:g} s (a config evaluates in "
                         "milliseconds)"}
    try:
        return json.loads(done.stdout)
    except ValueError:
        if "No module named '_jsonnet'" in done.stderr:
            return {"error": "not evaluated: the jsonnet library is not installed (pip install jsonnet)"}
        return {"error": f"evaluation stopped: it took more than {MEMORY >> 20} MB or {DEADLINE:g} s of CPU"}


def error_place(message: str, name: str) -> tuple[int, int, str]:
    """Line, column and text of jsonnet's error: the first place it names in this file (a trace
    lists the innermost first), else the file's start; the file's absolute directory is shown as
    the name the user gave."""
    absolute = os.path.abspath(name)
    place = re.search(re.escape(absolute) + r":\(?(\d+):(\d+)", message)
    first = message.strip().splitlines()[0] if message.strip() else "cannot evaluate"
    first = re.sub(r"^(?:RUNTIME|STATIC) ERROR: ", "", first).replace(absolute, name)
    first = first.replace(os.path.dirname(absolute) + os.sep, "")
    first = re.sub(re.escape(name) + r":\(?\d+:\d+[^:]*:\s*", "", first)
    return (int(place.group(1)), int(place.group(2)), first[:300]) if place else (1, 1, first[:300])


class _Frame:
    """An open `{`, `[` or `(` (or the file's top level) in the position scan."""

    __slots__ = ("kind", "prefix", "field", "binding", "index", "expect_field", "expect_item", "after_local")

    def __init__(self, kind: str, prefix: tuple):
        self.kind, self.prefix = kind, prefix
        self.field = self.binding = None
        self.index = 0
        self.expect_field = kind == "{"
        self.expect_item = kind == "["
        self.after_local = False

    def child(self) -> tuple:
        """The path the value of a bracket opened here has."""
        if self.binding is not None:
            return (f"<local {self.binding}>",)
        if self.kind == "{":
            return self.prefix + ((self.field,) if self.field is not None else ("<?>",))
        if self.kind == "[":
            return self.prefix + (self.index,)
        return self.prefix


def scan(text: str) -> tuple[dict, list]:
    """Where each field and list item is written ({path: [(key mark, value mark, first token)]},
    in file order) and each `std.extVar("NAME")` call with a literal name ([(NAME, mark)])."""
    tokens = [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)
              if m.lastgroup not in ("space", "comment")]
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    fields: dict = {}
    calls: list = []
    recorded = 0

    def mark(offset: int) -> tuple[int, int]:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if starts[mid] <= offset else (lo, mid - 1)
        return lo + 1, offset - starts[lo] + 1

    stack = [_Frame("top", ())]
    for i, (kind, value, offset) in enumerate(tokens):
        frame = stack[-1]
        following = tokens[i + 1] if i + 1 < len(tokens) else (None, "", len(text))
        if value == "extVar" and i >= 2 and tokens[i - 1][1] == "." and tokens[i - 2][1] == "std" \
                and following[1] == "(" and i + 3 < len(tokens) and tokens[i + 2][0] == "string" \
                and tokens[i + 3][1] == ")":
            calls.append((unquote(tokens[i + 2][1]), mark(tokens[i - 2][2])))
        if frame.expect_item and value not in ("]", ","):
            frame.expect_item = False
            if recorded < MAX_FIELDS:
                fields.setdefault(frame.prefix + (frame.index,), []).append((mark(offset), mark(offset), value))
                recorded += 1
        if value == "local":
            frame.after_local, frame.expect_field = True, False
            continue
        if kind == "name" and frame.after_local:
            frame.binding, frame.after_local = value, False
            continue
        if frame.expect_field and kind in ("name", "string") and _field_colon(following):
            frame.field, frame.expect_field = unquote(value) if kind == "string" else value, False
            after = tokens[i + 2] if i + 2 < len(tokens) else following
            if recorded < MAX_FIELDS:
                fields.setdefault(frame.prefix + (frame.field,), []).append((mark(offset), mark(after[2]), after[1]))
                recorded += 1
            continue
        if frame.expect_field and kind != "string":
            frame.expect_field = False  # `assert`, a computed `[name]`, a method: no field to place
        if value in ("{", "[", "("):
            if len(stack) <= 64:
                stack.append(_Frame(value, frame.child()))
            continue
        if value in ("}", "]", ")"):
            if len(stack) > 1 and stack[-1].kind == {"}": "{", "]": "[", ")": "("}[value]:
                stack.pop()
            continue
        if value == ",":
            if frame.kind == "{":
                frame.field = frame.binding = None
                frame.expect_field = True
            elif frame.kind == "[":
                frame.index += 1
                frame.expect_item = True
            elif frame.binding is not None:
                frame.after_local = True  # `local a = 1, b = 2; ...`: the next binding
        elif value == ";":
            frame.binding = None
            frame.field = None if frame.kind != "{" else frame.field
        elif value == "for" and frame.kind == "[":
            frame.index = 0  # a comprehension: its items are all written at the first
    return fields, calls


def _field_colon(token: tuple) -> bool:
    kind, value, _ = token
    return kind == "op" and value.rstrip("+-~!$") in _FIELD_COLONS if len(value) > 1 else value == ":"


def unquote(token: str) -> str:
    """A string token's text (escapes other than quotes kept as written: names are plain)."""
    body = token[1:] if token.startswith("@") else token
    return body[1:-1] if len(body) >= 2 and body[-1] == body[0] else body[1:]


def place(data, fields: dict) -> tuple[dict, dict]:
    """Value and key marks of every path in `data`, found in the scanned fields (see the module
    docstring); a path found nowhere is left out, so it is placed at its nearest placed ancestor."""
    endings: dict = {}
    for path in fields:
        named = [p for p in path if not (isinstance(p, str) and p.startswith("<"))]
        for size in range(1, min(len(named), MAX_SUFFIX) + 1):
            endings.setdefault(tuple(named[-size:]), []).append(path)
    value_marks: dict = {(): (1, 1)}
    key_marks: dict = {}
    pending = [((), data)]
    while pending:
        parts, node = pending.pop()
        if parts:
            written = written_at(parts, node, fields, endings)
            if written is not None:
                key_marks[parts], value_marks[parts] = written[0], written[1]
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        pending.extend((parts + (key,), value) for key, value in items)
    return value_marks, key_marks


def written_at(parts: tuple, value, fields: dict, endings: dict):
    """Where the value at `parts` is written: the path itself, else the one field path ending as
    it does (longest ending first, one holding a string key) and whose literal is the value or an
    expression that may give it; None when that does not decide."""
    if parts in fields:
        return chosen(fields[parts], value, exact=True)
    for size in range(min(len(parts), MAX_SUFFIX), 0, -1):
        ending = parts[-size:]
        if not any(isinstance(p, str) for p in ending):
            continue
        paths = endings.get(ending, ())
        if paths:
            found = chosen([w for p in paths[-16:] for w in fields[p][-1:]], value, exact=False)
            if found is not None:
                return found
    return None


def chosen(places: list, value, exact: bool):
    """Of the places a path is written, the one evaluation kept: the last whose literal is the
    value; else, when the path is this very one (`exact`), the last; else the one place whose
    expression may give the value (a literal that differs cannot)."""
    literal = [w for w in places if _literal(w[2]) == value and _literal(w[2]) is not None]
    if literal:
        return literal[-1]
    if exact:
        return places[-1]
    possible = [w for w in places if _literal(w[2]) is None]
    return possible[0] if len(possible) == 1 and len(places) == 1 else None


def _literal(token: str):
    if re.fullmatch(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", token):
        number = float(token)
        return int(number) if number.is_integer() and abs(number) < 2 ** 53 else number
    if token[:1] in "\"'" and len(token) >= 2:
        return unquote(token)
    return {"true": True, "false": False, "null": None}.get(token)
