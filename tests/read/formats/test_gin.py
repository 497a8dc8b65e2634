"""gin configs (lstmshape/read/formats/gin.py): gin-config's parser, nothing imported or registered,
macros resolved, references kept as text, a malformed line an error at its line."""

from __future__ import annotations

import json
import os
import sys

import pytest

from helpers import REPO, run, run_bounded, run_script, write
from lstmshape.problems import NOTE
from lstmshape.read.formats import load_document
from lstmshape.yamlload import YamlError

TRAX = REPO / "configs" / "foreign" / "trax_rnnlm.gin"
TRAX_NAME = "configs/foreign/trax_rnnlm.gin"
MAPPING = ("--from", "lstm.input_size=RNNLM.d_model", "--from", "lstm.hidden_size=RNNLM.d_model",
           "--from", "lstm.num_layers=RNNLM.n_layers")


def test_a_trax_config_is_read_from_the_command_line_the_file_unchanged():
    before = TRAX.read_bytes()
    result = run("infer", TRAX_NAME, *MAPPING, "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    (block,) = shown["results"]
    assert block["shapes"]["input"] == ["L", "N", 512] and block["shapes"]["hn"] == [2, "N", 512]
    # the import lines: one note, which never fails a run, not even --strict
    (note,) = shown["problems"]
    assert (note["severity"], note["code"], note["line"]) == ("note", "LS018", 2)
    strict = run("check", "--strict", TRAX_NAME, *MAPPING, cwd=REPO)
    assert strict.returncode == 0 and "1 file OK" in strict.stdout, strict.stdout
    assert TRAX.read_bytes() == before


def test_bindings_become_nested_data_by_their_written_names(tmp_path):
    path = write(tmp_path, "model.gin", "import my.models\nH = 128\nRNNLM.d_model = %H\nRNNLM.cell = @LSTMCell\n"
                 "RNNLM.make = @make_cell()\nRNNLM.sizes = (1, [2, 3])\ntrain/RNNLM.d_model = 64\n"
                 "my.models.Encoder.units = 32\nEncoder:\n  dropout = 0.1\nRNNLM.d_model = 256\n"
                 "RNNLM.opts = {'a': %H, 'b': None}\nRNNLM.missing = %NOPE\n")
    doc = load_document(path)
    assert doc.data == {
        "H": 128,
        "RNNLM": {"d_model": 256, "cell": "@LSTMCell", "make": "@make_cell()", "sizes": [1, [2, 3]],
                  "opts": {"a": 128, "b": None}, "missing": "%NOPE"},
        "train/RNNLM": {"d_model": 64},
        "my": {"models": {"Encoder": {"units": 32}}},
        "Encoder": {"dropout": 0.1},
    }
    assert doc.mark(("RNNLM", "d_model")) == (11, 17)  # the later binding, as gin keeps it
    assert doc.mark(("RNNLM", "d_model"), key=True) == (11, 1)
    assert doc.mark(("my", "models", "Encoder", "units")) == (8, 27)
    assert [(p.line, p.severity, p.code) for p in doc.problems] == [(1, NOTE, "LS018")]


def test_a_macro_chain_and_a_cycle(tmp_path):
    path = write(tmp_path, "m.gin", "A = %B\nB = %C\nC = 7\nX = %Y\nY = %X\nRNNLM.a = %A\nRNNLM.x = %X\n")
    data = load_document(path).data
    # a cycle stays the text of the macro it stopped at (X reads Y, which reads X again)
    assert data["RNNLM"] == {"a": 7, "x": "%Y"}
    assert (data["A"], data["X"], data["Y"]) == (7, "%Y", "%Y")


def test_an_include_is_not_followed_and_says_so(tmp_path):
    write(tmp_path, "base.gin", "RNNLM.d_model = 99\n")
    path = write(tmp_path, "model.gin", "include 'base.gin'\nRNNLM.n_layers = 2\n")
    doc = load_document(path)
    assert doc.data == {"RNNLM": {"n_layers": 2}}
    (note,) = doc.problems
    assert note.line == 1 and note.severity == NOTE and "include 'base.gin' is not followed" in note.message


@pytest.mark.parametrize("text, line, words", [
    ("RNNLM.d_model = \n", 1, "Unable to parse value"),
    ("RNNLM.d_model = [1,\n", 2, "EOF in multi-line statement"),
    ("RNNLM.d_model = 1\nRNNLM.cell = LSTMCell\n", 2, "'LSTMCell' is not a value"),
    ("RNNLM.d_model 5\n", 1, "expected ':' or '='"),
    ("RNNLM = 5\nRNNLM.d_model = 1\n", 2, "binds inside 'RNNLM', which is bound to a value"),
])
def test_a_malformed_line_is_an_error_at_it(tmp_path, text, line, words):
    path = write(tmp_path, "bad.gin", text)
    with pytest.raises(YamlError) as caught:
        load_document(path)
    assert (caught.value.problem.line, caught.value.problem.code) == (line, "LS001")
    assert words in caught.value.problem.message
    assert "object at 0x" not in caught.value.problem.message


def test_nothing_is_imported(tmp_path):
    marker = tmp_path / "imported"
    write(tmp_path, "evil_module.py", f"open({str(marker)!r}, 'w').write('ran')\n")
    path = write(tmp_path, "model.gin", "import evil_module\nfrom evil_module import thing\nRNNLM.d_model = 4\n")
    result = run_script("check", path, "--from", "lstm.hidden_size=RNNLM.d_model", "--set", "lstm.input_size=2",
                 cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()
    load_document(path)
    assert "evil_module" not in sys.modules and not marker.exists()


def test_a_project_group_maps_a_gin_file(tmp_path):
    (tmp_path / "gin").mkdir()
    (tmp_path / "gin" / "rnnlm.gin").write_bytes(TRAX.read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.lstmshape.configs]]\nfiles = ["gin/*.gin"]\nfrom = {"lstm.input_size" = "RNNLM.d_model", '
        '"lstm.hidden_size" = "RNNLM.d_model", "lstm.num_layers" = "RNNLM.n_layers"}\n')
    result = run("check", "--strict", cwd=tmp_path)
    assert result.returncode == 0 and "1 file OK" in result.stdout, result.stdout + result.stderr


HOSTILE = {
    "deep-nesting": "RNNLM.d_model = " + "[" * 5000 + "]" * 5000 + "\n",
    "deep-dict": "RNNLM.d_model = " + "{1: " * 3000 + "1" + "}" * 3000 + "\n",
    "macro-bomb": "A0 = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"A{i + 1} = [%A{i}, %A{i}, %A{i}, %A{i}, %A{i}, %A{i}, %A{i}, %A{i}, %A{i}, %A{i}]\n" for i in range(12))
    + "RNNLM.d_model = %A12\n",
    "macro-chain": "".join(f"M{i} = %M{i + 1}\n" for i in range(5000)) + "RNNLM.d_model = %M0\n",
    "long-number": "RNNLM.d_model = " + "9" * 100_000 + "\n",
    "not-utf8": b"RNNLM.d_model = '\xff'\n",
    "nul": b"RNNLM.d_model = 1\x00\n",
    "control-characters": "RNN\x1bLM.d_model = 1\nRNNLM.x = '\x1b[31m\x07'\n",
    "include-outside": "include '/etc/passwd'\ninclude '../../secret.gin'\nRNNLM.d_model = 'x'\n",
    "many-bindings": "".join(f"C{i}.p = {i}\n" for i in range(60_000)),
    "just-under-the-size-limit": "RNNLM.d_model = [" + "1, " * 43_000 + "]\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_gin_is_bounded(tmp_path, name):
    path = write(tmp_path, f"{name}.gin", HOSTILE[name])
    result = run_bounded("check", path, "--from", "lstm.hidden_size=RNNLM.d_model", "--set", "lstm.input_size=2",
                         cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "\x1b" not in out and "\x07" not in out and "root:" not in out
    assert sorted(os.listdir(tmp_path)) == [path.name]  # nothing written


def test_a_note_is_a_github_notice_and_sarif_note():
    result = run("check", "--format", "github", TRAX_NAME, *MAPPING, cwd=REPO)
    assert result.returncode == 0
    assert result.stdout.startswith(f"::notice file={TRAX_NAME},line=2,col=1,title=lstmshape LS018 (not-followed)::")
    sarif = json.loads(run("check", "--format", "sarif", TRAX_NAME, *MAPPING, cwd=REPO).stdout)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["note"]
