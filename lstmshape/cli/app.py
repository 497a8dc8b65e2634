"""The command line, as one typer app: every command, argument and option is declared here once,
and typer builds the parser, the rich `--help` and shell completion (`--install-completion`)
from these declarations. Each command hands its options to lstmshape.cli.commands, which loads
what it needs (numpy, the forward pass) only when it runs.

Help strings are rich markup: a literal `[` is written `\\[`.
"""

from __future__ import annotations

from typing import List, Literal, Optional

import typer

from . import commands

SUMMARY = "Work out, check and explain the tensor shapes of LSTM networks from a YAML config."
EPILOG = "Exit codes: 0 clean, 1 problems found, 2 usage error, 3 internal error (a bug; please report it)."


InferFormat = Literal["table", "json"]
CheckFormat = Literal["text", "json", "github", "sarif", "markdown", "gitlab", "junit"]
InspectFormat = Literal["table", "json", "yaml"]
Framework = Literal["torch", "keras", "onnx"]


def version(shown: bool) -> None:
    if shown:
        from .. import __version__

        typer.echo(f"lstmshape {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="lstmshape", help=SUMMARY, epilog=EPILOG, no_args_is_help=True, add_completion=True,
    pretty_exceptions_enable=False, rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


@app.callback()
def main(_version: bool = typer.Option(False, "--version", callback=version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Work out, check and explain the tensor shapes of LSTM networks from a YAML config."""


FROM_HELP = ("Read TARGET, a path into the lstmshape config (lstm, lstm.hidden_size, lstm.1.input_size, "
             "head.0.linear.in_features, expect.output.2, data, framework), from PATH: a key path in the file "
             "(model.encoder, layers.-1, \"a.b\".c, layers[type=lstm]; '.' is the root) or integer arithmetic over "
             "such paths (memory_size // 2, emb + hidden). Repeatable.")
SET_HELP = ("Give TARGET a value the file does not hold, a YAML flow value (lstm.input_size=80, framework=keras, "
            "'head=[{linear: {in_features: 0, out_features: 3}}]'); a deeper --from fills it. Repeatable.")


EXT_VAR_HELP = ("The value a jsonnet config's std.extVar(\"NAME\") reads (a string); one not given reads as \"\", "
                "with a warning (LS017). Repeatable.")


def ext_var_option():
    return typer.Option(None, "--ext-var", metavar="NAME=VALUE", help=EXT_VAR_HELP, show_default=False)


def from_option():
    return typer.Option(None, "--from", metavar="TARGET=PATH", help=FROM_HELP, show_default=False)


def set_option():
    return typer.Option(None, "--set", metavar="TARGET=VALUE", help=SET_HELP, show_default=False)


@app.command(epilog="Exit codes: 0 shapes shown, 1 the config has errors or a shape was not verified, "
             "2 usage error.")
def infer(
    config: str = typer.Argument(..., metavar="CONFIG", help="The config file (YAML, JSON, jsonnet, INI or gin); - "
                                 "reads YAML or JSON from standard input.", show_default=False),
    matrix: bool = typer.Option(False, "--matrix", help="Every combination of the framework's axes (torch: "
                                "batch_first × bidirectional × num_layers; keras: bidirectional × return_sequences × "
                                "return_state × num_layers; onnx: layout × direction × num_layers)."),
    layers: Optional[str] = typer.Option(None, "--layers", metavar="N,N,...", help="num_layers values for "
                                         "--matrix, e.g. 1,2,4 (implies --matrix).", show_default=False),
    explain: bool = typer.Option(False, "--explain", help="How each dimension is derived, and the traps for this "
                                 "config."),
    format: InferFormat = typer.Option("table", "--format", help="Output format (JSON output is always "
                                       "JSON: problems included)."),
    verify: bool = typer.Option(False, "--verify", help="Run the NumPy forward pass and check every shape (exit 1 "
                                "on a mismatch)."),
    full: bool = typer.Option(False, "--full", help="Run the forward pass at full size even when it is large "
                              "(implies --verify)."),
    as_framework: Optional[Framework] = typer.Option(None, "--as", metavar="FRAMEWORK", help="The same network in "
                                                     "another framework (torch, keras, onnx); exit 1 naming the "
                                                     "setting it cannot express.", show_default=False),
    weights: Optional[str] = typer.Option(None, "--weights", metavar="FILE", help="With --verify: run a "
                                          "checkpoint's real weights (.pt/.pth/.bin, .safetensors, .npz) instead of "
                                          "random ones.", show_default=False),
    prefix: Optional[str] = typer.Option(None, "--prefix", metavar="PREFIX", help="With --weights: the LSTM's "
                                         "prefix in the checkpoint (default: its only LSTM).", show_default=False),
    from_: Optional[List[str]] = from_option(),
    set_: Optional[List[str]] = set_option(),
    ext_var: Optional[List[str]] = ext_var_option(),
) -> int:
    """Every tensor shape of the configured network: input, output, h0, c0, hn, cn and parameters."""
    needs(weights is not None and not (verify or full), "--weights", "--verify")
    needs(prefix is not None and weights is None, "--prefix", "--weights")
    return commands.infer(config, matrix, layers, explain, format, verify, full, as_framework, weights, prefix,
                          from_ or [], set_ or [], ext_var or [])


@app.command(epilog="Exit codes: 0 clean (warnings allowed), 1 problems found, 2 usage error (no config found, a "
             "path that does not exist, a bad option).")
def check(
    files: Optional[List[str]] = typer.Argument(None, metavar="FILE_OR_DIR", help="Config files (each one "
                                                "named is checked: a file that is not an lstmshape config is an "
                                                "error saying how to map it), or directories searched for *.yaml, "
                                                "*.yml, *.json, *.jsonnet, *.libsonnet, *.cfg, *.ini and *.gin "
                                                "(there, a file that is not an lstmshape config is skipped). None: every file \\[tool.lstmshape] in "
                                                "pyproject.toml names. - reads standard input.", show_default=False),
    format: Optional[CheckFormat] = typer.Option(None, "--format", help="Output format (default: text; github "
                                                 "under GitHub Actions): json, github (annotations), sarif (code "
                                                 "scanning), markdown (job summary, PR comment), gitlab (Code "
                                                 "Quality), junit (JUnit XML).", show_default=False),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail the check too."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when problems are found (2 still "
                                   "means a usage error)."),
    skip_non_configs: bool = typer.Option(False, "--skip-non-configs", help="Skip named files that are not "
                                          "lstmshape configs and that no \\[tool.lstmshape] group maps, as a "
                                          "directory walk does (the pre-commit hook passes it: pre-commit names "
                                          "every staged YAML and JSON file)."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Name every file skipped as not an lstmshape "
                                 "config."),
    weights: Optional[str] = typer.Option(None, "--weights", metavar="FILE", help="Hold the config against this "
                                          "checkpoint (.pt/.pth/.bin, .safetensors, .npz): every tensor's name and "
                                          "shape.", show_default=False),
    prefix: Optional[str] = typer.Option(None, "--prefix", metavar="PREFIX", help="With --weights: the LSTM's "
                                         "prefix in the checkpoint, e.g. encoder.rnn (default: its only LSTM).",
                                         show_default=False),
    from_: Optional[List[str]] = from_option(),
    set_: Optional[List[str]] = set_option(),
    ext_var: Optional[List[str]] = ext_var_option(),
) -> int:
    """Check configs against the whole model's shape rules (the pre-commit and CI gate)."""
    needs(prefix is not None and weights is None, "--prefix", "--weights")
    return commands.check(files or [], format, strict, exit_zero, weights, prefix,
                          from_ or [], set_ or [], skip_non_configs, verbose, ext_var=ext_var or [])


@app.command(epilog="Exit codes: 0 drawn, 1 the check found errors (they are drawn too), 2 usage error.")
def draw(
    config: str = typer.Argument(..., metavar="CONFIG", help="The config file.", show_default=False),
    output: str = typer.Option(..., "-o", "--output", metavar="FILE", help="The file to write: NAME.svg (the "
                               "picture) or NAME.html (the picture, tables, traps and problems on one page).",
                               show_default=False),
    open_browser: bool = typer.Option(False, "--open", help="Open the written file in the default browser."),
    from_: Optional[List[str]] = from_option(),
    set_: Optional[List[str]] = set_option(),
    ext_var: Optional[List[str]] = ext_var_option(),
) -> int:
    """A picture of the network: an SVG, or a self-contained HTML report."""
    return commands.draw(config, output, open_browser, from_ or [], set_ or [], ext_var=ext_var or [])


@app.command()
def inspect(
    file: str = typer.Argument(..., metavar="FILE", help="A weights file: .pt/.pth/.bin, .safetensors, .npz, .onnx "
                               "or .keras.", show_default=False),
    format: InspectFormat = typer.Option("table", "--format", help="table, json, or yaml (a ready "
                                         "lstmshape config per LSTM)."),
    out_dir: Optional[str] = typer.Option(None, "-o", "--output-dir", metavar="DIR", help="With --format yaml: "
                                          "write one config file per LSTM into this directory.", show_default=False),
) -> int:
    """Every LSTM in a weights file, its settings read off the tensor shapes (headers only)."""
    return commands.inspect(file, format, out_dir)


@app.command()
def rules(code: Optional[str] = typer.Argument(None, metavar="CODE", help="A code (LS101) or a name "
                                               "(head-in-features).", show_default=False)) -> int:
    """Every problem code with its severity and summary; with CODE, its documentation."""
    return commands.rules(code)


@app.command()
def schema() -> int:
    """The JSON Schema of the config format, for editors: completion, hover docs, squiggles.

    Point yaml-language-server at it (docs: Editors); the package ships the same file,
    lstmshape/schema/lstmshape.schema.json."""
    return commands.schema()


def needs(missing: bool, option: str, other: str) -> None:
    if missing:
        raise commands.UsageError(f"{option} works with {other} only")
