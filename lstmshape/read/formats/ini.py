"""INI files (`.cfg`, `.ini`), as pytorch-kaldi and other projects keep their settings: Python's
configparser reads them, its interpolation off (`%(name)s` stays the text written: expanding it
is the training program's business, and a chain of them can grow a value exponentially).

A section becomes a mapping of its options (with [DEFAULT]'s options it does not set itself, as
configparser's own `parser[section]` gives them). Option names are lower-cased, as configparser
gives them to the program. Values are typed conservatively: `550` an integer, `0.08` or `1e-3` a
float, `true`/`false`/`yes`/`no`/`on`/`off` (any case) a boolean, and a value holding a comma a
list of such items (`lstm_lay = 550,550,550` → [550, 550, 550]); anything else stays the text.

Every option's key and value (each item of a list too) is placed at its line and column, found
by a line scan that follows configparser's rules (comments, continuation lines); a malformed file
(an option before any section, a duplicate section or option, a line that is neither) is an
error at its line.
"""

from __future__ import annotations

import configparser
import os
import re

from ...yamlload import YamlDoc, YamlError, problem, read_file, text_of

BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
MAX_SECTIONS = 1_000  # a training config has a few dozen; configparser's work grows with their square
_INT = r"[+-]?\d+\Z"
_FLOAT = r"[+-]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][+-]?\d+)?\Z"


def load_ini(path: str | os.PathLike) -> YamlDoc:
    name, raw = read_file(path)
    return parse_ini(text_of(raw, name, "INI"), name)


def parse_ini(text: str, name: str) -> YamlDoc:
    headers = re.finditer(r"(?m)^[ \t]*\[", text)
    for count, header in enumerate(headers, 1):
        if count > MAX_SECTIONS:
            line = text.count("\n", 0, header.start()) + 1
            raise YamlError(problem(name, line, 1, f"INI file has more than {MAX_SECTIONS} sections; not a config"))
    parser = configparser.RawConfigParser(strict=True, interpolation=None)
    try:
        parser.read_string(text, source=name)
    except configparser.MissingSectionHeaderError as exc:
        raise YamlError(problem(name, exc.lineno, 1, "invalid INI: an option before any [section] header")) from None
    except configparser.DuplicateSectionError as exc:
        raise YamlError(problem(name, exc.lineno or 1, 1, f"invalid INI: duplicate section [{exc.section}]")) from None
    except configparser.DuplicateOptionError as exc:
        raise YamlError(problem(name, exc.lineno or 1, 1, f"invalid INI: duplicate option '{exc.option}' in "
                                f"section [{exc.section}]")) from None
    except configparser.ParsingError as exc:
        line = exc.errors[0][0] if exc.errors else 1
        raise YamlError(problem(name, line, 1, "invalid INI: a line that is neither a [section], an option "
                                "(name = value) nor a comment")) from None
    except configparser.Error as exc:  # any other configparser refusal, at the file's start
        raise YamlError(problem(name, 1, 1, f"invalid INI: {exc.message}")) from None
    keys, values = scan(text, parser)
    data: dict = {}
    value_marks: dict = {(): (1, 1)}
    key_marks: dict = {}
    defaults = parser.defaults()
    sections = (["DEFAULT"] if defaults else []) + parser.sections()
    for section in sections:
        items = defaults if section == "DEFAULT" else parser[section]
        body = data[section] = {}
        key_marks[(section,)] = value_marks[(section,)] = keys.get((section,), (1, 1))
        for option in items:
            own = (section, option) in values
            at = (section, option) if own else ("DEFAULT", option)
            body[option], columns = typed(items[option])
            key_marks[(section, option)] = keys.get(at, key_marks[(section,)])
            line, col = value_marks[(section, option)] = values.get(at, key_marks[(section,)])
            for index, offset in enumerate(columns):
                value_marks[(section, option, index)] = (line, col + offset)
    return YamlDoc(name, data, value_marks, key_marks)


def typed(text: str | None) -> tuple:
    """A value as the program most likely means it, and each list item's offset in the text."""
    if text is None:  # an option without a value (allow_no_value is off: never, but typed anyway)
        return None, []
    if "," not in text or "\n" in text:
        return scalar(text), []
    items, offsets, start = [], [], 0
    for item in text.split(","):
        items.append(scalar(item.strip()))
        offsets.append(start + len(item) - len(item.lstrip()))
        start += len(item) + 1
    return items, offsets


def scalar(text: str):
    if re.match(_INT, text):
        try:
            return int(text)
        except ValueError:  # more digits than Python converts: the text it is
            return text
    if re.match(_FLOAT, text):
        return float(text)
    return BOOLEANS.get(text.lower(), text)


def scan(text: str, parser: configparser.RawConfigParser) -> tuple[dict, dict]:
    """Where each section and option key, and each option's value, is written: (line, column),
    by configparser's rules (a comment line starts with # or ;, an indented line continues the
    option before it)."""
    keys: dict = {}
    values: dict = {}
    section = None
    indent_of_option = None
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped or stripped[0] in "#;":
            continue
        if indent_of_option is not None and indent > indent_of_option:
            continue  # a continuation line
        header = parser.SECTCRE.match(stripped)
        if header:
            section = header.group("header")
            keys[(section,)] = (lineno, indent + 1)
            indent_of_option = None
            continue
        option = parser.OPTCRE.match(stripped)
        if option and section is not None:
            key = parser.optionxform(option.group("option").rstrip())
            keys[(section, key)] = (lineno, indent + 1)
            values[(section, key)] = (lineno, indent + option.start("value") + 1)
            indent_of_option = indent
    return keys, values
