"""The scripts in tests/golden/ that record golden files from the oracles, loaded as modules so
the tests can reuse their case lists and, where the oracle is installed, re-run them live; and
the one comparison of the shape engine with what they observed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from lstmshape.settings import DataConfig, TorchLSTM
from lstmshape.shapes import infer_lstm

GOLDEN_DIR = Path(__file__).parent / "golden"


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
    return infer_lstm(TorchLSTM(**case["lstm"]), DataConfig(**case["data"]))


def assert_matches_torch(result, observed: dict) -> None:
    """A shape result equals what a recorder observed torch build: shapes, parameters, counts, MACs."""
    assert {k: list(v) for k, v in result.shapes.items()} == observed["shapes"]
    assert [[p.name, list(p.shape)] for p in result.params] == observed["params"]
    assert result.num_params == observed["num_params"]
    if "macs" in observed:
        assert result.macs.value == observed["macs"]
