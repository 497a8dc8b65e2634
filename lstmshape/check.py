"""`lstmshape check` as a library: find the config files, read each one, run the rules, collect
every problem in a `Report`.

No printing, no exit codes (that is lstmshape.cli's job, with a reporter from lstmshape.render).
One file's problems never stop another file from being checked, and nothing is ever written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .codes import INVALID_YAML
from .problems import ERROR, Problem
from .read import parse_text, read_config
from .rules import config_stage_problems, run_rules
from .settings import Config
from .yamlload import not_a_file

SUFFIXES = (".yaml", ".yml")


@dataclass
class Report:
    """What one `check` run found: the files read, every problem, the paths that do not exist."""

    files: list[str] = field(default_factory=list)  # every file checked, in order
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths given that do not exist (usage errors)
    empty: list[str] = field(default_factory=list)  # directories given that hold no config (usage errors)

    @property
    def complete(self) -> bool:
        """Every path given was read: a run that could not read one never says OK."""
        return not self.missing and not self.empty

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.problems))


def collect(paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The files to check (directories read recursively for *.yaml / *.yml, sorted), the paths
    given that do not exist, and the directories given that hold no config (a CI gate pointed at
    the wrong directory must not pass)."""
    files, missing, empty = [], [], []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs.sort()
                found += [os.path.join(root, name) for name in names if name.endswith(SUFFIXES)]
            files += sorted(found)
            if not found:
                empty.append(path)
        elif os.path.lexists(path):  # a broken link is a file that cannot be read (LS001)
            files.append(path)
        else:
            missing.append(path)
    return files, missing, empty


def load(path: str) -> tuple[Config | None, list[Problem]]:
    """Read one config and judge its settings (the config-stage rules, LS009): what `infer`
    reports before it works out shapes. The config is None when it has errors."""
    return judged(*read_config(path))


def load_text(text: str, name: str) -> tuple[Config | None, list[Problem]]:
    """`load` for a config held in memory (standard input), named `name` in problems."""
    return judged(*parse_text(text, name))


def judged(config: Config | None, problems: list[Problem]) -> tuple[Config | None, list[Problem]]:
    """A config as read, with the problems of its settings alone added."""
    if config is not None:
        problems = sorted(problems + config_stage_problems(config), key=lambda p: (p.line, p.column))
    return config, problems


def check_file(path: str) -> list[Problem]:
    """Every problem of one file: reading, config validation, then the shape rules."""
    refused = not_a_file(path)
    if refused:
        return [Problem(path, 1, 1, INVALID_YAML, ERROR, refused)]
    return checked(*load(path))


def check_text(text: str, name: str) -> list[Problem]:
    """`check_file` for a config held in memory (standard input)."""
    return checked(*load_text(text, name))


def checked(config: Config | None, problems: list[Problem]) -> list[Problem]:
    """A loaded config's problems with the shape rules' added, in the order of the file."""
    if config is not None:
        problems = problems + run_rules(config)
    return sorted(problems, key=lambda p: (p.line, p.column, p.code))


def check_paths(paths: list[str]) -> Report:
    """Every problem of every config under `paths`."""
    files, missing, empty = collect(paths)
    report = Report(files=files, missing=missing, empty=empty)
    for path in files:
        report.problems += check_file(path)
    return report
