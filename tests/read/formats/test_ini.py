"""INI configs (lstmshape/read/formats/ini.py): configparser without interpolation, values typed
conservatively, every option placed at its line and column, a malformed file an error at its line."""

from __future__ import annotations

import json

import pytest

from helpers import REPO, run, run_bounded, write
from lstmshape.read.formats import load_document
from lstmshape.read.formats.ini import typed
from lstmshape.yamlload import YamlError

KALDI = REPO / "configs" / "foreign" / "kaldi_timit.cfg"
KALDI_NAME = "configs/foreign/kaldi_timit.cfg"
MAPPING = ("--from", "lstm.hidden_size=architecture1.lstm_lay.0", "--from", "lstm.bidirectional=architecture1.lstm_bidir",
           "--from", "lstm.input_size=data_use.fea_dim", "--set", "lstm.num_layers=4")


def test_a_pytorch_kaldi_config_is_read_from_the_command_line_the_file_unchanged():
    before = KALDI.read_bytes()
    result = run("infer", KALDI_NAME, *MAPPING, "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    (block,) = json.loads(result.stdout)["results"]
    assert block["shapes"]["input"] == ["L", "N", 40]
    assert block["shapes"]["output"] == ["L", "N", 1100]
    assert block["shapes"]["hn"] == [8, "N", 550]
    assert KALDI.read_bytes() == before


def test_a_per_layer_list_maps_to_a_stack_one_block_per_layer():
    """pytorch-kaldi's `lstm_lay = 550,550,550,550` (issue 27, items 4 and 5): one block per size,
    each after the first fed the bidirectional output of the one before, the file unchanged."""
    before = KALDI.read_bytes()
    result = run("infer", KALDI_NAME, "--from", "lstm.hidden_size=architecture1.lstm_lay", "--from",
                 "lstm.bidirectional=architecture1.lstm_bidir", "--from", "lstm.input_size=data_use.fea_dim",
                 "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    blocks = json.loads(result.stdout)["results"]
    assert [b["shapes"]["input"] for b in blocks] == [["L", "N", 40]] + [["L", "N", 1100]] * 3
    assert [b["shapes"]["hn"] for b in blocks] == [[2, "N", 550]] * 4
    assert KALDI.read_bytes() == before


def test_per_layer_lists_are_lists_one_item_per_layer():
    doc = load_document(KALDI)
    arch = doc.data["architecture1"]
    assert arch["lstm_lay"] == [550, 550, 550, 550]
    assert arch["lstm_drop"] == [0.2, 0.2, 0.2, 0.2]
    assert arch["lstm_use_batchnorm"] == [True] * 4 and arch["lstm_act"] == ["tanh"] * 4
    assert (arch["lstm_bidir"], arch["arch_lr"], arch["opt_eps"], arch["arch_name"]) == \
        (True, 0.0016, 1e-8, "LSTM_cudnn_layers")
    assert doc.data["exp"]["cmd"] == "" and doc.data["exp"]["seed"] == 1234
    line = KALDI.read_text().splitlines().index("lstm_lay = 550,550,550,550") + 1
    assert [doc.mark(("architecture1", "lstm_lay", k)) for k in range(4)] == [(line, 12), (line, 16), (line, 20),
                                                                              (line, 24)]
    assert doc.mark(("architecture1", "lstm_lay"), key=True) == (line, 1)


@pytest.mark.parametrize("text, value", [
    ("550", 550), ("-3", -3), ("0.5", 0.5), ("1e-3", 1e-3), (".5", 0.5), ("True", True), ("off", False),
    ("yes", True), ("1", 1), ("none", "none"), ("1.2.3", "1.2.3"), ("0x10", "0x10"), ("", ""),
    ("80, 80", [80, 80]), ("relu,linear", ["relu", "linear"]), ("a,", ["a", ""]), ("9" * 5000, "9" * 5000),
])
def test_values_are_typed_conservatively(text, value):
    assert typed(text)[0] == value


def test_interpolation_is_off_and_defaults_reach_every_section(tmp_path):
    path = write(tmp_path, "a.cfg", "[DEFAULT]\nhidden = 64\n\n[model]\nsize = %(hidden)s\nlayers = 2\n")
    doc = load_document(path)
    assert doc.data == {"DEFAULT": {"hidden": 64}, "model": {"size": "%(hidden)s", "layers": 2, "hidden": 64}}
    assert doc.mark(("model", "hidden")) == (2, 10)  # where [DEFAULT] writes it


def test_a_problem_points_at_the_option_value():
    result = run("check", KALDI_NAME, "--from", "lstm.hidden_size=architecture1.arch_name", "--set",
                 "lstm.input_size=40", cwd=REPO)
    line = KALDI.read_text().splitlines().index("arch_name = LSTM_cudnn_layers") + 1
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (f"{KALDI_NAME}:{line}:13: error[LS007] hidden_size is not an integer, "
                                             "got string 'LSTM_cudnn_layers'")


@pytest.mark.parametrize("text, line, words", [
    ("hidden = 5\n[model]\n", 1, "an option before any [section] header"),
    ("[model]\nhidden = 5\n[model]\n", 3, "duplicate section [model]"),
    ("[model]\nhidden = 5\n\nhidden = 6\n", 4, "duplicate option 'hidden' in section [model]"),
    ("[model]\nhidden = 5\njust words\n", 3, "neither a [section], an option"),
])
def test_a_malformed_file_is_an_error_at_its_line(tmp_path, text, line, words):
    path = write(tmp_path, "bad.ini", text)
    with pytest.raises(YamlError) as caught:
        load_document(path)
    assert (caught.value.problem.line, caught.value.problem.code) == (line, "LS001")
    assert words in caught.value.problem.message


def test_a_project_group_maps_an_ini_file(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "timit.cfg").write_bytes(KALDI.read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.lstmshape.configs]]\nfiles = ["cfg/*.cfg"]\n'
        'from = {"lstm.hidden_size" = "architecture1.lstm_lay.0", "lstm.bidirectional" = "architecture1.lstm_bidir", '
        '"lstm.input_size" = "data_use.fea_dim"}\nset = {"lstm.num_layers" = 4}\n')
    result = run("check", cwd=tmp_path)
    assert result.returncode == 0 and "1 file OK" in result.stdout, result.stdout + result.stderr
    shown = json.loads(run("infer", "cfg/timit.cfg", "--format", "json", cwd=tmp_path).stdout)
    assert shown["results"][0]["shapes"]["hn"] == [8, "N", 550]


HOSTILE = {
    "not-utf8": b"[model]\nhidden = \xff\n",
    "nul": b"[model]\nhidden = 1\x00\n",
    "control-characters": "[mo\x1b[31mdel]\nhid\x1bden = 1\x07\n",
    "many-options": "[model]\n" + "".join(f"k{i} = {i},{i}\n" for i in range(60_000)),
    "many-sections": "".join(f"[s{i}]\nk = 1\n" for i in range(60_000)),
    "huge": "[model]\nk = " + "9," * 600_000 + "\n",
    "interpolation-bomb": "[model]\n" + "".join(f"v{i} = %(v{i + 1})s%(v{i + 1})s\n" for i in range(40)),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_ini_is_bounded(tmp_path, name):
    path = write(tmp_path, f"{name}.cfg", HOSTILE[name])
    result = run_bounded("check", path, "--from", "lstm=model", cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
