"""Helpers for end-to-end tests through the real `lstmshape` console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
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


# A value no output may ever show: hostile tests put it in the environment of the console script
# and assert that it reaches neither stdout nor stderr (nor any file the run could have written).
SECRET = "lstmshape-canary-0c0ffee-secret"


@dataclass(frozen=True)
class Bounded:
    """One console-script run with what it cost: wall seconds and peak resident memory (MB)."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    def assert_harmless(self, path=None) -> None:
        """The hostile-input promise: exit 0/1/2, no traceback, no internal error, no leaked secret,
        within 5 s and 400 MB, and (given `path`) the file named in the message."""
        out = self.stdout + self.stderr
        assert self.returncode in (0, 1, 2), (self.returncode, out[-2000:])
        assert "Traceback" not in out and "internal error" not in out, out[-2000:]
        assert SECRET not in out
        assert self.seconds < 5, self.seconds
        assert self.peak_mb < 400, self.peak_mb
        if path is not None and self.returncode:
            assert str(path) in out or os.path.basename(str(path)) in out, out[-2000:]


# A child's peak RSS starts at its parent's (the kernel carries it through fork and exec), so a pytest
# process that has loaded torch would make every child look 400 MB: a small launcher spawns the
# console script and writes that grandchild's own wait status and peak (KiB) to the file argv[1].
LAUNCHER = ("import os, sys; pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ); "
            "_, status, usage = os.wait4(pid, 0); open(sys.argv[1], 'w').write(f'{status} {usage.ru_maxrss}')")


def run_bounded(*args, env: dict | None = None, cwd=None, timeout: float = 30) -> Bounded:
    """`lstmshape ARGS...` in a child process, timed, its peak RSS read from the kernel (wait4), with
    SECRET in its environment. Output goes to files, so nothing blocks however much it prints."""
    import signal
    import tempfile
    import threading
    import time

    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "LSTMSHAPE_DEBUG")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as cost:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, cost.name, console_script(), *map(str, args)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, start_new_session=True,
                                env={**base, "LSTMSHAPE_TEST_SECRET": SECRET, **(env or {})})
        watchdog = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        watchdog.start()
        try:
            proc.wait()
        finally:
            watchdog.cancel()
        seconds = time.perf_counter() - started
        status, peak = map(int, cost.read().split() or (proc.returncode, -1))  # killed: no report, -1 KiB
        out.seek(0)
        err.seek(0)
        return Bounded(os.waitstatus_to_exitcode(status) if peak >= 0 else proc.returncode,
                       out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                       seconds, peak / 1024 if peak >= 0 else float("inf"))
