"""The reporters, by `--format` name: `check`'s (check_reports.py) and `infer`'s (infer_json.py,
infer_table.py)."""

from __future__ import annotations

from . import check_reports

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
    """The `infer --format` reporter class, imported here, when asked for, since `check` (which
    loads this package) needs neither (`python -X importtime`, on top of what each run has loaded):
    the table loads rich, 14 ms; the JSON reporter the Keras and ONNX result types and json, 4.7 ms."""
    if name == "json":
        from .infer_json import JsonReporter

        return JsonReporter
    from .infer_table import TableReporter

    return TableReporter
