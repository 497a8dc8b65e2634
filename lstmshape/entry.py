"""The console script: `lstmshape check` (and `draw`) takes a fast path that never imports typer (or
pydantic, which it pulls in), because a pre-commit hook pays the start-up time on every commit.
Everything else, and anything unusual about a check invocation (--help, a bad option), goes to
the full typer CLI in lstmshape.cli. Either way no traceback reaches the user."""

from __future__ import annotations

import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] in (["check"], ["draw"]):
        code = guarded(lambda: _fast(argv))
        if code is not None:
            sys.exit(code)
    from .cli import app

    guarded(app)


def _fast(argv: list[str]) -> int | None:
    if argv[0] == "draw":
        from .draw import fast_main as draw_main

        return draw_main(argv)
    from .check import fast_main

    return fast_main(argv)


def guarded(command):
    """Run `command()`: a closed pipe (`| head`) ends quietly, Ctrl-C exits 130, and a bug is one
    line on stderr with exit 3 (LSTMSHAPE_DEBUG=1 shows the traceback)."""
    try:
        return command()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("LSTMSHAPE_DEBUG"):
            raise
        sys.stderr.write(f"lstmshape: internal error: {type(exc).__name__}: {exc} "
                         "(set LSTMSHAPE_DEBUG=1 for the traceback; please report it)\n")
        sys.exit(3)
