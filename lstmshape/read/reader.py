"""The reader's mechanics, shared by every section: place a problem at its value, fold aliases
into canonical names, check each value's kind, and name unknown keys with a "did you mean"."""

from __future__ import annotations

from typing import Any

from ..codes import CONFLICTING_ALIAS, MISSING_KEY, UNKNOWN_KEY, WRONG_STRUCTURE, Code
from ..problems import ERROR, Problem, json_path
from ..yamlload import YamlDoc
from .values import Key, classify, kind_of, show


class Invalid:
    """The value a check returns for a value that did not pass (distinct from any YAML value)."""


INVALID = Invalid()


class Reader:
    """Reads one document, collecting every problem (never stopping at the first) and the path
    each setting was read from (`origins`)."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.problems: list[Problem] = []
        self.origins: dict = {}

    def problem(self, parts: tuple, code: Code, message: str, severity: str = ERROR, key: bool = False) -> None:
        line, col = self.doc.mark(parts, key=key)
        self.problems.append(Problem(self.doc.path, line, col, code, severity, message, json_path(parts)))

    def section(self, name: str, data: dict, keys: tuple[Key, ...], index: int | None = None) -> dict | None:
        """Canonical name → value for one section, with aliases folded in and kinds checked;
        `index`: block `index` of a stack given as a list (whose blocks after the first may omit
        input_size). None when the section is not a mapping."""
        parts = (name,) if index is None else (name, index)
        body = data[name] if index is None else data[name][index]
        where = json_path(parts)[2:]
        if not isinstance(body, dict):
            self.problem(parts, WRONG_STRUCTURE, f"'{where}' is {kind_of(body)}; expected a mapping of settings")
            return None
        self.unknown_keys(parts, body, tuple(n for k in keys for n in (k.name, *k.aliases)))
        out: dict = {}
        for key in keys:
            given = [n for n in (key.name, *key.aliases) if n in body]
            if not given:
                if key.required and not (index and key.name == "input_size"):
                    also = f" (or {', '.join(key.aliases)})" if key.aliases else ""
                    self.problem(parts, MISSING_KEY, f"'{where}' needs '{key.name}'{also}", key=True)
                continue
            ok = True
            for alias in given:
                ok = self.check_value(parts + (alias,), key, body[alias]) is not INVALID and ok
            if not ok:
                continue
            first = given[0]
            for alias in given[1:]:
                if body[alias] != body[first] or type(body[alias]) is not type(body[first]):
                    line, col = self.doc.mark(parts + (first,))
                    self.problem(
                        parts + (alias,), CONFLICTING_ALIAS,
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
                close = close_match(str(key), known)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
                where = f"in '{json_path(parts)[2:]}'" if parts else "at top level"
                self.problem(parts + (key,), UNKNOWN_KEY, f"unknown key '{key}' {where}{hint}", key=True)

    def check_value(self, parts: tuple, key: Key, value: Any, label: str | None = None) -> Any:
        """`value` if it fits `key.kind`, else INVALID (and the problem, worded with `label`,
        by default the key as written)."""
        found = classify(key.kind, value)
        if found is None:
            return value
        code, words = found
        self.problem(parts, code, f"{label or parts[-1]} {words}, got {show(value)}")
        return INVALID


def close_match(word: str, known: tuple[str, ...]) -> list[str]:
    """The known name a misspelt one most likely means: the same name in other letter case
    (`ReLU` → `relu`), else the nearest spelling."""
    import difflib  # only for a key to name: a clean run never pays for it

    same = [name for name in known if name.lower() == word.lower()]
    return same or difflib.get_close_matches(word, known, n=1, cutoff=0.6)
