"""Reporters, chosen by name. Each is imported only when used, so that `check` on a clean file
never pays for rich."""

from __future__ import annotations

import importlib

INFER_REPORTERS = {
    "table": "lstmshape.render.table:TableReporter",
    "json": "lstmshape.render.json:JsonReporter",
}


CHECK_REPORTERS = {
    "text": "lstmshape.render.check:TextReporter",
    "json": "lstmshape.render.check:JsonReporter",
    "github": "lstmshape.render.check:GithubReporter",
    "sarif": "lstmshape.render.check:SarifReporter",
}


def reporter(registry: dict[str, str], name: str):
    module, _, cls = registry[name].partition(":")
    return getattr(importlib.import_module(module), cls)
