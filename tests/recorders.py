"""The scripts in tests/golden/ that record golden files from the oracles, loaded as modules so
the tests can reuse their case lists and, where the oracle is installed, re-run them live."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

GOLDEN_DIR = Path(__file__).parent / "golden"


def recorder(name: str) -> ModuleType:
    """tests/golden/NAME.py as a module (for example `recorder("record_shapes")`)."""
    spec = importlib.util.spec_from_file_location(name, GOLDEN_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
