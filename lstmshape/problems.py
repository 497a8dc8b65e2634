"""The one value every check produces: a problem at a place in a file.

Loader, config validation and shape rules all yield `Problem`s; reporters only read them. That
keeps parse → check → report separate (the check-jsonschema split) and lets one file's problems
never stop another file from being checked.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A diagnostic anchored at `file:line:column` (both 1-based) and at a JSON path."""

    file: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    path: str = "$"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def json_path(parts: tuple) -> str:
    """`("head", 0, "linear")` → `$.head[0].linear`: the address of a value in the document."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
