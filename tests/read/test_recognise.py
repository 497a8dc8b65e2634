"""Tests of lstmshape.read.recognise: which YAML and JSON files are lstmshape configs.

The recognisers in process: near_lstm (a key one edit from `lstm`), is_config (a document's
top-level keys), looks_like_config (a broken file whose `lstm` key starts a line or follows a
brace) and locate_project (the nearest pyproject.toml, none when that one has no lstmshape
table). `check --skip-non-configs` through helpers.run: workflows, compose, k8s and other YAML
skipped, typos and broken configs reported. Through the real console script (helpers.run_bounded:
5 s, 400 MB): a config after a megabyte of comment and a one-line JSON with a duplicate `lstm`
key are checked, not skipped.
"""

from __future__ import annotations


import pytest

from helpers import OTHER_YAML, SMALL, run, run_bounded, write_tree
from lstmshape.read.recognise import is_config, locate_project, looks_like_config, near_lstm


def test_a_config_after_a_megabyte_of_comment_is_not_skipped(tmp_path):
    (tmp_path / "long.yaml").write_bytes(b"#" * (1 << 20) + b"\n" + SMALL.encode())
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


# --- the recognisers themselves ------------------------------------------------------------------


@pytest.mark.parametrize("key, near", [
    ("lstm", True), ("LSTM", True), ("lstn", True), ("lsmt", True), ("lstms", True), ("lst", True), ("slstm", True),
    ("lsm", True), ("gru", False), ("lstmm2", False), ("ls", False), ("tlsm", False), ("msl", False), (3, False),
])
def test_a_key_one_edit_from_lstm_is_near_it(key, near):

    assert near_lstm(key) is near


@pytest.mark.parametrize("data, config", [
    ({"lstm": 1}, True), ({"LSMT": {}}, True), ({"data": {}, "head": []}, True), ({"framework": "keras"}, True),
    ({"jobs": {}, "on": "push"}, False), ({"data": {}, "services": {}}, False), ({}, False), ([{"lstm": 1}], False),
    (None, False),
])
def test_a_document_is_a_config_by_its_top_level_keys(data, config):

    assert is_config(data) is config


@pytest.mark.parametrize("raw, config", [
    (b"lstm:\n  hidden_size: [\n", True), (b'{"lstn": {"a": 1,}', True), (b"x: 1\n  Lstm :\n\t- [", True),
    (b"jobs:\n  build: [\n", False), (b"# lstm: in a comment\nx: [\n", False), (b"name: lstm\n: [", False),
])
def test_a_broken_file_is_a_config_when_an_lstm_key_starts_a_line_or_follows_a_brace(raw, config):

    assert looks_like_config(raw) is config


def test_the_project_file_is_the_nearest_pyproject_with_an_lstmshape_table(tmp_path):

    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[tool.lstmshape]\nconfigs = []\n")
    assert locate_project(str(deep)) == str(tmp_path / "pyproject.toml")
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.ruff]\n")  # nearer, but not ours: the search stops there
    assert locate_project(str(deep)) is None
