"""`lstmshape draw`: the picture of a config's network, as an SVG or a self-contained HTML report.

Library code (no printing, no exit codes). The only file ever written is the one the caller
names, and only with a .svg or .html suffix; it is written to a temporary file beside it and
moved into place, so an interrupted run never leaves half a picture (and a symbolic link at that
name is replaced, never written through).
"""

from __future__ import annotations

import os
import pathlib
import tempfile
import webbrowser
from dataclasses import dataclass, field

from .check import load
from .problems import Problem
from .render.html import html_text, report_parts
from .render.layout import layout
from .render.picture import scene
from .render.svg import svg_text
from .rules import run_rules
from .frameworks import infer
from .shapes.core import DEEPEST_RUN

SUFFIXES = (".svg", ".html")


class DrawError(Exception):
    """A usage error: a bad output name, a missing config file, an output that cannot be written, a
    network too deep to draw."""


@dataclass
class Drawing:
    """What one drawing did: the problems the check found, and whether a picture was written."""

    problems: list[Problem] = field(default_factory=list)
    written: bool = False  # False when the config has errors that leave nothing to draw


def draw(config_path: str, out_path: str, mapping: tuple = ()) -> Drawing:
    """Read and check the config (a training config: mapped by `mapping`, as `check` maps it),
    then write its picture to `out_path` (.svg or .html).

    Problems of the check (expect mismatches, head layers that do not fit) are drawn, not fatal:
    the picture is written and the problems are returned. Errors that leave no network to draw
    (the config cannot be read) are returned with nothing written."""
    suffix = check_paths(config_path, out_path)
    text, drawing = drawn_text(config_path, suffix, mapping)
    if text is not None:
        write_replacing(out_path, text)
    return drawing


def drawn_text(config_path: str, suffix: str = ".svg", mapping: tuple = ()) -> tuple[str | None, Drawing]:
    """The picture (`.svg`) or report (`.html`) of a config as text, and what drawing it found;
    None when the config cannot be read. Writes nothing (the docs' gallery is built with it)."""
    config, problems = load(config_path, mapping)
    if config is None:
        return None, Drawing(problems)
    deepest = max(block.num_layers for block in config.blocks)
    if deepest > DEEPEST_RUN:
        raise DrawError(f"{config_path}: num_layers {deepest:,} is deeper than any real network: draw draws up to "
                        f"{DEEPEST_RUN:,} layers (`lstmshape infer` lists it, its identical layers summarised)")
    problems = sorted(problems + run_rules(config), key=lambda p: (p.line, p.column, p.code))
    results = infer(config)
    drawn = scene(config, results, problems)
    picture = layout(drawn)
    if suffix == ".svg":
        text = svg_text(picture)
    else:
        tables, traps = report_parts(results)
        text = html_text(drawn.title, drawn.settings, picture, tables, traps, problems)
    return text, Drawing(problems, True)


def check_paths(config_path: str, out_path: str) -> str:
    """The output's suffix, once both paths are usable; DrawError saying why not."""
    suffix = os.path.splitext(out_path)[1].lower()
    if suffix not in SUFFIXES:
        raise DrawError(f"{out_path}: -o takes a file name ending in .svg (the picture) or .html (the report), "
                        f"got {suffix or 'no suffix'!r}")
    if not os.path.exists(config_path):
        raise DrawError(f"{config_path}: no such file")
    if os.path.isdir(config_path):
        raise DrawError(f"{config_path}: is a directory; draw takes one config file")
    if os.path.isdir(out_path):
        raise DrawError(f"{out_path}: is a directory; -o names the file to write")
    parent = os.path.dirname(os.path.abspath(out_path))
    if not os.path.isdir(parent):
        raise DrawError(f"{out_path}: directory {parent} does not exist")
    if os.path.exists(out_path) and os.path.samefile(config_path, out_path):
        raise DrawError(f"{out_path}: is the config itself; name another file with -o")
    return suffix


def write_replacing(path: str, text: str) -> None:
    """Write `text` to a new file beside `path`, then rename it onto `path`."""
    parent = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except OSError as exc:
        raise DrawError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the picture from a web server
        os.replace(tmp, path)
    except BaseException as exc:
        os.unlink(tmp)
        if isinstance(exc, OSError):
            raise DrawError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


def open_in_browser(path: str) -> bool:
    """Open the written file in the default browser; False where there is none."""

    try:
        return webbrowser.open(pathlib.Path(path).resolve().as_uri())
    except webbrowser.Error:
        return False
