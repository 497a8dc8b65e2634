"""Reporters, chosen by name. Each is imported only when used, so that `check` on a clean file
never pays for rich."""

from __future__ import annotations

from ..registry import resolve

INFER_REPORTERS = {
    "table": "lstmshape.render.table:TableReporter",
    "json": "lstmshape.render.json:JsonReporter",
}


CHECK_REPORTERS = {
    "text": "lstmshape.render.check:TextReporter",
    "json": "lstmshape.render.check:JsonReporter",
    "github": "lstmshape.render.check:GithubReporter",
    "sarif": "lstmshape.render.check:SarifReporter",
    "markdown": "lstmshape.render.check:MarkdownReporter",
    "gitlab": "lstmshape.render.check:GitlabReporter",
    "junit": "lstmshape.render.check:JunitReporter",
}


def reporter(registry: dict[str, str], name: str):
    return resolve(registry[name])
