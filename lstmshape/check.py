"""`lstmshape check`: find the config files, check each one, collect every problem.

Pure library code (no printing, no exit codes): the CLI picks a reporter. One file's problems
never stop another file from being checked, and nothing is ever written.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from .problems import ERROR, Problem

SUFFIXES = (".yaml", ".yml")


@dataclass
class Report:
    files: list[str] = field(default_factory=list)  # every file checked, in order
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths given that do not exist (usage errors)

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.problems))


def collect(paths: list[str]) -> tuple[list[str], list[str]]:
    """The files to check (directories read recursively for *.yaml / *.yml, sorted) and the
    paths given that do not exist."""
    files, missing = [], []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs.sort()
                found += [os.path.join(root, name) for name in names if name.endswith(SUFFIXES)]
            files += sorted(found)
        elif os.path.lexists(path):  # a broken link is a file that cannot be read (LS001)
            files.append(path)
        else:
            missing.append(path)
    return files, missing


def check_file(path: str) -> list[Problem]:
    """Every problem of one file: reading, config validation, then the shape rules."""
    from .config import read_config

    refused = _not_a_file(path)
    if refused:
        return [Problem(path, 1, 1, "LS001", ERROR, refused)]
    config, problems = read_config(path)
    if config is not None:
        from .rules import run_rules

        problems = problems + run_rules(config)
    return sorted(problems, key=lambda p: (p.line, p.column, p.code))


def check_paths(paths: list[str]) -> Report:
    files, missing = collect(paths)
    report = Report(files=files, missing=missing)
    for path in files:
        report.problems += check_file(path)
    return report


def _not_a_file(path: str) -> str | None:
    """Why `path` cannot be read as a file, without opening it (a FIFO would block forever)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}" + (" (a broken symbolic link)" if os.path.islink(path) else "")
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else \
        "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
    return f"cannot read file: {kind}, not a regular file"


FORMATS = ("text", "json", "github", "sarif")
EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def run(paths: list[str], output_format: str | None = None, strict: bool = False, exit_zero: bool = False,
        stdout=None, stderr=None) -> int:
    """The whole `lstmshape check` command; returns its exit code."""
    import sys

    if not paths:
        (stderr or sys.stderr).write("lstmshape: error: check needs at least one config file or directory\n")
        return EXIT_USAGE
    return report_exit(check_paths(paths), output_format, strict, exit_zero, stdout, stderr)


def report_exit(report: Report, output_format: str | None = None, strict: bool = False, exit_zero: bool = False,
                stdout=None, stderr=None) -> int:
    """Print a check report in the chosen format (github under GitHub Actions, else text); its exit code."""
    import sys

    from .render import CHECK_REPORTERS, reporter

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    reporter(CHECK_REPORTERS, output_format)(stdout).report(report)
    stdout.flush()
    for path in report.missing:
        stderr.write(f"lstmshape: error: {path}: no such file or directory\n")
    if report.missing:
        return EXIT_USAGE
    if not report.files:
        stderr.write("lstmshape: warning: no *.yaml or *.yml files found\n")
    if report.failed(strict) and not exit_zero:
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def fast_main(argv: list[str]) -> int | None:
    """`lstmshape check ...` without loading typer (a pre-commit hook runs on every commit):
    the exit code, or None to leave anything unusual (--help, a bad option) to the full CLI."""
    if not argv or argv[0] != "check":
        return None
    paths, output_format, strict, exit_zero = [], None, False, False
    args = iter(argv[1:])
    only_paths = False
    for arg in args:
        if only_paths or not arg.startswith("-") or arg == "-":
            paths.append(arg)
        elif arg == "--":
            only_paths = True
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
    if not paths:
        return None
    return run(paths, output_format, strict, exit_zero)
