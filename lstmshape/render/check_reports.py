"""Reporters of `lstmshape check`: text (compiler style), json, github (Actions annotations),
sarif (2.1.0, for code scanning), markdown (job summaries, PR comments), gitlab (Code Quality)
and junit (JUnit XML). Each takes the whole `Report` and writes it to one stream, and each shows
the paths it could not read and a run that checked nothing, so no format passes for clean then.

rich is imported only when colouring for a terminal, so a clean run in CI or pre-commit never
pays for it.
"""

from __future__ import annotations

import os
from html import escape
from typing import TextIO

from .. import __version__
from ..check import Report
from ..codes import ALL, lookup
from ..discovery import SUFFIXES
from ..problems import NOTE, Problem, encodable, format_problem, one_line, shown_path
from ..rules import documentation
from . import terminal


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
    notes = len(report.problems) - report.errors - report.warnings  # a note (LS018) never fails a file
    if not report.errors and not report.warnings:
        ok = f"all {_plural(files, 'file')} OK" if files != 1 else "1 file OK"
        return ok + (f" ({_plural(notes, 'note')})" if notes else "")
    parts = []
    if report.errors:
        parts.append(_plural(report.errors, "error"))
    if report.warnings:
        parts.append(_plural(report.warnings, "warning"))
    if notes:
        parts.append(_plural(notes, "note"))
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
        from rich.text import Text  # rich only for a terminal that shows colour

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
            + [{"path": path, "reason": f"no config found (no {_suffixes()} file in it and every "
                "directory below, or none of them an lstmshape config)"} for path in report.empty])


def _suffixes() -> str:
    """`*.yaml, *.yml, ... or *.gin`: the files a directory walk reads (lstmshape.discovery)."""
    names = [f"*{suffix}" for suffix in SUFFIXES]
    return ", ".join(names[:-1]) + f" or {names[-1]}"


class JsonReporter:
    """One JSON object: `summary` (the text format's last line), `checked` and `skipped` (file
    names), `unread` (paths given that could not be checked, with why) and `problems` (file, line,
    column (1-based), code, severity, message, path, and subject where it concerns a part of the model), so that a run that checked nothing says so."""

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
            level = "notice" if p.severity == NOTE else p.severity  # GitHub's word for a note
            out.append(f"::{level} {props}::{escape_data(one_line(p.message))}")
        if report.nothing_checked:  # a gate that checked nothing says so in the log
            out.append(f"::notice title=lstmshape::{escape_data(summary(report))}")
        self.stream.write(encodable("".join(line + "\n" for line in out)))


class SarifReporter:
    """SARIF 2.1.0: every rule in tool.driver.rules, every problem a result."""

    SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        import json

        index = {code.id: i for i, code in enumerate(ALL)}
        notes = [{"level": "error", "message": {"text": f"{entry['path']}: {entry['reason']}"}}
                 for entry in unread(report)]
        if report.nothing_checked:
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
    doc = documentation(code)
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
    return pure.as_uri() if pure.is_absolute() else quote(_bytes(pure.as_posix()))


def _bytes(text: str) -> bytes:
    """A name as it is on disk; a lone surrogate no file name can hold is kept as its UTF-8 form."""
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


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


def files_of(report: Report) -> list[str]:
    """Every file a problem or the run names, in order: the files checked, then any other place a
    problem is put (a --set option, a pyproject.toml line)."""
    return list(dict.fromkeys([*report.files, *(p.file for p in report.problems)]))


# --- markdown ----------------------------------------------------------------------------------

MARKDOWN_ESCAPED = {ch: "\\" + ch for ch in "\\`*_[]|~$"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                                                  "@": "@&#8203;"}


def md(text: str) -> str:
    """Text from a file as literal Markdown on one line: no link, no HTML, no table cell break, no
    math and no @mention (a zero-width space after `@`) can be made by a key or a file name."""
    return "".join(MARKDOWN_ESCAPED.get(ch, ch) for ch in one_line(text))


def verdict(report: Report) -> str:
    """The summary's icon: a tick only for files checked and clean, a cross for errors or a path
    not read, else a warning sign (warnings only, or nothing checked)."""
    if report.errors or not report.complete:
        return "❌"
    return "✅" if report.files and not report.problems else "⚠️"


class MarkdownReporter:
    """A summary line, a table of problems (each `file:line:col` a link to the line), the paths not
    read, and each code's documentation in a collapsed <details>: for $GITHUB_STEP_SUMMARY and
    pull-request comments. Links are relative to where lstmshape ran (the repository's root in CI)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        sections = [f"### lstmshape check\n\n{verdict(report)} **{md(summary(report))}**"]
        if report.problems:
            sections.append("\n".join(["| | Where | Code | Message |", "|---|---|---|---|",
                                       *map(_markdown_row, report.problems)]))
        if not report.complete:
            sections.append("\n".join(f"- ❌ not checked: {md(entry['path'])}: {md(entry['reason'])}"
                                      for entry in unread(report)))
        if report.skipped:
            sections.append(_details(f"{_plural(len(report.skipped), 'file')} skipped (not lstmshape configs)",
                                     "\n".join(f"- {md(path)}" for path in report.skipped)))
        codes = dict.fromkeys(filter(None, map(lookup, (p.code for p in report.problems))))
        sections += [_details(f"<code>{code}</code> {code.name}: {escape(code.summary, quote=False)}", documentation(code))
                     for code in codes]
        self.stream.write(encodable("\n\n".join(sections) + "\n"))


def _details(summary_html: str, body: str) -> str:
    """A collapsed section; the blank lines let GitHub render `body` as Markdown."""
    return f"<details><summary>{summary_html}</summary>\n\n{body}\n\n</details>"


def _markdown_row(p: Problem) -> str:
    icon = "❌" if p.is_error else "⚠️" if p.severity == "warning" else "ℹ️"
    where = f"[{md(p.file)}:{p.line}:{p.column}]({_uri(p.file)}#L{p.line})"
    code = lookup(p.code)
    label = f"`{code}` {code.name}" if code else md(p.code)
    return f"| {icon} {p.severity} | {where} | {label} | {md(p.message)} |"


# --- gitlab ------------------------------------------------------------------------------------

GITLAB_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}  # GitLab's: info … blocker


def fingerprint(*parts: str) -> str:
    """A stable id for one problem. GitLab compares a merge request's report with its target's
    by fingerprint: built from the file, the code and the JSON path of the value (never the line),
    a problem moved by an edit above it stays the same issue rather than one fixed and one new."""
    import hashlib

    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class GitlabReporter:
    """GitLab's Code Quality report: a JSON array of the CodeClimate issue fields GitLab reads
    (description, check_name, fingerprint, severity, location.path, location.lines.begin). A path
    that could not be read (check_name `lstmshape/unread`, critical) and a run that checked nothing
    (`lstmshape/nothing-checked`, info) are issues too: the array is never empty for them."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        import json

        seen: dict[tuple, int] = {}
        issues = []
        for p in report.problems:
            key = (p.file, str(p.code), p.path)
            seen[key] = seen.get(key, -1) + 1  # the n-th problem of one code at one value stays apart
            issues.append(_gitlab_issue(p.message, str(p.code), fingerprint(*key, str(seen[key])),
                                        GITLAB_SEVERITY.get(p.severity, "info"), p.file, p.line))
        for entry in unread(report):
            issues.append(_gitlab_issue(f"{entry['path']}: {entry['reason']}", "lstmshape/unread",
                                        fingerprint(entry["path"], "lstmshape/unread"), "critical", entry["path"], 1))
        if report.nothing_checked:
            issues.append(_gitlab_issue(summary(report), "lstmshape/nothing-checked",
                                        fingerprint(".", "lstmshape/nothing-checked"), "info", ".", 1))
        self.stream.write(encodable(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n")


def _gitlab_issue(description: str, check_name: str, fingerprint: str, severity: str, path: str, line: int) -> dict:
    return {"description": description, "check_name": check_name, "fingerprint": fingerprint,
            "severity": severity, "location": {"path": path, "lines": {"begin": line}}}


# --- junit -------------------------------------------------------------------------------------


class JunitReporter:
    """JUnit XML as Jenkins reads it (its junit-4.xsd): one <testcase> per file, a <failure> per
    error, warnings and notes in the case's <system-out> (they do not fail the case, as they do not
    fail the run); a path that could not be read is a case with an <error>, a file skipped as not
    an lstmshape config a <skipped> case, and a run that checked nothing says so in a <skipped> case.
    Every string from a file goes through one_line, so no control character XML 1.0 forbids (nor a
    lone surrogate) reaches the document; ElementTree escapes the markup."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def report(self, report: Report) -> None:
        import xml.etree.ElementTree as ET

        by_file: dict[str, list[Problem]] = {path: [] for path in files_of(report)}
        for p in report.problems:
            by_file[p.file].append(p)
        cases = [_junit_case(path, problems) for path, problems in by_file.items()]
        for entry in unread(report):
            case = _case(entry["path"])
            ET.SubElement(case, "error", type="unread", message=one_line(entry["reason"])).text = \
                f"{one_line(entry['path'])}: {one_line(entry['reason'])}"
            cases.append(case)
        cases += [_skipped(_case(path), "not an lstmshape config: skipped") for path in report.skipped]
        if report.nothing_checked and not report.skipped:
            cases.append(_skipped(_case("lstmshape check"), summary(report)))
        counts = {"tests": str(len(cases)),
                  "failures": str(sum(case.find("failure") is not None for case in cases)),
                  "errors": str(sum(case.find("error") is not None for case in cases))}
        root = ET.Element("testsuites", name="lstmshape", **counts)
        suite = ET.SubElement(root, "testsuite", name="lstmshape check", **counts,
                              skipped=str(sum(case.find("skipped") is not None for case in cases)))
        suite.extend(cases)
        ET.SubElement(suite, "system-out").text = one_line(summary(report))
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def _case(name: str):
    import xml.etree.ElementTree as ET

    return ET.Element("testcase", name=one_line(name), classname="lstmshape.check")


def _skipped(case, why: str):
    import xml.etree.ElementTree as ET

    ET.SubElement(case, "skipped").text = one_line(why)  # Jenkins' schema: text only, no attributes
    return case


def _junit_case(path: str, problems: list[Problem]):
    import xml.etree.ElementTree as ET

    case = _case(path)
    for p in problems:
        if p.is_error:
            ET.SubElement(case, "failure", type=one_line(p.code),
                          message=one_line(f"{p.code} {p.message}")).text = format_problem(p)
    others = [format_problem(p) for p in problems if not p.is_error]
    if others:
        ET.SubElement(case, "system-out").text = "\n".join(others)
    return case
