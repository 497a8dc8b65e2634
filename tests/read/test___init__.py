"""lstmshape.read's entry points: where a config's framework value is first read.

Config parsing: aliases, defaults, and every validation error at its exact line and column.
"""

from __future__ import annotations

import pytest

from helpers import REPO, run
from lstmshape import ConfigError, load_config
from lstmshape.read import parse_text


KERAS = (REPO / "configs" / "keras_bilstm.yaml").read_text()


@pytest.mark.parametrize("written", ["tf", "tensorflow", "TF", "tf2"])
def test_framework_tf_or_tensorflow_means_keras(written):
    config, problems = parse_text(KERAS.replace("framework: keras", f"framework: {written}"), "rllib.yaml")
    reference, _ = parse_text(KERAS, "keras.yaml")
    assert problems == [] and config.framework == "keras"
    assert config.blocks == reference.blocks


def test_framework_tf_from_a_mapped_file(tmp_path):
    path = tmp_path / "rllib.yaml"
    path.write_text("framework: tf\nmodel:\n  lstm_cell_size: 64\n  fcnet_hiddens: [32]\n")
    result = run("infer", path, "--from", "framework=framework", "--from", "lstm.units=model.lstm_cell_size",
                 "--from", "lstm.input_dim=model.fcnet_hiddens.0", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"framework": "keras"' in result.stdout


def test_an_unknown_framework_is_still_an_error():
    config, problems = parse_text(KERAS.replace("framework: keras", "framework: jax"), "x.yaml")
    assert config is None and "framework must be one of torch, keras, onnx, got string 'jax'" in problems[0].message


def test_load_config_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("lstm: {input_size: 0, hidden_size: x}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [p.code for p in info.value.problems] == ["LS008", "LS007"]
    assert str(info.value).startswith(f"{path}:1:20: error[LS008] input_size must be a positive integer")
