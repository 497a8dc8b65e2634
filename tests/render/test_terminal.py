"""Tests of lstmshape.render.terminal: the rich console every reporter makes, coloured or not.

Piped output has no colour (helpers.run); FORCE_COLOR colours the console script's output
(helpers.run_script: typer reads it when imported) unless NO_COLOR is set; on an 80-column
pseudo-terminal (helpers.on_terminal) `infer` is styled, and under NO_COLOR neither `infer` nor
`check` prints a single escape code.
"""

from __future__ import annotations

import re

from helpers import on_terminal, run, run_script


ESCAPE = re.compile(r"\x1b\[")


def screen(*args: str, env: dict | None = None) -> str:
    """What `lstmshape ARGS` shows on an 80-column terminal."""
    return on_terminal(*args, env=env)[1]


def test_colour_only_when_asked_and_never_with_no_color():
    assert "\x1b[" not in run("infer", "configs/basic.yaml").stdout  # piped: plain text
    assert "\x1b[36m" in run_script("infer", "configs/basic.yaml", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[36m" not in run_script("infer", "configs/basic.yaml", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_no_color_on_a_terminal_means_no_escape_code_at_all():
    assert ESCAPE.search(screen("infer", "configs/bilstm.yaml"))  # bold and colour without it
    assert not ESCAPE.search(screen("infer", "configs/bilstm.yaml", env={"NO_COLOR": "1"}))
    assert not ESCAPE.search(screen("check", "configs/broken.yaml", env={"NO_COLOR": "1"}))
