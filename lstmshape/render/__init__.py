"""The reporters, by `--format` name: `check`'s (check_reports.py) and `infer`'s (infer_json.py,
infer_table.py)."""

from __future__ import annotations

from . import check_reports, infer_json

CHECK_REPORTERS = {
    "text": check_reports.TextReporter,
    "json": check_reports.JsonReporter,
    "github": check_reports.GithubReporter,
    "sarif": check_reports.SarifReporter,
    "markdown": check_reports.MarkdownReporter,
    "gitlab": check_reports.GitlabReporter,
    "junit": check_reports.JunitReporter,
}


def infer_reporter(name: str):
    """The `infer --format` reporter: JSON, or the table, imported only when asked for: it loads
    rich (14 ms by `python -X importtime` after `infer --format json`'s own imports), which
    `check` and `infer --format json` never need."""
    if name == "json":
        return infer_json.JsonReporter
    from .infer_table import TableReporter

    return TableReporter
