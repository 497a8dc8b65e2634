"""Every code's documentation is tested: the failing example in its rule module's docstring, or
in lstmshape/codes.py for a code the reader finds, must produce its code, the passing example must
be clean. Both through the library and through the CLI's entry point."""

from __future__ import annotations

import pytest

from helpers import REPO, run
from lstmshape.codes import ALL
from lstmshape.rules import rule


@pytest.mark.parametrize("code", [c for c in ALL if rule(c) is None and "Example: " in c.doc], ids=str)
def test_codes_without_a_rule_module_show_what_the_tool_prints(code):
    """LS201/LS202 come from `infer --as`, not from a file check: their documented example is
    the command's real output, line for line."""
    command, text = code.doc.split("Example: ", 1)[1].split("::\n\n", 1)
    args = command.strip("`").split()[1:]
    result = run(*args, cwd=REPO)
    assert text.strip() in result.stderr.splitlines(), result.stderr
    shown = run("rules", code)
    assert shown.returncode == 0 and text.strip() in shown.stdout
