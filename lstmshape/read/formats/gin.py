"""gin-config files (`.gin`), read as data: gin-config's own parser (gin.config_parser) parses
the bindings without registering or importing anything; lstmshape never calls gin's
`parse_config`, which imports modules and needs every configurable registered.

    RNNLM.d_model = 128                 → {"RNNLM": {"d_model": 128}}
    trax.models.RNNLM.n_layers = 2      → {"trax": {"models": {"RNNLM": {"n_layers": 2}}}}
    train/RNNLM.d_model = 256           → {"train/RNNLM": {"d_model": 256}}  (a scope stays in its name)
    D_MODEL = 512                       → {"D_MODEL": 512}, a macro, and `%D_MODEL` reads 512
    RNNLM.cell = @LSTMCell              → "@LSTMCell" (a reference, kept as its text)

So a PATH of --from is the binding's name as written. Values are Python literals (numbers,
strings, lists, tuples as lists, dicts, True/False/None). A later binding replaces an earlier
one, as in gin. `import` lines are not followed (a note names them); an `include` is not followed
either (a note says so: check the included file on its own). A malformed line is an error at it. A file larger than MAX_GIN_BYTES is refused unread (gin's
parser is slow: a hostile megabyte would take seconds).
"""

from __future__ import annotations

import os
import re
import tokenize

from ...codes import NOT_FOLLOWED
from ...problems import NOTE, Problem
from ...yamlload import YamlDoc, YamlError, bounded, problem, read_file, text_of

class Macro:
    """`%NAME` in a value, resolved once every binding is read."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


MAX_GIN_BYTES = 128 << 10  # gin's parser takes about 10 µs a byte; a real config is a few KB (an operative config tens)


def load_gin(path: str | os.PathLike) -> YamlDoc:
    name, raw = read_file(path)
    if len(raw) > MAX_GIN_BYTES:
        raise YamlError(problem(name, 1, 1, f"gin file is larger than {MAX_GIN_BYTES} bytes; not a config"))
    return parse_gin(text_of(raw, name, "gin"), name)


def parse_gin(text: str, name: str) -> YamlDoc:
    from gin import config_parser  # gin-config: its parser only, loaded for a .gin file

    class Delegate(config_parser.ParserDelegate):
        def configurable_reference(self, scoped_name, evaluate):
            return f"@{scoped_name}()" if evaluate else f"@{scoped_name}"

        def macro(self, macro_name):
            return Macro(macro_name)

    data: dict = {}
    value_marks: dict = {(): (1, 1)}
    key_marks: dict = {}
    imports: list = []
    notes: list[Problem] = []
    try:
        for statement in config_parser.ConfigParser(text, Delegate()):
            where = statement.location
            if isinstance(statement, config_parser.ImportStatement):
                imports.append((statement.module, where.line_num))
            elif isinstance(statement, config_parser.IncludeStatement):
                notes.append(Problem(name, where.line_num, 1, NOT_FOLLOWED, NOTE,
                                     f"include {statement.filename!r} is not followed: lstmshape reads one file; "
                                     "its bindings are not read here (check the included file on its own)"))
            elif isinstance(statement, config_parser.BindingStatement):
                bind(data, value_marks, key_marks, statement, name)
    except (SyntaxError, tokenize.TokenError, ValueError, RecursionError, MemoryError) as exc:
        raise YamlError(problem(name, *_error_place(exc), f"invalid gin: {_reason(exc)}")) from None
    if imports:
        modules = ", ".join(module for module, _ in imports[:5]) + (", ..." if len(imports) > 5 else "")
        notes.append(Problem(name, imports[0][1], 1, NOT_FOLLOWED, NOTE,
                             f"import lines are not followed ({modules}): lstmshape imports nothing and reads the "
                             "bindings as data"))
    try:
        resolved = resolve_macros(data)
    except RecursionError:
        raise YamlError(problem(name, 1, 1, "invalid gin: macros refer to macros too deeply")) from None
    return YamlDoc(name, bounded(resolved, name, "gin"), value_marks, key_marks, tuple(notes))


def bind(data: dict, value_marks: dict, key_marks: dict, statement, name: str) -> None:
    """Place one binding `scope/selector.arg = value` at its key path (the name split at dots)."""
    where = statement.location
    scope = f"{statement.scope}/" if statement.scope else ""
    written = scope + statement.selector + (f".{statement.arg_name}" if statement.arg_name else "")
    parts = tuple(written.split("."))
    node = data
    for depth, part in enumerate(parts[:-1]):
        inner = node.setdefault(part, {})
        if not isinstance(inner, dict):
            raise YamlError(problem(name, where.line_num, 1, f"invalid gin: '{written}' binds inside "
                                    f"'{'.'.join(parts[:depth + 1])}', which is bound to a value"))
        node = inner
    if isinstance(node.get(parts[-1]), dict) and not isinstance(statement.value, dict):
        raise YamlError(problem(name, where.line_num, 1, f"invalid gin: '{written}' is a configurable with "
                                "parameters bound elsewhere; it cannot also be a value"))
    node[parts[-1]] = plain(statement.value)
    line = where.line_content or ""
    key_col = (where.char_num if where.char_num is not None else len(line) - len(line.lstrip())) + 1
    equals = line.find("=", key_col - 1)
    value_col = equals + 2 + len(line[equals + 1:]) - len(line[equals + 1:].lstrip()) if equals >= 0 else key_col
    key_marks[parts] = (where.line_num, key_col)
    value_marks[parts] = (where.line_num, value_col)
    for depth in range(1, len(parts)):
        key_marks.setdefault(parts[:depth], (where.line_num, key_col))
        value_marks.setdefault(parts[:depth], (where.line_num, key_col))


def plain(value):
    """gin's literal as lstmshape's plain data: tuples become lists; a literal YAML has no
    equivalent for (bytes, complex, a set) becomes its text."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k if isinstance(k, (str, int, float, bool)) or k is None else repr(k): plain(v)
                for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool, Macro)):
        return value
    return repr(value)


def resolve_macros(data):
    """Every `%NAME` replaced by the value bound to NAME, each macro resolved once and shared (so a
    macro used a thousand times costs one value: the document's size is checked after); an
    unbound macro, or a cycle, stays the text `%NAME`, which the reader reports where a number is
    needed."""
    done: dict = {}

    def value_of(macro: Macro):
        if macro.name not in done:
            done[macro.name] = f"%{macro.name}"  # while it resolves: a cycle reads as the text
            node = data
            for part in macro.name.split("."):
                if not isinstance(node, dict) or part not in node:
                    return done[macro.name]
                node = node[part]
            done[macro.name] = walk(node)
        return done[macro.name]

    def walk(node):
        if isinstance(node, Macro):
            return value_of(node)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)


def _error_place(exc: BaseException) -> tuple[int, int]:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno, max(1, (exc.offset or 0) + (0 if isinstance(exc, IndentationError) else 1))
    if isinstance(exc, tokenize.TokenError) and len(exc.args) > 1 and isinstance(exc.args[1], tuple):
        return max(1, exc.args[1][0]), max(1, exc.args[1][1] + 1)
    return 1, 1


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "values nested too deeply"
    if isinstance(exc, MemoryError):
        return "a value too large to read"
    text = str(exc.msg if isinstance(exc, SyntaxError) else exc.args[0] if exc.args else exc)
    token = re.search(r"Failed to parse token '(.*)'\s*\Z", text, re.S)
    if token:  # gin's message holds Python's repr of an AST node: say what was written instead
        return f"{token.group(1)[:60]!r} is not a value (a Python literal, an @reference or a %macro)"
    return " ".join(text.split())[:200]
