"""The command line: parse arguments, call the library, pick a reporter, set the exit code.

Exit codes: 0 clean, 1 problems found in a config, 2 usage error (bad option, missing file).
Heavy imports (numpy, rich) happen inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Optional

import typer

from .problems import Problem

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Work out, check and explain the tensor shapes of LSTM networks from a YAML config.",
)

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class InferFormat(str, Enum):
    table = "table"
    json = "json"


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"lstmshape {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Work out, check and explain the tensor shapes of LSTM networks from a YAML config."""


def usage_error(message: str) -> typer.Exit:
    typer.echo(f"lstmshape: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def print_problems(problems: list[Problem]) -> None:
    """Compiler-style lines on stderr: `file:line:col: error: message [CODE]`."""
    for p in problems:
        typer.echo(f"{p.file}:{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]", err=True)


def parse_layers(text: str) -> list[int]:
    try:
        layers = [int(part) for part in text.split(",")]
    except ValueError:
        raise usage_error(f"--layers takes positive integers separated by commas, got {text!r}") from None
    if not layers or min(layers) < 1:
        raise usage_error(f"--layers takes positive integers separated by commas, got {text!r}")
    return sorted(set(layers))


@app.command()
def infer(
    config: str = typer.Argument(..., help="The YAML config file.", show_default=False),
    matrix: bool = typer.Option(False, "--matrix", help="Every combination of batch_first × bidirectional × num_layers."),
    layers: Optional[str] = typer.Option(None, "--layers", help="num_layers values for --matrix, e.g. 1,2,4 (implies --matrix)."),
    explain: bool = typer.Option(False, "--explain", help="How each dimension was derived, and the traps for this config."),
    output_format: InferFormat = typer.Option(InferFormat.table, "--format", help="table or json."),
) -> None:
    """Every tensor shape of the configured LSTM (input, output, h0, c0, hn, cn, parameters)."""
    from .config import read_config
    from .render import INFER_REPORTERS, reporter
    from .shapes import infer as infer_shapes

    if not os.path.exists(config):
        raise usage_error(f"{config}: no such file")
    if os.path.isdir(config):
        raise usage_error(f"{config}: is a directory; infer takes one config file")
    layer_counts = parse_layers(layers) if layers is not None else None
    parsed, problems = read_config(config)
    print_problems(problems)
    if parsed is None:
        raise typer.Exit(EXIT_PROBLEMS)
    results = infer_shapes(parsed, matrix=matrix or layer_counts is not None, layers=layer_counts)
    reporter(INFER_REPORTERS, output_format.value)(sys.stdout, explain=explain).report(parsed, results)


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    try:
        app()
    except BrokenPipeError:  # `lstmshape infer ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_CLEAN)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for those who ask
        if os.environ.get("LSTMSHAPE_DEBUG"):
            raise
        typer.echo(f"lstmshape: internal error: {type(exc).__name__}: {exc} (set LSTMSHAPE_DEBUG=1 for the traceback; please report it)", err=True)
        sys.exit(3)
