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
