"""The project file: `[tool.lstmshape]` in the nearest pyproject.toml (found upwards from each
checked file's directory, as ruff, black and mypy resolve theirs per file), one
`[[tool.lstmshape.configs]]` table per group of files:

    [[tool.lstmshape.configs]]
    files = ["configs/model/*.yaml"]          # globs relative to pyproject.toml
    from = {lstm = "params", "data.seq_len" = "params.sequence_length", "lstm.hidden_size" = "params.memory // 2"}
    set = {"lstm.batch_first" = true, head = [{linear = {in_features = 0, out_features = 0}}]}
    ext-vars = {EMBEDDING_DIM = "100"}       # what a jsonnet file's std.extVar("NAME") reads

Every value of a group is placed at its pyproject.toml line, so a problem with a `set` value
points there. A malformed table is a `MappingError` (a usage error), and so is a glob or a
`weights` path that leaves the project (absolute, `..`, or a symlink out of it): a project file
in an untrusted repository names files in that repository only.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..discovery import PatternError, glob, inside, matches, split
from .formats import ExtVar
from .mapping import Entry, MappingError, Source, check_target, parse_path_option, plain_value, set_fits
from .recognise import locate_project

GROUP_KEYS = ("files", "from", "set", "weights", "prefix", "ext-vars")
MAX_PROJECT_BYTES = 1 << 20


@dataclass(frozen=True)
class Group:
    """One [[tool.lstmshape.configs]] table: its globs and its mapping."""

    files: tuple[str, ...]
    entries: tuple  # its Entry (from, set) and ExtVar (ext-vars) values
    source: Source  # where the table starts
    weights: str | None = None  # a checkpoint every file of the group is held against (check --weights)
    prefix: str | None = None  # the LSTM's prefix in it


@dataclass(frozen=True)
class Project:
    path: str  # the pyproject.toml
    root: str  # its directory: globs are relative to it
    groups: tuple[Group, ...]

    def files(self) -> list[str]:
        """Every file a group names, sorted within each group (a glob matching nothing: MappingError);
        never a file outside the project root (lstmshape.discovery)."""
        out: list[str] = []
        for group in self.groups:
            for pattern in group.files:
                found = glob(self.root or ".", pattern)
                if not found:
                    raise MappingError(f"{group.source.text}: files glob {pattern!r} matches no file "
                                       f"(globs are relative to {self.root or '.'})")
                out += [os.path.relpath(f) for f in found if os.path.relpath(f) not in out]
        return out

    def group_for(self, path: str) -> Group | None:
        """The first group whose globs match `path` (relative to the project root)."""
        try:
            relative = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root or "."))
        except ValueError:  # another drive
            return None
        for group in self.groups:
            if any(matches(pattern, relative) for pattern in group.files):
                return group
        return None


@lru_cache(maxsize=None)
def project_of(directory: str) -> Project | None:
    """The project that governs the files of `directory`: [tool.lstmshape] in the nearest
    pyproject.toml upwards from it (None without one; a malformed table: MappingError). Read once
    per directory a run meets."""
    located = locate_project(directory)
    return read_project(located) if located is not None else None


def project_for(path: str) -> Project | None:
    """The project of a file (from its own directory upwards, wherever the command runs)."""
    return project_of(os.path.dirname(os.path.abspath(path)))


def read_project(path: str) -> Project | None:
    """The [tool.lstmshape] table of `path` (lstmshape.read.recognise.locate_project finds it);
    None when it has none."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI
        import tomli as tomllib

    name = os.path.relpath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PROJECT_BYTES + 1)
        if len(raw) > MAX_PROJECT_BYTES:
            raise MappingError(f"{name}: larger than {MAX_PROJECT_BYTES} bytes")
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{name}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:  # tables or arrays nested thousands deep: no project file needs that
        raise MappingError(f"{name}: not read: nested too deeply") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict) or "lstmshape" not in tool:
        return None
    table = tool["lstmshape"]
    lines = text.splitlines()
    if not isinstance(table, dict) or set(table) - {"configs"}:
        extra = sorted(set(table) - {"configs"}) if isinstance(table, dict) else []
        raise MappingError(f"{name}:{_line_of(lines, '[tool.lstmshape]')}: [tool.lstmshape] holds only "
                           f"[[tool.lstmshape.configs]] tables" + (f", not {', '.join(extra)}" if extra else ""))
    configs = table.get("configs", [])
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        raise MappingError(f"{name}: tool.lstmshape.configs must be an array of tables ([[tool.lstmshape.configs]])")
    starts = [i + 1 for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*tool\.lstmshape\.configs\s*\]\]", line)]
    groups = []
    for k, group in enumerate(configs):
        first = starts[k] if k < len(starts) else 1
        last = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        groups.append(_group(name, group, first, lines[first - 1:last]))
    return Project(path, os.path.relpath(os.path.dirname(path)), tuple(groups))


def _group(name: str, group: dict, first: int, lines: list[str]) -> Group:
    where = Source(name, first, 1, f"{name}:{first}")
    unknown = sorted(set(group) - set(GROUP_KEYS))
    if unknown:
        raise MappingError(f"{where.text}: unknown key {', '.join(map(repr, unknown))} in [[tool.lstmshape.configs]]; "
                           f"expected {', '.join(GROUP_KEYS)}")
    for key in ("weights", "prefix"):
        if key in group and not isinstance(group[key], str):
            raise MappingError(f"{where.text}: {key} must be a string (weights: a checkpoint's path relative to "
                               "pyproject.toml; prefix: the LSTM's prefix in it)")
    if "prefix" in group and "weights" not in group:
        raise MappingError(f"{where.text}: prefix names the LSTM in a checkpoint: give weights too")
    files = group.get("files")
    if isinstance(files, str):
        files = [files]
    if not files or not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        raise MappingError(f"{where.text}: files must be a non-empty list of globs, e.g. files = [\"configs/*.yaml\"]")
    for key, pattern in [("files", f) for f in files] + ([("weights", group["weights"])] if "weights" in group else []):
        try:
            split(pattern)
        except PatternError as exc:
            raise MappingError(f"{where.text}: {key}: {exc}") from None
    entries = []
    for option in ("from", "set"):
        table = group.get(option, {})
        if not isinstance(table, dict):
            raise MappingError(f"{where.text}: {option} must be a table of TARGET = "
                               f"{'PATH' if option == 'from' else 'VALUE'}")
        for target, value in table.items():
            at = _position(name, lines, first, target, f"{option} {target}")
            parts = check_target(target, at.text)
            if option == "from":
                if not isinstance(value, str):
                    raise MappingError(f"{at.text}: from {target} must be a PATH string such as \"model.encoder\"")
                path, expression = parse_path_option(value, at.text)
                entries.append(Entry(target, at, path, expression=expression, parts=parts))
            else:
                value = _toml_value(value, at.text)
                set_fits(parts, value, at.text)
                entries.append(Entry(target, at, value=value, parts=parts))
    entries += ext_vars(group.get("ext-vars", {}), where.text)
    weights = os.path.join(os.path.dirname(name), group["weights"]) if "weights" in group else None
    if weights is not None and not inside(weights, os.path.dirname(name) or "."):
        raise MappingError(f"{where.text}: weights {group['weights']!r} leads outside the project (a symlink out "
                           "of it): a checkpoint is read from inside the project only")
    return Group(tuple(files), tuple(entries), where, weights, group.get("prefix"))


def ext_vars(table: Any, where: str) -> list[ExtVar]:
    """`ext-vars = {EMBEDDING_DIM = "100"}`: what a jsonnet file's std.extVar reads, as --ext-var gives it."""
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise MappingError(f"{where}: ext-vars must be a table of NAME = \"VALUE\" strings (std.extVar reads strings)")
    return [ExtVar(name, value) for name, value in table.items()]


def _toml_value(value: Any, where: str) -> Any:
    """A `set` value as TOML gives it: a number, boolean, string ("null" is YAML's null, "true" and
    "false" booleans, as --set reads them), or an array or inline table of those (a structure)."""
    plain_value(value, where)  # bounded; a TOML date or time is refused
    return _nulls(value)


def _nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    if isinstance(value, str) and value.strip() in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[value.strip()]
    return value


def _position(name: str, lines: list[str], first: int, target: str, words: str) -> Source:
    """The line and column of `target` within its group's lines (the group's line if not found)."""
    pattern = re.compile(r'(?:^|[\s{,])("?)' + re.escape(target) + r'\1\s*=')
    for offset, line in enumerate(lines):
        match = pattern.search(line)
        if match:
            line_no, col = first + offset, match.start(1) + 1
            return Source(name, line_no, col, f"{name}:{line_no}:{col}")
    return Source(name, first, 1, f"{name}:{first} ({words})")


def _line_of(lines: list[str], header: str) -> int:
    return next((i + 1 for i, line in enumerate(lines) if line.strip() == header), 1)
