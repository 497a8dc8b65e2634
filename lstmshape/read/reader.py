"""The reader's mechanics, shared by every section: place a problem at its value, fold aliases
into canonical names, check each value's kind, and name unknown keys with a "did you mean"."""

from __future__ import annotations

from typing import Any

from ..codes import CONFLICTING_ALIAS, MISSING_KEY, UNKNOWN_KEY, UNRESOLVED_VALUE, WRONG_STRUCTURE, Code
from ..problems import ERROR, MAX_LISTED, Problem, json_path
from ..settings import Key
from ..yamlload import Tagged, YamlDoc
from .interpolation import resolve
from .values import classify, kind_of, needs_resolving, number_read_as_text, show, suggest


def meant(key: str, known: tuple[str, ...], keys: tuple[Key, ...] = ()) -> str | None:
    """The suggestion for an unknown key, quoted: the canonical name of the setting it is spelt
    like, and the alias it is spelt closest to after it (`layers` is nearest `nlayers`, but a
    reader should learn `num_layers`)."""
    close = suggest(key, known)
    if close is None:
        return None
    canonical = next((k.name for k in keys if close in k.aliases), None)
    return f"'{canonical}' (or its alias '{close}')" if canonical else f"'{close}'"


def homes(sections: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each key of `sections` (section name → its keys; "" the top level) → where it belongs, as
    a message says it."""
    found: dict[str, list[str]] = {}
    for section, names in sections.items():
        for name in names:
            found.setdefault(name, []).append(section)
    return {name: belongs(places) for name, places in found.items()}


def belongs(places: list[str]) -> str:
    """`in 'lstm'`, `in 'lstm' or 'head'`, `at top level or in 'decoder'`."""
    named = " or ".join(f"'{place}'" for place in places if place)
    return " or ".join((["at top level"] if "" in places else []) + ([f"in {named}"] if named else []))


class Invalid:
    """The value a check returns for a value that did not pass (distinct from any YAML value)."""


INVALID = Invalid()


class Reader:
    """Reads one document, collecting every problem (never stopping at the first) and the path
    each setting was read from (`origins`)."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.problems: list[Problem] = list(doc.problems)  # what loading (and a mapping) found: LS002, LS016
        self.origins: dict = {}
        self.unknown = 0  # unknown keys met so far
        self.homes: dict[str, str] = {}  # key → where it belongs (set by the framework's reader): LS004 says it

    def problem(self, parts: tuple, code: Code, message: str, severity: str = ERROR, key: bool = False) -> None:
        """A problem at the value (or key) at `parts`: in the user's file, or at the --set option or
        pyproject.toml line a mapped value came from."""
        file, line, col, path = self.doc.place(parts, key=key)
        self.problems.append(Problem(file, line, col, code, severity, message, path))

    def section(self, name: str, data: dict, keys: tuple[Key, ...], index: int | None = None,
                at: tuple = ()) -> dict | None:
        """Canonical name → value for one section, with aliases folded in and kinds checked;
        `index`: block `index` of a stack given as a list (whose blocks after the first may omit
        input_size); `at`: where `data` sits in the document, for a nested section such as
        decoder.lstm. None when the section is not a mapping."""
        parts = at + ((name,) if index is None else (name, index))
        body = data[name] if index is None else data[name][index]
        where = json_path(parts)[2:]
        if isinstance(body, Tagged):
            self.problem(parts, UNRESOLVED_VALUE, f"'{where}' is a {body.tag} object: a tagged value is not allowed "
                         "where lstmshape reads one (it constructs no objects)")
            return None
        if not isinstance(body, dict):
            self.problem(parts, WRONG_STRUCTURE, f"'{where}' is {kind_of(body)}; expected a mapping of settings")
            return None
        self.unknown_keys(parts, body, tuple(n for k in keys for n in (k.name, *k.aliases)), keys)
        out: dict = {}
        for key in keys:
            given = [n for n in (key.name, *key.aliases) if n in body]
            if not given:
                if key.required and not (index and key.name == "input_size") and f"total_{key.name}" not in body:
                    others = key.aliases + tuple(k.name for k in keys if k.name == f"total_{key.name}")
                    also = f" (or {', '.join(others)})" if others else ""
                    self.problem(parts, MISSING_KEY, f"'{where}' needs '{key.name}'{also}", key=True)
                continue
            values = {alias: self.check_value(parts + (alias,), key, body[alias]) for alias in given}
            if any(v is INVALID for v in values.values()):
                continue
            ok, first = True, given[0]
            for alias in given[1:]:
                if values[alias] != values[first] or type(values[alias]) is not type(values[first]):
                    self.problem(
                        parts + (alias,), CONFLICTING_ALIAS,
                        f"'{alias}' is {values[alias]!r} but '{first}' ({self.at(parts + (first,))}) is "
                        f"{values[first]!r}; they name the same setting ({key.name})",
                    )
                    ok = False
            if ok:
                out[key.name] = values[first]
                self.origins[parts + (key.name,)] = parts + (first,)
                if index == 0:
                    self.origins[(name, key.name)] = parts + (first,)
        return out

    def at(self, parts: tuple) -> str:
        """Where the value at `parts` is, for a message: `line 3, column 5` in this file, else the
        --set option or pyproject.toml line it came from."""
        file, line, col, _ = self.doc.place(parts)
        return f"line {line}, column {col}" if file == self.doc.path else f"{file}:{line}:{col}"

    def unknown_keys(self, parts: tuple, body: dict, known: tuple[str, ...], keys: tuple[Key, ...] = (),
                     section: bool = True) -> None:
        """An LS004 per unknown key: the section it belongs in when it is a key of another one
        (`section`: `body` is a section or block, not a layer, whose names overlap the sections'),
        else a "did you mean" for as many as are listed (MAX_LISTED: the rest are only counted, so
        spelling them against every known name would be work for nothing, and 20,000 keys would
        take seconds)."""
        for key in body:
            if key not in known:
                self.unknown += 1
                home = self.homes.get(key) if section else None
                close = meant(str(key), known, keys) if self.unknown <= MAX_LISTED and home is None else None
                hint = (f"; it belongs {home}" if home else f"; did you mean {close}?" if close
                        else f"; known keys: {', '.join(known)}")
                where = f"in '{json_path(parts)[2:]}'" if parts else "at top level"
                self.problem(parts + (key,), UNKNOWN_KEY, f"unknown key '{key}' {where}{hint}", key=True)

    def check_value(self, parts: tuple, key: Key, value: Any, label: str | None = None) -> Any:
        """`value` (an interpolation or !ref resolved) if it fits `key.kind`, else INVALID (and the
        problem, worded with `label`, by default the key as written)."""
        if needs_resolving(value):
            value = self.resolved(parts, value, label)
            if value is INVALID:
                return INVALID
        found = classify(key.kind, value)
        if found is None:
            return value
        code, words = found
        label = label or str(parts[-1])
        hint = number_read_as_text(key.kind, value, label)  # `1e3`: what to write instead
        self.problem(parts, code, f"{label} {words}, got {show(value)}{hint}")
        return INVALID

    def resolved(self, parts: tuple, value: Any, label: str | None = None) -> Any:
        """An interpolation (`${a.b}`), HyperPyYAML `!ref <a>` or Hydra `???` at `parts`, resolved
        in the file it was written in; INVALID (and an LS011 problem) when it cannot be."""
        origin = self.doc.source_of(parts)
        if origin is None:
            self.problem(parts, UNRESOLVED_VALUE, f"{label or parts[-1]} is {show(value)}, given outside the file: "
                         "nothing is resolved there")
            return INVALID
        result = resolve(*origin, value)
        if getattr(result, "unresolved", False):
            self.problem(parts, UNRESOLVED_VALUE, f"{label or parts[-1]} {result.message}")
            return INVALID
        return result


def close_match(word: str, known: tuple[str, ...]) -> list[str]:
    """The known name a misspelt one most likely means (as a list: empty when none is close)."""
    close = suggest(word, known)
    return [close] if close else []
