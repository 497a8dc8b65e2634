"""The command line: the only layer that knows argv, stdout/stderr and exit codes.

    exits     the exit-code table
    app       the typer app: every command, argument and option, its help and completion
    commands  every command: options → library → reporter → exit code

`main` is the console script. No traceback ever reaches the user.
"""

from __future__ import annotations

import os
import sys

from . import exits


def main() -> None:
    sys.exit(guarded(lambda: dispatch(sys.argv[1:])))


def dispatch(argv: list[str]) -> int:
    """One command line, parsed by the typer app and run: its exit code. A usage error is three
    lines on stderr (the usage, `lstmshape: error: ...` naming the bad value, where to get help)
    and exit 2."""
    import typer

    from ..problems import one_line
    from .app import app
    from .commands import UsageError

    command = typer.main.get_command(app)
    try:
        code = command.main(args=list(argv), prog_name="lstmshape", standalone_mode=False)
    except typer.TyperException as bad:  # the parser's usage errors (click's UsageError, in typer)
        message = bad.format_message().replace("Value error, ", "")  # pydantic's prefix says nothing here
        if not message:  # no command: typer has shown the help
            return exits.USAGE
        context = getattr(bad, "ctx", None)
        where = f"{context.command_path} -h" if context is not None else "lstmshape -h"
        usage = context.get_usage() + "\n" if context is not None else ""
        sys.stderr.write(f"{usage}lstmshape: error: {one_line(message)}\n(see {where})\n")
        return exits.USAGE
    except UsageError as bad:
        sys.stderr.write(f"lstmshape: error: {one_line(str(bad))}\n")
        return exits.USAGE
    except typer.Abort:
        return exits.INTERRUPTED
    except SystemExit as stop:  # typer turns a closed pipe while printing help into exit 1
        if isinstance(stop.__context__, BrokenPipeError):
            raise stop.__context__ from None
        raise
    return code if isinstance(code, int) else exits.CLEAN


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
