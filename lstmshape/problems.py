"""The one value every check produces: a problem at a place in a file, and its one printed form.

Loader, reader, shape rules and translations all produce `Problem`s; reporters only read them.
That keeps parse → check → report separate (the check-jsonschema split) and lets one file's
problems never stop another file from being checked. Every command prints a problem with
`format_problem`, so `infer` and `check` say the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
NOTE = "note"  # `infer --as`: how a setting carries over; never fails a run


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
    # what the problem concerns in the model, for the picture and reporters: ("head", 0),
    # ("expect", 0, "hn") (block, tensor), ("join", 1) (the join before block 1), ("bridge",);
    # None for a setting (set by the rules from where they place the problem)
    subject: tuple | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict:
        """The object every JSON output holds for a problem (`check --format json`, `infer --format json`)."""
        out = {"file": self.file, "line": self.line, "column": self.column, "code": str(self.code),
               "severity": self.severity, "message": self.message, "path": self.path}
        return out | {"subject": list(self.subject)} if self.subject else out


def json_path(parts: tuple) -> str:
    """`("head", 0, "linear")` → `$.head[0].linear`: the address of a value in the document."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def one_line(text: str) -> str:
    """A message stays one line whatever a key or value holds (CR, LF, other controls escaped)."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(text))


def shown_path(path: str) -> str:
    """A file name as it may start a printed line: one line, and never starting with `::` (a CI
    log would read `::warning ...` as a workflow command): such a name is shown as `./::...`."""
    text = one_line(path)
    return f"./{text}" if text.startswith("::") else text


def encodable(text: str) -> str:
    """`text` with lone surrogates (a JSON key `"\\ud800"`, a file name that is not UTF-8) written
    as `\\udXXX` escapes, so that a UTF-8 stream can take it (inside a JSON string the escape
    reads back as the same character)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def format_problem(p: Problem) -> str:
    """`path:line:col: error[LS007] message`: the compiler-style line every command prints."""
    return f"{shown_path(p.file)}:{p.line}:{p.column}: {p.severity}[{p.code}] {one_line(p.message)}"


def by_position(problems) -> list[Problem]:
    """Problems in the order a reader meets them in the file (found order kept at one place)."""
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))


MAX_LISTED = 100  # problems of one code and severity listed per file; the rest are counted


def listed(problems) -> list[Problem]:
    """`problems` with at most MAX_LISTED of each code and severity, and for the rest one problem
    that counts them: a file of 50,000 duplicate or unknown keys is reported in a second, not in a
    400 MB report. What every command prints goes through it once (lstmshape.check.checked)."""
    out: list[Problem] = []
    kept: dict = {}
    for p in problems:
        group = kept.setdefault((p.code, p.severity), [0, None])
        group[0] += 1
        if group[0] <= MAX_LISTED:
            out.append(p)
        elif group[1] is None:
            group[1] = p
    for (code, severity), (count, first) in kept.items():
        if first is not None:
            out.append(Problem(first.file, first.line, first.column, code, severity,
                               f"{count - MAX_LISTED} more {severity}s [{code}] from here on, like the "
                               f"{MAX_LISTED} listed before", first.path))
    return out
