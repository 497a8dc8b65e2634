"""Shared test fixtures.

Oracle tests compare against the real frameworks live. Where a framework is not installed they
skip, unless LSTMSHAPE_REQUIRE_ORACLES=1 or CI is set: then a missing oracle is a failure, so CI
can never go green by skipping them.
"""

from __future__ import annotations

import compileall
import importlib
import importlib.util
import os

import pytest

from helpers import BAD, GOOD, SECRET, USER_UNSET, WARN

# The session runs as a user's shell would, whatever the shell that runs the tests has set (a test
# that is about one of these sets it): lstmshape run in this process (helpers.run) then sees what
# the console script in a child process sees, including what typer reads once when it is imported.
for _name in USER_UNSET:
    os.environ.pop(_name, None)

# lstmshape's bytecode, compiled once as pip compiles an installed package's: the checkout's editable
# install has none, and where PYTHONDONTWRITEBYTECODE is set no child writes it, so every console
# script child the tests start would compile the whole package again (some 0.1 s each).
compileall.compile_dir(importlib.util.find_spec("lstmshape").submodule_search_locations[0], quiet=2)


def _oracles_required() -> bool:
    return os.environ.get("LSTMSHAPE_REQUIRE_ORACLES") == "1" or bool(os.environ.get("CI"))


def require(module: str):
    """Import an oracle module, skipping (or failing, where oracles are required) without it."""
    if module == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if _oracles_required():
            pytest.fail(f"oracle {module!r} is required here but cannot be imported: {exc}")
        pytest.skip(f"oracle {module!r} not installed")


@pytest.fixture(scope="session")
def torch():
    """torch, running its own kernels in this thread: on a 2-CPU machine its oneDNN LSTM with two
    OpenMP threads took 8 ms (up to 0.5 s beside NumPy's BLAS threads) for a 6-step forward that
    takes 0.15 ms in one. torch is only the oracle here: no test is about torch's threads, and
    lstmshape's own threading is NumPy's BLAS (threadpoolctl's "blas"), which this leaves alone."""
    module = require("torch")
    module.set_num_threads(1)
    return module


@pytest.fixture(scope="session")
def keras():
    return require("keras")


@pytest.fixture(scope="session")
def onnx():
    return require("onnx")


@pytest.fixture(scope="session")
def numba():
    """numba, which compiles lstmshape.forward.compiled_cell ([fast] extra): required like an oracle, so
    CI cannot pass the compiled cell's tests by skipping them."""
    return require("numba")


@pytest.fixture(scope="session", autouse=True)
def made_early(request, tmp_path_factory):
    """Start, as the session starts, each directory a selected test module makes once per run
    (its MADE_ONCE: name -> make, helpers.made_once), each in a thread of its own: a virtualenv
    with a pip install of lstmshape takes ~15 s, most of it in pip's own processes, and no worker
    then waits for it idle. A make that fails here is made again, and fails visibly, by the
    fixture that uses it."""
    import threading

    from helpers import made_once

    def make(name, maker):
        try:
            made_once(tmp_path_factory, name, maker)
        except Exception:  # noqa: BLE001 - made again (and reported) by the test's own fixture
            pass

    wanted = {}
    for item in request.session.items:
        wanted.update(getattr(getattr(item, "module", None), "MADE_ONCE", {}))
    # the session's temporary directory made here, before any thread asks for it: getbasetemp makes it
    # on first use, and two threads making it at once race (FileExistsError, or one deleting the other's)
    tmp_path_factory.getbasetemp()
    threads = [threading.Thread(target=make, args=pair, daemon=True) for pair in wanted.items()]
    for thread in threads:
        thread.start()
    yield
    for thread in threads:
        thread.join()


@pytest.fixture
def checked_tree(tmp_path):
    """A tree to check: good.yaml, sub/bad.yml, sub/deeper/warn.yaml and a file that is no YAML."""
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "sub" / "bad.yml").write_text(BAD)
    (tmp_path / "sub" / "deeper" / "warn.yaml").write_text(WARN)
    (tmp_path / "sub" / "notes.txt").write_text("not yaml: [")
    return tmp_path


@pytest.fixture
def outside(tmp_path):
    """A file outside the project holding a value that must never be printed."""
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "secret.yaml"
    secret.write_text(f"lstm: {{input_size: 3, hidden_size: {SECRET}}}\n")
    return secret


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def numpy_cell(monkeypatch, session_cache):
    """Every test's forward passes run NumPy's cell in one thread unless the test asks for another
    variant (compiled_cell, two_parts, two_directions, helpers.force), whatever
    LSTMSHAPE_FORWARD the shell that runs the tests has set: no test times variants by accident.
    The user's cache directory is a temporary one, so nothing a test runs writes to the real one."""
    monkeypatch.setenv("LSTMSHAPE_FORWARD", "numpy+serial")
    monkeypatch.setenv("XDG_CACHE_HOME", str(session_cache))


@pytest.fixture
def packed_steps(monkeypatch, numba):
    """Forwards in this test that run the compiled cells with single-threaded BLAS pack their
    weights for OpenBLAS's Haswell kernel, on any x86-64 machine (helpers.haswell_packing);
    returns the number of sequences of each packed product's call."""
    from helpers import haswell_packing

    steps = []
    pack = haswell_packing()

    def recording_pack(weight):
        product = pack(weight)

        def step(h, out):
            steps.append(len(h))
            product(h, out)

        return step

    monkeypatch.setattr("lstmshape.forward.fast._pack_weight", recording_pack)
    return steps


@pytest.fixture
def compiled_cell(monkeypatch, numba, packed_steps):
    """float32 forwards in this test run the compiled cells, and pack their weights where they
    run single-threaded BLAS (packed_steps); returns the thread of each step run."""
    import threading

    from lstmshape.forward.compiled_cell import ready_cells

    threads = []

    def spy(cell):
        def step(*args):
            threads.append(threading.get_ident())
            return cell(*args)

        return step

    from helpers import force

    monkeypatch.setattr("lstmshape.forward.fast._compiled_cell",
                        {kind: spy(cell) for kind, cell in ready_cells().items()})
    force(monkeypatch, "compiled", "packed")
    return threads


@pytest.fixture
def parts_seen(monkeypatch):
    """Record, for every batch part run, its thread and the BLAS thread limit it ran under."""
    from helpers import record_threads

    return record_threads(monkeypatch, "_run_layers")


@pytest.fixture
def two_parts(monkeypatch, parts_seen):
    """Force two batch parts at test sizes (any batch of two or more), on any machine."""
    from helpers import force

    force(monkeypatch, "parts")
    monkeypatch.setattr("lstmshape.forward.fast._blas_threads", lambda: 2)
    return parts_seen


@pytest.fixture
def two_directions(monkeypatch):
    """Force a bidirectional layer's directions into two threads at test sizes (never batch
    parts), on any machine; returns, for each direction run, its thread and BLAS thread limit."""
    from helpers import force, record_threads
    from lstmshape.forward import fast as forward

    force(monkeypatch, "directions")
    monkeypatch.setattr(forward, "_blas_threads", lambda: 2)
    return record_threads(monkeypatch, "_active_steps")


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium, for the tests that look at a page in a real browser: skipped
    without it, a failure where oracles are required (CI installs it: .ci/run)."""
    import shutil

    path = shutil.which("chromium")
    if path is None:
        if _oracles_required():
            pytest.fail("chromium is required here but not on PATH (apt-get install chromium)")
        pytest.skip("chromium not installed")
    return path


@pytest.fixture(scope="session")
def browser(chromium):
    """That Chromium launched once per test process and driven over the DevTools protocol
    (helpers.Chromium): the browser tests load, screenshot and dump their pages in it."""
    from helpers import Chromium

    session = Chromium(chromium)
    try:
        # Chromium itself, headless: not another browser on PATH under its name
        assert session.version["product"].startswith("Chrome/"), session.version
        assert "HeadlessChrome/" in session.version["userAgent"], session.version
        yield session
    finally:
        session.close()


def pytest_addoption(parser):
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite the golden CLI outputs under tests/golden/cli from the current code",
    )


@pytest.fixture
def golden(request):
    """Compare text with tests/golden/cli/NAME byte for byte (or rewrite it with --regen-golden)."""
    from pathlib import Path

    root = Path(__file__).parent / "golden" / "cli"

    def check(name: str, text: str) -> None:
        path = root / name
        if request.config.getoption("--regen-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert path.exists(), f"no golden file {path}; run pytest --regen-golden"
        assert text == path.read_text(), f"output differs from {path}; if intended, run pytest --regen-golden"

    return check
