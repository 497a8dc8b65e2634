"""`check` as a gate: a file named is always checked, only discovery skips YAML that is not an
lstmshape config, "OK" never stands for nothing checked, the project file is found from each
checked file's directory, and `infer` shows every problem `check` would. End to end through the
CLI's entry point."""

from __future__ import annotations

import json
import os

import pytest

from helpers import REPO, run

NOT_CONFIGS = {
    "empty.yaml": (b"", "LS001", "file is empty"),
    "list.yaml": (b"- 1\n- 2\n", "LS003", "top level is a list"),
    "scalar.yaml": (b"42\n", "LS003", "top level is a scalar"),
    "invalid.yaml": (b"name: [ci\non: push\n", "LS001", "invalid YAML"),
    "binary.yaml": (bytes(range(256)) * 4, "LS001", "NUL byte"),
    "workflow.yml": (b"name: CI\non: [push]\njobs: {}\n", "LS003", "not an lstmshape config: no 'lstm' section"),
    "flat.yaml": (b"hidden_size: 20\ninput_size: 10\n", "LS003", "not an lstmshape config"),
    "huge.yaml": (b"name: x\n" + b"#" * (2 << 20) + b"\n", "LS001", "larger than"),
    "manifest.json": (b'{"name": "site", "version": "1.0.0"}\n', "LS003", "not an lstmshape config"),
}


@pytest.mark.parametrize("name", sorted(NOT_CONFIGS))
def test_a_named_file_is_always_checked(tmp_path, name):
    data, code, words = NOT_CONFIGS[name]
    path = tmp_path / name
    path.write_bytes(data)
    for strict in ((), ("--strict",)):
        result = run("check", path, *strict)
        assert result.returncode == 1, result.stdout + result.stderr
        first = result.stdout.splitlines()[0]
        assert first.startswith(f"{path}:") and f"error[{code}]" in first and words in first, first
        assert "OK" not in result.stdout
    report = json.loads(run("check", "--format", "json", path).stdout)
    assert report["checked"] == [str(path)] and report["problems"][0]["code"] == code


@pytest.mark.parametrize("name", sorted(NOT_CONFIGS))
def test_skip_non_configs_skips_them_and_says_nothing_was_checked(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(NOT_CONFIGS[name][0])
    result = run("check", "--skip-non-configs", path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)\n"


def test_nothing_checked_is_said_in_every_format(tmp_path):
    path = tmp_path / "ci.yml"
    path.write_text("name: CI\non: [push]\n")
    text = run("check", "--skip-non-configs", "--strict", path)
    assert text.returncode == 0 and "OK" not in text.stdout and "no config checked" in text.stdout
    report = json.loads(run("check", "--skip-non-configs", "--format", "json", path).stdout)
    assert report == {"summary": "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)",
                      "checked": [], "skipped": [str(path)], "unread": [], "problems": []}
    sarif = json.loads(run("check", "--skip-non-configs", "--format", "sarif", path).stdout)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert sarif["runs"][0]["results"] == []
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [report["summary"]]
    github = run("check", "--skip-non-configs", "--format", "github", path)
    assert github.stdout == f"::notice title=lstmshape::{report['summary']}\n"


def test_verbose_names_every_skipped_file(tmp_path):
    (tmp_path / "ci.yml").write_text("name: CI\n")
    (tmp_path / "model.yaml").write_text("lstm: {input_size: 3, hidden_size: 4}\n")
    result = run("check", "-v", tmp_path)
    assert result.returncode == 0
    assert result.stdout == "1 file OK; 1 other YAML/JSON file skipped (not lstmshape configs)\n"
    assert result.stderr == (f"lstmshape: skipped {tmp_path / 'ci.yml'}: not an lstmshape config, and no "
                             "[tool.lstmshape] group maps it\n")
    assert run("check", tmp_path).stderr == ""


@pytest.mark.parametrize("nested, section", [("model:\n  encoder:\n    input_size: 80\n    hidden_size: 256\n"
                                              "  decoder:\n    vocab: 30\n", "model.encoder"),
                                             ("input_dim: 80\nhidden_dim: 256\nlr: 0.1\n", ".")])
def test_the_hint_names_where_the_lstm_settings_sit(tmp_path, nested, section):
    path = tmp_path / "train.yaml"
    path.write_text(nested)
    result = run("check", path)
    assert result.returncode == 1
    assert f"map them with --from lstm={section}, or in pyproject.toml: [[tool.lstmshape.configs]] " \
           f'files = ["{path}"], from = {{lstm = "{section}"}}' in result.stdout
    mapped = run("check", path, "--from", f"lstm={section}")
    assert mapped.returncode == 0, mapped.stdout


def test_directory_walks_skip_tool_directories_and_read_upper_case_suffixes(tmp_path):
    bad = "lstm: {input_size: 0, hidden_size: 4}\n"
    for skipped in (".git", ".venv", "venv", "node_modules", ".cache", "__pycache__", ".tox", ".mypy_cache"):
        (tmp_path / skipped / "deep").mkdir(parents=True)
        (tmp_path / skipped / "deep" / "model.yaml").write_text(bad)
    for name in ("a.YAML", "b.YML", "c.JSON"):
        (tmp_path / name).write_text('{"lstm": {"input_size": 3, "hidden_size": 4}}\n')
    result = run("check", "--format", "json", tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout
    assert sorted(os.path.basename(f) for f in report["checked"]) == ["a.YAML", "b.YML", "c.JSON"]


def project_tree(root):
    (root / "configs").mkdir(parents=True)
    (root / "configs" / "train.yaml").write_text("model:\n  rnn:\n    input_size: 40\n    hidden_size: 0\n")
    (root / "pyproject.toml").write_text('[[tool.lstmshape.configs]]\nfiles = ["configs/*.yaml"]\n'
                                         'from = {lstm = "model.rnn"}\n')
    return root / "configs" / "train.yaml"


def test_the_project_file_is_found_from_the_checked_files_directory(tmp_path):
    train = project_tree(tmp_path / "proj")
    inside = run("check", "configs/train.yaml", cwd=tmp_path / "proj")
    outside = run("check", train, cwd="/")
    assert inside.returncode == outside.returncode == 1
    assert "error[LS008] hidden_size must be" in outside.stdout
    assert outside.stdout.replace(str(train), "configs/train.yaml") == inside.stdout
    inferred = run("infer", train, cwd="/")
    assert inferred.returncode == 1 and f"{train}:4:18: error[LS008]" in inferred.stderr


def test_infer_shows_every_problem_check_would(tmp_path):
    path = tmp_path / "bilstm.yaml"
    path.write_text("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n"
                    "head:\n  - linear: {in_features: 20, out_features: 5}\n")
    checked = run("check", path)
    inferred = run("infer", path)
    problems = [line for line in checked.stdout.splitlines() if "error[" in line]
    assert problems and checked.returncode == 1
    assert inferred.returncode == 1
    assert "output" in inferred.stdout  # the tables are still shown ...
    assert inferred.stderr.splitlines()[:len(problems)] == problems  # ... and every problem after them
    document = json.loads(run("infer", "--format", "json", path).stdout)
    assert [p["code"] for p in document["problems"]] == ["LS101"]


def test_shipped_configs_still_infer_cleanly():
    for config in sorted((REPO / "configs").glob("*.yaml")):
        if config.name == "broken.yaml":
            continue
        result = run("infer", config)
        assert result.returncode == 0, (config, result.stderr)
