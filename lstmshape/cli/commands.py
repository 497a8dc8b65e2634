"""Every command: its options (already parsed) → the library → a reporter → an exit code
(lstmshape.cli.exits). Only these functions write to stdout and stderr. Heavy imports (numpy,
rich, the forward pass) happen inside the commands that need them, so `check` on a clean file
loads neither.
"""

from __future__ import annotations

import os
import sys

from ..problems import Problem, format_problem, listed, one_line
from . import exits

SHOWN_RUNS = 10  # forward passes named one by one on stderr when they fail; the rest are counted
STDIN = "<stdin>"  # the name problems give a config read from standard input (`-`)


class UsageError(Exception):
    """The command cannot run as asked: exit 2 with `lstmshape: error: MESSAGE`."""


def print_problems(problems: list[Problem], stream=None) -> None:
    """The problem lines `check` prints: `file:line:col: error[CODE] message`."""
    stream = stream or sys.stderr
    for p in problems:
        stream.write(format_problem(p) + "\n")


def read_stdin() -> str:
    """A config given as `-`: standard input, bounded like a file (lstmshape.yamlload.MAX_BYTES)."""
    from ..yamlload import MAX_BYTES

    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    return data.decode("utf-8", errors="surrogateescape") if isinstance(data, bytes) else data


def mapping_entries(froms: list[str], sets: list[str], ext_vars: list[str] = ()) -> tuple:
    """The --from, --set and --ext-var options as mapping entries (a malformed one: UsageError)."""
    if not froms and not sets and not ext_vars:
        return ()
    from ..read.formats import ext_var_option
    from ..read.mapping import MappingError, from_option, set_option

    try:
        return (tuple(from_option(text, k) for k, text in enumerate(froms, 1))
                + tuple(set_option(text, k) for k, text in enumerate(sets, 1))
                + tuple(ext_var_option(text, f"--ext-var {text}") for text in ext_vars))
    except (MappingError, ValueError) as exc:
        raise UsageError(one_line(str(exc))) from None


def project_error(error) -> UsageError:
    return UsageError(one_line(str(error)))


def cwd_project():
    """The [tool.lstmshape] project of the current directory, for `check` with no files (None
    without one; a malformed table: UsageError)."""
    from ..read.mapping import MappingError
    from ..read.project import project_of

    try:
        return project_of(os.getcwd())
    except MappingError as exc:
        raise project_error(exc) from None


def file_mapping(path: str, froms: list[str], sets: list[str], ext_vars: list[str] = ()) -> tuple:
    """The mapping of one file: its [tool.lstmshape] group's (the project found from the file's own
    directory upwards), then --from/--set/--ext-var (which override it)."""
    from ..read.mapping import MappingError
    from ..read.project import project_for

    options = mapping_entries(froms, sets, ext_vars)
    try:
        found = project_for(path) if path != "-" else None
    except MappingError as exc:
        raise project_error(exc) from None
    group = found.group_for(path) if found is not None else None
    return (group.entries if group is not None else ()) + options


def load_config(path: str, froms: list[str] = (), sets: list[str] = (), ext_vars: list[str] = ()):
    """(config or None, problems) for `infer`/`draw`: a path, or `-` for standard input; a file that
    is not a regular file (a FIFO would block forever) is refused as `check` refuses it. The
    file's [tool.lstmshape] group and --from/--set map it."""
    from ..check import load, load_text
    from ..codes import INVALID_YAML
    from ..problems import ERROR
    from ..yamlload import not_a_file

    mapping = file_mapping(path, list(froms), list(sets), list(ext_vars))
    if path == "-":
        if mapping:
            raise UsageError("--from/--set/--ext-var map a file: give the config's path, not -")
        return load_text(read_stdin(), STDIN)
    if not os.path.lexists(path):
        raise UsageError(f"{one_line(path)}: no such file")
    if os.path.isdir(path):
        raise UsageError(f"{one_line(path)}: is a directory; infer takes one config file")
    refused = not_a_file(path)
    if refused:
        return None, [Problem(path, 1, 1, INVALID_YAML, ERROR, refused)]
    return mapped(load, path, mapping)


def mapped(read, path: str, mapping: tuple, *args, **kwargs):
    """`read(path, mapping, ...)`; a mapping that leads into nothing the options built: UsageError."""
    if not mapping:
        return read(path, mapping, *args, **kwargs)
    from ..read.mapping import MappingError

    try:
        return read(path, mapping, *args, **kwargs)
    except MappingError as exc:
        raise project_error(exc) from None


def parse_layers(text: str) -> list[int]:
    try:
        layers = [int(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--layers takes positive integers separated by commas, got {text!r}") from None
    if not layers or min(layers) < 1:
        raise UsageError(f"--layers takes positive integers separated by commas, got {text!r}")
    return sorted(set(layers))


def infer(config: str, matrix: bool = False, layers: str | None = None, explain: bool = False,
          format: str = "table", verify: bool = False, full: bool = False, as_framework: str | None = None,
          weights: str | None = None, prefix: str | None = None, from_: list[str] = (), set_: list[str] = (),
          ext_var: list[str] = ()) -> int:
    """Every tensor shape of the configured network."""
    from ..render import infer_reporter

    json_out = format == "json"
    verify = verify or full  # --full is --verify at full size, as --layers is --matrix over those layers
    layer_counts = parse_layers(layers) if layers is not None else None
    if weights is not None and (matrix or layer_counts is not None or as_framework is not None):
        raise UsageError("--weights runs a checkpoint's weights with --verify, on the configured LSTM only "
                         "(not with --matrix, --layers or --as)")
    parsed, problems = load_config(config, from_, set_, ext_var)
    shown = list(problems)

    def failed(more: list[Problem]) -> int:
        nonlocal shown
        shown = listed(shown + more)
        print_problems(shown)
        if json_out:  # JSON output is always JSON: the problems, as `check --format json` gives them
            from ..render.infer_json import problems_report

            problems_report(sys.stdout, config if config != "-" else STDIN, shown)
        return exits.PROBLEMS

    if parsed is None:
        return failed([])
    from ..check import checked
    from ..frameworks import of

    shown = checked(parsed, shown)  # every problem `check` would report: infer never looks cleaner
    if as_framework is not None:
        from ..translate import translate

        source = parsed.framework
        parsed, notes = translate(parsed, as_framework)
        shown += notes
        if parsed is None:
            return failed([])
        if verify and not of(parsed.framework).runs_forward:
            raise UsageError(f"--verify runs torch.nn.LSTM's forward pass, and --as {as_framework} describes a "
                             f"{as_framework} layer: verify the {source} config without --as")
    if verify and not of(parsed.framework).runs_forward:
        raise UsageError(f"--verify runs torch.nn.LSTM's forward pass; {one_line(config)} is "
                         f"{article(parsed.framework)} {parsed.framework} config (its shapes are proven against the "
                         "real framework by the test suite)")
    from ..frameworks import infer as infer_shapes  # dispatches on the config's framework

    results = infer_shapes(parsed, matrix=matrix or layer_counts is not None, layers=layer_counts)
    checks = None
    if verify:
        from ..verify import verify as run_forward

        params = None
        if weights is not None:
            from ..weightcheck import checkpoint_params

            params, more = checkpoint_params(parsed, weights, prefix)
            if params is None:
                return failed(more)
            shown += more
        checks = [run_forward(result, full=full, params=params) for result in results]
    infer_reporter(format)(sys.stdout, explain=explain).report(parsed, results, checks, shown)
    sys.stdout.flush()
    print_problems(shown)  # after the tables, where a reader who scrolled past them still sees them
    failed_runs = [(result, check) for result, check in zip(results, checks or []) if not check.verified]
    for result, check in failed_runs[:SHOWN_RUNS]:  # exit 1 always says why, on stderr too
        what = ", ".join(check.mismatches) if check.mismatches else check.note
        sys.stderr.write(f"lstmshape: error: {one_line(parsed.path)}: {describe_run(result)} not verified: "
                         f"{one_line(what)}\n")
    if len(failed_runs) > SHOWN_RUNS:
        sys.stderr.write(f"lstmshape: error: {one_line(parsed.path)}: {len(failed_runs) - SHOWN_RUNS:,} more forward "
                         "passes not verified\n")
    return exits.PROBLEMS if failed_runs or any(p.is_error for p in shown) else exits.CLEAN


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" else "a"


def describe_run(result) -> str:
    lstm = result.lstm
    where = f"block {result.block}, " if result.block is not None else ""
    return (f"the forward pass ({where}batch_first={str(lstm.batch_first).lower()}, bidirectional="
            f"{str(lstm.bidirectional).lower()}, num_layers={lstm.num_layers})")


def check(files: list[str], format: str | None = None, strict: bool = False, exit_zero: bool = False,
          weights: str | None = None, prefix: str | None = None, from_: list[str] = (), set_: list[str] = (),
          skip_non_configs: bool = False, verbose: bool = False, stdout=None, stderr=None,
          ext_var: list[str] = ()) -> int:
    """The whole `lstmshape check` command; returns its exit code."""
    from ..check import check_paths, check_text
    from ..read.mapping import MappingError

    if weights is not None:
        return check_with_weights(files, weights, prefix, format, strict, exit_zero, stdout, stderr, from_, set_,
                                  ext_var)
    mapping = mapping_entries(list(from_), list(set_), list(ext_var))
    if mapping and "-" in files:
        raise UsageError("--from/--set/--ext-var map files: give the config's path, not -")
    paths = [f for f in files if f != "-"]
    try:
        if not files:
            found = cwd_project()
            if found is None or not found.groups:
                raise UsageError("check needs at least one config file or directory (or [[tool.lstmshape.configs]] "
                                 "in pyproject.toml)")
            paths = found.files()  # every configured file (a glob matching none: MappingError)
        # a project's own files are discovered, not named: a glob may match YAML that is no config
        report = check_paths(paths, mapping, skip_non_configs or not files)
    except MappingError as exc:
        raise project_error(exc) from None
    if "-" in files:
        report.files.append(STDIN)
        report.problems += check_text(read_stdin(), STDIN)
    if verbose:
        for path in report.skipped:
            (stderr or sys.stderr).write(f"lstmshape: skipped {one_line(path)}: not an lstmshape config, and no "
                                         "[tool.lstmshape] group maps it\n")
    return report_exit(report, format, strict, exit_zero, stdout, stderr)


def check_with_weights(paths: list[str], weights: str, prefix: str | None = None, output_format: str | None = None,
                       strict: bool = False, exit_zero: bool = False, stdout=None, stderr=None,
                       from_: list[str] = (), set_: list[str] = (), ext_var: list[str] = ()) -> int:
    """`lstmshape check CONFIG --weights FILE [--prefix P]`; returns its exit code. A training config
    is mapped (--from/--set, its [tool.lstmshape] group) before it is held against the checkpoint."""
    from ..check import Report, check_file

    if len(paths) != 1 or os.path.isdir(paths[0]) or paths[0] == "-":
        raise UsageError("check --weights takes exactly one config file (not a directory, not -)")
    for path in (paths[0], weights):
        if not os.path.lexists(path):
            raise UsageError(f"{one_line(path)}: no such file or directory")
    mapping = file_mapping(paths[0], list(from_), list(set_), list(ext_var))
    problems = mapped(check_file, paths[0], mapping, weights=weights, prefix=prefix)
    return report_exit(Report(files=[paths[0]], problems=problems), output_format, strict, exit_zero, stdout, stderr)


def report_exit(report, output_format: str | None = None, strict: bool = False, exit_zero: bool = False,
                stdout=None, stderr=None) -> int:
    """Print a check report in the chosen format (github under GitHub Actions, else text); its exit
    code. A run that could not read a path, or found no config where it looked, never says OK."""
    from ..render import CHECK_REPORTERS
    from ..render.check_reports import unread

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    CHECK_REPORTERS[output_format](stdout).report(report)
    stdout.flush()
    for entry in unread(report):
        stderr.write(f"lstmshape: error: {one_line(entry['path'])}: {entry['reason']}\n")
    if report.missing or report.empty:
        return exits.USAGE
    if report.failed(strict) and not exit_zero:
        return exits.PROBLEMS
    return exits.CLEAN


def draw(config: str, output: str, open_browser: bool = False, from_: list[str] = (), set_: list[str] = (),
         stderr=None, ext_var: list[str] = ()) -> int:
    """`lstmshape draw`: 0 drawn, 1 the check found errors (drawn when there is a network to
    draw), 2 usage error. A training config is mapped as `check` maps it (--from/--set, and its
    [tool.lstmshape] group)."""
    from ..draw import DrawError, draw, open_in_browser

    stderr = stderr or sys.stderr
    mapping = file_mapping(config, list(from_), list(set_), list(ext_var))
    try:
        drawing = mapped(lambda path, entries: draw(path, output, entries), config, mapping)
    except DrawError as exc:
        raise UsageError(str(exc)) from None
    print_problems(drawing.problems, stderr)  # the lines `lstmshape infer` and `check` print
    if not drawing.written:
        return exits.PROBLEMS
    sys.stdout.write(f"{one_line(output)}\n")  # the file written, as `inspect -o` names each one
    if open_browser and not open_in_browser(output):
        stderr.write(f"lstmshape: note: no browser found; the report is {one_line(output)}\n")
    return exits.PROBLEMS if any(p.is_error for p in drawing.problems) else exits.CLEAN


def inspect(file: str, format: str = "table", out_dir: str | None = None) -> int:
    """Every LSTM in a weights file, its settings read off the tensor shapes (headers only)."""
    from ..checkpoint import CheckpointError, read_checkpoint
    from ..codes import WEIGHTS_INCOMPLETE_LSTM, WEIGHTS_NO_SUCH_PREFIX
    from ..problems import ERROR
    from ..render import inspect_report as render
    from ..weightcheck import unreadable

    if not os.path.lexists(file):
        raise UsageError(f"{one_line(file)}: no such file")
    if out_dir is not None and format != "yaml":
        raise UsageError("-o writes config files: use it with --format yaml")
    try:
        checkpoint = read_checkpoint(file)
    except CheckpointError as exc:
        print_problems([unreadable(file, exc)])
        return exits.PROBLEMS
    problems = [Problem(file, 1, 1, WEIGHTS_INCOMPLETE_LSTM, ERROR, incomplete.message)
                for incomplete in checkpoint.incomplete]
    if not checkpoint.lstms and not checkpoint.incomplete:
        problems.append(Problem(file, 1, 1, WEIGHTS_NO_SUCH_PREFIX, ERROR,
                                f"no LSTM, GRU or RNN found among its {len(checkpoint.tensors)} tensors"))
    print_problems(problems)
    if out_dir is not None:
        try:
            for path in render.write_configs(checkpoint, out_dir):
                sys.stdout.write(path + "\n")
        except OSError as exc:
            raise UsageError(str(exc)) from None
    else:
        {"table": render.write_table, "json": render.write_json, "yaml": render.write_yaml}[format](
            sys.stdout, checkpoint)
    return exits.PROBLEMS if problems else exits.CLEAN


def rules(code: str | None = None) -> int:
    """Every problem code with its severity and summary; with CODE, its documentation and examples."""
    from ..codes import ALL, lookup
    from ..rules import documentation

    if code is None:
        width = max(len(c.name) for c in ALL)
        sys.stdout.write("".join(f"{c}  {c.severity:<7}  {c.name:<{width}}  {c.summary}\n" for c in ALL))
        return exits.CLEAN
    found = lookup(code)
    if found is None:
        raise UsageError(f"unknown rule {code!r}; `lstmshape rules` lists them")
    sys.stdout.write(f"{found} {found.name} ({found.severity})\n\n{documentation(found)}\n")
    return exits.CLEAN


def schema() -> int:
    """The config format's JSON Schema (draft 2020-12), built from the reader's key tables."""
    from ..schema import text

    sys.stdout.write(text())
    return exits.CLEAN
