"""The project file: `[tool.lstmshape]` in the nearest pyproject.toml (found upwards from the
current directory, as ruff and pytest find theirs), one `[[tool.lstmshape.configs]]` table per
group of files:

    [[tool.lstmshape.configs]]
    files = ["configs/model/*.yaml"]          # globs relative to pyproject.toml
    from = {lstm = "params", "data.seq_len" = "params.sequence_length"}
    set = {"lstm.batch_first" = true}

Every value of a group is placed at its pyproject.toml line, so a problem with a `set` value
points there. A malformed table is a `MappingError` (a usage error).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from .mapping import Entry, MappingError, Source, check_target, parse_path, scalar

GROUP_KEYS = ("files", "from", "set", "weights", "prefix")
MAX_PROJECT_BYTES = 1 << 20


@dataclass(frozen=True)
class Group:
    """One [[tool.lstmshape.configs]] table: its globs and its mapping."""

    files: tuple[str, ...]
    entries: tuple[Entry, ...]
    source: Source  # where the table starts
    weights: str | None = None  # a checkpoint every file of the group is held against (check --weights)
    prefix: str | None = None  # the LSTM's prefix in it


@dataclass(frozen=True)
class Project:
    path: str  # the pyproject.toml
    root: str  # its directory: globs are relative to it
    groups: tuple[Group, ...]

    def files(self) -> list[str]:
        """Every file a group names, sorted within each group (a glob matching nothing: MappingError)."""
        import glob  # only when checking a project's files

        out: list[str] = []
        for group in self.groups:
            for pattern in group.files:
                found = sorted(glob.glob(os.path.join(self.root, pattern), recursive=True))
                found = [f for f in found if os.path.isfile(f)]
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
            if any(_match(relative, pattern) for pattern in group.files):
                return group
        return None


def _match(relative: str, pattern: str) -> bool:
    """glob semantics on a path: `*` stays within a directory, `**/` spans any number of them."""
    regex = ""
    i = 0
    pattern = os.path.normpath(pattern).replace(os.sep, "/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.fullmatch(regex, relative.replace(os.sep, "/")) is not None


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
    entries = []
    for option in ("from", "set"):
        table = group.get(option, {})
        if not isinstance(table, dict):
            raise MappingError(f"{where.text}: {option} must be a table of TARGET = "
                               f"{'PATH' if option == 'from' else 'VALUE'}")
        for target, value in table.items():
            at = _position(name, lines, first, target, f"{option} {target}")
            check_target(target, at.text)
            if option == "from":
                if not isinstance(value, str):
                    raise MappingError(f"{at.text}: from {target} must be a PATH string such as \"model.encoder\"")
                entries.append(Entry(target, at, parse_path(value, at.text)))
            else:
                entries.append(Entry(target, at, value=_toml_value(value, at.text)))
    weights = os.path.join(os.path.dirname(name), group["weights"]) if "weights" in group else None
    return Group(tuple(files), tuple(entries), where, weights, group.get("prefix"))


def _toml_value(value: Any, where: str) -> Any:
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return scalar(value, where) if value.strip() in ("true", "false", "null") else value
    raise MappingError(f"{where}: a set value must be a number, true/false or a string, got {type(value).__name__}")


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
