"""Tests of lstmshape.read.project: the [[tool.lstmshape.configs]] groups of pyproject.toml.

read_project in process: each group's globs, weights and source line, which group a file is in,
and each malformed table a MappingError naming pyproject.toml. Through helpers.run: `check`
without arguments checks every configured file (pyproject.toml found upwards), files named as
pre-commit names them are read with their group's `from`/`set` (configs/foreign/ copies) and the
command line overrides it, a bad group value is placed at its pyproject.toml line, and each
malformed group is a usage error (exit 2). Through the real console script (helpers.run_bounded:
5 s, 400 MB, a secret outside the project never printed): weights outside the project, and a
pyproject.toml nested too deeply.
"""

from __future__ import annotations

import json

import pytest

from helpers import OTHER_YAML, REPO, SMALL, project, run, run_bounded, write_tree
from lstmshape.read.mapping import MappingError
from lstmshape.read.project import read_project


def infer_json_of(path, *args, cwd=REPO):
    result = run("infer", path, *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


PYPROJECT = """\
[project]
name = "speech"

[[tool.lstmshape.configs]]
files = ["conf/*.yaml"]
from = {lstm = "model.encoder", "data.batch_size" = "data.batch_size"}

[[tool.lstmshape.configs]]
files = ["tts/**/*.yaml"]
from = {"lstm.input_size" = "tts_conf.econv_chans", "lstm.total_hidden_size" = "tts_conf.eunits"}
set = {"lstm.bidirectional" = true, "lstm.batch_first" = true}
"""


@pytest.fixture
def project_dir(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "conf").mkdir()
    (tmp_path / "tts" / "en").mkdir(parents=True)
    (tmp_path / "conf" / "asr.yaml").write_bytes((REPO / "configs/foreign/encoder_section.yaml").read_bytes())
    (tmp_path / "tts" / "en" / "taco.yaml").write_bytes((REPO / "configs/foreign/tacotron_style.yaml").read_bytes())
    write_tree(tmp_path, OTHER_YAML)
    return tmp_path


MALFORMED = {
    "unknown-key": ('files = ["conf/*.yaml"]\nform = {lstm = "model"}\n', "unknown key 'form'"),
    "weights-not-a-path": ('files = ["conf/*.yaml"]\nweights = 5\n', "weights must be a string"),
    "prefix-without-weights": ('files = ["conf/*.yaml"]\nprefix = "rnn"\n', "give weights too"),
    "files-missing": ('from = {lstm = "model"}\n', "files must be a non-empty list of globs"),
    "from-not-a-table": ('files = ["conf/*.yaml"]\nfrom = "model"\n', "from must be a table"),
    "unknown-target": ('files = ["conf/*.yaml"]\nfrom = {lstmm = "model"}\n',
                       "pyproject.toml:6:9: unknown TARGET 'lstmm'"),
    "glob-matches-nothing": ('files = ["confs/*.yaml"]\n', "files glob 'confs/*.yaml' matches no file"),
    "not-toml": ('files = ["conf/*.yaml"\n', "not valid TOML"),
}


@pytest.mark.parametrize("weights", ["/etc/hostname", "../outside/secret.yaml", "link.pt"])
def test_weights_stay_inside_the_project(tmp_path, outside, weights):
    root = project(tmp_path / "proj", '["configs/*.yaml"]', f'weights = "{weights}"\n')
    (root / "link.pt").symlink_to(outside)
    result = run_bounded("check", cwd=root)
    result.assert_harmless()
    assert result.returncode == 2 and "pyproject.toml:1: weights" in result.stderr and weights in result.stderr


def test_a_project_file_nested_deeply_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.lstmshape]\nx = " + "[" * 50_000 + "]" * 50_000 + "\n")
    (tmp_path / "model.yaml").write_text(SMALL)
    result = run_bounded("check", "model.yaml", cwd=tmp_path)
    result.assert_harmless()
    assert result.returncode == 2 and "pyproject.toml: not read: nested too deeply" in result.stderr


def test_check_without_arguments_checks_every_configured_file(project_dir):
    result = run("check", cwd=project_dir)
    assert (result.returncode, result.stdout) == (0, "all 2 files OK\n"), result.stdout + result.stderr
    nested = project_dir / "conf"
    assert run("check", cwd=nested).stdout == "all 2 files OK\n"  # pyproject.toml found upwards
    infer = infer_json_of("tts/en/taco.yaml", cwd=project_dir)
    assert infer["sources"]["lstm.hidden_size"]["from"] == "tts_conf.eunits"
    assert infer["sources"]["lstm.bidirectional"] == {"value": True, "from": "pyproject.toml:11:8",
                                                       "file": "pyproject.toml", "line": 11, "column": 8}


def test_files_given_by_pre_commit_use_their_group(project_dir):
    result = run("check", "--skip-non-configs", "conf/asr.yaml", "tts/en/taco.yaml", *sorted(OTHER_YAML), cwd=project_dir)
    assert result.stdout == "all 2 files OK; 6 other YAML/JSON files skipped (not lstmshape configs)\n"


def test_command_line_overrides_the_group(project_dir):
    result = run("check", "tts/en/taco.yaml", "--set", "lstm.bidirectional=false", cwd=project_dir)
    assert result.returncode == 0
    doc = infer_json_of("tts/en/taco.yaml", "--set", "lstm.bidirectional=false", cwd=project_dir)
    assert doc["results"][0]["params"]["weight_hh_l0"] == [2048, 512]


def test_a_bad_group_value_points_at_pyproject(project_dir):
    text = PYPROJECT.replace('"lstm.batch_first" = true', '"lstm.batch_first" = "yes"')
    (project_dir / "pyproject.toml").write_text(text)
    result = run("check", cwd=project_dir)
    assert result.returncode == 1
    assert "pyproject.toml:11:37: error[LS007] batch_first is not a boolean (true or false), got string 'yes'" in \
        result.stdout.splitlines()


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_project_table_is_a_usage_error(project_dir, case):
    body, words = MALFORMED[case]
    (project_dir / "pyproject.toml").write_text('[project]\nname = "x"\n\n[[tool.lstmshape.configs]]\n' + body)
    result = run("check", cwd=project_dir)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert words in result.stderr and result.stderr.startswith("lstmshape: error: pyproject.toml")


def test_no_arguments_and_no_project_is_a_usage_error(tmp_path):
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "check needs at least one config file or directory" in result.stderr


# --- the project file read in process ------------------------------------------------------------


def test_groups_are_read_with_their_lines_and_files_matched_per_group(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    for name in ("b.yaml", "a.yaml", "other.yml"):
        (tmp_path / "conf" / name).write_text("lstm: {input_size: 1, hidden_size: 1}\n")
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[[tool.lstmshape.configs]]\nfiles = ['conf/*.yaml']\nweights = 'w.npz'\n\n"
        "[[tool.lstmshape.configs]]\nfiles = ['conf/other.yml']\nset = {'lstm.batch_first' = true}\n")
    project = read_project(str(tmp_path / "pyproject.toml"))
    assert [g.files for g in project.groups] == [("conf/*.yaml",), ("conf/other.yml",)]
    assert [g.source.text for g in project.groups] == ["pyproject.toml:4", "pyproject.toml:8"]
    assert project.groups[0].weights == "w.npz" and project.groups[1].weights is None
    assert project.files() == ["conf/a.yaml", "conf/b.yaml", "conf/other.yml"]
    assert project.group_for("conf/other.yml") is project.groups[1]
    assert project.group_for("elsewhere.yaml") is None


def test_a_pyproject_without_the_table_is_no_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    assert read_project(str(tmp_path / "pyproject.toml")) is None


@pytest.mark.parametrize("text, words", [
    ("[tool.lstmshape]\nfiles = []\n", "[tool.lstmshape] holds only [[tool.lstmshape.configs]] tables, not files"),
    ("[tool.lstmshape]\nconfigs = 3\n", "tool.lstmshape.configs must be an array of tables"),
    ("[[tool.lstmshape.configs]]\nfile = ['a']\n", "unknown key 'file' in [[tool.lstmshape.configs]]"),
    ("[[tool.lstmshape.configs]]\nfiles = ['a']\nweights = 3\n", "weights must be a string"),
    ("[tool.lstmshape\n", "not valid TOML"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n[tool.lstmshape]\n", "nested too deeply"),
])
def test_a_malformed_table_is_a_mapping_error_naming_the_file(tmp_path, monkeypatch, text, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(MappingError) as caught:
        read_project(str(tmp_path / "pyproject.toml"))
    assert str(caught.value).startswith("pyproject.toml") and words in str(caught.value)
