"""jsonnet configs (lstmshape/read/formats/jsonnet.py): evaluated by the jsonnet library, bounded,
imports kept inside the project, std.extVar from --ext-var only, values placed in the source."""

from __future__ import annotations

import json
import os

import pytest

from helpers import REPO, SECRET, run, run_bounded, write
from lstmshape.problems import WARNING
from lstmshape.read.formats import load_document
from lstmshape.read.formats.jsonnet import scan
from lstmshape.yamlload import YamlError

SST = REPO / "configs" / "foreign" / "allennlp_sst.jsonnet"
SST_NAME = "configs/foreign/allennlp_sst.jsonnet"
ENCODER = ("--from", "lstm=model.seq2vec_encoder")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_allennlp_config_is_read_from_the_command_line_the_file_unchanged():
    before = SST.read_bytes()
    result = run("infer", SST_NAME, *ENCODER, "--ext-var", "EMBEDDING_DIM=300", "--ext-var", "TRAIN_DATA_PATH=x",
                 "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["problems"] == []
    (block,) = shown["results"]
    # input_size is `embedding_dim + char_dim`: 300 + 128, evaluated by jsonnet
    assert block["shapes"]["input"] == ["L", "N", 428]
    assert block["shapes"]["hn"] == [4, "N", 200]
    assert (block["bidirectional"], block["num_layers"]) == (True, 2)
    assert SST.read_bytes() == before


def test_an_ext_var_not_given_reads_as_empty_with_a_warning_at_the_call():
    text = SST.read_text()
    result = run("check", SST_NAME, *ENCODER, "--ext-var", "EMBEDDING_DIM=300", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    line = line_of(text, 'std.extVar("TRAIN_DATA_PATH")')
    col = text.splitlines()[line - 1].index("std.extVar") + 1
    assert (f"{SST_NAME}:{line}:{col}: warning[LS017] std.extVar('TRAIN_DATA_PATH') is not given: it reads as an "
            "empty string; give it with --ext-var TRAIN_DATA_PATH=VALUE") in result.stdout
    strict = run("check", "--strict", SST_NAME, *ENCODER, "--ext-var", "EMBEDDING_DIM=300", cwd=REPO)
    assert strict.returncode == 1


def test_a_missing_ext_var_that_breaks_evaluation_is_an_error_naming_it():
    result = run("check", SST_NAME, *ENCODER, cwd=REPO)
    assert result.returncode == 1
    text = SST.read_text()
    line = line_of(text, 'std.parseInt(std.extVar("EMBEDDING_DIM"))')
    assert f"{SST_NAME}:{line}:" in result.stdout
    assert "error[LS001] invalid jsonnet: Not an integer" in result.stdout
    assert "external variables not given, read as \"\": EMBEDDING_DIM, TRAIN_DATA_PATH" in result.stdout


def test_a_problem_points_at_the_jsonnet_line_the_value_is_written_on():
    text = SST.read_text()
    result = run("check", SST_NAME, "--from", "lstm.hidden_size=model.type", "--from",
                 "lstm.input_size=model.seq2vec_encoder.input_size", "--ext-var", "EMBEDDING_DIM=300",
                 "--ext-var", "TRAIN_DATA_PATH=x", cwd=REPO)
    line = line_of(text, 'type: "basic_classifier"')
    col = text.splitlines()[line - 1].index('"basic_classifier"') + 1
    assert result.stdout.splitlines()[0] == (f"{SST_NAME}:{line}:{col}: error[LS007] hidden_size is not an integer, "
                                             "got string 'basic_classifier'")


def test_values_are_placed_at_their_fields_through_locals_and_lists():
    doc = load_document(SST, {"EMBEDDING_DIM": "300", "TRAIN_DATA_PATH": "x"})
    text = SST.read_text().splitlines()
    # written in `local encoder = {...}`, read at model.seq2vec_encoder: the one field ending so
    hidden = next(i for i, line in enumerate(text, 1) if "hidden_size: hidden_dim" in line)
    assert doc.mark(("model", "seq2vec_encoder", "hidden_size")) == (hidden, text[hidden - 1].index("hidden_dim") + 1)
    assert doc.mark(("model", "seq2vec_encoder", "hidden_size"), key=True)[0] == hidden
    # a literal path: the field itself; a list item: where it starts
    lr = next(i for i, line in enumerate(text, 1) if "lr: 0.001" in line)
    assert doc.mark(("trainer", "optimizer", "lr")) == (lr, text[lr - 1].index("0.001") + 1)
    dims = next(i for i, line in enumerate(text, 1) if "hidden_dims: [64]" in line)
    assert doc.mark(("model", "feedforward", "hidden_dims", 0)) == (dims, text[dims - 1].index("64") + 1)
    # two fields written `embedding_dim`: the literal one (16) is the character embedding's
    chars = next(i for i, line in enumerate(text, 1) if "embedding_dim: 16" in line)
    at = ("model", "text_field_embedder", "token_embedders", "token_characters", "embedding", "embedding_dim")
    assert doc.mark(at)[0] == chars


def test_an_override_is_placed_at_the_value_evaluation_kept(tmp_path):
    path = write(tmp_path, "over.jsonnet", 'local base = {lstm: {input_size: 8, hidden_size: 4}};\n'
                 'base + {\n  lstm+: {\n    hidden_size: 16,\n  },\n}\n')
    doc = load_document(path, {})
    assert doc.data == {"lstm": {"input_size": 8, "hidden_size": 16}}
    assert doc.mark(("lstm", "hidden_size")) == (4, 18)
    assert doc.mark(("lstm", "input_size")) == (1, 34)


def test_a_field_of_another_value_is_not_where_a_value_is_placed(tmp_path):
    (tmp_path / "base.libsonnet").write_text("{ hidden_size: 64 }\n")
    path = write(tmp_path, "model.jsonnet", 'local enc = {hidden_size: 32};\n{\n  decoder: import "base.libsonnet",\n'
                 '  encoder: enc,\n}\n')
    doc = load_document(path, {})
    assert doc.mark(("encoder", "hidden_size")) == (1, 27)
    # 64 is written in the imported file only: placed at `decoder`, not at the 32 of line 1
    assert doc.mark(("decoder", "hidden_size")) == (3, 12)


def test_the_scan_skips_comments_strings_and_text_blocks():
    fields, calls = scan('// {a: 1}\n/* b: 2 */ {\n  "c d": |||\n    e: 3\n  |||,\n  f: std.extVar(\'G\'),\n}\n')
    assert set(fields) == {("c d",), ("f",)}
    assert calls == [("G", (6, 6))]


@pytest.mark.parametrize("text, line, col, words", [
    ("{lstm: }", 1, 8, 'unexpected: "}"'),
    ("{\n  lstm: {input_size: 1 +},\n}", 2, 25, 'unexpected: "}"'),
    ("{lstm: error 'no'}", 1, 8, "no"),
    ("local x = [1][5];\n{lstm: x}", 1, 11, "array bounds error"),
])
def test_a_malformed_file_is_an_error_at_jsonnets_line_and_column(tmp_path, text, line, col, words):
    path = write(tmp_path, "bad.jsonnet", text)
    with pytest.raises(YamlError) as caught:
        load_document(path, {})
    found = caught.value.problem
    assert (found.line, found.column, found.code) == (line, col, "LS001")
    assert found.message.startswith("invalid jsonnet: ") and words in found.message
    assert str(tmp_path) not in found.message  # the absolute directory is not shown


def test_a_jsonnet_lstmshape_config_is_found_in_a_directory_walk(tmp_path):
    write(tmp_path, "model.jsonnet", "local h = 32;\n{ lstm: { input_size: 16, hidden_size: h, num_layers: 2 + 1 } }\n")
    write(tmp_path, "lib.libsonnet", "{ helper(x):: x }\n")
    result = run("check", tmp_path, "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout
    assert [os.path.basename(f) for f in report["checked"]] == ["model.jsonnet"]
    assert [os.path.basename(f) for f in report["skipped"]] == ["lib.libsonnet"]


def test_a_project_group_gives_ext_vars_and_maps_the_file(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "sst.jsonnet").write_bytes(SST.read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.lstmshape.configs]]\nfiles = ["configs/*.jsonnet"]\nfrom = {lstm = "model.seq2vec_encoder"}\n'
        'ext-vars = {EMBEDDING_DIM = "300", TRAIN_DATA_PATH = "data/train.txt"}\n')
    result = run("check", cwd=tmp_path)
    assert result.returncode == 0 and "1 file OK" in result.stdout, result.stdout + result.stderr
    result = run("infer", "configs/sst.jsonnet", "--format", "json", cwd=tmp_path)
    assert json.loads(result.stdout)["results"][0]["shapes"]["input"] == ["L", "N", 428]
    # --ext-var overrides the group's value
    result = run("infer", "configs/sst.jsonnet", "--ext-var", "EMBEDDING_DIM=100", "--format", "json", cwd=tmp_path)
    assert json.loads(result.stdout)["results"][0]["shapes"]["input"] == ["L", "N", 228]
    (tmp_path / "pyproject.toml").write_text('[[tool.lstmshape.configs]]\nfiles = ["configs/*.jsonnet"]\n'
                                             'ext-vars = {EMBEDDING_DIM = 300}\n')
    bad = run("check", cwd=tmp_path)
    assert bad.returncode == 2 and "ext-vars must be a table of NAME = \"VALUE\" strings" in bad.stderr


def test_a_malformed_ext_var_option_is_a_usage_error():
    result = run("check", SST_NAME, "--ext-var", "NOVALUE", cwd=REPO)
    assert result.returncode == 2 and "--ext-var NOVALUE: expected NAME=VALUE" in result.stderr


def test_imports_inside_the_project_are_read(tmp_path):
    (tmp_path / "lib").mkdir()
    write(tmp_path, "lib/sizes.libsonnet", "{ hidden: 24 }\n")
    path = write(tmp_path, "model.jsonnet", 'local sizes = import "lib/sizes.libsonnet";\n'
                 '{ lstm: { input_size: 8, hidden_size: sizes.hidden } }\n')
    assert load_document(path, {}).data == {"lstm": {"input_size": 8, "hidden_size": 24}}


HOSTILE = {
    "exponential-recursion": "local f(n) = if n == 0 then 1 else f(n - 1) + f(n - 1);\n{lstm: {input_size: f(80), "
                             "hidden_size: 1}}",
    "endless-recursion": "local f(x) = f(x) + f(x);\n{lstm: {input_size: f(1), hidden_size: 1}}",
    "string-doubling": "local s(n) = if n == 0 then 'xxxxxxxx' else s(n - 1) + s(n - 1);\n{lstm: {input_size: "
                       "std.length(s(40)), hidden_size: 1}}",
    "huge-output": "{lstm: {input_size: std.range(1, 2000000), hidden_size: 1}}",
    "deep-output": "local f(n) = if n == 0 then 1 else {a: f(n - 1)};\n{lstm: {input_size: f(300), hidden_size: 1}}",
    "absolute-import": 'local p = importstr "/etc/passwd";\n{lstm: {input_size: p, hidden_size: 1}}',
    "climbing-import": 'local p = importstr "../../../../../../../../etc/hostname";\n{lstm: {input_size: p}}',
    "home-import": 'local p = importstr "~/.bashrc";\n{lstm: {input_size: p}}',
    "environment": '{lstm: {input_size: std.extVar("LSTMSHAPE_TEST_SECRET"), hidden_size: 1}}',
    "native": '{lstm: {input_size: std.native("system")("echo hi"), hidden_size: 1}}',
    "control-characters": '{lstm: {"in\\u001b[31mput": 1, hidden_size: error "\\u001b]0;title\\u0007bad"}}',
    "self-import": 'import "self-import.jsonnet"',
    "not-utf8": b'{lstm: {input_size: "\xff\xfe", hidden_size: 1}}',
    "nul": b'{lstm: {input_size: 1,\x00 hidden_size: 1}}',
    "deep-source": "{lstm: " + "[" * 20000 + "]" * 20000 + "}",
    "slow-computed-ext-vars": "local slow(n) = if n == 0 then 0 else slow(n - 1) + slow(n - 1);\n{lstm: {input_size: "
                              "[std.extVar('V' + (slow(21) + k)) for k in std.range(0, 20)], hidden_size: 1}}",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_jsonnet_is_bounded_and_reads_nothing_outside(tmp_path, name):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET)
    path = write(project, f"{name}.jsonnet", HOSTILE[name])
    result = run_bounded("check", path, cwd=project)
    result.assert_harmless(path)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "root:" not in out and "\x1b" not in out and "\x07" not in out
    assert sorted(os.listdir(project)) == [path.name]  # nothing written


def test_an_import_through_a_symlink_out_of_the_project_is_refused(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.libsonnet").write_text('"%s"' % SECRET)
    os.symlink(tmp_path / "secret.libsonnet", project / "link.libsonnet")
    path = write(project, "model.jsonnet", 'local s = import "link.libsonnet";\n{lstm: {input_size: s, hidden_size: 1}}')
    result = run_bounded("check", path, cwd=project)
    result.assert_harmless(path)
    assert result.returncode == 1 and "outside the project" in result.stdout
    with pytest.raises(YamlError) as caught:
        load_document(path, {})
    assert (caught.value.problem.line, caught.value.problem.column) == (1, 11)


def test_an_unset_ext_var_found_only_by_evaluating_is_warned_at_its_call(tmp_path):
    path = write(tmp_path, "model.jsonnet", 'local name = "HID" + "DEN";\n{lstm: {input_size: 4, hidden_size: '
                 'std.length(std.extVar(name)) + 3}}')
    doc = load_document(path, {})
    assert doc.data == {"lstm": {"input_size": 4, "hidden_size": 3}}
    (warning,) = doc.problems
    assert (warning.line, warning.severity, warning.code) == (2, WARNING, "LS017")
    assert "std.extVar('HIDDEN')" in warning.message


def test_draw_takes_ext_vars(tmp_path):
    out = tmp_path / "sst.svg"
    result = run("draw", SST_NAME, *ENCODER, "--ext-var", "EMBEDDING_DIM=300", "--ext-var", "TRAIN_DATA_PATH=x",
                 "-o", out, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "428" in out.read_text()  # the input's features, evaluated by jsonnet
