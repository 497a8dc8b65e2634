"""Hostile repositories for the gate: project files and directory walks that would read outside
the project or never end, file names built to forge CI log commands or break an encoder, and
bounds that must never turn into a false OK. End to end through the console script, each input
built here, time and memory measured in the child (5 s, 400 MB).

Real training configs as they are (issue #9): mapped with --from/--set or a [tool.lstmshape]
group, never edited. End to end through the CLI's entry point: the parameter shapes and counts of
the torch.nn.LSTM each project builds (golden, recorded from torch by
tests/golden/record_real_configs.py, and live where torch is installed), where every value came
from, every bad input of the issue, and which YAML `check` skips.
"""

from __future__ import annotations

from pathlib import Path

from helpers import run, run_bounded


GOOD = "lstm: {input_size: 3, hidden_size: 4}\n"


OTHER_YAML = {
    ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks: []\n",
    ".github/workflows/ci.yml": "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    "compose.yaml": "services:\n  web:\n    image: nginx\n",
    "deploy/k8s.yaml": "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n",
    "playbook.yml": "- hosts: all\n  tasks: []\n",
    "package.json": '{"name": "site", "version": "1.0.0"}\n',
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_config_after_a_megabyte_of_comment_is_not_skipped(tmp_path):
    (tmp_path / "long.yaml").write_bytes(b"#" * (1 << 20) + b"\n" + GOOD.encode())
    result = run_bounded("check", tmp_path)
    result.assert_harmless(tmp_path / "long.yaml")
    assert result.returncode == 1 and "error[LS001]" in result.stdout and "larger than" in result.stdout


def test_a_one_line_json_with_a_duplicate_lstm_key_is_not_skipped(tmp_path):
    (tmp_path / "model.json").write_text('{"lstm": {"input_size": 3, "hidden_size": 4}, "lstm": {"input_size": 1}}')
    result = run_bounded("check", tmp_path)
    result.assert_harmless(tmp_path / "model.json")
    assert result.returncode == 1 and "error[LS002]" in result.stdout


def test_other_yaml_is_skipped_and_typos_are_reported(tmp_path):
    write_tree(tmp_path, OTHER_YAML)
    write_tree(tmp_path, {"configs/good.yaml": "lstm: {input_size: 4, hidden_size: 8}\n",
                          "configs/typo.yaml": "lstn:\n  input_size: 4\n  hidden_size: 8\n",
                          "configs/broken.yaml": "lstm:\n  input_size: [4\n"})
    result = run("check", "--skip-non-configs", *sorted(OTHER_YAML), "configs/good.yaml", "configs/typo.yaml",
                 "configs/broken.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "configs/typo.yaml:1:1: error[LS004] unknown key 'lstn' at top level; did you mean 'lstm'?" in lines
    assert any(line.startswith("configs/broken.yaml:3:1: error[LS001] invalid YAML") for line in lines)
    assert lines[-1] == "3 errors in 2 of 3 files; 6 other YAML/JSON files skipped (not lstmshape configs)"
    clean = run("check", "--skip-non-configs", *sorted(OTHER_YAML), "configs/good.yaml", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "1 file OK; 6 other YAML/JSON files skipped (not lstmshape configs)\n")
