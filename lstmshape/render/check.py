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
from ..problems import Problem, format_problem, one_line


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    """`all 5 files OK`, `3 errors, 1 warning in 2 of 5 files`; never OK when a path given could
    not be read or held no config. YAML/JSON that is not an lstmshape config is counted apart."""
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
            console.print(Text.assemble((f"{one_line(p.file)}:{p.line}:{p.column}:", "bold"), " ",
                                        (f"{p.severity}[{p.code}]", style), " ", one_line(p.message)))
        style = "bold red" if report.errors or not report.complete else "bold yellow" if report.problems \
            else "bold green"
        console.print(Text(summary(report), style=style))


class JsonReporter:
    """A JSON list of problems: file, line, column (1-based), code, severity, message, path."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        import json  # only this format and SARIF need it: a text run never pays for it

        self.stream.write(json.dumps([p.as_json() for p in report.problems], indent=2, ensure_ascii=False) + "\n")


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
            props = ",".join(f"{key}={escape_property(str(value))}" for key, value in
                             (("file", p.file), ("line", p.line), ("col", p.column), ("title", title)))
            out.append(f"::{p.severity} {props}::{escape_data(p.message)}")
        self.stream.write("".join(line + "\n" for line in out))


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
        unread = [f"{path}: no such file or directory" for path in report.missing]
        unread += [f"{path}: no config found (no *.yaml or *.yml file in it)" for path in report.empty]
        doc = {
            "$schema": self.SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "lstmshape",
                    "version": __version__,
                    "informationUri": "https://github.com/lstmshape/lstmshape#lstmshape-check",
                    "rules": [_sarif_rule(code) for code in ALL],
                }},
                # a run that could not read what it was given is a failed run, never a clean one
                "invocations": [{
                    "executionSuccessful": report.complete,
                    "toolExecutionNotifications": [{"level": "error", "message": {"text": text}} for text in unread],
                }],
                "results": [_sarif_result(p, index) for p in report.problems],
            }],
        }
        self.stream.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


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

    pure = PurePath(path)
    return pure.as_uri() if pure.is_absolute() else quote(pure.as_posix())


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
