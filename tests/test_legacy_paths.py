"""Names that moved in 0.2 keep working at their old import path for one release, and mean what
they meant: `lstmshape.config.read_config` still reports LS009 with the reading (the new reader
does not run rules; `lstmshape.check.load` adds them)."""

from __future__ import annotations

import subprocess
import sys

from lstmshape import check, read, settings, shapes, translate
from lstmshape.shapes import keras as keras_shapes
from lstmshape.shapes import onnx as onnx_shapes


def test_old_paths_name_the_new_objects():
    from lstmshape import Inference, LSTMConfig, config, frameworks, surround
    from lstmshape.frameworks import keras, onnx

    assert LSTMConfig is settings.TorchLSTM and config.LSTMConfig is settings.TorchLSTM
    assert Inference is shapes.TorchShapes
    assert config.DataConfig is settings.DataConfig and config.ConfigError is read.ConfigError
    assert frameworks.infer is shapes.infer and frameworks.translate is translate.translate
    assert frameworks.KerasLSTM is settings.KerasLSTM and frameworks.OnnxLSTM is settings.OnnxLSTM
    assert keras.infer_keras is keras_shapes.infer_keras and keras.KerasInference is keras_shapes.KerasShapes
    assert onnx.infer_onnx is onnx_shapes.infer_onnx and onnx.OnnxInference is onnx_shapes.OnnxShapes
    assert surround.HeadLayer is settings.HeadLayer
    assert set(frameworks.CODES) == {"LS201", "LS202"}


def test_old_read_config_still_reports_the_config_stage_rule(tmp_path):
    from lstmshape import config

    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4, dropout: 0.5}\n")
    new_config, new_problems = read.read_config(path)
    old_config, old_problems = config.read_config(str(path))
    assert new_config == old_config and new_problems == []
    assert [p.code for p in old_problems] == ["LS009"] == [p.code for p in check.load(str(path))[1]]


def test_old_console_script_target_still_runs(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: 4}\n")
    code = "import sys; from lstmshape.entry import main; sys.argv = ['lstmshape', 'check', sys.argv[1]]; main()"
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "1 file OK\n")
