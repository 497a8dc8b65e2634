"""Helpers for end-to-end tests through the real `lstmshape` console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def console_script() -> str:
    beside = Path(sys.executable).with_name("lstmshape")
    found = str(beside) if beside.exists() else shutil.which("lstmshape")
    assert found, "the lstmshape console script is not installed (pip install -e .)"
    return found


def run(*args: str, env: dict | None = None, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`lstmshape ARGS...` as a user runs it: no GITHUB_ACTIONS, no NO_COLOR unless given."""
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "LSTMSHAPE_DEBUG")}
    return subprocess.run([console_script(), *map(str, args)], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd, timeout=timeout)


def on_terminal(*args: str, columns: int = 80, env: dict | None = None, cwd=REPO) -> tuple[int, str]:
    """(exit code, what `lstmshape ARGS` prints) on a real pseudo-terminal `columns` wide."""
    import pty

    leader, follower = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    proc = subprocess.Popen([console_script(), *map(str, args)], stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=follower, cwd=cwd,
                            env={**base, "COLUMNS": str(columns), "TERM": "xterm-256color", **(env or {})})
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    code = proc.wait(timeout=60)
    os.close(leader)
    return code, out.decode()
