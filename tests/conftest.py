"""Shared test fixtures.

Oracle tests compare against the real frameworks live. Where a framework is not installed they
skip, unless LSTMSHAPE_REQUIRE_ORACLES=1 or CI is set: then a missing oracle is a failure, so CI
can never go green by skipping them.
"""

from __future__ import annotations

import importlib
import os

import pytest


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
    return require("torch")


@pytest.fixture(scope="session")
def keras():
    return require("keras")


@pytest.fixture(scope="session")
def onnx():
    return require("onnx")


@pytest.fixture(scope="session")
def numba():
    """numba, which compiles lstmshape.compiled_cell ([fast] extra): required like an oracle, so
    CI cannot pass the compiled cell's tests by skipping them."""
    return require("numba")


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
