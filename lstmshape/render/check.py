"""Reporters of `lstmshape check`: text (compiler style), json, github (Actions annotations),
sarif (2.1.0, for code scanning). Each takes the whole `Report` and writes it to one stream.

rich is imported only when colouring for a terminal, so a clean run in CI or pre-commit never
pays for it.
"""

from __future__ import annotations

import os
from typing import TextIO

from ..check import Report
from ..codes import lookup
from ..problems import Problem, encodable, format_problem, one_line, shown_path


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    """`all 5 files OK`, `3 errors, 1 warning in 2 of 5 files`; never OK when a path given could
    not be read or held no config, nor when no file was checked at all. YAML/JSON that is not an
    lstmshape config is counted apart."""
    skipped = f"; {_plural(len(report.skipped), 'other YAML/JSON file')} skipped (not lstmshape configs)" \
        if report.skipped else ""
    return _summary(report) + skipped


def _summary(report: Report) -> str:
    files = len(report.files)
    unread = len(report.missing) + len(report.empty)
    if not report.complete:
        found = f"{_plural(report.errors, 'error')} in {_plural(files, 'file')} checked" if report.problems \
            else f"{_plural(files, 'file')} checked"
        return f"not checked: {_plural(unread, 'path')} given held no readable config; {found}"
    if not files and not report.problems:
        return "no config checked"
    if not report.problems:
        return f"all {_plural(files, 'file')} OK" if files != 1 else "1 file OK"
    parts = []
    if report.errors:
        parts.append(_plural(report.errors, "error"))
    if report.warnings:
        parts.append(_plural(report.warnings, "warning"))
    # a problem may be placed at a --set option or pyproject.toml line: count the files checked
    bad = len({p.file for p in report.problems} & set(report.files)) or 1
    return f"{', '.join(parts)} in {bad} of {_plural(files, 'file')}"


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class TextReporter:
    """`path:line:col: error[CODE] message`, then a one-line summary."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        if use_colour(self.stream):
            return self.coloured(report)
        lines = [format_problem(p) for p in report.problems]
        lines.append(summary(report))
        self.stream.write("\n".join(lines) + "\n")

    def coloured(self, report: Report) -> None:
        from rich.text import Text

        from . import terminal

        console = terminal.console(self.stream, highlight=False, soft_wrap=True)
        for p in report.problems:
            style = "bold red" if p.is_error else "bold yellow"
            console.print(Text.assemble((f"{shown_path(p.file)}:{p.line}:{p.column}:", "bold"), " ",
                                        (f"{p.severity}[{p.code}]", style), " ", one_line(p.message)))
        style = "bold red" if report.errors or not report.complete else "bold yellow" if report.problems \
            else "bold green"
        console.print(Text(summary(report), style=style))


def unread(report: Report) -> list[dict]:
    """The paths given that could not be checked, each with why."""
    return ([{"path": path, "reason": "no such file or directory"} for path in report.missing]
            + [{"path": path, "reason": "no config found (no *.yaml, *.yml or *.json file in it and every "
                "directory below, or none of them an lstmshape config)"} for path in report.empty])


class JsonReporter:
    """One JSON object: `summary` (the text format's last line), `checked` and `skipped` (file
    names), `unread` (paths given that could not be checked, with why) and `problems` (file, line,
    column (1-based), code, severity, message, path), so that a run that checked nothing says so."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        import json  # only this format and SARIF need it: a text run never pays for it

        doc = {"summary": summary(report), "checked": report.files, "skipped": report.skipped,
               "unread": unread(report), "problems": [p.as_json() for p in report.problems]}
        self.stream.write(encodable(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")


def escape_data(text: str) -> str:
    """The GitHub Actions toolkit's escaping of a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """... and of a command's property values."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    """`::error file=…,line=…,col=…,title=…::message`: annotations on the pull request's diff."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        out = []
        for p in report.problems:
            code = lookup(p.code)
            title = f"lstmshape {p.code} ({code.name if code else p.code})"
            props = ",".join(f"{key}={escape_property(one_line(value))}" for key, value in
                             (("file", p.file), ("line", p.line), ("col", p.column), ("title", title)))
            out.append(f"::{p.severity} {props}::{escape_data(one_line(p.message))}")
        if not report.files and report.complete:  # a gate that checked nothing says so in the log
            out.append(f"::notice title=lstmshape::{escape_data(summary(report))}")
        self.stream.write(encodable("".join(line + "\n" for line in out)))


class SarifReporter:
    """SARIF 2.1.0: every rule in tool.driver.rules, every problem a result."""

    SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        import json

        from .. import __version__
        from ..codes import ALL

        index = {code.id: i for i, code in enumerate(ALL)}
        notes = [{"level": "error", "message": {"text": f"{entry['path']}: {entry['reason']}"}}
                 for entry in unread(report)]
        if not report.files and report.complete:
            notes.append({"level": "warning", "message": {"text": summary(report)}})
        doc = {
            "$schema": self.SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "lstmshape",
                    "version": __version__,
                    "rules": [_sarif_rule(code) for code in ALL],
                }},
                # a run that could not read what it was given is a failed run, never a clean one
                "invocations": [{
                    "executionSuccessful": report.complete,
                    "toolExecutionNotifications": notes,
                }],
                "results": [_sarif_result(p, index) for p in report.problems],
            }],
        }
        self.stream.write(encodable(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")


def _sarif_rule(code) -> dict:
    """A code as a SARIF rule, documented by its rule module or, without one, by codes.py."""
    from ..rules import rule

    module = rule(code)
    doc = (module.__doc__ if module is not None else code.doc or code.summary).strip()
    return {
        "id": code.id,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": code.severity},
    }


def _uri(path: str) -> str:
    from pathlib import PurePath
    from urllib.parse import quote

    pure = PurePath(path)  # bytes, so that a name that is not UTF-8 is percent-encoded as it is on disk
    return pure.as_uri() if pure.is_absolute() else quote(os.fsencode(pure.as_posix()))


def _sarif_result(p: Problem, index: dict) -> dict:
    result = {
        "ruleId": p.code,
        "level": p.severity,
        "message": {"text": p.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(p.file)},
                "region": {"startLine": p.line, "startColumn": p.column},
            },
            "logicalLocations": [{"fullyQualifiedName": p.path, "kind": "member"}],
        }],
    }
    if p.code in index:
        result["ruleIndex"] = index[p.code]
    return result
