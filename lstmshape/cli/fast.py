"""`lstmshape check` and `lstmshape draw` as commands: options → library → reporter → exit code,
without typer (or the pydantic it pulls in): a pre-commit hook pays the start-up time on every
commit, and typer's argument handling alone costs a quarter of a second. Anything unusual
(--help, a bad option) is left to the typer CLI in lstmshape.cli.app."""

from __future__ import annotations

import os
import sys

from ..check import Report, check_paths
from ..read.recognise import locate_project
from . import exits

FORMATS = ("text", "json", "github", "sarif")


def mapping_entries(froms: list[str], sets: list[str]) -> tuple:
    """The --from and --set options as mapping entries (MappingError for a malformed one)."""
    from ..read.mapping import from_option, set_option

    return (tuple(from_option(text, k) for k, text in enumerate(froms, 1))
            + tuple(set_option(text, k) for k, text in enumerate(sets, 1)))


def run(paths: list[str], output_format: str | None = None, strict: bool = False, exit_zero: bool = False,
        stdout=None, stderr=None, froms: list[str] = (), sets: list[str] = ()) -> int:
    """The whole `lstmshape check` command; returns its exit code."""
    stderr = stderr or sys.stderr
    located = locate_project()
    if not froms and not sets and located is None:  # the common case: no mapping code loaded
        if not paths:
            stderr.write("lstmshape: error: check needs at least one config file or directory "
                         "(or [[tool.lstmshape.configs]] in pyproject.toml)\n")
            return exits.USAGE
        return report_exit(check_paths(paths), output_format, strict, exit_zero, stdout, stderr)
    from ..read.mapping import MappingError
    from ..read.project import read_project

    try:
        mapping = mapping_entries(list(froms), list(sets))
        project = read_project(located) if located is not None else None
        if not paths and (project is None or not project.groups):
            stderr.write("lstmshape: error: check needs at least one config file or directory "
                         "(or [[tool.lstmshape.configs]] in pyproject.toml)\n")
            return exits.USAGE
        report = check_paths(paths, mapping, project)
    except MappingError as exc:
        stderr.write(f"lstmshape: error: {exc}\n")
        return exits.USAGE
    return report_exit(report, output_format, strict, exit_zero, stdout, stderr)


def check_with_weights(paths: list[str], weights: str, prefix: str | None = None, output_format: str | None = None,
                       strict: bool = False, exit_zero: bool = False, stdout=None, stderr=None) -> int:
    """The whole `lstmshape check CONFIG --weights FILE [--prefix P]` command; returns its exit code."""
    from ..check import check_file, load
    from ..weightcheck import check_config_weights

    stderr = stderr or sys.stderr
    if len(paths) != 1 or os.path.isdir(paths[0]):
        stderr.write("lstmshape: error: check --weights takes exactly one config file\n")
        return exits.USAGE
    for path in (paths[0], weights):
        if not os.path.lexists(path):
            stderr.write(f"lstmshape: error: {path}: no such file or directory\n")
            return exits.USAGE
    problems = check_file(paths[0])
    if not any(p.is_error for p in problems):
        config, _ = load(paths[0])
        problems += check_config_weights(config, weights, prefix)
    return report_exit(Report(files=[paths[0]], problems=problems), output_format, strict, exit_zero, stdout, stderr)


def report_exit(report: Report, output_format: str | None = None, strict: bool = False, exit_zero: bool = False,
                stdout=None, stderr=None) -> int:
    """Print a check report in the chosen format (github under GitHub Actions, else text); its exit code."""
    from ..render import CHECK_REPORTERS, reporter

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    reporter(CHECK_REPORTERS, output_format)(stdout).report(report)
    stdout.flush()
    for path in report.missing:
        stderr.write(f"lstmshape: error: {path}: no such file or directory\n")
    if report.missing:
        return exits.USAGE
    if not report.files and not report.skipped:
        stderr.write("lstmshape: warning: no *.yaml, *.yml or *.json files found\n")
    if report.failed(strict) and not exit_zero:
        return exits.PROBLEMS
    return exits.CLEAN


def fast_main(argv: list[str]) -> int | None:
    """`lstmshape check ...`: the exit code, or None to leave the invocation to the full CLI."""
    if not argv or argv[0] != "check":
        return None
    paths, output_format, strict, exit_zero = [], None, False, False
    mapping: dict[str, list[str]] = {"--from": [], "--set": []}
    args = iter(argv[1:])
    only_paths = False
    for arg in args:
        if only_paths or not arg.startswith("-") or arg == "-":
            paths.append(arg)
        elif arg == "--":
            only_paths = True
        elif arg in mapping or arg.partition("=")[0] in mapping:
            value = arg.partition("=")[2] if arg not in mapping else next(args, None)
            if value is None:
                return None
            mapping[arg if arg in mapping else arg.partition("=")[0]].append(value)
        elif arg == "--strict":
            strict = True
        elif arg == "--exit-zero":
            exit_zero = True
        elif arg == "--format" or arg.startswith("--format="):
            value = arg.partition("=")[2] if "=" in arg else next(args, None)
            if value not in FORMATS:
                return None
            output_format = value
        else:
            return None
    return run(paths, output_format, strict, exit_zero, froms=mapping["--from"], sets=mapping["--set"])


def draw(config_path: str, out_path: str, open_browser: bool = False, stderr=None) -> int:
    """The whole `lstmshape draw` command; returns its exit code: 0 drawn, 1 the check found
    errors (drawn when there is a network to draw), 2 usage error."""
    from ..draw import DrawError, draw, open_in_browser
    from ..problems import format_problem

    stderr = stderr or sys.stderr
    try:
        drawing = draw(config_path, out_path)
    except DrawError as exc:
        stderr.write(f"lstmshape: error: {exc}\n")
        return exits.USAGE
    for p in drawing.problems:  # the lines `lstmshape infer` and `check` print
        stderr.write(format_problem(p) + "\n")
    if not drawing.written:
        return exits.PROBLEMS
    if open_browser and not open_in_browser(out_path):
        stderr.write(f"lstmshape: note: no browser found; the report is {out_path}\n")
    return exits.PROBLEMS if any(p.is_error for p in drawing.problems) else exits.CLEAN


def fast_draw(argv: list[str]) -> int | None:
    """`lstmshape draw CONFIG -o OUT [--open]`: the exit code, or None to leave anything else
    (--help, a bad option) to the full CLI."""
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
    return draw(paths[0], out, open_browser)
