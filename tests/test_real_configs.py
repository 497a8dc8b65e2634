"""Real training configs as they are (issue #9): mapped with --from/--set or a [tool.lstmshape]
group, never edited. End to end through the CLI's entry point: the parameter shapes and counts of
the torch.nn.LSTM each project builds (golden, recorded from torch by
tests/golden/record_real_configs.py, and live where torch is installed), where every value came
from, every bad input of the issue, and which YAML `check` skips."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import GOLDEN_DIR, REPO, recorder, run, run_script

RECORDER = recorder("record_real_configs")
GOLDEN = json.loads((GOLDEN_DIR / "real_configs.json").read_text())
CASES = {case["name"]: case for case in RECORDER.CASES}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def infer_json(path, *args, cwd=REPO):
    result = run("infer", path, *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(CASES))
def test_mapped_config_gives_the_model_the_project_builds(name):
    case = CASES[name]
    path = REPO / case["file"]
    before = digest(path)
    doc = infer_json(case["file"], *case["args"])
    result = doc["results"][0]
    assert result["params"] == GOLDEN[name]["params"]
    assert result["num_params"] == GOLDEN[name]["num_params"]
    assert digest(path) == before, "the user's file is never changed"
    checked = run("check", case["file"], *case["args"], cwd=REPO)
    assert (checked.returncode, checked.stdout) == (0, "1 file OK\n"), checked.stdout + checked.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_matches_live_torch(name, torch):
    assert RECORDER.record(CASES[name]) == GOLDEN[name]


def test_sources_name_the_users_lines_the_options_and_defaults():
    doc = infer_json("tests/real_configs/nemo_rnnt.yaml", *CASES["nemo_rnnt"]["args"])
    sources = doc["sources"]
    name = "tests/real_configs/nemo_rnnt.yaml"
    assert sources["lstm.hidden_size"] == {"value": 640, "from": "model.encoder.d_model", "file": name,
                                           "line": 20, "column": 14}
    assert sources["lstm.num_layers"] == {"value": 4, "from": "model.encoder.n_layers", "file": name,
                                          "line": 19, "column": 15}
    assert sources["lstm.proj_size"]["from"] == "model.encoder.proj_size"  # the interpolation ${.half}
    assert sources["lstm.input_size"] == {"value": 128, "from": "--set lstm.input_size=128", "file": "--set",
                                          "line": 1, "column": 17}
    assert sources["lstm.bias"] == {"value": True, "from": "default"}
    table = run("infer", name, *CASES["nemo_rnnt"]["args"], cwd=REPO, env={"NO_COLOR": "1"}).stdout
    assert "│ lstm.hidden_size   │ 640   │ model.encoder.d_model at tests/real_configs/nemo_rnnt.yaml:20:14" in table
    assert "│ lstm.input_size    │ 128   │ --set lstm.input_size=128" in table


def test_plain_configs_list_their_sources_too():
    doc = infer_json("configs/basic.yaml")
    assert doc["sources"]["lstm.hidden_size"]["from"] == "lstm.hidden_size"
    assert "Sources" not in run("infer", "configs/basic.yaml", cwd=REPO).stdout


def test_total_hidden_size_in_a_config_of_lstmshapes_own(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 8, total_hidden_size: 64, bidirectional: true}\n")
    assert infer_json(path)["results"][0]["params"]["weight_hh_l0"] == [128, 32]
    path.write_text("lstm: {input_size: 8, total_hidden_size: 63, bidirectional: true}\n")
    result = run("check", path)
    assert result.returncode == 1
    assert f"{path}:1:42: error[LS008] total_hidden_size 63 is summed over both directions" in result.stdout
    path.write_text("lstm: {input_size: 8, total_hidden_size: 64, hidden_size: 30, num_directions: 2}\n")
    assert ("error[LS006] total_hidden_size 64 means hidden_size 32 (64 ÷ 2 directions) but hidden_size "
            "(line 1, column 59) is 30") in run("check", path).stdout


def test_real_aliases_and_did_you_mean(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 8, rnn_units: 16, nlayers: 2, rnn_size: 3}\n")
    out = run("check", path).stdout
    assert "unknown key 'rnn_size' in 'lstm'; did you mean 'hidden_size' (or its alias 'rnn_hidden_size')?" in out
    assert out.count("error[") == 1  # rnn_units and nlayers are aliases


def test_flat_config_gets_the_from_hint(tmp_path):
    path = tmp_path / "flat.yaml"
    path.write_text("input_size: 8\nhidden_size: 16\n")
    result = run("infer", path)
    assert result.returncode == 1
    assert "its LSTM settings (input_size, hidden_size) sit at the top level: map them with --from lstm=." \
        in result.stderr
    assert infer_json(path, "--from", "lstm=.")["results"][0]["num_params"] == 4 * 16 * (8 + 16 + 2)


# --- bad input: exit 2 for usage errors, 1 for config problems, never a traceback -------------

USAGE = {
    "unknown-target": (["--from", "lstmm=model"], "--from lstmm=model: unknown TARGET 'lstmm'"),
    "unknown-key": (["--set", "lstm.hiden_size=3"], "--set lstm.hiden_size=3: 'lstm' has no setting 'hiden_size'; "
                                                    "did you mean 'lstm.hidden_size'?"),
    "no-equals": (["--from", "lstm"], "--from lstm: expected TARGET=PATH"),
    "empty-path-part": (["--from", "lstm=model..encoder"], "--from lstm=model..encoder: PATH: expected a key, an "
                                                           "index or a quoted key at column 7 of 'model..encoder'"),
    "set-a-section": (["--set", "lstm=3"], "--set lstm=3: lstm takes a mapping of settings (or a list of them: "
                                           "a stack)"),
    "set-tagged": (["--set", "lstm.input_size=!x 1"], "VALUE holds a tagged value (!x)"),
    "set-bad-yaml": (["--set", "lstm.input_size=[1"], "--set lstm.input_size=[1: VALUE is not a YAML value"),
}


@pytest.mark.parametrize("case", USAGE)
@pytest.mark.parametrize("command", ["infer", "check"])
def test_bad_mapping_options_are_usage_errors(case, command):
    args, words = USAGE[case]
    result = run(command, "configs/foreign/encoder_section.yaml", *args, cwd=REPO)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert words in result.stderr and result.stdout == ""


PROBLEMS = {
    "missing-path": (["--from", "lstm=model.encodr"],
                     "configs/foreign/encoder_section.yaml:7:1: error[LS012] path 'model.encodr' of --from "
                     "lstm=model.encodr is not in the file: 'model' has no key 'encodr'; did you mean 'encoder'?"),
    "through-a-scalar": (["--from", "lstm=seed.x"],
                         "configs/foreign/encoder_section.yaml:3:1: error[LS012] path 'seed.x' of --from lstm=seed.x "
                         "is not in the file: 'seed' is a scalar (42), which has no key 'x'"),
    "section-is-a-scalar": (["--from", "lstm=seed"],
                            "configs/foreign/encoder_section.yaml:3:7: error[LS012] path 'seed' of --from lstm=seed "
                            "is a scalar (42); expected a mapping of lstm settings"),
    "wrong-type-set": (["--from", "lstm=model.encoder", "--set", "lstm.dropout=high"],
                       "--set:1:14: error[LS007] dropout is not a number, got string 'high'"),
    "wrong-type-mapped": (["--from", "lstm=model.encoder", "--from", "lstm.batch_first=trainer.precision"],
                          "configs/foreign/encoder_section.yaml:6:14: error[LS007] batch_first is not a boolean "
                          "(true or false), got 16"),
}


@pytest.mark.parametrize("case", PROBLEMS)
def test_mapping_problems_point_at_their_source(case):
    args, line = PROBLEMS[case]
    result = run("check", "configs/foreign/encoder_section.yaml", *args, cwd=REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert line in result.stdout.splitlines(), result.stdout


def test_path_through_a_list(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("model:\n  layers:\n    - {input_size: 4, hidden_size: 8}\n")
    result = run("check", path, "--from", "lstm=model.layers.first")
    assert result.returncode == 1
    assert (f"{path}:2:3: error[LS012] path 'model.layers.first' of --from lstm=model.layers.first is not in the "
            "file: 'model.layers' is a list of 1; index it with 0..0") in result.stdout
    assert run("check", path, "--from", "lstm=model.layers.0").returncode == 0


INTERPOLATIONS = {
    "cycle": ("a: ${b}\nb: ${a}\nlstm: {input_size: 4, hidden_size: '${a}'}\n",
              "3:36: error[LS011] hidden_size is '${a}', an interpolation cycle (Recursive interpolation detected)"),
    "other-file": ("lstm: {input_size: 4, hidden_size: '${training.hidden}'}\n",
                   "1:36: error[LS011] hidden_size is '${training.hidden}': Interpolation key 'training.hidden' not "
                   "found; that key is not in this file"),
    "resolver": ("lstm: {input_size: 4, hidden_size: '${oc.env:HIDDEN}'}\n",
                 "1:36: error[LS011] hidden_size is '${oc.env:HIDDEN}', which calls the resolver 'oc.env', which "
                 "lstmshape never runs"),
    "unknown-resolver": ("lstm: {input_size: 4, hidden_size: '${my_resolver:3}'}\n",
                         "calls the resolver 'my_resolver', which lstmshape never runs"),
    "mandatory": ("lstm: {input_size: 4, hidden_size: '???'}\n",
                  "1:36: error[LS011] hidden_size is ??? (a mandatory value filled in at run time): give it with --set"),
    "ref-expression": ("n: 4\nlstm: {input_size: !ref <n> * 2, hidden_size: 8}\n",
                       "2:20: error[LS011] input_size is !ref '<n> * 2', an expression HyperPyYAML evaluates"),
    "new-object": ("lstm: {input_size: !new:torch.nn.Linear [3, 4], hidden_size: 8}\n",
                   "1:20: error[LS011] input_size is !new:torch.nn.Linear, an object HyperPyYAML would construct"),
    "fan-out": ("\n".join(["a0: 1"] + [f'a{i}: "${{a{i - 1}}}${{a{i - 1}}}"' for i in range(1, 40)])
                + "\nlstm: {input_size: 4, hidden_size: '${a39}'}\n",
                "error[LS011] hidden_size is '${a39}', which expands to more than 1000 interpolations"),
}


@pytest.mark.parametrize("case", INTERPOLATIONS)
def test_unresolvable_values(tmp_path, case):
    text, words = INTERPOLATIONS[case]
    path = tmp_path / "c.yaml"
    path.write_text(text)
    result = run_script("check", path, "--from", "lstm=lstm", timeout=20)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert words in result.stdout, result.stdout
    assert path.read_text() == text


def test_interpolations_in_a_config_of_lstmshapes_own(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm:\n  input_size: 16\n  hidden_size: ${.input_size}\ndata: {seq_len: '${lstm.input_size}'}\n")
    doc = infer_json(path)
    assert doc["results"][0]["shapes"]["output"] == [16, "N", 16]


# --- which files `check` reads --------------------------------------------------------------

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


# --- the project file -------------------------------------------------------------------------

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
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "conf").mkdir()
    (tmp_path / "tts" / "en").mkdir(parents=True)
    (tmp_path / "conf" / "asr.yaml").write_bytes((REPO / "configs/foreign/encoder_section.yaml").read_bytes())
    (tmp_path / "tts" / "en" / "taco.yaml").write_bytes((REPO / "configs/foreign/tacotron_style.yaml").read_bytes())
    write_tree(tmp_path, OTHER_YAML)
    return tmp_path


def test_check_without_arguments_checks_every_configured_file(project):
    result = run("check", cwd=project)
    assert (result.returncode, result.stdout) == (0, "all 2 files OK\n"), result.stdout + result.stderr
    nested = project / "conf"
    assert run("check", cwd=nested).stdout == "all 2 files OK\n"  # pyproject.toml found upwards
    infer = infer_json("tts/en/taco.yaml", cwd=project)
    assert infer["sources"]["lstm.hidden_size"]["from"] == "tts_conf.eunits"
    assert infer["sources"]["lstm.bidirectional"] == {"value": True, "from": "pyproject.toml:11:8",
                                                       "file": "pyproject.toml", "line": 11, "column": 8}


def test_files_given_by_pre_commit_use_their_group(project):
    result = run("check", "--skip-non-configs", "conf/asr.yaml", "tts/en/taco.yaml", *sorted(OTHER_YAML), cwd=project)
    assert result.stdout == "all 2 files OK; 6 other YAML/JSON files skipped (not lstmshape configs)\n"


def test_command_line_overrides_the_group(project):
    result = run("check", "tts/en/taco.yaml", "--set", "lstm.bidirectional=false", cwd=project)
    assert result.returncode == 0
    doc = infer_json("tts/en/taco.yaml", "--set", "lstm.bidirectional=false", cwd=project)
    assert doc["results"][0]["params"]["weight_hh_l0"] == [2048, 512]


def test_a_bad_group_value_points_at_pyproject(project):
    text = PYPROJECT.replace('"lstm.batch_first" = true', '"lstm.batch_first" = "yes"')
    (project / "pyproject.toml").write_text(text)
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert "pyproject.toml:11:37: error[LS007] batch_first is not a boolean (true or false), got string 'yes'" in \
        result.stdout.splitlines()


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


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_project_table_is_a_usage_error(project, case):
    body, words = MALFORMED[case]
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[[tool.lstmshape.configs]]\n' + body)
    result = run("check", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert words in result.stderr and result.stderr.startswith("lstmshape: error: pyproject.toml")


def test_no_arguments_and_no_project_is_a_usage_error(tmp_path):
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "check needs at least one config file or directory" in result.stderr


# --- start-up: a mapped check loads neither typer nor numpy nor rich, nor omegaconf without ${ --------

def test_mapped_check_stays_lean():
    args = [str(REPO / "configs/foreign/encoder_section.yaml"), "--from", "lstm=model.encoder", "--set=lstm.bias=true"]
    code = ("import sys\nfrom lstmshape.cli import dispatch\n"
            f"code = dispatch(['check', *{args!r}])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'rich', 'omegaconf'})\n"
            "print(code, heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_docs_worked_examples_are_real_output():
    """The docs' "Checking the configs you already have": every command there, with its whole output."""
    section = (REPO / "docs" / "checking-configs.md").read_text()
    blocks = [b.split("```", 1)[0] for b in section.split("```console\n")[1:]]
    assert len(blocks) >= 3
    for block in blocks:
        command, expected = block.split("\n", 1)
        args = shlex.split(command.removeprefix("$ lstmshape "))
        result = run(*args, cwd=REPO, env={"NO_COLOR": "1"})
        shown = [line.rstrip() for line in (result.stderr + result.stdout).strip().splitlines()]
        assert [line.rstrip() for line in expected.strip().splitlines()] == shown, command


# --- the single-reference shortcut means what omegaconf means --------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LEAVES = st.one_of(st.integers(-5, 5), st.booleans(), st.floats(allow_nan=False, width=32),
                   st.sampled_from(["x", "???", "${a}", "${.b}", "${c.a}", "a\\b", ""]))
KEYS = st.sampled_from(["a", "b", "c", "d_model"])
DOCS = st.recursive(LEAVES, lambda inner: st.dictionaries(KEYS, inner, max_size=3) | st.lists(inner, max_size=2),
                    max_leaves=8)
REFERENCES = st.sampled_from(["${a}", "${b}", "${c.a}", "${c.b}", "${.a}", "${..a}", "${c.0}", "${d_model}",
                              "${c.d_model}", "${.c.a}"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, DOCS, min_size=1, max_size=4), REFERENCES)
def test_single_reference_shortcut_agrees_with_omegaconf(data, reference):
    from omegaconf import OmegaConf

    from lstmshape.read.interpolation import single_node

    data = {**data, "c": data.get("c") if isinstance(data.get("c"), dict) else {"a": 1, "here": None}}
    data["c"]["here"] = reference
    shortcut = single_node(data, ("c", "here"), reference)
    if shortcut is None:
        return
    assert OmegaConf.create(data).c.here == shortcut
    assert type(OmegaConf.create(data).c.here) is type(shortcut)


def test_mapping_with_stdin_is_a_usage_error_and_weights_take_the_mapping():
    weights = run("check", "configs/foreign/encoder_section.yaml", "--from", "lstm=model.encoder", "--weights",
                  "tests/golden/weights/seq2seq.npz", cwd=REPO)  # mapped, then compared: which of its two LSTMs?
    assert weights.returncode == 1 and "error[LS305]" in weights.stdout and "choose one with --prefix" in weights.stdout
    stdin = run("infer", "-", "--from", "lstm=model", input="model: {input_size: 4, hidden_size: 8}\n", cwd=REPO)
    assert stdin.returncode == 2 and "give the config's path, not -" in stdin.stderr


@pytest.mark.parametrize("name", ["nemo_rnnt"])
def test_draw_maps_a_training_config_like_check(name, tmp_path):
    """`draw --from/--set` maps the file as `check` does: the picture is of the mapped LSTM, and the
    user's file is untouched; without the mapping the same file has no lstm section to draw."""
    case = CASES[name]
    path = REPO / case["file"]
    before = digest(path)
    out = tmp_path / "model.svg"
    drawn = run("draw", case["file"], *case["args"], "-o", str(out), cwd=REPO)
    assert drawn.returncode == 0 and "Traceback" not in drawn.stderr, drawn.stderr
    svg = out.read_text()
    torch_args = case["torch"]  # the nn.LSTM the project builds: c0 is (num_layers, N, hidden_size)
    assert f"c0 ({torch_args['num_layers']}, N, {torch_args['hidden_size']})" in svg
    assert digest(path) == before
    unmapped = run("draw", case["file"], "-o", str(tmp_path / "plain.svg"), cwd=REPO)
    assert unmapped.returncode == 1 and "not an lstmshape config: no 'lstm' section" in unmapped.stderr
    assert not (tmp_path / "plain.svg").exists()
