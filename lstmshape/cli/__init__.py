"""The command line: the only layer that knows argv, stdout/stderr and exit codes.

    exits  the exit-code table
    fast   `lstmshape check` and `draw` without typer (a pre-commit hook pays start-up on every commit)
    app    every command, with typer (imported only when the fast path does not apply)

`main` is the console script. Either way no traceback reaches the user.
"""

from __future__ import annotations

import os
import sys

from . import exits


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] in (["check"], ["draw"]):
        code = guarded(lambda: fast_path(argv))
        if code is not None:
            sys.exit(code)
    guarded(typer_app)


def fast_path(argv: list[str]) -> int | None:
    from .fast import fast_draw, fast_main

    return fast_draw(argv) if argv[0] == "draw" else fast_main(argv)


def typer_app() -> None:
    from .app import app

    app()


def guarded(command):
    """Run `command()`: a closed pipe (`| head`) ends quietly, Ctrl-C exits 130, and a bug is one
    line on stderr with exit 3 (LSTMSHAPE_DEBUG=1 shows the traceback)."""
    try:
        return command()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(exits.CLEAN)
    except KeyboardInterrupt:
        sys.exit(exits.INTERRUPTED)
    except Exception as exc:
        if os.environ.get("LSTMSHAPE_DEBUG"):
            raise
        sys.stderr.write(f"lstmshape: internal error: {type(exc).__name__}: {exc} "
                         "(set LSTMSHAPE_DEBUG=1 for the traceback; please report it)\n")
        sys.exit(exits.INTERNAL)
