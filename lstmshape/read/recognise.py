"""Which YAML and JSON files are lstmshape configs, when no project file says so: what lets
`lstmshape check` run on every YAML file of a repository (as a pre-commit hook without a `files:`
filter does) and skip workflows, `.pre-commit-config.yaml` and compose files.

A file is a config when its top level is a mapping with an `lstm` key, or a key one edit away
from it (`lstn`, `lsmt`, `LSTM`, `lstms`: a typo is reported, never skipped), or when every
top-level key is one of lstmshape's own. A file that does not parse is a config when such a key
starts a line or follows `{` or `,` (so a broken config is reported, a broken workflow is not ours).
"""

from __future__ import annotations

import os
import re
from typing import Any

TOP_LEVEL = ("lstm", "data", "framework", "head", "expect", "decoder")
# a key at the start of a line (block YAML) or after `{` / `,` (flow YAML, one-line JSON)
_KEY_AT_LINE_START = rb"""(?m)(?:^|[{,])[ \t]*["']?([A-Za-z_]{3,5})["']?[ \t]*:"""  # compiled on first use


def near_lstm(key: Any) -> bool:
    """`lstm`, or one edit (insert, delete, replace, swap two neighbours) away, in any case."""
    if not isinstance(key, str) or not 3 <= len(key) <= 5:
        return False
    word, target = key.lower(), "lstm"
    if word == target:
        return True
    if len(word) == len(target):
        diff = [i for i in range(4) if word[i] != target[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def locate_project(start: str | None = None) -> str | None:
    """The nearest pyproject.toml upwards from `start` (the current directory), as ruff and pytest
    find theirs, if it has a [tool.lstmshape] table (judged by its text: lstmshape.read.project
    parses it); None otherwise."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    return candidate if b"tool.lstmshape" in fh.read(1 << 20) else None
            except OSError:
                return None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def is_config(data: Any) -> bool:
    """Whether a parsed document is an lstmshape config (see the module docstring)."""
    if not isinstance(data, dict) or not data:
        return False
    return any(near_lstm(k) for k in data) or all(k in TOP_LEVEL for k in data)


def looks_like_config(raw: bytes) -> bool:
    """Whether an unparseable file is meant as an lstmshape config: it has an `lstm` key (or one
    edit away) at the start of a line or inside a flow mapping."""
    return any(near_lstm(m.group(1).decode()) for m in re.finditer(_KEY_AT_LINE_START, raw))
