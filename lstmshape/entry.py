"""The console script: `lstmshape check` takes a fast path that never imports typer (or
pydantic, which it pulls in), because a pre-commit hook pays the start-up time on every commit.
Everything else, and anything unusual about a check invocation (--help, a bad option), goes to
the full typer CLI in lstmshape.cli."""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        code = _fast(sys.argv[1:])
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    if code is not None:
        sys.exit(code)
    from .cli import main as full

    full()


def _fast(argv: list[str]) -> int | None:
    if not argv or argv[0] != "check":
        return None
    from .check import fast_main

    try:
        return fast_main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # a bug: one line, never a traceback (LSTMSHAPE_DEBUG=1 shows it)
        if os.environ.get("LSTMSHAPE_DEBUG"):
            raise
        sys.stderr.write(f"lstmshape: internal error: {type(exc).__name__}: {exc} "
                         "(set LSTMSHAPE_DEBUG=1 for the traceback; please report it)\n")
        return 3
