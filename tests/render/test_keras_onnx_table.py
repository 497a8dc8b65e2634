"""Tests of lstmshape.render.keras_onnx_table: `infer`'s tables for keras and onnx configs.

Through helpers.run on configs/onnx_stack.yaml and configs/keras_stack.yaml: every block, with
node names numbered on across blocks, the Transpose between ONNX nodes and the Keras weight
paths; `--matrix` of a stack with a block column (in JSON, each block's input_size from the one
before); and the Keras layer line with its shape-free arguments, as Python
(lstmshape.frameworks.keras.settings).
"""

from __future__ import annotations

import json

from helpers import REPO, run
from lstmshape.frameworks.keras import settings
from lstmshape.settings import DataConfig, KerasArguments, KerasLSTM


def test_infer_table_shows_every_block_with_node_names_running_on():
    result = run("infer", "configs/onnx_stack.yaml", cwd=REPO)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "block 0 of 2: lstm[0]" in out and "block 1 of 2: lstm[1]" in out
    assert out.index("Node lstm_0 ") < out.index("Node lstm_1 ") < out.index("Node lstm_2 ")
    assert "Y → node lstm_2 (lstm[1])'s X: Transpose(perm=[2, 0, 1, 3])" in out
    keras = run("infer", "configs/keras_stack.yaml", cwd=REPO)
    assert keras.returncode == 0, keras.stderr
    assert "bidirectional_0/forward_lstm_0/lstm_cell/kernel" in keras.stdout and "lstm_1/lstm_cell/kernel" in keras.stdout


def test_matrix_of_a_framework_stack_has_a_block_column():
    result = run("infer", "configs/keras_stack.yaml", "--matrix", "--layers", "1", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "block" in result.stdout.splitlines()[2]
    doc = json.loads(run("infer", "configs/onnx_stack.yaml", "--matrix", "--format", "json", cwd=REPO).stdout)
    assert len(doc["results"]) == 2 * 3 * 2 * 2  # layout × direction × num_layers 1, 2 × 2 blocks
    for first, second in zip(doc["results"][::2], doc["results"][1::2]):
        d = 2 if first["direction"] == "bidirectional" else 1
        assert second["input_size"] == d * first["hidden_size"] and (first["block"], second["block"]) == (0, 1)


def test_infer_shows_the_arguments_as_python():
    lstm = KerasLSTM(3, 4, arguments=KerasArguments(dropout=0.2, activation=None, stateful=True, input_shape=(None, 3)))
    assert settings(lstm, DataConfig(16, 5)) == (
        "LSTM(4, activation=None, dropout=0.2, stateful=True)(keras.Input(batch_shape=(16, None, 3)))")
    assert settings(KerasLSTM(3, 4)) == "LSTM(4)"
