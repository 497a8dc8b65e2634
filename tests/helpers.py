"""What the tests share, in one module.

Running lstmshape:
    run           `lstmshape ARGS` in this process, through the console script's own function
                  (lstmshape.cli.main), seen as a child process would be seen: (exit code, stdout, stderr)
    run_script    `lstmshape ARGS` as the installed console script in a child process, for the tests
                  where the process itself is under test (its entry point, start-up imports, a
                  variable read once per process, a closed pipe, a hang it must not have)
    on_terminal   the console script on a real pseudo-terminal
    run_bounded   the console script timed, its peak memory measured, SECRET in its environment
Looking in a real browser:
    Chromium      headless Chromium (a fresh profile, nothing fetched) driven over the DevTools
                  protocol: launched once, then page after page screenshot or dumped in it
                  (conftest.py's `browser` fixture)
    png_array     the pixels of the PNG Chromium writes, without an imaging library
Files and problems:
    write         a file under a directory; problems_of: what `check` finds in a config's text
    made_once     a directory made once per session and shared by every xdist worker
The golden recorders (tests/golden/record_*.py) and what they observed:
    recorder, engine, assert_matches_torch / _keras / _onnx, golden_tolerance, assert_golden_close

Test files in any directory under tests/ import it as `helpers` (pyproject.toml's pythonpath).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import importlib.util
import io
import json
import os
import select
import shutil
import string
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import yaml
from hypothesis import strategies as st

from lstmshape.forward import init_params

REPO = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO / "tests" / "golden"


# --- running lstmshape --------------------------------------------------------------------------

# Variables the runs do not inherit from the shell that runs the tests (a CI runner, a colour
# setting, a debug switch, a browser that --open would start); a test that is about one sets it.
# conftest.py clears them from the test session itself, so that a run in this process and a child
# see the same.
USER_UNSET = ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "LSTMSHAPE_DEBUG", "BROWSER")

# Variables read once per process (when typer's help renderer is imported, when webbrowser first
# looks for a browser, when Keras is imported; and PYTHON*, when the interpreter starts): a run that
# sets one differently from this process is a child process's run (run_script), or it would not see it.
ONCE_PER_PROCESS = ("GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS", "TERMINAL_WIDTH", "_TYPER_FORCE_DISABLE_TERMINAL",
                    "TYPER_USE_RICH", "TYPER_STANDARD_TRACEBACK", "BROWSER", "PATH", "DISPLAY", "WAYLAND_DISPLAY",
                    "KERAS_BACKEND")


def console_script() -> str:
    beside = Path(sys.executable).with_name("lstmshape")
    found = str(beside) if beside.exists() else shutil.which("lstmshape")
    assert found, "the lstmshape console script is not installed (pip install -e .)"
    return found


def user_environment(env: dict | None = None) -> dict:
    """The environment of a user's `lstmshape` run: this one, less USER_UNSET, plus `env`."""
    return {**{k: v for k, v in os.environ.items() if k not in USER_UNSET}, **(env or {})}


def run_script(*args, env: dict | None = None, cwd=REPO, input: str | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess:
    """`lstmshape ARGS...` as a user runs it, the installed console script in a child process."""
    return subprocess.run([console_script(), *map(str, args)], capture_output=True, text=True, input=input,
                          env=user_environment(env), cwd=cwd, timeout=timeout)


def _set_environ(wanted: dict) -> None:
    """Make os.environ `wanted`, touching only the variables that differ."""
    for name in set(os.environ) - set(wanted):
        del os.environ[name]
    for name, value in wanted.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def _forget_caches() -> None:
    """Empty every functools cache of lstmshape's modules, as a new process starts: lstmshape.read.
    project reads each project file once per run (per process), and a test edits one between runs."""
    for name, module in list(sys.modules.items()):
        if name == "lstmshape" or name.startswith("lstmshape."):
            for value in list(vars(module).values()):
                if getattr(value, "__module__", None) == name and callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def _decoded(data: bytes) -> str:
    """Bytes read from a child's pipe as subprocess.run(text=True) decodes them (universal newlines)."""
    return data.decode().replace("\r\n", "\n").replace("\r", "\n")


def run(*args, env: dict | None = None, cwd=REPO, input: str | None = None) -> subprocess.CompletedProcess:
    """`lstmshape ARGS...` as run_script runs it, in this process: lstmshape.cli.main (the console
    script's function) with that argv, environment and working directory, standard input `input`
    (else empty, as /dev/null), stdout and stderr written as a child writes to pipes (UTF-8, not
    terminals; Python's default warning filters, warnings on stderr), lstmshape's caches empty, and
    the exit code its sys.exit would give. Some 30 times faster than a child: the package is
    imported once."""
    import traceback
    import warnings

    from lstmshape.cli import main

    argv = [str(a) for a in args]
    for name in {*ONCE_PER_PROCESS, *(n for n in env or () if n.startswith("PYTHON"))}:
        assert (env or {}).get(name, os.environ.get(name)) == os.environ.get(name), \
            f"{name} is read once per process: run `lstmshape {' '.join(argv)}` with run_script"
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode()), encoding="utf-8")
    _forget_caches()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__
    _set_environ(user_environment(env))
    os.chdir(saved_cwd if cwd is None else cwd)  # None: where the test runs, as subprocess's cwd=None
    sys.argv = [console_script(), *argv]
    sys.stdin = sys.__stdin__ = stdin
    sys.stdout = sys.__stdout__ = stdout
    sys.stderr = sys.__stderr__ = stderr
    try:
        with warnings.catch_warnings():
            warnings.resetwarnings()  # a fresh interpreter's filters, each warning shown on stderr
            for action, category in (("ignore", ResourceWarning), ("ignore", ImportWarning),
                                     ("ignore", PendingDeprecationWarning), ("ignore", DeprecationWarning)):
                warnings.filterwarnings(action, category=category)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: \
                sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
            try:
                main()
                code = 0
            except SystemExit as stop:  # what the interpreter does with sys.exit's argument
                code = stop.code
                if code is None:
                    code = 0
                elif not isinstance(code, int):
                    stderr.write(f"{code}\n")
                    code = 1
            except Exception:  # what it does with an uncaught exception (LSTMSHAPE_DEBUG=1 lets one out)
                traceback.print_exc(file=stderr)
                code = 1
        stdout.flush()
        stderr.flush()
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__ = saved
        os.chdir(saved_cwd)
        _set_environ(saved_env)
    return subprocess.CompletedProcess([console_script(), *argv], code, _decoded(out.getvalue()),
                                       _decoded(err.getvalue()))


def on_terminal(*args: str, columns: int = 80, env: dict | None = None, cwd=REPO) -> tuple[int, str]:
    """(exit code, what `lstmshape ARGS` prints) on a real pseudo-terminal `columns` wide."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([console_script(), *map(str, args)], stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=follower, cwd=cwd,
                            env=user_environment({"COLUMNS": str(columns), "TERM": "xterm-256color", **(env or {})}))
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
# It runs isolated and without site (-I -S: it needs only os and sys), which halves its start-up.
LAUNCHER = ("import os, sys; pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ); "
            "_, status, usage = os.wait4(pid, 0); open(sys.argv[1], 'w').write(f'{status} {usage.ru_maxrss}')")


def run_bounded(*args, env: dict | None = None, cwd=None, timeout: float = 30) -> Bounded:
    """`lstmshape ARGS...` in a child process, timed, its peak RSS read from the kernel (wait4), with
    SECRET in its environment. Output goes to files, so nothing blocks however much it prints."""
    import signal
    import tempfile
    import threading
    import time

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as cost:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, cost.name, console_script(),
                                 *map(str, args)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, start_new_session=True,
                                env=user_environment({"LSTMSHAPE_TEST_SECRET": SECRET, **(env or {})}))
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


# --- files and problems -------------------------------------------------------------------------


def made_once(tmp_path_factory, name: str, make) -> Path:
    """A directory `name` made once per test session by make(path) and then only read, shared by
    every pytest-xdist worker of the session (the first to take its lock makes it; the others
    wait, then use it): an installed tool, a built virtualenv, a pre-commit store."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the session's directory: each worker's basetemp is under it
    path, done = root / name, root / f"{name}.made"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)  # a make that failed part-way
            path.mkdir()
            make(path)
            done.touch()
    return path


def write(directory, name: str, content: str | bytes) -> Path:
    """directory/name holding `content` (text or bytes)."""
    path = Path(directory) / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))  # whatever the locale
    return path


def problems_of(directory, text: str, name: str = "c.yaml") -> list:
    """The problems `lstmshape check` finds in a config holding `text` (directory/name)."""
    from lstmshape.check import check_file

    return check_file(str(write(directory, name, text)))


# --- checking files a test writes -----------------------------------------------------------------

# A config that checks clean, one with an error (LS101) and one with a warning (LS009), and the
# smallest clean config.
GOOD = "lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\nhead:\n  - linear: {in_features: 40, out_features: 3}\n"


BAD = "lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\nhead:\n  - linear: {in_features: 20, out_features: 3}\n"


WARN = "lstm: {input_size: 10, hidden_size: 20, dropout: 0.5}\n"
SMALL = "lstm: {input_size: 3, hidden_size: 4}\n"


def checked_lines(tmp_path, text: str) -> list[str]:
    """The lines `lstmshape check` prints for a config holding `text` (which must fail)."""
    path = tmp_path / "c.yaml"
    path.write_text(text)
    result = run("check", path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def problem_message(tmp_path, text: str, code: str) -> str:
    """The one message of `code` that checking `text` gives, after `path:line:col: error[code] `."""
    found = [line.split(f"[{code}] ", 1)[1] for line in checked_lines(tmp_path, text) if f"[{code}] " in line]
    assert len(found) == 1, found
    return found[0]


def outcome(text: str) -> str:
    """What `check` and `infer` (table and JSON, --explain, --matrix) make of a config, in-process and
    through the same library calls as the console script: "error" (problems naming the file) or "ok".
    Any exception is the bug the tests look for (the console script would exit 3)."""
    from lstmshape.check import check_text, load_text
    from lstmshape.frameworks import infer
    from lstmshape.render.infer_json import JsonReporter
    from lstmshape.render.infer_table import TableReporter

    assert all(p.file == "c.yaml" for p in check_text(text, "c.yaml"))
    config, problems = load_text(text, "c.yaml")
    if config is None:
        assert problems and all(p.file == "c.yaml" for p in problems)
        return "error"
    for matrix in (False, True):
        results = infer(config, matrix)
        JsonReporter(io.StringIO(), explain=True).report(config, results, None, problems)
        TableReporter(io.StringIO(), explain=True).report(config, results, None, problems)
    return "ok"


# YAML and JSON files a repository holds beside its configs, none of them lstmshape's.
OTHER_YAML = {
    ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks: []\n",
    ".github/workflows/ci.yml": "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    "compose.yaml": "services:\n  web:\n    image: nginx\n",
    "deploy/k8s.yaml": "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n",
    "playbook.yml": "- hosts: all\n  tasks: []\n",
    "package.json": '{"name": "site", "version": "1.0.0"}\n',
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def project(root, files: str, extra: str = ""):
    """A project: configs/model.yaml (SMALL) and a pyproject.toml whose one [tool.lstmshape] group
    names `files` (a TOML value), plus `extra` lines of that group."""
    (root / "configs").mkdir(parents=True, exist_ok=True)
    (root / "configs" / "model.yaml").write_text(SMALL)
    (root / "pyproject.toml").write_text(f"[[tool.lstmshape.configs]]\nfiles = {files}\n{extra}")
    return root


def torch_tensors(prefix: str, gates: int, inputs: int, hidden: int, layers: int = 1) -> dict:
    """An nn.LSTM (gates 4), nn.GRU (3) or nn.RNN (1) state_dict under `prefix`, zeros."""
    out = {}
    for k in range(layers):
        width = inputs if k == 0 else hidden
        out |= {f"{prefix}weight_ih_l{k}": np.zeros((gates * hidden, width), np.float32),
                f"{prefix}weight_hh_l{k}": np.zeros((gates * hidden, hidden), np.float32),
                f"{prefix}bias_ih_l{k}": np.zeros(gates * hidden, np.float32),
                f"{prefix}bias_hh_l{k}": np.zeros(gates * hidden, np.float32)}
    return out


def npz(path, tensors: dict):
    np.savez(path, **tensors)
    return path


def cli(*args: str) -> tuple[int, str]:
    """`lstmshape ARGS...` in process (run): its exit code and everything it printed."""
    result = run(*args)
    return result.returncode, result.stdout + result.stderr


def context(text: str):
    """The rule context (lstmshape.rules.context_for) of a config holding `text`, which must read."""
    from lstmshape.read import parse_text
    from lstmshape.rules import context_for

    config, problems = parse_text(text)
    assert config is not None, problems
    return context_for(config)


# The held-out configs of tests/golden/checks/ (recorded by tests/golden/record_checks.py): each
# names on its first line the codes lstmshape must report for it.
def path_of(name: str) -> str:
    return str(GOLDEN_DIR / "checks" / name)


def codes_written(name: str) -> list[str]:
    first = (GOLDEN_DIR / "checks" / name).read_text().splitlines()[0]
    assert first.startswith("# codes:"), name
    return sorted(first.split(":", 1)[1].split())


# --- configs written for a test ----------------------------------------------------------------

# The smallest LSTM section of each framework, by its own keys (a test adds or overrides settings).
SIZES = {
    "torch": {"input_size": 10, "hidden_size": 20},
    "keras": {"input_dim": 10, "units": 20},
    "onnx": {"input_size": 10, "hidden_size": 20},
}


def config_text(framework: str, lstm, more: dict | None = None) -> str:
    """A config of `framework` with `lstm` as its section, a data section, and `more` (top-level keys) on top."""
    doc = ({} if framework == "torch" else {"framework": framework}) | {"lstm": lstm, "data": {"batch_size": 4, "seq_len": 5}}
    return yaml.safe_dump(doc | (more or {}))


def parsed(framework: str, **lstm):
    """The Config of config_text(framework, SIZES[framework] | lstm), which must read cleanly."""
    from lstmshape.check import load_text

    config, problems = load_text(config_text(framework, SIZES[framework] | lstm), "c.yaml")
    assert config is not None, problems
    return config


# Values of the wrong kind for any setting (hypothesis): the reader must refuse each with a problem.
WRONG = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.just(10**5), st.just(10**21),
                  st.floats(allow_nan=False),
                  st.text(max_size=8), st.just("abc"), st.just("[/x]"),
                  st.lists(st.one_of(st.integers(0, 3), st.text(max_size=3)), max_size=3),
                  st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2))


# --- the golden recorders -----------------------------------------------------------------------
# The scripts in tests/golden/ that record golden files from the oracles, loaded as modules so the
# tests can reuse their case lists and, where the oracle is installed, re-run them live; the
# comparisons of the shape engine with what they observed; and the one comparison of a golden
# array with what is computed here (assert_golden_close).


def recorder(name: str) -> ModuleType:
    """tests/golden/NAME.py as a module (for example `recorder("record_shapes")`), importing its
    shared helpers (tests/golden/recording.py) as it does when run as a script."""
    if str(GOLDEN_DIR) not in sys.path:
        sys.path.append(str(GOLDEN_DIR))
    spec = importlib.util.spec_from_file_location(name, GOLDEN_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engine(case: dict):
    """The shape engine's answer for a recorded case ({"lstm": settings, "data": data})."""
    from lstmshape.settings import DataConfig, TorchLSTM
    from lstmshape.frameworks.torch import infer_lstm

    return infer_lstm(TorchLSTM(**case["lstm"]), DataConfig(**case["data"]))


def assert_matches_torch(result, observed: dict) -> None:
    """A shape result equals what a recorder observed torch build: shapes, parameters, counts, MACs."""
    assert {k: list(v) for k, v in result.shapes.items()} == observed["shapes"]
    assert [[p.name, list(p.shape)] for p in result.params] == observed["params"]
    assert result.num_params == observed["num_params"]
    if "macs" in observed:
        assert result.macs.value == observed["macs"]


def assert_matches_keras(result, observed: dict) -> None:
    """A Keras shape result equals what record_frameworks observed Keras build: outputs, weights, count."""
    assert [list(t.shape) for t in result.outputs] == observed["outputs"]
    assert result.num_params == observed["count_params"]
    assert {p.name: list(p.shape) for p in result.params} == observed["weights"]
    assert [p.name for p in result.params] == list(observed["weights"])


def assert_matches_onnx(result, observed: dict) -> None:
    """An ONNX shape result equals what record_frameworks observed onnx infer: each node's tensors."""
    assert [{t.name: list(t.shape) for t in node.tensors} for node in result.nodes] == observed["nodes"]


# Golden floats were computed on another machine. The same float program gives the same bits
# only with the same kernels: BLAS picks its kernel per CPU at run time (OpenBLAS: Haswell,
# SkylakeX, Zen ...), and kernels differ in FMA contraction and in the order they sum a dot
# product, so each rounded step may land on a neighbouring float (half an ulp: 1.1e-16 for
# float64 values near 1, seen on a Xeon against goldens recorded on an AMD EPYC). A recurrent
# net then carries each step's difference into the next, time step after time step and layer
# after layer; the gates' sigmoid and tanh shrink it, the recurrent weights (drawn in
# ±1/sqrt(hidden_size)) keep it about its size. So a golden float may differ by GOLDEN_ULPS ulps
# of its dtype per sequential step (`depth`: time steps × layers for a forward pass, 1 for a value
# drawn or copied rather than computed), relative to its size where that exceeds 1. Ours against
# torch's golden (another implementation) measures 0.15 ulp per step at most: 4 leaves room for
# other machines and for the compiled cell's float32 polynomials (2 ulps, tests/forward/test_fast.py).
# What is exact stays exact: shapes, dtypes, names, counts, integer and boolean data.
GOLDEN_ULPS = 4


def golden_tolerance(dtype, depth: int = 1) -> float:
    """How far a value of `dtype` computed in `depth` sequential rounded steps may be from its golden."""
    return GOLDEN_ULPS * max(depth, 1) * float(np.finfo(dtype).eps)


def assert_golden_close(got, want, name: str, depth: int = 1) -> None:
    """`got` is the golden `want`: the same shape and dtype, floats within golden_tolerance (absolute
    near zero, relative past 1, NaN where the golden has NaN), anything else exactly."""
    got, want = np.asarray(got), np.asarray(want)
    assert (got.shape, got.dtype) == (want.shape, want.dtype), \
        f"{name}: {got.shape} {got.dtype}, the golden {want.shape} {want.dtype}"
    if not np.issubdtype(want.dtype, np.inexact):
        np.testing.assert_array_equal(got, want, err_msg=name)
        return
    tolerance = golden_tolerance(want.dtype, depth)
    np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance, err_msg=f"{name} (depth {depth})")


# --- the forward-pass tests of every cell (fixtures: conftest.py's compiled_cell, parts_seen,
# two_parts and two_directions) ----------------------------------------------------------------


def force(monkeypatch, *parts):
    """Set LSTMSHAPE_FORWARD to force these parts of the variant (calibration.PARTS: a cell,
    threads, packing), keeping what it already forces of the other choices."""
    from lstmshape.forward.calibration import PARTS, Request

    forced = Request.parse(os.environ.get("LSTMSHAPE_FORWARD", "auto"))._asdict()
    for part in parts:
        forced[next(choice for choice, options in PARTS.items() if part in options)] = part
    monkeypatch.setenv("LSTMSHAPE_FORWARD", Request(**forced).name)


def blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def blas_threads():
    return min(lib.num_threads for lib in blas_controller().lib_controllers)


@functools.cache
def haswell_packing():
    """lstmshape.forward.packed_gemm's packing with OpenBLAS's Haswell kernel, whatever core OpenBLAS
    chose here (every x86-64 CPU with AVX2 and FMA runs that kernel), so that the packed product
    is tested on any CI machine and not only where fast.py would pick it. Found and
    self-tested once per session: every compiled-cell test asks for it."""
    from threadpoolctl import threadpool_info

    from lstmshape.forward.packed_gemm import ready_packing

    libraries = [{**library, "architecture": "Haswell"} for library in threadpool_info()
                 if library["internal_api"] == "openblas"]
    packing = ready_packing(libraries)
    assert packing is not None, f"no OpenBLAS with a working Haswell sgemm kernel among {libraries}"
    return packing


def packed_products_per_step(request, cell):
    """With the compiled cell, how many packed products (packed_steps) ran for each step the cell
    ran; None with NumPy's cell, which packs nothing."""
    if cell != "compiled":
        return None
    steps, products = request.getfixturevalue("compiled_cell"), request.getfixturevalue("packed_steps")
    assert steps, "the compiled cell ran"
    return len(products) / len(steps)


def record_threads(monkeypatch, name):
    """Wrap fast.<name> so that every call records its thread and the BLAS thread limit it ran
    under; returns that record, a list of (thread, limit)."""
    import threading

    from lstmshape.forward import fast as forward

    seen = []
    original = getattr(forward, name)

    def spy(*args):
        seen.append((threading.get_ident(), blas_threads()))
        return original(*args)

    monkeypatch.setattr(forward, name, spy)
    return seen


def assert_an_error_restores_the_blas_limit(monkeypatch, name, failing, match):
    """With fast.<name> replaced by `failing` (which raises in one of a forward's threads), a
    threaded forward raises `match`, the BLAS thread limit is what it was, and with the original
    back the next forward runs (the lock was released) and leaves the limit alone too."""
    import pytest

    from lstmshape.forward import fast as forward

    original = getattr(forward, name)
    monkeypatch.setattr(forward, name, failing)
    params = init_params(10, 20, num_layers=2, bidirectional=True)
    x = np.zeros((5, 4, 10), np.float32)
    with blas_controller().limit(limits=2):
        if blas_threads() != 2:
            pytest.skip("BLAS cannot run two threads here: a restored limit would look kept")
        with pytest.raises(RuntimeError, match=match):
            forward.lstm_forward(x, params, num_layers=2, bidirectional=True)
        assert blas_threads() == 2
        monkeypatch.setattr(forward, name, original)
        forward.lstm_forward(x, params, num_layers=2, bidirectional=True)
        assert blas_threads() == 2


def cells_for(cases, dtype_at=0):
    """Each case with NumPy's cell, and float32 cases with the compiled cell too (float64 always
    runs NumPy's: the compiled exp and tanh are float32 polynomials); case[dtype_at] is its dtype."""
    return [(cell, *case) for case in cases
            for cell in (("numpy", "compiled") if case[dtype_at] is np.float32 else ("numpy",))]


def use_cell(request, cell):
    """The threads of the compiled cell's steps when `cell` asks for it, else None."""
    return request.getfixturevalue("compiled_cell") if cell == "compiled" else None


# --- looking in a real browser -------------------------------------------------------------------


def png_array(path: Path) -> np.ndarray:
    """The (height, width, 3) RGB pixels of an 8-bit RGB/RGBA PNG (what Chromium writes). Rows
    filtered with None, Sub or Up (most of a screenshot) are undone with NumPy, Average and Paeth
    rows byte by byte."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: each byte plus the one bpp before it, a running sum per channel
            row = (np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64) % 256).astype(np.uint8).reshape(stride)
        elif kind == 2:
            row = line + prev
        else:
            row, above = bytearray(line.tobytes()), prev.tobytes()
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b, c = above[i], above[i - bpp] if i >= bpp else 0
                if kind == 3:
                    row[i] = (row[i] + (a + b) // 2) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            row = np.frombuffer(bytes(row), dtype=np.uint8)
        out[y] = row
        prev = row
    return out.reshape(height, width, bpp)[:, :, :3]


class Chromium:
    """One headless Chromium (a fresh profile, nothing fetched, no GPU) driven over the DevTools
    protocol on a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, one JSON message per NUL), so
    that many pages cost one launch: they load one after another in its one tab, each a document of
    its own. screenshot() gives the pixels `chromium --screenshot --window-size=W,H --hide-scrollbars`
    gives of that page alone, dump_dom() the text `chromium --dump-dom` prints (the same, byte for
    byte, for every shipped example and the HTML report, when this replaced a launch per page)."""

    def __init__(self, chromium: str, timeout: float = 120):
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory()
        self._stderr = tempfile.TemporaryFile()  # a pipe would fill up and stall the browser
        to_browser, from_browser = os.pipe(), os.pipe()

        def pipes_at_3_and_4():  # in the child, before exec; dup2 leaves the copies inheritable
            read, write = os.dup(to_browser[0]), os.dup(from_browser[1])
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
            preexec_fn=pipes_at_3_and_4, pass_fds=(3, 4))
        os.close(to_browser[0])
        os.close(from_browser[1])
        self._out, self._in = to_browser[1], from_browser[0]
        self._buffer, self._id, self._events, self._session = b"", 0, [], None
        try:
            self.version = self.send("Browser.getVersion")
        except BaseException:
            self.close()
            raise

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:]

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError(f"chromium did not answer in {self.timeout} s\n{self.stderr()}")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(5)
                raise RuntimeError(f"chromium closed its pipe (exit {self.proc.poll()})\n{self.stderr()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        """The result of a DevTools command (in a tab's `session`, else the browser's)."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        data = memoryview(json.dumps(message).encode() + b"\0")
        while data:
            try:
                data = data[os.write(self._out, data):]
            except BrokenPipeError:
                raise RuntimeError(f"chromium is gone (exit {self.proc.poll()})\n{self.stderr()}") from None
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}\n{self.stderr()}")
                return answer["result"]
            self._events.append(answer)

    def _wait(self, event: str, session: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._read(deadline))

    def _load(self, uri: str, size: tuple[int, int] | None = None) -> str:
        """The browser's one tab (opened on first use) with `uri` loaded, its load event fired: its
        viewport size×1 pixels without scrollbars when given, else the window's with them."""
        if self._session is None:
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.send("Page.enable", self._session)
        session = self._session
        if size is not None:
            self.send("Emulation.setDeviceMetricsOverride", session, width=size[0], height=size[1],
                      deviceScaleFactor=1, mobile=False)
        else:
            self.send("Emulation.clearDeviceMetricsOverride", session)
        self.send("Emulation.setScrollbarsHidden", session, hidden=size is not None)
        self._events.clear()
        navigated = self.send("Page.navigate", session, url=uri)
        assert not navigated.get("errorText"), (uri, navigated)
        self._wait("Page.loadEventFired", session)
        return session

    def screenshot(self, uri: str, width: int, height: int, png: Path) -> Path:
        """png: the page at `uri` in a width×height viewport without scrollbars, as a PNG (encoded
        for speed: only None/Sub/Up rows, which png_array undoes with NumPy; the same pixels)."""
        shot = self.send("Page.captureScreenshot", self._load(uri, (width, height)), format="png",
                         optimizeForSpeed=True)
        png.write_bytes(base64.b64decode(shot["data"]))
        return png

    def dump_dom(self, uri: str) -> str:
        """The page's DOM once loaded, serialized as --dump-dom prints it (its doctype, then
        document.documentElement.outerHTML)."""
        value = self.send("Runtime.evaluate", self._load(uri), returnByValue=True, expression=(
            "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')"
            " + document.documentElement.outerHTML"))
        return value["result"]["value"] + "\n"

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.send("Browser.close")
            self.proc.wait(30)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._out)
            os.close(self._in)
            self._stderr.close()
            self._profile.cleanup()


# A config with every kind of mismatch: shape problems for the picture and the HTML report.
MISMATCHES = """\
lstm:
  - {input_size: 10, hidden_size: 20, num_layers: 8, bidirectional: true}
  - {hidden_size: 16, proj_size: 8}
data: {batch_size: 2, seq_len: 300}
head:
  - linear: {in_features: 16, out_features: 64, input: hn_last}
  - relu
  - linear: {in_features: 32, out_features: 3}
expect:
  - {h0: [2, 2, 20], output: [300, 2, 20]}
  - {cn: [1, 2, 8]}
"""


# --- random YAML documents (hypothesis): the reader and the checker are held against them ---

keys = st.sampled_from(["lstm", "data", "head", "expect", "input_size", "hidden_size", "num_layers",
                        "bidirectional", "batch_first", "proj_size", "dropout", "batch_size", "seq_len",
                        "lengths", "linear", "in_features", "out_features", "input", "output", "h0", "c0",
                        "hn", "cn", "unbatched", "num_directions", "x", "<<"])


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 70), st.integers(), st.floats(allow_nan=True),
                    st.sampled_from(["N", "L", "hn_last", "hn_concat", "last_step", "output", "relu", "1e3", ""]),
                    st.text(string.printable, max_size=8))


values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=5)), max_leaves=25)


documents = st.dictionaries(keys, values, max_size=5)


def to_yaml(value, flow: bool) -> str:
    return yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)


def mutate(text: str, cut: int) -> str:
    return text[:cut] if cut < len(text) else text
