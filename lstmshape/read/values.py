"""One classifier for every value lstmshape reads: does it fit its kind, and if not, which code
says why (LS007 wrong type, LS008 out of range) and in what words. Decided here once, so a
101-digit size is the same problem in `lstm`, in `data` and in `expect`."""

from __future__ import annotations

import re
from typing import Any

from ..codes import OUT_OF_RANGE, WRONG_TYPE, Code
from ..settings import MAX_STATE, NO_STATE, STATE_NAMES
from ..yamlload import Tagged

SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_SIZE = 10**100  # sizes stay exact integers; past a googol their products outgrow str()
# A number in exponent form (`1e3`, `1.0e3`, `2.5E1`): YAML 1.1 reads one as a float only with a dot
# and a signed exponent (`1.0e+3`), so PyYAML gives these as text. Text: `re` compiles it on first use.
EXPONENT_FORM = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+\Z"
INTEGER_KINDS = ("positive_int", "nonneg_int", "directions", "dim")
NUMBER_KINDS = ("fraction", "rate")
MAX_BLOCKS = 1_000  # blocks in one stack: each is read, inferred and reported, so a few bytes each must stay cheap


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
    elif kind == "state":
        names = state_names(value)
        if names is None:
            return WRONG_TYPE, (f"is not an initial state: {NO_STATE}, one tensor (h0) or a list of them "
                                "([h0, c0])")
        if isinstance(names, tuple) and not 1 <= len(names) <= MAX_STATE:
            return OUT_OF_RANGE, f"must list 1 to {MAX_STATE} tensors"
        unknown = [n for n in (names if isinstance(names, tuple) else (names,)) if n not in STATE_NAMES
                   and n != NO_STATE]
        if unknown or isinstance(names, tuple) and NO_STATE in names:
            return OUT_OF_RANGE, (f"holds {unknown[0] if unknown else NO_STATE!r}, which is not a state tensor: "
                                  f"h0 (h, hx, hidden) or c0 (c, cx, cell), or {NO_STATE} alone")
    elif kind == "dim":
        if isinstance(value, str):
            if not SYMBOL.match(value):
                return WRONG_TYPE, "is not a positive integer or a symbol name such as B"
        elif not is_int:
            return WRONG_TYPE, "is not a positive integer or a symbol name such as B"
        elif value < 1:
            return OUT_OF_RANGE, "must be a positive integer"
    return None


def state_names(value: Any) -> str | tuple | None:
    """data.state as written: None or "none" → "none"; one name (`h0`) → that name; a list, or a
    tuple written as text (`(h0, c0)`, `h0, c0`, `(h0,)`) → a tuple of names; None if neither."""
    if value is None:
        return NO_STATE
    if isinstance(value, list):
        return tuple(value) if all(isinstance(v, str) for v in value) else None
    if not isinstance(value, str) or len(value) > 200:
        return None
    text = value.strip()
    inner = text[1:-1] if len(text) > 1 and (text[0], text[-1]) in (("(", ")"), ("[", "]")) else None
    if inner is None and "," not in text:
        return value  # one name (or none), exactly as written
    names = [p.strip() for p in (text if inner is None else inner).split(",")]
    if len(names) > 1 and names[-1] == "":  # a trailing comma: (h0,)
        names.pop()
    return tuple(names)


def number_read_as_text(kind: str, value: Any, label: str) -> str:
    """For a number YAML read as text (`hidden_size: 1e3` is the string '1e3'), the words after
    the message saying so, and what to write instead: the exact integer (1000) where one is
    wanted, else the same number in a form YAML reads as a float. Empty for any other value."""
    if kind not in INTEGER_KINDS + NUMBER_KINDS or not isinstance(value, str) or len(value) > 64 \
            or not re.match(EXPONENT_FORM, value):
        return ""
    from decimal import Decimal  # only for a number to rewrite: a clean run never pays for it

    number, said = Decimal(value), ": a float in exponent form, which YAML reads as text"
    plain = format(number, "f") if -7 < number.adjusted() < 16 else None  # `0.00005`, exactly as written
    if kind in NUMBER_KINDS:
        return f"{said}; write {plain or yaml_float(value)}"
    if number.adjusted() > 100:  # checked before the integer is built: `1e999999999` has a billion digits
        return f"{said}; it is more than 10**100, larger than any size lstmshape accepts"
    if number != number.to_integral_value():
        return f"{said}; {plain or value} is not a whole number, and {label} must be an integer"
    return f"{said}; write {int(number)}"


def yaml_float(text: str) -> str:
    """A number in exponent form as YAML 1.1 reads a float: a dot in the mantissa and a sign in
    the exponent (`5e-5` → `5.0e-5`, `1e3` → `1.0e+3`)."""
    mantissa, exponent = re.split("[eE]", text)
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{exponent if exponent[0] in '+-' else '+' + exponent}"


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


def suggest(key: str, known: tuple[str, ...]) -> str | None:
    """The known name `key` was most likely meant as: the same name in other letter case, else by
    spelling similarity (difflib's ratio, 0.6 at least), a name of the same family first
    (`rnn_size` → `rnn_hidden_size`, not `proj_size`)."""
    import difflib  # only for a key to name: a clean run never pays for it

    same = [name for name in known if name.lower() == key.lower()]
    if same:  # the same name in other letter case (`ReLU` → `relu`)
        return same[0]
    family = key.lower().split("_")[0]
    best, best_score = None, 0.0
    for name in known:
        matcher = difflib.SequenceMatcher(None, key, name)
        if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:  # upper bounds of ratio, cheap
            continue
        ratio = matcher.ratio()
        if ratio < 0.6:
            continue
        score = ratio + (0.15 if "_" in name and name.split("_")[0] == family else 0.0)
        if score > best_score:
            best, best_score = name, score
    return best
