"""One classifier for every value lstmshape reads: does it fit its kind, and if not, which code
says why (LS007 wrong type, LS008 out of range) and in what words. Decided here once, so a
101-digit size is the same problem in `lstm`, in `data` and in `expect`."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..codes import OUT_OF_RANGE, WRONG_TYPE, Code
from ..yamlload import Tagged

SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_SIZE = 10**100  # sizes stay exact integers; past a googol their products outgrow str()


class Key(NamedTuple):
    """One config key: its canonical name, the aliases people use for it, and its kind."""

    name: str
    kind: str  # positive_int | nonneg_int | bool | fraction | rate | dim | directions | lengths | choice |
    # activation | input_shape
    aliases: tuple[str, ...] = ()
    required: bool = False


def classify(kind: str, value: Any) -> tuple[Code, str] | None:
    """Why `value` does not fit `kind`: (code, the words after the key's name), or None if it fits."""
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and kind in ("positive_int", "nonneg_int", "dim") and value > MAX_SIZE:
        return OUT_OF_RANGE, "is too large: sizes up to 10**100 are accepted (they stay exact integers)"
    if kind in ("positive_int", "nonneg_int", "directions"):
        if not is_int:
            return WRONG_TYPE, "is not an integer"
        if kind == "positive_int" and value < 1:
            return OUT_OF_RANGE, "must be a positive integer"
        if kind == "nonneg_int" and value < 0:
            return OUT_OF_RANGE, "must be 0 or a positive integer"
        if kind == "directions" and value not in (1, 2):
            return OUT_OF_RANGE, "must be 1 or 2"
    elif kind == "bool":
        if not isinstance(value, bool):
            return WRONG_TYPE, "is not a boolean (true or false)"
    elif kind == "fraction":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return WRONG_TYPE, "is not a number"
        if not 0 <= value <= 1:
            return OUT_OF_RANGE, "must be in [0, 1]"
    elif kind == "rate":  # a Keras dropout rate: Keras clamps to [0, 1] silently, and 1 drops everything
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return WRONG_TYPE, "is not a number"
        if not 0 <= value < 1:
            return OUT_OF_RANGE, ("must be in [0, 1) (Keras clamps it to [0, 1] without a word, and 1 drops "
                                  "every input in training)")
    elif kind == "activation":
        if value is not None and not isinstance(value, str):
            return WRONG_TYPE, "is not an activation name (a string such as 'tanh') or null (linear)"
    elif kind == "input_shape":
        if not isinstance(value, list):
            return WRONG_TYPE, "is not a list of sizes such as [10, 64] (null for any size)"
        for n in value:
            if n is not None and (not isinstance(n, int) or isinstance(n, bool)):
                return WRONG_TYPE, "is not a list of positive integers or null"
            if n is not None and not 1 <= n <= MAX_SIZE:
                return OUT_OF_RANGE, "must hold positive integers up to 10**100 or null"
    elif kind == "lengths":
        if not isinstance(value, list) or not value:
            return WRONG_TYPE, "is not a non-empty list of sequence lengths such as [5, 3, 2]"
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
            return WRONG_TYPE, "is not a list of integers"
        if min(value) < 1:
            return OUT_OF_RANGE, "must be a list of positive integers"
    elif kind == "dim":
        if isinstance(value, str):
            if not SYMBOL.match(value):
                return WRONG_TYPE, "is not a positive integer or a symbol name such as B"
        elif not is_int:
            return WRONG_TYPE, "is not a positive integer or a symbol name such as B"
        elif value < 1:
            return OUT_OF_RANGE, "must be a positive integer"
    return None


def classify_choice(value: Any, choices: tuple) -> Code | None:
    """A value that must be one of `choices`: LS008 for another value of a right type, LS007 else."""
    if any(value == c and type(value) is type(c) for c in choices):
        return None
    return OUT_OF_RANGE if any(type(value) is type(c) for c in choices) else WRONG_TYPE


def needs_resolving(value: Any) -> bool:
    """An interpolation (`${a.b}`), a tagged value (`!ref <a>`, `!new:...`) or Hydra's `???`:
    read through lstmshape.read.interpolation."""
    return isinstance(value, Tagged) or (isinstance(value, str) and ("${" in value or value == "???"))


def kind_of(value: Any) -> str:
    """`a mapping`, `a list`, `empty`, `a scalar (string 'x')`: what a misplaced value is."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a scalar ({show(value)})"


def show(value: Any) -> str:
    """A value as a message quotes it, with its YAML type: `float 10.0`, `string '20'`."""
    if isinstance(value, Tagged):
        return f"tagged value {str(value)[:60]!r}"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if value is None:
        return "null"
    if isinstance(value, int) and abs(value) > 10**12:
        return f"a {len(str(abs(value)))}-digit number"
    text = repr(value)
    if isinstance(value, list) and len(text) > 120:  # a hostile list: quote its start
        return f"a list of {len(value)} items, {text[:80]}…"
    return text
