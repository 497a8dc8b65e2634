"""Pieces chosen by name at run time ("lstmshape.shapes.keras:infer_keras_config"): reporters,
shape engines, section readers. A registry names its entries instead of importing them, so a run
loads only what it uses (a torch config never loads the Keras and ONNX engines, a clean `check`
never loads rich). tests/test_layers.py counts these references as imports."""

from __future__ import annotations

import importlib


def resolve(ref: str):
    """The object a `"package.module:name"` reference names, its module imported on first use."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)
