"""Every command, with typer: parse arguments, call the library, pick a reporter, set the exit code
(lstmshape.cli.exits). Heavy imports (numpy, rich, the forward pass) happen inside the commands
that need them.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Optional

import typer

from ..problems import Problem, format_problem
from . import exits

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Work out, check and explain the tensor shapes of LSTM networks from a YAML config.",
)

class InferFormat(str, Enum):
    table = "table"
    json = "json"


class Framework(str, Enum):
    torch = "torch"
    keras = "keras"
    onnx = "onnx"


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"lstmshape {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Work out, check and explain the tensor shapes of LSTM networks from a YAML config."""


def usage_error(message: str) -> typer.Exit:
    typer.echo(f"lstmshape: error: {message}", err=True)
    return typer.Exit(exits.USAGE)


def print_problems(problems: list[Problem]) -> None:
    """The problem lines `check` prints, on stderr: `file:line:col: error[CODE] message`."""
    for p in problems:
        typer.echo(format_problem(p), err=True)


FROM_HELP = ("Read TARGET (lstm, data, lstm.KEY, data.KEY, framework) from PATH in the file (model.encoder; "
             "'.' is the root). Repeatable.")
SET_HELP = "A value the file does not hold: lstm.input_size=80, framework=keras (a YAML scalar). Repeatable."


def file_mapping(path: str, froms: list[str], sets: list[str]) -> tuple:
    """The mapping of one file: its [tool.lstmshape] group's, then --from/--set (which override it)."""
    from ..read.mapping import MappingError
    from ..read.project import find_project
    from .fast import mapping_entries

    try:
        options = mapping_entries(froms, sets)
        project = find_project()
    except MappingError as exc:
        raise usage_error(str(exc)) from None
    group = project.group_for(path) if project is not None else None
    return (group.entries if group is not None else ()) + options


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
    matrix: bool = typer.Option(False, "--matrix", help="Every combination of the framework's axes (torch: batch_first × bidirectional × num_layers; keras: bidirectional × return_sequences × return_state × num_layers; onnx: layout × direction × num_layers)."),
    layers: Optional[str] = typer.Option(None, "--layers", help="num_layers values for --matrix, e.g. 1,2,4 (implies --matrix)."),
    explain: bool = typer.Option(False, "--explain", help="How each dimension was derived, and the traps for this config."),
    output_format: InferFormat = typer.Option(InferFormat.table, "--format", help="table or json."),
    verify: bool = typer.Option(False, "--verify", help="Run the NumPy forward pass and check every shape (exit 1 on a mismatch)."),
    full: bool = typer.Option(False, "--full", help="With --verify: run at full size even when the run is large."),
    as_framework: Optional[Framework] = typer.Option(None, "--as", help="The same network in another framework (torch, keras, onnx); exit 1 naming the setting it cannot express."),
    weights: Optional[str] = typer.Option(None, "--weights", help="With --verify: run a checkpoint's real weights (.pt/.pth/.bin, .safetensors, .npz) instead of random ones."),
    prefix: Optional[str] = typer.Option(None, "--prefix", help="With --weights: the LSTM's prefix in the checkpoint (default: its only LSTM)."),
    from_: Optional[list[str]] = typer.Option(None, "--from", metavar="TARGET=PATH", help=FROM_HELP),
    set_: Optional[list[str]] = typer.Option(None, "--set", metavar="TARGET=VALUE", help=SET_HELP),
) -> None:
    """Every tensor shape of the configured LSTM (input, output, h0, c0, hn, cn, parameters)."""
    from ..check import load
    from ..render import INFER_REPORTERS, reporter
    from ..shapes import infer as infer_shapes  # dispatches on the config's framework

    if not os.path.exists(config):
        raise usage_error(f"{config}: no such file")
    if os.path.isdir(config):
        raise usage_error(f"{config}: is a directory; infer takes one config file")
    layer_counts = parse_layers(layers) if layers is not None else None
    parsed, problems = load(config, file_mapping(config, from_ or [], set_ or []))
    print_problems(problems)
    if parsed is None:
        raise typer.Exit(exits.PROBLEMS)
    if as_framework is not None:
        from ..translate import translate

        parsed, notes = translate(parsed, as_framework.value)
        print_problems(notes)
        if parsed is None:
            raise typer.Exit(exits.PROBLEMS)
    if (verify or full) and parsed.framework != "torch":
        raise usage_error(f"--verify runs torch.nn.LSTM's forward pass; this is a {parsed.framework} config "
                          "(its shapes are proven against the real framework by the test suite)")
    if weights is not None and (not verify or matrix or layer_counts is not None or as_framework is not None):
        raise usage_error("--weights runs a checkpoint's weights with --verify, on the configured LSTM only "
                          "(not with --matrix, --layers or --as)")
    results = infer_shapes(parsed, matrix=matrix or layer_counts is not None, layers=layer_counts)
    checks = None
    if verify or full:
        from ..verify import verify as run_forward

        params = None
        if weights is not None:
            from ..weightcheck import checkpoint_params

            params, problems = checkpoint_params(parsed, weights, prefix)
            print_problems(problems)
            if params is None:
                raise typer.Exit(exits.PROBLEMS)
        checks = [run_forward(result, full=full, params=params) for result in results]
    reporter(INFER_REPORTERS, output_format.value)(sys.stdout, explain=explain).report(parsed, results, checks)
    if checks and not all(c.verified for c in checks):
        raise typer.Exit(exits.PROBLEMS)


@app.command()
def draw(
    config: str = typer.Argument(..., help="The YAML config file.", show_default=False),
    output: str = typer.Option(..., "-o", "--output", help="The file to write: NAME.svg (the picture) or NAME.html (a self-contained report with the picture, tables, traps and problems).", show_default=False),
    open_browser: bool = typer.Option(False, "--open", help="Open the written file in the default browser."),
) -> None:
    """A picture of the network: SVG, or an HTML report (exit 1 when the check finds errors, which are drawn)."""
    from .fast import draw as run  # the console script runs it without typer: lstmshape/cli/__init__.py

    raise typer.Exit(run(config, output, open_browser))


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


@app.command()
def check(
    files: Optional[list[str]] = typer.Argument(None, help="Config files, or directories to search for *.yaml / *.yml / *.json (other YAML and JSON is skipped).", show_default=False),
    output_format: Optional[CheckFormat] = typer.Option(None, "--format", help="text, json, github or sarif (default: github when GITHUB_ACTIONS=true, else text)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail the check too."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when problems are found (2 still means a usage error)."),
    weights: Optional[str] = typer.Option(None, "--weights", help="Hold the config against this checkpoint (.pt/.pth/.bin, .safetensors, .npz): every tensor's name and shape."),
    prefix: Optional[str] = typer.Option(None, "--prefix", help="With --weights: the LSTM's prefix in the checkpoint, e.g. encoder.rnn (default: its only LSTM)."),
    from_: Optional[list[str]] = typer.Option(None, "--from", metavar="TARGET=PATH", help=FROM_HELP),
    set_: Optional[list[str]] = typer.Option(None, "--set", metavar="TARGET=VALUE", help=SET_HELP),
) -> None:
    """Check configs against the whole model's shape rules: exit 0 clean, 1 problems, 2 usage error.
    With no FILES, every file [[tool.lstmshape.configs]] in pyproject.toml names."""
    fmt = output_format.value if output_format else None
    if weights is not None and (from_ or set_):
        raise usage_error("--weights takes an lstmshape config; --from/--set are not supported with it yet")
    if weights is not None:
        from .fast import check_with_weights

        raise typer.Exit(check_with_weights(files or [], weights, prefix, fmt, strict, exit_zero))
    if prefix is not None:
        raise usage_error("--prefix needs --weights")
    from .fast import run  # the console script runs it without typer: lstmshape/cli/__init__.py

    raise typer.Exit(run(files or [], fmt, strict, exit_zero, froms=from_ or [], sets=set_ or []))


class InspectFormat(str, Enum):
    table = "table"
    json = "json"
    yaml = "yaml"


@app.command()
def inspect(
    file: str = typer.Argument(..., help="A weights file: .pt/.pth/.bin, .safetensors, .npz, .onnx or .keras.", show_default=False),
    output_format: InspectFormat = typer.Option(InspectFormat.table, "--format", help="table, json, or yaml (a ready lstmshape config per LSTM)."),
    out_dir: Optional[str] = typer.Option(None, "-o", "--output-dir", help="With --format yaml: write one config file per LSTM into this directory."),
) -> None:
    """Every LSTM in a weights file, its settings read off the tensor shapes (headers only)."""
    from ..checkpoint import CheckpointError, read_checkpoint
    from ..codes import WEIGHTS_INCOMPLETE_LSTM, WEIGHTS_NO_SUCH_PREFIX
    from ..problems import ERROR
    from ..render import weights as render
    from ..weightcheck import unreadable

    if not os.path.lexists(file):
        raise usage_error(f"{file}: no such file")
    if out_dir is not None and output_format is not InspectFormat.yaml:
        raise usage_error("-o writes config files: use it with --format yaml")
    try:
        checkpoint = read_checkpoint(file)
    except CheckpointError as exc:
        print_problems([unreadable(file, exc)])
        raise typer.Exit(exits.PROBLEMS) from None
    problems = [Problem(file, 1, 1, WEIGHTS_INCOMPLETE_LSTM, ERROR, incomplete.message)
                for incomplete in checkpoint.incomplete]
    if not checkpoint.lstms and not checkpoint.incomplete:
        problems.append(Problem(file, 1, 1, WEIGHTS_NO_SUCH_PREFIX, ERROR,
                                f"no LSTM found among its {len(checkpoint.tensors)} tensors"))
    print_problems(problems)
    if out_dir is not None:
        try:
            for path in render.write_configs(checkpoint, out_dir):
                typer.echo(path)
        except OSError as exc:
            raise usage_error(str(exc)) from None
    else:
        {"table": render.write_table, "json": render.write_json, "yaml": render.write_yaml}[output_format.value](
            sys.stdout, checkpoint)
    if problems:
        raise typer.Exit(exits.PROBLEMS)


@app.command()
def rules(
    code: Optional[str] = typer.Argument(None, help="A code (LS101) or name (head-in-features): show its full documentation.", show_default=False),
) -> None:
    """Every problem code with its severity and summary; with CODE, its documentation and examples."""
    from ..codes import ALL, lookup
    from ..rules import rule

    if code is None:
        width = max(len(c.name) for c in ALL)
        for c in ALL:
            typer.echo(f"{c}  {c.severity:<7}  {c.name:<{width}}  {c.summary}")
        return
    found = lookup(code)
    if found is None:
        raise usage_error(f"unknown rule {code!r}; `lstmshape rules` lists them")
    module = rule(found)
    doc = module.__doc__ if module is not None else found.doc
    typer.echo(f"{found} {found.name} ({found.severity})\n\n{doc.strip()}")

