"""The values real configs do not spell out: OmegaConf interpolations (`${model.d_model}`,
relative `${.d_model}`), HyperPyYAML references (`!ref <rnn_neurons>`) and Hydra's mandatory `???`.

Only the values lstmshape reads are resolved, each in the file it was written in. Interpolations
go through the omegaconf library itself (imported only when a value holds `${`), so they mean
what they mean to Hydra and Lightning; resolvers (`${oc.env:X}`, `${now:}`) and tagged objects
(`!new:`, `!apply:`) are never evaluated, and an interpolation that fans out past
MAX_EXPANSION references is refused before omegaconf sees it.
"""

from __future__ import annotations

import re
from typing import Any

from ..yamlload import Tagged, YamlDoc

MAX_EXPANSION = 1_000  # references one value may expand to (`a: ${b}${b}`, `b: ${c}${c}`, ...)
MAX_REFS = 64  # a chain of !ref
MISSING = "???"
# patterns as text: `re` compiles each on first use (and caches it), so a config without
# interpolations never pays for them
_REF = r"\s*<([^<>]+)>\s*\Z"
_RESOLVER = r"\$\{\s*([A-Za-z_][\w.\-]*)\s*:"
_INTERPOLATION = r"\$\{\s*(\.*[\w.\-\[\]]*)\s*\}"
_SINGLE = r"\$\{(\.*)([A-Za-z_][\w\-]*(?:\.[\w\-]+)*)\}\Z"  # `${a.b}`, `${.b}`: one node


class Unresolved:
    """Why a value cannot be resolved: the words after the key's name."""

    __slots__ = ("message",)
    unresolved = True  # what a reader tests, without importing this module

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"Unresolved({self.message!r})"


def resolve(doc: YamlDoc, parts: tuple, value: Any) -> Any:
    """The value `value` (written at `parts` of `doc`) stands for, or `Unresolved`."""
    if isinstance(value, Tagged):
        return follow_ref(doc, value) if value.tag == "!ref" else Unresolved(
            f"is {value.tag}, an object HyperPyYAML would construct; lstmshape constructs nothing: "
            "map the number it is built from, or give it with --set")
    if value == MISSING:
        return Unresolved("is ??? (a mandatory value filled in at run time): give it with --set")
    return interpolate(doc, parts, value)


def follow_ref(doc: YamlDoc, ref: Tagged) -> Any:
    """`!ref <a.b>`: the value at key path a.b (a chain of refs followed, a cycle refused)."""
    seen: list[str] = []
    while isinstance(ref, Tagged) and ref.tag == "!ref":
        match = re.match(_REF, str(ref.value))
        if match is None:
            return Unresolved(f"is !ref {ref.value!r}, an expression HyperPyYAML evaluates; lstmshape evaluates "
                              "nothing: give the value with --set")
        key = match.group(1).strip()
        if key in seen or len(seen) >= MAX_REFS:
            return Unresolved(f"is a cycle of !ref: {' -> '.join(f'<{k}>' for k in seen + [key])}")
        seen.append(key)
        parts = tuple(p for p in re.split(r"[.\[\]]+", key) if p)
        node: Any = doc.data
        for part in parts:
            if isinstance(node, Tagged) and not isinstance(node.value, str):
                node = node.value
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return Unresolved(f"is !ref <{key}>, which is not in the file")
        ref = node
    if isinstance(ref, Tagged):
        return Unresolved(f"refers to {' -> '.join(f'<{k}>' for k in seen)}, a {ref.tag} object; lstmshape "
                          "constructs nothing: map the number it is built from")
    return ref


def interpolate(doc: YamlDoc, parts: tuple, text: str) -> Any:
    """`${...}` at `parts`, resolved by omegaconf: in the part of the document it reaches (a few
    keys, cheap to build), or where that misses a key, in the whole document."""
    direct = single_node(doc.data, parts, text)
    if direct is not None:
        return direct
    size, reached = _expansion(doc.data, parts, text)
    if size > MAX_EXPANSION:
        return Unresolved(f"is {text!r}, which expands to more than {MAX_EXPANSION} interpolations")
    result = _omegaconf(_pruned(doc.data, reached | {parts}), parts, text)
    if isinstance(result, Unresolved) and result.message.startswith(f"is {text!r}: Interpolation key"):
        result = _omegaconf(doc.data, parts, text)  # a reference the pruning did not see (`${a.${b}}`)
    return result


def single_node(data: Any, parts: tuple, text: str) -> Any:
    """The common case without building an omegaconf config (a thousand files a second): a value
    that is exactly one reference to a number, a boolean or a plain string is that node's value,
    as omegaconf gives it (tests/test_real_configs.py holds the two against each other). None
    for anything else: omegaconf decides."""
    match = re.match(_SINGLE, text)
    if match is None:
        return None
    dots, name = len(match.group(1)), match.group(2)
    node: Any = data
    for part in (parts[: max(0, len(parts) - dots)] if dots else ()) + tuple(name.split(".")):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, list) and isinstance(part, str) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    if isinstance(node, (bool, int, float)) or (isinstance(node, str) and "${" not in node and node != MISSING
                                                and "\\" not in node):
        return node
    return None


def _omegaconf(data: Any, parts: tuple, text: str) -> Any:
    from omegaconf import DictConfig, ListConfig, OmegaConf
    from omegaconf.errors import (InterpolationKeyError, InterpolationResolutionError, MissingMandatoryValue,
                                  OmegaConfBaseException, UnsupportedInterpolationType)

    refused: dict[str, str] = {}
    plain = _plain(data, (), refused)
    try:
        node = OmegaConf.create(plain if isinstance(plain, (dict, list)) else {})
        for part in parts[:-1]:
            node = node[part]
        value = node[parts[-1]]
        if isinstance(value, (DictConfig, ListConfig)):
            value = OmegaConf.to_container(value, resolve=True)
    except MissingMandatoryValue as exc:
        return _missing(text, getattr(exc, "full_key", ""), _key(parts), refused)
    except InterpolationKeyError as exc:
        return Unresolved(f"is {text!r}: {_first_line(exc)}; that key is not in this file (a Hydra config may "
                          "compose it from another file): give the value with --set")
    except UnsupportedInterpolationType as exc:
        return Unresolved(f"is {text!r}: {_first_line(exc)} (an unknown resolver): give the value with --set")
    except InterpolationResolutionError as exc:
        words = _first_line(exc)
        missing = re.search(r"Missing mandatory value: (\S+)", str(exc))
        if missing:
            return _missing(text, missing.group(1), _key(parts), refused)
        if "ecursive" in words:
            return Unresolved(f"is {text!r}, an interpolation cycle ({words})")
        return Unresolved(f"is {text!r}: {words}")
    except (OmegaConfBaseException, RecursionError, ValueError, TypeError, KeyError, IndexError) as exc:
        return Unresolved(f"is {text!r}: {_first_line(exc)}")
    return value


def _pruned(data: Any, paths: set) -> Any:
    """`data` with only the values at `paths` and the containers leading to them (a list on the
    way is kept whole: its indexes must stay)."""
    out: dict = {}
    for path in paths:
        source, target = data, out
        for depth, part in enumerate(path):
            if isinstance(source, list) or not isinstance(source, dict) or part not in source:
                break
            if depth == len(path) - 1 or isinstance(source[part], list) or not isinstance(source[part], dict):
                target[part] = source[part]
                break
            target = target.setdefault(part, {})
            source = source[part]
    return out


def _missing(text: str, key: str, here: str, refused: dict) -> Unresolved:
    if key in refused:
        return Unresolved(refused[key] if key == here else f"is {text!r}, which reaches '{key}': {refused[key]}")
    return Unresolved(f"is {text!r}, which reaches '{key}' = ??? (a mandatory value filled in at run time): "
                      "give it with --set")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _plain(value: Any, parts: tuple, refused: dict) -> Any:
    """The document as omegaconf may take it: tagged objects and resolver calls become `???`
    (never evaluated), remembered in `refused` by omegaconf's key (`a.b[0]`) with the reason."""
    if isinstance(value, dict):
        return {k: _plain(v, parts + (k,), refused) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, parts + (i,), refused) for i, v in enumerate(value)]
    if isinstance(value, Tagged):
        refused[_key(parts)] = f"is a {value.tag} value, which lstmshape does not construct"
        return MISSING
    if isinstance(value, str) and "${" in value:
        call = re.search(_RESOLVER, value)
        if call:
            refused[_key(parts)] = (f"is {value!r}, which calls the resolver '{call.group(1)}', which lstmshape never runs: "
                                    "give the value with --set")
            return MISSING
    return value


def _key(parts: tuple) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _expansion(data: Any, parts: tuple, text: str) -> tuple[int, set]:
    """How many references resolving `text` at `parts` takes (a cycle counts once: omegaconf
    reports it), counted without omegaconf, and the paths it reaches."""
    memo: dict[tuple, int] = {}

    def refs(at: tuple, value: str) -> list[tuple]:
        out = []
        for name in re.findall(_INTERPOLATION, value):
            dots = len(name) - len(name.lstrip("."))
            base = at[: max(0, len(at) - dots)] if dots else ()  # `${.x}`: a sibling, `${..x}`: one up
            keys = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", name.lstrip(".")) if p)
            out.append(base + keys)
        return out

    def count(at: tuple, value: Any, depth: int) -> int:
        if at in memo:
            return memo[at]
        memo[at] = 1  # a cycle: counted once here
        total = 1
        if isinstance(value, str) and "${" in value and depth < MAX_REFS:
            for target in refs(at, value):
                total += count(target, _at(data, target), depth + 1)
                if total > MAX_EXPANSION:
                    break
        memo[at] = total
        return total

    return count(parts, text, 0), set(memo)


def _at(data: Any, parts: tuple) -> Any:
    for part in parts:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data
