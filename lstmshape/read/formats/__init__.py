"""The formats real projects keep their training configs in, each read into the same document
lstmshape's YAML loader gives (`yamlload.YamlDoc`: plain data, and where each value was written),
so a mapping (--from/--set) and every problem work the same whatever the file's format.

    .yaml .yml .json          lstmshape.yamlload (JSON is YAML flow syntax)
    .jsonnet .libsonnet       jsonnet: evaluated by the jsonnet library, bounded, imports kept
                              inside the project, `std.extVar` given by --ext-var only
    .cfg .ini                 ini: configparser without interpolation, values typed conservatively
    .gin                      gin: gin-config's parser, nothing imported, macros resolved

The reader of a format other than YAML is loaded only for a file of that format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...yamlload import YamlDoc, load_yaml

SUFFIXES = (".jsonnet", ".libsonnet", ".cfg", ".ini", ".gin")  # the formats other than YAML and JSON


@dataclass(frozen=True)
class ExtVar:
    """`--ext-var NAME=VALUE` (or an `ext-vars` entry of a [tool.lstmshape] group): the value a
    jsonnet file's `std.extVar("NAME")` reads. It travels with a file's mapping entries."""

    name: str
    value: str


def split_mapping(mapping) -> tuple[dict[str, str], tuple]:
    """A file's mapping as its ext vars (later ones override earlier ones) and its --from/--set entries."""
    ext_vars = {e.name: e.value for e in mapping if isinstance(e, ExtVar)}
    return ext_vars, tuple(e for e in mapping if not isinstance(e, ExtVar))


def load_document(path: str | os.PathLike, ext_vars: dict[str, str] | None = None) -> YamlDoc:
    """Read one config file by its suffix (YAML otherwise); raise `YamlError` for a file that
    cannot be read as one safe document of its format, at the place it went wrong."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in SUFFIXES:
        return load_yaml(path)
    # imported for a file of their format only: 11 ms together (jsonnet's 7.4: subprocess, json) on
    # every `check` of YAML files otherwise
    if suffix in (".cfg", ".ini"):
        from .ini import load_ini
        return load_ini(path)
    if suffix == ".gin":
        from .gin import load_gin
        return load_gin(path)
    from .jsonnet import load_jsonnet
    return load_jsonnet(path, ext_vars or {})


def ext_var_option(text: str, where: str) -> ExtVar:
    """`NAME=VALUE` as --ext-var takes it; ValueError naming `where` when malformed."""
    name, eq, value = text.partition("=")
    name = name.strip()
    if not eq or not name or not name.isprintable():
        raise ValueError(f"{where}: expected NAME=VALUE, e.g. --ext-var EMBEDDING_DIM=100")
    return ExtVar(name, value)
