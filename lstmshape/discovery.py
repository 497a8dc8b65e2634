"""Finding the files to check, one way for directory walks and for [tool.lstmshape] globs.

A walk never leaves its root: it skips tool and environment directories (`SKIP_DIRS`), follows
a symlink only where its target stays inside the root, and enters each directory once (so a link
to `.` ends). Globs are matched segment by segment with a greedy wildcard matcher whose work is
at most pattern × name, never a backtracking regex (`**a**a**a…!` against a long name would
take minutes in one).

Pattern syntax (as Python's glob): `*` any characters within a name, `?` one, `[abc]`, `[a-z]`,
`[!x]` one of a set; a segment that is exactly `**` spans any number of directories; a wildcard
does not match a leading dot unless the pattern's segment starts with one.
"""

from __future__ import annotations

import os
from typing import Iterator

# compared in lower case (`.YAML` is YAML too); lstmshape.read.formats reads each
SUFFIXES = (".yaml", ".yml", ".json", ".jsonnet", ".libsonnet", ".cfg", ".ini", ".gin")
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".cache", "__pycache__", ".tox",
                       ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
STAR, ANY = "*", "?"


class PatternError(ValueError):
    """A glob that would reach outside the project (absolute, or climbing with `..`)."""


def has_config_suffix(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def inside(path: str, root: str) -> bool:
    """Whether `path`, symlinks resolved, lies within `root` (also resolved)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    try:
        return os.path.commonpath([real, top]) == top
    except ValueError:  # another drive
        return False


def walk(top: str, root: str | None = None) -> list[str]:
    """Every file below `top`, sorted, none of them (or of the directories entered) outside `root`
    (by default `top` itself) once symlinks are resolved; `SKIP_DIRS` are not entered."""
    root = root if root is not None else top
    files: list[str] = []
    seen: set[tuple[int, int]] = set()
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            status = os.stat(directory)
            if (status.st_dev, status.st_ino) in seen:
                continue
            seen.add((status.st_dev, status.st_ino))
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_symlink() and not inside(entry.path, root):
                    continue
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if entry.name not in SKIP_DIRS:
                    pending.append(entry.path)
            else:
                files.append(entry.path)
    return sorted(files)


def glob(root: str, pattern: str) -> list[str]:
    """The files under `root` whose path relative to it matches `pattern`, sorted; a pattern that
    is absolute or climbs out with `..` raises PatternError."""
    segments = split(pattern)
    literal = 0
    while literal < len(segments) - 1 and not any(c in segments[literal] for c in "*?["):
        literal += 1
    top = os.path.join(root, *segments[:literal]) if literal else root
    if not inside(top, root):
        return []
    rest = [compile_segment(s) for s in segments[literal:]]
    found = []
    for path in walk(top, root) if os.path.isdir(top) else []:
        if match_path(rest, os.path.relpath(path, top).split(os.sep)):
            found.append(path)
    return found


def split(pattern: str) -> list[str]:
    """A pattern's segments, `.` segments dropped; PatternError when it leaves the project."""
    text = pattern.replace(os.sep, "/")
    if os.path.isabs(pattern) or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        raise PatternError(f"{pattern!r} is an absolute path: files are named relative to pyproject.toml, "
                           "inside the project")
    segments = [s for s in text.split("/") if s not in ("", ".")]
    if ".." in segments:
        raise PatternError(f"{pattern!r} climbs out of the project with '..': files are named relative to "
                           "pyproject.toml, inside the project")
    if not segments:
        raise PatternError(f"{pattern!r} names no file")
    return segments


def matches(pattern: str, relative: str) -> bool:
    """Whether the path `relative` (to the project root) matches `pattern`."""
    try:
        segments = split(pattern)
    except PatternError:
        return False
    parts = [p for p in relative.replace(os.sep, "/").split("/") if p not in ("", ".")]
    return match_path([compile_segment(s) for s in segments], parts)


def compile_segment(segment: str):
    """`**` → STAR (any number of path segments); otherwise the segment's tokens."""
    return STAR if segment == "**" else tokens(segment)


def tokens(segment: str) -> tuple:
    """A name pattern as tokens: STAR, ANY, a literal character, or a (negated, ranges) class."""
    out: list = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "*":
            if not out or out[-1] != STAR:  # `**` within a name is one `*`
                out.append(STAR)
        elif ch == "?":
            out.append(ANY)
        elif ch == "[" and class_end(segment, i) > 0:
            end = class_end(segment, i)
            body = segment[i + 1:end]
            negated = body[:1] == "!"
            body = body[1:] if negated else body
            ranges = tuple((body[k], body[k + 2]) if k + 2 < len(body) and body[k + 1] == "-" else (body[k], body[k])
                           for k in _range_starts(body))
            out.append((negated, ranges))
            i = end
        else:
            out.append(ch)
        i += 1
    return tuple(out)


def class_end(segment: str, start: int) -> int:
    """Where the class opened at `start` closes (-1: never, and the `[` is literal), as fnmatch
    reads it: a `]` right after `[` or `[!` belongs to the class."""
    j = start + 1
    j += segment[j:j + 1] == "!"
    j += segment[j:j + 1] == "]"
    return segment.find("]", j)


def _range_starts(body: str) -> Iterator[int]:
    k = 0
    while k < len(body):
        yield k
        k += 3 if k + 2 < len(body) and body[k + 1] == "-" else 1


def match_name(pattern: tuple, name: str) -> bool:
    """Whether `name` matches a name pattern; a leading dot only by a literal dot."""
    if name.startswith(".") and pattern[:1] != (".",):
        return False
    return greedy(pattern, name, one_char)


def one_char(token, ch: str) -> bool:
    if token == ANY:
        return True
    if isinstance(token, str):
        return token == ch
    negated, ranges = token
    return any(low <= ch <= high for low, high in ranges) != negated


def match_path(pattern: list, parts: list[str]) -> bool:
    """Whether path segments match segment patterns (STAR spans any number of them, but never a
    hidden directory, as glob's `**` does not)."""
    return greedy(pattern, parts, lambda token, part: match_name(token, part), star_takes=lambda part: not
                  part.startswith("."))


def greedy(pattern, items, one, star_takes=lambda item: True) -> bool:
    """Wildcard matching of `items` against `pattern` (STAR: any run of items that `star_takes`):
    the classic greedy algorithm that returns to the last star, at most len(pattern) × len(items)
    steps."""
    p = i = 0
    star, mark = -1, 0
    while i < len(items):
        if p < len(pattern) and pattern[p] == STAR:
            star, mark, p = p, i, p + 1
        elif p < len(pattern) and one(pattern[p], items[i]):
            p, i = p + 1, i + 1
        elif star >= 0 and star_takes(items[mark]):
            mark += 1
            p, i = star + 1, mark
        else:
            return False
    while p < len(pattern) and pattern[p] == STAR:
        p += 1
    return p == len(pattern)
