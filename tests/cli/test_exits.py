"""The exit codes (lstmshape/cli/exits.py): the table docs/output.md shows, and each code as a
command returns it through the CLI's entry point."""

from __future__ import annotations

import re

import pytest

from helpers import REPO, run
from lstmshape.cli import commands, dispatch, exits, guarded

GOOD = "lstm: {input_size: 3, hidden_size: 4}\n"
BAD = "lstm: {input_size: 3, hidden_size: 0}\n"


def test_the_docs_table_is_the_modules():
    text = (REPO / "docs" / "output.md").read_text()
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", text, re.M)}
    assert documented == {exits.CLEAN, exits.PROBLEMS, exits.USAGE, exits.INTERNAL, exits.INTERRUPTED}
    assert (exits.CLEAN, exits.PROBLEMS, exits.USAGE, exits.INTERNAL, exits.INTERRUPTED) == (0, 1, 2, 3, 130)


@pytest.mark.parametrize("text, args, code", [
    (GOOD, (), exits.CLEAN),
    (BAD, (), exits.PROBLEMS),
    (GOOD, ("--format", "no-such-format"), exits.USAGE),
])
def test_check_returns_each_code(tmp_path, text, args, code):
    path = tmp_path / "model.yaml"
    path.write_text(text)
    assert run("check", path, *args).returncode == code


def test_a_bug_is_internal_and_ctrl_c_is_interrupted(tmp_path, monkeypatch, capsys):
    path = tmp_path / "model.yaml"
    path.write_text(GOOD)

    def broken(*args, **kwargs):  # a bug in lstmshape's own code, where the config is read
        raise KeyError("a bug inside lstmshape")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.delenv("LSTMSHAPE_DEBUG", raising=False)
    monkeypatch.setattr(commands, "load_config", broken)
    assert guarded(lambda: dispatch(["infer", str(path)])) == exits.INTERNAL
    err = capsys.readouterr().err
    assert "lstmshape: internal error: KeyError" in err and "Traceback" not in err
    monkeypatch.setattr(commands, "load_config", interrupted)
    assert guarded(lambda: dispatch(["infer", str(path)])) == exits.INTERRUPTED
