"""Shell completion, from typer: `lstmshape --install-completion` (bash, zsh, fish, PowerShell).

lstmshape parses its own command line (lstmshape.cli.args); this typer app declares the same
commands and options, with the help taken from that table, so that typer can complete them. It
runs only for completion requests: every other invocation never imports typer (or pydantic).
"""

from __future__ import annotations

from typing import List, Optional

import typer

from . import commands
from .args import COMMANDS, SUMMARY

app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False, help=SUMMARY)


def option(command: str, name: str, default=None):
    """A typer option with the help lstmshape.cli.args gives it."""
    spec = COMMANDS[command].option(name)
    return typer.Option(default, *spec.names, help=spec.help)


def argument(command: str, default=...):
    return typer.Argument(default, help=COMMANDS[command].arguments_help, show_default=False)


@app.command(help=COMMANDS["infer"].summary)
def infer(
    config: str = argument("infer"),
    matrix: bool = option("infer", "--matrix", False),
    layers: Optional[str] = option("infer", "--layers"),
    explain: bool = option("infer", "--explain", False),
    format: str = option("infer", "--format", "table"),
    verify: bool = option("infer", "--verify", False),
    full: bool = option("infer", "--full", False),
    as_framework: Optional[str] = option("infer", "--as"),
    weights: Optional[str] = option("infer", "--weights"),
    prefix: Optional[str] = option("infer", "--prefix"),
    from_: Optional[List[str]] = option("infer", "--from"),
    set_: Optional[List[str]] = option("infer", "--set"),
) -> None:
    raise typer.Exit(commands.infer(config, matrix, layers, explain, format, verify, full, as_framework, weights,
                                    prefix, from_ or [], set_ or []))


@app.command(help=COMMANDS["check"].summary)
def check(
    files: Optional[List[str]] = argument("check", None),
    format: Optional[str] = option("check", "--format"),
    strict: bool = option("check", "--strict", False),
    exit_zero: bool = option("check", "--exit-zero", False),
    skip_non_configs: bool = option("check", "--skip-non-configs", False),
    verbose: bool = option("check", "--verbose", False),
    weights: Optional[str] = option("check", "--weights"),
    prefix: Optional[str] = option("check", "--prefix"),
    from_: Optional[List[str]] = option("check", "--from"),
    set_: Optional[List[str]] = option("check", "--set"),
) -> None:
    raise typer.Exit(commands.check(files or [], format, strict, exit_zero, weights, prefix, from_ or [], set_ or [],
                                    skip_non_configs, verbose))


@app.command(help=COMMANDS["draw"].summary)
def draw(
    config: str = argument("draw"),
    output: str = option("draw", "--output", ...),
    open_browser: bool = option("draw", "--open", False),
    from_: Optional[List[str]] = option("draw", "--from"),
    set_: Optional[List[str]] = option("draw", "--set"),
) -> None:
    raise typer.Exit(commands.draw(config, output, open_browser, from_ or [], set_ or []))


@app.command(help=COMMANDS["inspect"].summary)
def inspect(
    file: str = argument("inspect"),
    format: str = option("inspect", "--format", "table"),
    out_dir: Optional[str] = option("inspect", "--output-dir"),
) -> None:
    raise typer.Exit(commands.inspect(file, format, out_dir))


@app.command(help=COMMANDS["rules"].summary)
def rules(code: Optional[str] = argument("rules", None)) -> None:
    raise typer.Exit(commands.rules(code))
