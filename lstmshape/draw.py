"""`lstmshape draw`: the picture of a config's network, as an SVG or a self-contained HTML report.

Library code (no printing, no exit codes). The only file ever written is the one the caller
names, and only with a .svg or .html suffix; it is written to a temporary file beside it and
moved into place, so an interrupted run never leaves half a picture (and a symbolic link at that
name is replaced, never written through).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from .problems import Problem

SUFFIXES = (".svg", ".html")


class DrawError(Exception):
    """A usage error: a bad output name, a missing config file, an output that cannot be written."""


@dataclass
class Drawing:
    problems: list[Problem] = field(default_factory=list)
    written: bool = False  # False when the config has errors that leave nothing to draw


def draw(config_path: str, out_path: str) -> Drawing:
    """Read and check the config, then write its picture to `out_path` (.svg or .html).

    Problems of the check (expect mismatches, head layers that do not fit) are drawn, not fatal:
    the picture is written and the problems are returned. Errors that leave no network to draw
    (the config cannot be read) are returned with nothing written."""
    suffix = _check_paths(config_path, out_path)
    from .config import read_config
    from .frameworks import infer
    from .render.picture import layout, scene
    from .rules import run_rules

    config, problems = read_config(config_path)
    if config is None:
        return Drawing(problems)
    problems = sorted(problems + run_rules(config), key=lambda p: (p.line, p.column, p.code))
    results = infer(config)
    drawn = scene(config, results, problems)
    picture = layout(drawn)
    if suffix == ".svg":
        from .render.svg import svg_text

        text = svg_text(picture)
    else:
        from .render.html import html_text, report_parts

        tables, traps = report_parts(results)
        text = html_text(drawn.title, drawn.settings, picture, tables, traps, problems)
    write_replacing(out_path, text)
    return Drawing(problems, True)


def _check_paths(config_path: str, out_path: str) -> str:
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


EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def run(config_path: str, out_path: str, open_browser: bool = False, stderr=None) -> int:
    """The whole `lstmshape draw` command; returns its exit code: 0 drawn, 1 the check found
    errors (drawn when there is a network to draw), 2 usage error."""
    import sys

    stderr = stderr or sys.stderr
    try:
        drawing = draw(config_path, out_path)
    except DrawError as exc:
        stderr.write(f"lstmshape: error: {exc}\n")
        return EXIT_USAGE
    for p in drawing.problems:  # the lines `lstmshape infer` prints
        stderr.write(f"{p.file}:{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]\n")
    if not drawing.written:
        return EXIT_PROBLEMS
    if open_browser and not open_in_browser(out_path):
        stderr.write(f"lstmshape: note: no browser found; the report is {out_path}\n")
    return EXIT_PROBLEMS if any(p.is_error for p in drawing.problems) else EXIT_CLEAN


def fast_main(argv: list[str]) -> int | None:
    """`lstmshape draw CONFIG -o OUT [--open]` without loading typer (whose argument handling
    alone costs a quarter of a second): the exit code, or None to leave anything else (--help, a
    bad option) to the full CLI."""
    if not argv or argv[0] != "draw":
        return None
    paths, out, open_browser = [], None, False
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-o", "--output"):
            out = next(args, None)
            if out is None:
                return None
        elif arg.startswith("--output="):
            out = arg.partition("=")[2]
        elif arg == "--open":
            open_browser = True
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            paths.append(arg)
    if len(paths) != 1 or not out:
        return None
    return run(paths[0], out, open_browser)


def open_in_browser(path: str) -> bool:
    """Open the written file in the default browser; False where there is none."""
    import pathlib
    import webbrowser

    try:
        return webbrowser.open(pathlib.Path(path).resolve().as_uri())
    except webbrowser.Error:
        return False
