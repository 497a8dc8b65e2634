"""Tests of lstmshape.cli: the console script's entry point (main, dispatch).

A clean `check` through lstmshape.cli.dispatch in a fresh interpreter imports typer but not
numpy, rich or pydantic; `--help` comes from the full typer app (helpers.run); and the console
script itself in a bash pipe with pipefail: a reader that closes the pipe (`| head -1`) ends
`infer`, `infer --matrix`, the help and `check --format sarif` with exit 0 and an empty stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import REPO, console_script, run


def shell(command: str) -> subprocess.CompletedProcess:
    """`command` in bash with pipefail, the console script's directory first on PATH."""
    path = os.path.dirname(console_script()) + os.pathsep + os.environ["PATH"]
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PATH": path}, timeout=120)


def test_clean_check_imports_neither_numpy_nor_rich(checked_tree):
    """typer parses the command line; numpy and rich (help, colour) load only where they are used,
    and pydantic never (typer 0.29 converts arguments with it: half of every run's start-up)."""
    code = ("import sys\nfrom lstmshape.cli import dispatch\n"
            f"code = dispatch(['check', '--format', 'json', {str(checked_tree / 'good.yaml')!r}])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'rich', 'typer', 'pydantic'})\n"
            "print(code, heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 ['typer']", result.stdout + result.stderr


def test_help_still_comes_from_the_full_cli():
    result = run("check", "--help")
    assert result.returncode == 0 and "--strict" in result.stdout and "--exit-zero" in result.stdout
    top = run("--help")
    assert "check" in top.stdout and "rules" in top.stdout


@pytest.mark.parametrize("command", ["lstmshape infer configs/bilstm.yaml | head -1",
                                     "lstmshape infer configs/bilstm.yaml --matrix | head -1",
                                     "lstmshape --help | head -1", "lstmshape infer --help | head -1",
                                     "lstmshape check --format sarif configs/bilstm.yaml | head -1"])
def test_a_closed_pipe_exits_0_like_cat(command):
    result = shell(command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stderr == ""
