"""The values real configs do not spell out: OmegaConf interpolations (`${model.d_model}`,
relative `${.d_model}`), HyperPyYAML references (`!ref <rnn_neurons>`) and Hydra's mandatory `???`.

Only the values lstmshape reads are resolved, each in the file it was written in. Interpolations
go through the omegaconf library itself (imported only when a value holds `${`), so they mean
what they mean to Hydra and Lightning; but omegaconf is only ever given the part of the file a
value reaches, once lstmshape has counted that part without it. So no resolver runs (`${oc.env:X}`,
`${now:}`, whatever builds its name: `${oc.${n}:X}`; every value calling one becomes `???`), no
tagged object (`!new:`, `!apply:`) is built, and a value that fans out past MAX_EXPANSION
references, resolves to more than MAX_RESOLVED characters, nests too deep for omegaconf's parser,
or would take the file's values together past MAX_FILE_WORK is refused before omegaconf sees it.
"""

from __future__ import annotations

import re
import weakref
from typing import Any, Callable

from ..yamlload import Tagged, YamlDoc
from .values import suggest

MAX_EXPANSION = 1_000  # references one value may expand to (`a: ${b}${b}`, `b: ${c}${c}`, ...)
MAX_RESOLVED = 4_096  # characters one value may resolve to: lstmshape reads numbers and names
MAX_NESTING = 8  # `${a.${b.${c}}}`: omegaconf's parser slows with the square of the depth
MAX_REACH = 2_000  # values one interpolation may reach (`${model}`: every value under it)
# omegaconf's work for one file, in values it builds (about 0.15 ms each, measured): a config
# built and resolved costs OMEGACONF_CALL of them, four characters of `${...}` text parsed one
MAX_FILE_WORK = 16_000
OMEGACONF_CALL = 16
MAX_FILE_RESOLVED = 1_000_000  # characters all interpolations of one file may resolve to
MAX_REFS = 64  # a chain of !ref, or of interpolations
# A key not found is spelt against the keys of the mapping it is missing from, those only, and a
# file's spelling stops at MAX_SPELLING pairs of characters compared (difflib's worst, about 0.1 µs
# a pair: a few hundred keys of a real config cost a few thousand)
MAX_SPELLING = 250_000
MISSING = "???"
# patterns as text: `re` compiles each on first use (and caches it), so a config without
# interpolations never pays for them
_REF = r"\s*<([^<>]+)>\s*\Z"
_EDGE = r"\$\{|[{}:]"  # what opens or closes an interpolation, and the colon only a resolver call has
_KEY = r"[^\\{}():'\"\s$]*"  # omegaconf's key characters (with `.` and `[]`), `$` aside
_INTERPOLATION = r"\$\{\s*(" + _KEY + r")\s*\}"  # leading dots in the key: relative (no `\.*` before it,
_NESTED = r"(\$\{[^{}]*)\$\{\s*(" + _KEY + r")\s*\}"  # which would backtrack); `${a.${b}}`: a built key
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
                near = _file(doc).nearest((), key)
                return Unresolved(f"is !ref <{key}>, which is not in the file"
                                  + (f"; did you mean '<{near}>'?" if near else ""))
        ref = node
    if isinstance(ref, Tagged):
        return Unresolved(f"refers to {' -> '.join(f'<{k}>' for k in seen)}, a {ref.tag} object; lstmshape "
                          "constructs nothing: map the number it is built from")
    return ref


def resolver_call(text: str) -> str | None:
    """The resolver `text` calls, as spelt (`oc.env`, `oc.${n}`), else None. In omegaconf's grammar
    only a resolver call has a `:` inside its `${...}` (a key cannot hold one), so a colon at any
    depth of `${` is a call however its name is built. Escapes are not honoured: `\\${a:b}` counts
    too, so the scan refuses more than omegaconf would run, never less."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[str | None, int, bool]:
    """The resolver `text` calls (see resolver_call), how deep its `${` nest, and whether one is
    left open: one pass over the braces and colons."""
    opened: list[int] = []
    deepest = 0
    for edge in re.finditer(_EDGE, text):
        mark = edge.group()
        if mark == "${" or (mark == "{" and opened):
            opened.append(edge.end())
            deepest = max(deepest, len(opened))
        elif mark == "}" and opened:
            opened.pop()
        elif mark == ":" and opened:
            return text[opened[-1]:edge.start()].strip(), deepest, bool(opened)
    return None, deepest, bool(opened)


def interpolate(doc: YamlDoc, parts: tuple, text: str) -> Any:
    """`${...}` at `parts`, resolved by omegaconf in the part of the document it reaches, once
    that part is counted and found within bounds (a file's values together share one budget)."""
    direct = single_node(doc.data, parts, text)
    if direct is not None:
        return direct
    call = resolver_call(text)
    if call is not None:
        return Unresolved(_calls(text, call))
    for name in re.findall(_INTERPOLATION, text):
        if _climb(name) > len(parts):
            return Unresolved(f"is {_shown(text)}: '${{{name}}}' climbs above the top of the file (the first dot is "
                              "the key's own mapping, each further dot one level up)")
    file = _file(doc)
    reach = _Reach(doc.data)
    refused = file.refusal() or reach.count(parts, text, 0)  # a spent budget: nothing more is counted
    file.spend(len(reach.memo), reach.chars_at(parts))
    refused = refused or file.refusal()
    if refused is not None:
        return Unresolved(f"is {_shown(text)}, {refused}")
    same = (text, reach.direct, frozenset(reach.memo).difference({parts}))  # what the result depends on
    if same not in file.results:
        file.spend(OMEGACONF_CALL + reach.text // 4, 0)
        file.results[same] = _omegaconf(_pruned(doc.data, sorted(reach.memo, key=len)), parts, text,
                                        lambda name: file.nearest(parts, name))
    return file.results[same]


def single_node(data: Any, parts: tuple, text: str) -> Any:
    """The common case without building an omegaconf config (a thousand files a second): a value
    that is exactly one reference to a number, a boolean or a plain string is that node's value,
    as omegaconf gives it (tests/read/test_mapping.py holds the two against each other). None
    for anything else: omegaconf decides."""
    match = re.match(_SINGLE, text)
    if match is None:
        return None
    dots, name = len(match.group(1)), match.group(2)
    if dots > len(parts):  # above the top of the file
        return None
    node: Any = data
    for part in (parts[: len(parts) - dots] if dots else ()) + tuple(name.split(".")):
        if isinstance(node, list) and isinstance(part, str):
            part = -1 if _index(part) is None else _index(part)
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    if isinstance(node, (bool, int, float)) or (isinstance(node, str) and len(node) <= MAX_RESOLVED
                                                and "${" not in node and node != MISSING and "\\" not in node):
        return node
    return None


def _climb(name: str) -> int:
    """How many levels `${...x}` goes up from the key holding it (`${.x}`: none, its own mapping)."""
    return len(name) - len(name.lstrip("."))


class _Reach:
    """What resolving one value reaches, counted without omegaconf: for each path visited, the
    references it expands to (a cycle counts once: omegaconf reports it) and the characters it
    resolves to at most. Counting stops at the first bound passed, with the reason."""

    def __init__(self, data: Any):
        self.data = data
        self.memo: dict[tuple, tuple[int, int]] = {}
        self.direct: tuple = ()  # the paths the value itself refers to, in order
        self.text = 0  # characters of `${...}` text omegaconf will parse

    def chars_at(self, at: tuple) -> int:
        return self.memo.get(at, (0, 0))[1]

    def too_long(self) -> str | None:
        """Why omegaconf's parser is not given this much `${...}` text (about 40 µs a character)."""
        if self.text > MAX_RESOLVED:
            return f"which has omegaconf parse more than {MAX_RESOLVED} characters of interpolations"
        return None

    def count(self, at: tuple, value: Any, depth: int) -> str | None:
        """Visit `value` at `at`; the reason to refuse it, else None."""
        if at in self.memo:
            return None
        self.memo[at] = (1, 0)  # a cycle: counted once here
        if len(self.memo) > MAX_REACH:
            return f"which reaches more than {MAX_REACH} values"
        if depth > 4 * MAX_REFS:
            return f"which reaches values more than {4 * MAX_REFS} levels deep"
        if isinstance(value, str) and len(value) > MAX_RESOLVED:  # refused before it is scanned
            return _over(0, len(value))
        refs, chars = 0, _length(value)
        if isinstance(value, (dict, list)):
            for key, item in (value.items() if isinstance(value, dict) else enumerate(value)):
                refused = self.count(at + (key,), item, depth + 1)
                if refused is not None:
                    return refused
                item_refs, item_chars = self.memo[at + (key,)]
                refs, chars = refs + item_refs, chars + item_chars + 2
                if (refused := _over(refs, chars)) is not None:
                    return refused
        elif isinstance(value, str) and "${" in value and resolver_call(value) is None:  # a call: omegaconf gets ???
            refs, chars = 1, len(re.sub(_INTERPOLATION, "", value))  # the text around the references
            self.text += len(value)
            refused = self.too_long() or _malformed(value)
            if refused is not None:
                return refused
            targets = self.targets(at, value)
            if isinstance(targets, str):
                return targets
            if depth == 0:
                self.direct = tuple(targets)
            for target in targets:
                refused = self.count(target, _at(self.data, target), depth + 1)
                if refused is not None:
                    return refused
                target_refs, target_chars = self.memo[target]
                refs, chars = refs + target_refs, chars + target_chars
                if (refused := _over(refs, chars)) is not None:
                    return refused
        self.memo[at] = (refs, chars)
        return None

    def targets(self, at: tuple, value: str) -> list[tuple] | str:
        """The paths `value` (at `at`) refers to, a key built from a value (`${a.${b}}`) read
        with that value (one pass a level); the reason to refuse it when that value is not a plain
        name or number."""
        found: list[tuple] = []
        refused: list[str] = []

        def key_of(nested: re.Match) -> str:
            path = _target(self.data, at, nested.group(2))
            key = _at(self.data, path) if path is not None else None
            if isinstance(key, bool) or not isinstance(key, (str, int)) or re.fullmatch(_KEY, str(key)) is None:
                refused.append(f"which builds a key from '${{{nested.group(2)}}}', not a plain name or number in "
                               "this file: give the value with --set")
                return nested.group()
            found.append(path)
            return nested.group(1) + str(key)

        built = True
        while built:  # one pass a level: at most MAX_NESTING
            value, built = re.subn(_NESTED, key_of, value)
            if refused or _over(len(found), 0):
                return refused[0] if refused else _over(len(found), 0)
        for name in re.findall(_INTERPOLATION, value):
            path = _target(self.data, at, name)
            if path is not None:
                found.append(path)
        return found


def _malformed(value: str) -> str | None:
    """Why omegaconf's parser is not given `value`: nested too deep, or a `${` never closed (it
    would raise, after a time growing with the square of the length)."""
    _, deepest, unclosed = _scan(value)
    if deepest > MAX_NESTING:
        return f"which reaches {_shown(value)}, with interpolations nested more than {MAX_NESTING} deep"
    if unclosed:
        return f"which reaches {_shown(value)}, where a '${{' is never closed"
    return None


def _over(refs: int, chars: int) -> str | None:
    """Why a value expanding to `refs` references and `chars` characters is refused, if it is."""
    if refs > MAX_EXPANSION:
        return f"which expands to more than {MAX_EXPANSION} interpolations"
    if chars > MAX_RESOLVED:
        return f"which resolves to more than {MAX_RESOLVED} characters"
    return None


def _target(data: Any, at: tuple, name: str) -> tuple | None:
    """The path `${name}` written at `at` refers to, each key as the document spells it (a list's
    index an int); None above the top of the file."""
    dots = _climb(name)
    if dots > len(at):
        return None
    path = at[: len(at) - dots] if dots else ()
    node = _at(data, path)
    for key in (p for p in re.split(r"[.\[\]]+", name.lstrip(".")) if p):
        index = _index(key)
        part: Any = index if index is not None and (isinstance(node, list) or isinstance(node, dict)
                                                    and key not in node and index in node) else key
        path += (part,)
        node = _at(node, (part,))
    return path


def _nearest(data: Any, at: tuple, name: str, budget: int) -> tuple[str | None, int]:
    """`name` (`${name}` written at `at`) with each key it misses replaced by the nearest key of
    the mapping it is missing from (`model.dmodel` → `model.d_model`; None when no key is near,
    nothing was missing, or spelling would pass `budget`), and the budget left."""

    dots = _climb(name)
    if dots > len(at):
        return None, budget
    node, spelt, replaced = _at(data, at[: len(at) - dots] if dots else ()), [], False
    for key in (p for p in re.split(r"[.\[\]]+", name.lstrip(".")) if p):
        index = _index(key)
        if isinstance(node, list) and index is not None and index < len(node):
            node, key = node[index], str(index)
        elif isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, dict):
            if len(node) * len(key) > budget:  # more keys than the budget could spell: not even listed
                return None, budget
            names = tuple(k for k in node if isinstance(k, str))
            cost = len(key) * sum(map(len, names))
            budget -= len(names)  # listing them costs too, spelt or not
            if cost > budget:
                return None, budget
            budget -= cost
            near = suggest(key, names)
            if near is None:
                return None, budget
            node, key, replaced = node[near], near, True
        else:
            return None, budget
        spelt.append(key)
    return ("." * dots + ".".join(spelt) if replaced else None), budget


def _index(key: str) -> int | None:
    """`3` for the key `3`, as omegaconf reads a list's index (None for anything else, `²` too)."""
    return int(key) if key.isascii() and key.isdigit() and len(key) < 20 else None


def _length(value: Any) -> int:
    """The characters `value` takes as text, at least (an int without writing out its digits)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3 + 2
    return 8


class _File:
    """What resolving the values of one file shares, so a file costs what it holds, not what it
    holds times the number of its values: the work spent so far, and each result, by the value's
    text, the paths it refers to and all it reaches (`${x.k}` in a thousand stack blocks is
    resolved once; `${..0.k}` too, since it refers to the same path from each)."""

    def __init__(self, doc: YamlDoc):
        self.doc = weakref.ref(doc)
        self.work = self.chars = 0
        self.spelling = MAX_SPELLING  # pairs of characters left to compare for keys not found
        self.results: dict = {}

    def nearest(self, at: tuple, name: str) -> str | None:
        """The key path `${name}` written at `at` most likely means, while the file's spelling
        budget lasts (past it, a key not found is only reported)."""
        doc = self.doc()
        if doc is None:
            return None
        near, self.spelling = _nearest(doc.data, at, name, self.spelling)
        return near

    def spend(self, work: int, chars: int) -> None:
        self.work += work
        self.chars += chars

    def refusal(self) -> str | None:
        if self.work > MAX_FILE_WORK:
            return f"and with the file's other interpolations needs more than {MAX_FILE_WORK} values built"
        if self.chars > MAX_FILE_RESOLVED:
            return f"and with the file's other interpolations resolves to more than {MAX_FILE_RESOLVED} characters"
        return None


_files: list[_File] = []  # the file being read (one at a time)


def _file(doc: YamlDoc) -> _File:
    file = _files[0] if _files else None
    if file is None or file.doc() is not doc:
        file = _File(doc)
        _files[:] = [file]
    return file


def _omegaconf(data: Any, parts: tuple, text: str, nearest: Callable[[str], str | None]) -> Any:
    """The value at `parts` of `data` (the part of the document it reaches), as omegaconf resolves
    it; `nearest`: the existing key path a key not found most likely means (`data` lacks the rest)."""
    from omegaconf import DictConfig, ListConfig, OmegaConf
    from omegaconf.errors import (InterpolationKeyError, InterpolationResolutionError, MissingMandatoryValue,
                                  OmegaConfBaseException, UnsupportedInterpolationType)

    refused: dict[str, str] = {}
    plain = _plain(data, (), refused)
    spelt = _spelt(plain, parts)
    try:
        node = OmegaConf.create(plain if isinstance(plain, (dict, list)) else {})
        for part in spelt[:-1]:
            node = node[part]
        value = node[spelt[-1]]
        if isinstance(value, (DictConfig, ListConfig)):
            value = OmegaConf.to_container(value, resolve=True)
    except MissingMandatoryValue as exc:
        return _missing(text, getattr(exc, "full_key", ""), _key(spelt), refused)
    except InterpolationKeyError as exc:
        missing = re.match(r"Interpolation key '([^']*)' not found", str(exc))
        near = nearest(missing.group(1)) if missing else None
        if near is not None:
            return Unresolved(f"is {_shown(text)}: {_first_line(exc)}; did you mean '{near}'?")
        return Unresolved(f"is {_shown(text)}: {_first_line(exc)}; that key is not in this file (a Hydra config may "
                          "compose it from another file): give the value with --set")
    except UnsupportedInterpolationType as exc:
        return Unresolved(f"is {_shown(text)}: {_first_line(exc)} (an unknown resolver): give the value with --set")
    except InterpolationResolutionError as exc:
        words = _first_line(exc)
        missing = re.search(r"Missing mandatory value: (\S+)", str(exc))
        if missing:
            return _missing(text, missing.group(1), _key(spelt), refused)
        if "ecursive" in words:
            return Unresolved(f"is {_shown(text)}, an interpolation cycle ({words})")
        return Unresolved(f"is {_shown(text)}: {words}")
    except (OmegaConfBaseException, RecursionError, ValueError, TypeError, KeyError, IndexError) as exc:
        return Unresolved(f"is {_shown(text)}: {_first_line(exc)}")
    return value


def _pruned(data: Any, paths: list) -> Any:
    """`data` with only the values at `paths` (shortest first) and the containers leading to
    them: a list on the way becomes a mapping of its reached indexes (`"3"`: omegaconf reads
    `${a.3}` and `${a[3]}` the same in both), so a long list costs only what is reached."""
    out: dict = {}
    whole: set[int] = set()  # values copied whole: what lies below them is in already
    for path in paths:
        source, target = data, out
        for depth, part in enumerate(path):
            if not isinstance(source, (dict, list)) or id(source) in whole:
                break
            if isinstance(source, dict) and part not in source:
                break
            if isinstance(source, list) and not (isinstance(part, int) and 0 <= part < len(source)):
                break
            key = str(part) if isinstance(source, list) else part
            if depth == len(path) - 1:
                target[key] = source[part]
                if isinstance(source[part], (dict, list)):
                    whole.add(id(source[part]))
                break
            target = target.setdefault(key, {})
            source = source[part]
    return out


def _spelt(plain: Any, parts: tuple) -> tuple:
    """`parts` as the pruned document spells them (a list's index as a mapping's key `"3"`)."""
    out: tuple = ()
    node = plain
    for part in parts:
        if isinstance(node, dict) and part not in node and str(part) in node:
            part = str(part)
        out += (part,)
        node = _at(node, (part,))
    return out


def _missing(text: str, key: str, here: str, refused: dict) -> Unresolved:
    if key in refused:
        return Unresolved(refused[key] if key == here else f"is {_shown(text)}, which reaches '{key}': {refused[key]}")
    return Unresolved(f"is {_shown(text)}, which reaches '{key}' = ??? (a mandatory value filled in at run time): "
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
        call = resolver_call(value)
        if call is not None:
            refused[_key(parts)] = _calls(value, call)
            return MISSING
    return value


def _calls(value: str, call: str) -> str:
    return (f"is {_shown(value)}, which calls the resolver '{call}', which lstmshape never runs: "
            "give the value with --set")


def _shown(text: str) -> str:
    """`text` quoted for a message: whole when short, else its start and its length."""
    return repr(text) if len(text) <= 200 else f"{text[:200]!r}... ({len(text)} characters)"


def _key(parts: tuple) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _at(data: Any, parts: tuple) -> Any:
    for part in parts:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
