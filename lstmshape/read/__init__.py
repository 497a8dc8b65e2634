"""Reading a config file: YAML text → `settings.Config`, with every problem found at once and
placed exactly (file, line, column, JSON path). Reading never runs a rule: what the settings
mean together is `lstmshape.rules`' business.

    values      one classifier: which values fit which kind (LS007 / LS008 decided once)
    reader      the mechanics: aliases, kinds, unknown keys, problem placement
    data        the `data` section
    head        the model around the LSTM: `head`, `expect`, joins between blocks, bridges
    decoder     a seq2seq decoder fed the encoder's final state
    torch       a torch config's `lstm` section (one LSTM or a stack of blocks)
    frameworks  a keras or onnx config's `lstm` section
    interpolation  interpolations (`${a.b}`), `!ref <a>` and `???` in the values read
    mapping     --from / --set: the sections of a config lstmshape did not write
    paths       the grammar of a --from PATH: keys, indexes, filters, integer arithmetic
    project     [tool.lstmshape] in pyproject.toml
    recognise   which YAML and JSON files are lstmshape configs
    formats     the other formats a config may be kept in: jsonnet, INI, gin
"""

from __future__ import annotations

import difflib
import os

from ..codes import OUT_OF_RANGE, WRONG_STRUCTURE, WRONG_TYPE
from ..frameworks import DEFAULT, FRAMEWORKS, framework_named
from ..problems import Problem, by_position, format_problem
from ..settings import Config
from ..yamlload import YamlDoc, YamlError, parse_yaml
from .data import data_config
from .decoder import read_decoder
from .formats import load_document, split_mapping
from .frameworks import read_framework
from .mapping import apply as apply_mapping
from .reader import Reader
from .recognise import TOP_LEVEL, is_config
from .torch import lstm_settings_place, read_torch
from .values import MAX_BLOCKS, kind_of, show



class ConfigError(Exception):
    """The config has errors; `problems` lists all of them (and any warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(format_problem(p) for p in problems))


def load_config(path: str | os.PathLike) -> Config:
    """Read a config file; raise `ConfigError` listing every error (library entry point)."""
    config, problems = read_config(path)
    if config is None:
        raise ConfigError(problems)
    return config


def read_config(path: str | os.PathLike, mapping: tuple = ()) -> tuple[Config | None, list[Problem]]:
    """Read a config file of any format lstmshape.read.formats reads (through `mapping`, the
    --from/--set entries and --ext-var values, when given): the config (None if it has errors)
    and every problem found."""
    ext_vars, mapping = split_mapping(mapping)
    try:
        doc = load_document(path, ext_vars)
    except YamlError as exc:
        return None, [exc.problem]
    return parse_config(doc, mapping)


def parse_text(text: str | bytes, name: str = "<string>") -> tuple[Config | None, list[Problem]]:
    """Like `read_config`, for a config held in memory (`name` is the file named in problems)."""
    try:
        doc = parse_yaml(text, name)
    except YamlError as exc:
        return None, [exc.problem]
    return parse_config(doc)


def parse_config(doc: YamlDoc, mapping: tuple = ()) -> tuple[Config | None, list[Problem]]:
    """The config a loaded document holds (None if it has errors) and every problem found."""
    unmapped: list[Problem] = []
    if mapping:
        doc, unmapped = apply_mapping(doc, list(mapping))
    reader = Reader(doc)
    config = read_document(reader) if not unmapped else None
    problems = by_position(unmapped + reader.problems)
    if any(p.is_error for p in problems):
        return None, problems
    return config, problems


def read_document(reader: Reader) -> Config | None:
    data = reader.doc.data
    if not isinstance(data, dict):
        reader.problem((), WRONG_STRUCTURE, f"top level is {kind_of(data)}; expected a mapping with an 'lstm' section")
        return None
    if not is_config(data):
        reader.problem((), WRONG_STRUCTURE, not_a_config(data, reader.doc.path))
        return None
    reader.unknown_keys((), data, TOP_LEVEL)
    if isinstance(data.get("lstm"), list) and len(data["lstm"]) > MAX_BLOCKS:
        reader.problem(("lstm",), OUT_OF_RANGE, f"'lstm' is a stack of {len(data['lstm']):,} blocks; lstmshape reads "
                       f"up to {MAX_BLOCKS:,} (a real network has a handful)")
        return None
    name = data.get("framework", DEFAULT.name)
    if framework_named(name) not in (None, name):
        name = framework_named(name)  # `tf`: Keras
        data = {**data, "framework": name}
    framework = FRAMEWORKS.get(name) if isinstance(name, str) else None
    if framework is None:
        named = isinstance(name, str) and len(name) <= 64  # difflib is quadratic
        close = difflib.get_close_matches(name, FRAMEWORKS, n=1, cutoff=0.5) if named else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        reader.problem(("framework",), OUT_OF_RANGE if isinstance(name, str) else WRONG_TYPE,
                       f"framework must be one of {', '.join(FRAMEWORKS)}, got {show(name)}{hint}")
        return None
    if not framework.reads_around:  # the model around the LSTM (joins, a decoder): torch's only
        return read_framework(reader, data, framework)
    config = read_torch(reader, data)
    return read_decoder(reader, data, config) if "decoder" in data else config


def not_a_config(data: dict, path: str) -> str:
    """What a named file that is not an lstmshape config lacks, and how to map it: at the place
    where it keeps LSTM settings, if anywhere."""
    keys = ", ".join(str(k) for k in list(data)[:4]) + (", ..." if len(data) > 4 else "")
    message = f"not an lstmshape config: no 'lstm' section (its top-level keys are {keys})"
    place = lstm_settings_place(data)
    if place is None:
        return message + ("; if it configures an LSTM, map its settings with --from lstm=PATH (the key path of "
                          "the section holding input_size and hidden_size)")
    parts, found = place
    section = ".".join(map(str, parts)) if parts else "."
    where = f"sit under '{section}'" if parts else "sit at the top level"
    return (f"{message}; its LSTM settings ({', '.join(found)}) {where}: map them with --from lstm={section}, "
            f"or in pyproject.toml: [[tool.lstmshape.configs]] files = [\"{path}\"], from = {{lstm = \"{section}\"}}")


__all__ = ["MAX_BLOCKS", "ConfigError", "Reader", "data_config", "load_config", "parse_config", "parse_text",
           "read_config"]
