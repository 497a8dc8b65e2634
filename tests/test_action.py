"""The GitHub Action (action.yml): valid against GitHub's action metadata schema (check-jsonschema's
vendored copy), and its steps run as written, the way the runner runs a composite action: each
`${{ }}` expression replaced by its value, each `run:` a bash script (`bash --noprofile --norc -eo
pipefail`) in GITHUB_WORKSPACE with GITHUB_ACTIONS, GITHUB_STEP_SUMMARY and the step's `env:`.
The `actions/setup-python` step is the one not run: a fresh virtualenv stands in for the Python it
sets up, so the action's own `pip install` of its checkout runs for real (into that virtualenv)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from helpers import BAD, GOOD, REPO, made_once

RUNNER_BASH = ("bash", "--noprofile", "--norc", "-eo", "pipefail")  # GitHub's `shell: bash`
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# what of this repository the action's checkout needs for `pip install` of it (the runner checks
# out all of it; a copy, so that building the wheel writes nothing into the working tree)
CHECKOUT = ("action.yml", "pyproject.toml", "README.md", "MANIFEST.in", "CHANGELOG.md", "CONTRIBUTING.md",
            "lstmshape", "configs", "examples")


def validate_metadata(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema (the test extra's) with its vendored GitHub action metadata schema."""
    program = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run([str(program), "--builtin-schema", "vendor.github-actions", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_action_metadata_is_valid():
    result = validate_metadata(REPO / "action.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_metadata_schema_rejects_a_broken_action(tmp_path):
    """The validator is not a no-op: a composite step without `shell:` is refused."""
    meta = yaml.safe_load((REPO / "action.yml").read_text())
    del meta["runs"]["steps"][-1]["shell"]
    broken = tmp_path / "action.yml"
    broken.write_text(yaml.safe_dump(meta))
    assert validate_metadata(broken).returncode == 1


def test_inputs_reach_scripts_through_env_only():
    """No `${{ inputs.* }}` inside a script: an input is data, never shell code."""
    for step in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"]:
        assert "inputs." not in step.get("run", "")


# --- the harness --------------------------------------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    summary: str


def make_action(directory: Path) -> None:
    """What the runner has before the action's check step: the action's checkout
    (directory/lstmshape), the Python actions/setup-python leaves on PATH (directory/venv: a fresh
    virtualenv with pip, nothing of lstmshape), and the action's install step run into it as
    written (directory/install.sh: the script it ran). The step depends on no input of the action,
    only on github.action_path, so every run of the action would install the same files: the tests
    of this module share this one install, made once per session (MADE_ONCE)."""
    action_path = directory / "lstmshape"
    action_path.mkdir()
    for name in CHECKOUT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, action_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, action_path / name)
    subprocess.run([sys.executable, "-m", "venv", str(directory / "venv")], check=True, timeout=120)
    (install,) = [step for step in steps(action_path) if step.get("name") == "Install lstmshape"]
    workspace = directory / "workspace"
    workspace.mkdir()
    proc = run_step(install, context(action_path, {}), runner_env(directory, workspace), workspace)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (directory / "install.sh").write_text(evaluate(install["run"], context(action_path, {})))


MADE_ONCE = {"action": make_action}


@pytest.fixture
def action(tmp_path_factory) -> Path:
    return made_once(tmp_path_factory, "action", make_action)


def steps(action_path: Path) -> list[dict]:
    return yaml.safe_load((action_path / "action.yml").read_text())["runs"]["steps"]


def evaluate(text: str, context: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        assert match[1] in context, f"an expression the harness does not know: {match[0]}"
        return context[match[1]]

    return EXPRESSION.sub(value, text)


def context(action_path: Path, inputs: dict[str, str]) -> dict[str, str]:
    """The values of the action's `${{ }}` expressions: its inputs (given or default) and its path."""
    declared = yaml.safe_load((action_path / "action.yml").read_text())["inputs"]
    assert {name.replace("_", "-") for name in inputs} <= set(declared)
    values = {f"inputs.{name}": inputs.get(name.replace("-", "_"), spec.get("default", ""))
              for name, spec in declared.items()}
    return {**values, "github.action_path": str(action_path)}


def runner_env(action: Path, workspace: Path) -> dict[str, str]:
    """The environment of the action's steps: the runner's variables, setup-python's Python first
    on PATH, and not the test's own lstmshape."""
    ours = str(Path(sys.executable).parent)
    path = [str(action / "venv" / "bin")] + [p for p in os.environ["PATH"].split(os.pathsep) if p != ours]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "LSTMSHAPE_", "VIRTUAL_ENV"))}
    return {**base, "PATH": os.pathsep.join(path), "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(workspace.parent / "step_summary.md"),
            "GITHUB_ACTION_PATH": str(action / "lstmshape")}


def run_step(step: dict, context: dict[str, str], env: dict[str, str], workspace: Path) -> subprocess.CompletedProcess:
    """One `run:` step as the runner runs it: expressions replaced, a bash script in the workspace
    with the step's `env:`."""
    assert step["shell"] == "bash"
    script = workspace.parent / "step.sh"
    script.write_text(evaluate(step["run"], context))
    step_env = {key: evaluate(str(value), context) for key, value in step.get("env", {}).items()}
    return subprocess.run([*RUNNER_BASH, str(script)], cwd=workspace, env={**env, **step_env},
                          capture_output=True, text=True, timeout=600)


def run_action(action: Path, workspace: Path, **inputs: str) -> Run:
    action_path = action / "lstmshape"
    values = context(action_path, inputs)
    summary = workspace.parent / "step_summary.md"
    summary.write_text("")
    for step in steps(action_path):
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")  # stood in for by action/venv
            continue
        if step.get("name") == "Install lstmshape":
            # run as written into this Python by make_action: the same script
            assert evaluate(step["run"], values) == (action / "install.sh").read_text()
            continue
        proc = run_step(step, values, runner_env(action, workspace), workspace)
        if proc.returncode:
            break  # the runner stops the action at a failing step
    return Run(proc.returncode, proc.stdout, proc.stderr, summary.read_text())


@pytest.fixture
def workspace(tmp_path) -> Path:
    repo = tmp_path / "repo"
    (repo / "configs").mkdir(parents=True)
    (repo / "configs" / "good.yaml").write_text(GOOD)
    (repo / "configs" / "bad.yaml").write_text(BAD)
    return repo


def test_action_annotates_summarises_and_writes_sarif(action, workspace):
    run = run_action(action, workspace, files="configs", sarif_file="lstmshape.sarif")
    assert run.returncode == 1, run.stderr
    assert run.stdout.startswith("::error file=configs/bad.yaml,line=3,col=27,title=lstmshape LS101 "
                                 "(head-in-features)::head[0].in_features is 20 but output has 40 features")
    assert run.summary.startswith("### lstmshape check\n\n❌ **1 error in 1 of 2 files**\n")
    assert "| ❌ error | [configs/bad.yaml:3:27](configs/bad.yaml#L3) | `LS101` head-in-features |" in run.summary
    assert "<details><summary><code>LS101</code> head-in-features" in run.summary
    sarif = json.loads((workspace / "lstmshape.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results] == \
        [("LS101", "configs/bad.yaml")]


def test_action_passes_a_clean_tree_with_args(action, workspace):
    (workspace / "configs" / "bad.yaml").unlink()
    run = run_action(action, workspace, files="configs/good.yaml\nconfigs", args="--strict")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""  # no annotation
    assert run.summary.startswith("### lstmshape check\n\n✅ **all 2 files OK**\n")
    assert not any(workspace.glob("*.sarif"))


def test_action_format_input_and_a_missing_path(action, workspace):
    run = run_action(action, workspace, files="configs/good.yaml missing.yaml", format="junit")
    assert run.returncode == 2
    assert run.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert run.stderr.count("lstmshape: error: missing.yaml: no such file or directory") == 1
    assert "- ❌ not checked: missing.yaml: no such file or directory" in run.summary


def test_action_runs_no_input_as_shell_code(action, workspace):
    run = run_action(action, workspace, files="configs/good.yaml $(touch pwned) `touch pwned2`",
                     args="; touch pwned3")
    assert run.returncode == 2
    assert not [p.name for p in workspace.iterdir() if p.name.startswith("pwned")]
