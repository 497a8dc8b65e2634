"""`lstmshape check` as a library: find the config files, read each one (through its mapping:
--from/--set, or its [tool.lstmshape] group, found from the file's own directory upwards), run the
rules, collect every problem in a `Report`.

A file named is always checked (ruff's convention): one that is not an lstmshape config is an
error saying how to map it. Only discovery skips YAML and JSON that is not an lstmshape config
(lstmshape.read.recognise): a directory walk, a project group, and named files when the caller
asks for it (`skip_non_configs`, what the pre-commit hook passes, since pre-commit names every
staged YAML file).

No printing, no exit codes (that is lstmshape.cli's job, with a reporter from lstmshape.render).
One file's problems never stop another file from being checked, and nothing is ever written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .codes import INVALID_YAML
from .discovery import has_config_suffix, walk
from .problems import ERROR, WARNING, Problem, listed
from .read import parse_config, parse_text
from .read.formats import load_document, split_mapping
from .read.project import project_for
from .read.recognise import is_config, looks_like_config
from .rules import config_stage_problems, run_rules
from .settings import Config
from .yamlload import MAX_BYTES, YamlError, not_a_file

SCAN_BYTES = 256 << 20  # how far an oversized file is scanned for an `lstm` key before it counts as one


@dataclass
class Report:
    """What one `check` run found: the files read, every problem, the paths that do not exist."""

    files: list[str] = field(default_factory=list)  # every file checked, in order
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths given that do not exist (usage errors)
    skipped: list[str] = field(default_factory=list)  # YAML/JSON files that are not lstmshape configs
    empty: list[str] = field(default_factory=list)  # directories given that hold no config (usage errors)

    @property
    def complete(self) -> bool:
        """Every path given was read: a run that could not read one never says OK."""
        return not self.missing and not self.empty

    @property
    def nothing_checked(self) -> bool:
        """Every path given was read and none held a config: every format says so, never "OK"."""
        return not self.files and self.complete

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == WARNING for p in self.problems)  # a note (LS018) never fails a run

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def collect(paths: list[str]) -> tuple[list[tuple[str, bool]], list[str], list[str]]:
    """The files to check, each with whether it was discovered (found in a directory walk: YAML,
    JSON, jsonnet, INI and gin by suffix in any letter case, lstmshape.discovery's walk, never leaving the directory
    or its project) rather than named; the paths given that do not exist; and the directories
    given that hold no such file at all (a CI gate pointed at the wrong directory must not pass)."""
    files, missing, empty = [], [], []
    for path in paths:
        if os.path.isdir(path):
            project = project_for(os.path.join(path, "."))
            root = project.root or "." if project is not None else path
            found = [(f, True) for f in walk(path, root) if has_config_suffix(f)]
            files += found
            if not found:
                empty.append(path)
        elif os.path.lexists(path):  # a broken link is a file that cannot be read (LS001)
            files.append((path, False))
        else:
            missing.append(path)
    return files, missing, empty


def load(path: str, mapping: tuple = ()) -> tuple[Config | None, list[Problem]]:
    """Read one config (through `mapping` when given) and judge its settings (the config-stage
    rules, LS009): what `infer` reports before it works out shapes. None when it has errors."""
    return _load(path, mapping, recognise=False)  # type: ignore[return-value]


def load_text(text: str, name: str) -> tuple[Config | None, list[Problem]]:
    """`load` for a config held in memory (standard input), named `name` in problems."""
    return judged(*parse_text(text, name))


def _load(path: str, mapping: tuple, recognise: bool):
    """`load`, or None when `recognise` and the file is not an lstmshape config (a mapping's
    --ext-var values are the jsonnet reader's, its --from/--set entries the mapper's)."""
    ext_vars, mapping = split_mapping(mapping)
    try:
        doc = load_document(path, ext_vars)
    except YamlError as exc:
        if recognise and not mapping and not _raw_looks_like_config(path):
            return None
        return None, [exc.problem]
    if recognise and not mapping and not is_config(doc.data):
        return None
    return judged(*parse_config(doc, mapping))


def judged(config: Config | None, problems: list[Problem]) -> tuple[Config | None, list[Problem]]:
    """A config as read, with the problems of its settings alone added."""
    if config is not None:
        problems = sorted(problems + config_stage_problems(config), key=lambda p: (p.line, p.column))
    return config, problems


def _raw_looks_like_config(path: str) -> bool:
    """Whether a file that did not load may be meant as a config: scanned in 1 MiB windows (so an
    `lstm` key after a megabyte of comment is seen) up to SCAN_BYTES, past which it counts as one
    (reported, never skipped unread)."""
    window = MAX_BYTES
    try:
        with open(path, "rb") as fh:
            tail, scanned = b"", 0
            while scanned < SCAN_BYTES:
                chunk = fh.read(window)
                if not chunk:
                    return False
                if looks_like_config(tail + chunk):
                    return True
                tail, scanned = chunk[-256:], scanned + len(chunk)
            return True
    except OSError:
        return True  # unreadable: say so


def check_file(path: str, mapping: tuple = (), recognise: bool = False, weights: str | None = None,
               prefix: str | None = None) -> list[Problem] | None:
    """Every problem of one file: reading, config validation, the shape rules, and with `weights`
    the checkpoint's tensors (check --weights). With `recognise`, None for a file that is not an
    lstmshape config (and has no mapping)."""
    refused = not_a_file(path)
    if refused:
        return [Problem(path, 1, 1, INVALID_YAML, ERROR, refused)]
    loaded = _load(path, mapping, recognise)
    if loaded is None:
        return None
    problems = checked(*loaded)
    config = loaded[0]
    if weights is not None and config is not None and not any(p.is_error for p in problems):
        from .weightcheck import check_config_weights  # 5.6 ms (numpy, the checkpoint readers): --weights only

        problems += check_config_weights(config, weights, prefix)
    return problems


def check_text(text: str, name: str) -> list[Problem]:
    """`check_file` for a config held in memory (standard input)."""
    return checked(*load_text(text, name))


def checked(config: Config | None, problems: list[Problem]) -> list[Problem]:
    """A loaded config's problems with the shape rules' added, in the order of the file."""
    if config is not None:
        problems = problems + run_rules(config)
    return listed(sorted(problems, key=lambda p: (p.line, p.column, p.code)))


def check_paths(paths: list[str], mapping: tuple = (), skip_non_configs: bool = False) -> Report:
    """Check `paths` (files, or directories searched for lstmshape.discovery.SUFFIXES). A file gets the
    mapping of its project's group (the pyproject.toml found from its directory upwards), then
    `mapping` (the command line's --from/--set, which override it). A named file is checked
    whatever it holds, unless `skip_non_configs`; a discovered one without any mapping is checked
    if it is an lstmshape config and skipped otherwise. A directory given in which every file was
    skipped holds no config (`empty`: a usage error). A malformed project file: MappingError."""
    files, missing, empty = collect(paths)
    report = Report(missing=missing, empty=empty)
    for path, discovered in files:
        project = project_for(path)
        group = project.group_for(path) if project is not None else None
        entries = (group.entries if group is not None else ()) + tuple(mapping)
        weights = (group.weights, group.prefix) if group is not None else (None, None)
        problems = check_file(path, entries, discovered or skip_non_configs, *weights)
        if problems is None:
            report.skipped.append(path)
            continue
        report.files.append(path)
        report.problems += problems
    for path in paths:  # a directory of YAML none of which is an lstmshape config holds no config
        if os.path.isdir(path) and path not in report.empty and not any(_under(f, path) for f in report.files):
            report.empty.append(path)
    return report


def _under(file: str, directory: str) -> bool:
    return os.path.commonpath([os.path.abspath(file), os.path.abspath(directory)]) == os.path.abspath(directory)
