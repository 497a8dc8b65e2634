"""The command line: the only layer that knows argv, stdout/stderr and exit codes.

    exits     the exit-code table
    args      every command's options, written once: parsing, --help, usage errors (no typer)
    commands  every command: options → library → reporter → exit code
    app       typer, for shell completion only (`lstmshape --install-completion`)

`main` is the console script. No traceback ever reaches the user.
"""

from __future__ import annotations

import os
import sys

from . import exits

COMPLETION = ("--install-completion", "--show-completion")


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] and argv[0].split("=")[0] in COMPLETION or os.environ.get("_LSTMSHAPE_COMPLETE"):
        sys.exit(guarded(typer_app))
    sys.exit(guarded(lambda: dispatch(argv)))


def dispatch(argv: list[str], stdout=None, stderr=None) -> int:
    """One command line, parsed and run: its exit code."""
    from ..problems import one_line
    from .args import Help, Usage, help_text, parse, usage
    from .commands import UsageError, run

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if argv[:1] == ["--version"]:
        from .. import __version__

        stdout.write(f"lstmshape {__version__}\n")
        return exits.CLEAN
    if not argv:
        stderr.write(help_text(None, width()))
        return exits.USAGE
    try:
        command, arguments, options = parse(argv)
    except Help as asked:
        stdout.write(help_text(asked.command, width()))
        return exits.CLEAN
    except Usage as bad:
        where = f"lstmshape {bad.command.name} -h" if bad.command else "lstmshape -h"
        stderr.write(f"{usage(bad.command)}\nlstmshape: error: {one_line(str(bad))}\n(see {where})\n")
        return exits.USAGE
    try:
        return run(command.name, arguments, options)
    except UsageError as bad:
        stderr.write(f"lstmshape: error: {one_line(str(bad))}\n")
        return exits.USAGE


def width() -> int:
    """The terminal's width for --help (80 when not a terminal)."""
    try:
        return min(max(int(os.environ.get("COLUMNS", 0)) or os.get_terminal_size().columns, 60), 120)
    except (OSError, ValueError):
        return 80


def typer_app() -> int:
    from .app import app

    app()
    return exits.CLEAN


def guarded(command):
    """Run `command()`: a closed pipe (`| head`) ends quietly, Ctrl-C exits 130, and a bug is one
    line on stderr with exit 3 (LSTMSHAPE_DEBUG=1 shows the traceback)."""
    try:
        code = command()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exits.CLEAN
    except KeyboardInterrupt:
        return exits.INTERRUPTED
    except Exception as exc:
        if os.environ.get("LSTMSHAPE_DEBUG"):
            raise
        sys.stderr.write(f"lstmshape: internal error: {type(exc).__name__}: {exc} "
                         "(set LSTMSHAPE_DEBUG=1 for the traceback; please report it)\n")
        return exits.INTERNAL
