"""lstmshape.render: the reporter behind every `--format` name, and the infer reporters loaded
only when `infer` asks for them."""

from __future__ import annotations

import subprocess
import sys
import typing

from lstmshape.cli import app
from lstmshape.render import CHECK_REPORTERS, check_reports, infer_json, infer_reporter, infer_table


def test_every_check_format_the_cli_takes_has_its_reporter():
    assert set(CHECK_REPORTERS) == set(typing.get_args(app.CheckFormat))
    assert CHECK_REPORTERS["sarif"] is check_reports.SarifReporter
    assert CHECK_REPORTERS["junit"] is check_reports.JunitReporter


def test_infer_formats_name_their_reporter():
    assert set(typing.get_args(app.InferFormat)) == {"table", "json"}
    assert infer_reporter("json") is infer_json.JsonReporter
    assert infer_reporter("table") is infer_table.TableReporter


def test_loading_the_check_reporters_loads_neither_rich_nor_the_infer_reporters():
    code = ("import sys, lstmshape.render\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich' or m.startswith('lstmshape.render.infer')))")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
