"""lstmshape.read.formats: a file read by its suffix, and --ext-var values travelling with a mapping."""

from __future__ import annotations

import pytest

from lstmshape.discovery import has_config_suffix
from lstmshape.read.formats import ExtVar, ext_var_option, load_document, split_mapping
from lstmshape.read.mapping import from_option


@pytest.mark.parametrize("name, text, data", [
    ("a.YAML", "lstm: {input_size: 1}\n", {"lstm": {"input_size": 1}}),
    ("a.Jsonnet", "{lstm: {input_size: 1 + 1}}", {"lstm": {"input_size": 2}}),
    ("a.CFG", "[lstm]\ninput_size = 3\n", {"lstm": {"input_size": 3}}),
    ("a.ini", "[lstm]\ninput_size = 3\n", {"lstm": {"input_size": 3}}),
    ("a.GIN", "lstm.input_size = 4\n", {"lstm": {"input_size": 4}}),
    ("a.txt", "lstm: {input_size: 5}\n", {"lstm": {"input_size": 5}}),  # anything else: YAML
])
def test_a_file_is_read_by_its_suffix_in_any_case(tmp_path, name, text, data):
    path = tmp_path / name
    path.write_text(text)
    assert load_document(path).data == data


def test_a_walk_takes_every_format():
    for name in ("a.yaml", "a.yml", "a.json", "a.jsonnet", "a.libsonnet", "a.cfg", "a.INI", "a.gin"):
        assert has_config_suffix(name)
    assert not has_config_suffix("a.py") and not has_config_suffix("a.toml")


def test_ext_vars_travel_with_a_mapping_and_later_ones_win():
    entry = from_option("lstm=model")
    ext_vars, entries = split_mapping((ExtVar("A", "1"), entry, ext_var_option("A=2=3", "--ext-var A=2=3"),
                                       ext_var_option(" B =", "--ext-var B=")))
    assert ext_vars == {"A": "2=3", "B": ""} and entries == (entry,)


@pytest.mark.parametrize("text", ["NOVALUE", "=1", "A\x1b=1"])
def test_a_malformed_ext_var_is_refused(text):
    with pytest.raises(ValueError, match="expected NAME=VALUE"):
        ext_var_option(text, f"--ext-var {text}")
