"""Tests of lstmshape.__main__: `python -m lstmshape`, run in a child process.

A clean `check` imports neither numpy nor rich (python -X importtime); a failing config gives the
same exit code and output as the console script (helpers.run_script); `infer --format json` gives
configs/basic.yaml's output shape; and `--version` (helpers.run) names lstmshape.
"""

from __future__ import annotations

import json
import subprocess
import sys


from helpers import REPO, run, run_script


ROOT = REPO


def test_importtime_of_python_dash_m(checked_tree):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "lstmshape", "check", str(checked_tree / "good.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"numpy", "rich"}


def test_python_dash_m_matches_console_script(checked_tree):
    bad = str(checked_tree / "sub" / "bad.yml")
    via_m = subprocess.run([sys.executable, "-m", "lstmshape", "check", bad], capture_output=True, text=True)
    assert (via_m.returncode, via_m.stdout) == (1, run_script("check", bad).stdout)


def test_python_dash_m_and_version():
    result = subprocess.run([sys.executable, "-m", "lstmshape", "infer", "configs/basic.yaml", "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and json.loads(result.stdout)["results"][0]["shapes"]["output"] == [50, 16, 20]
    assert run("--version").stdout.startswith("lstmshape ")
