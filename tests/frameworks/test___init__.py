"""Tests of lstmshape.frameworks: `infer` over every framework, as the library's users call it.

`infer(load_config(path))` from Python, as README's library section shows: configs/bilstm.yaml
(and its eight results with matrix=True), keras and onnx configs single and stacked (a result per
block, of its framework, with its shapes and a parameter count equal to its listed parameters),
and the exact shapes and counts of configs/keras_bilstm.yaml and configs/onnx_bidirectional.yaml.
"""

from __future__ import annotations

import pytest

from helpers import REPO
from lstmshape import infer, load_config


ROOT = REPO


def test_library_gives_the_same_results():
    from lstmshape import infer, load_config

    (result,) = infer(load_config(ROOT / "configs" / "bilstm.yaml"))
    assert result.shapes["output"] == (5, 32, 40) and result.num_params == 15040
    assert len(infer(load_config(ROOT / "configs" / "bilstm.yaml"), matrix=True)) == 8


@pytest.mark.parametrize("path", ["configs/keras_bilstm.yaml", "configs/onnx_bidirectional.yaml",
                                  "configs/keras_stack.yaml", "configs/onnx_stack.yaml"])
def test_infer_load_config_from_python(path):
    """What README's library section shows, for keras and onnx configs, single and stacked."""
    config = load_config(REPO / path)
    results = infer(config)
    assert len(results) == len(config.blocks)
    for result in results:
        assert result.framework == config.framework
        shapes = result.shapes
        if config.framework == "keras":
            assert list(shapes) == ["input"] + [t.name for t in result.outputs]
        else:
            assert shapes["X"] == result.nodes[0]["X"].shape and shapes["Y"] == result.nodes[-1]["Y"].shape
            assert "W" not in shapes
        assert result.num_params == sum(p.numel.coefficient for p in result.params)


def test_infer_of_a_single_keras_and_onnx_config_keeps_its_shapes():
    (keras,) = infer(load_config(REPO / "configs/keras_bilstm.yaml"))
    assert keras.shapes == {"input": (32, 5, 10), "output": (32, 5, 40), "forward_h": (32, 20),
                            "forward_c": (32, 20), "backward_h": (32, 20), "backward_c": (32, 20)}
    assert keras.block is None and keras.num_params == 14720
    (onnx,) = infer(load_config(REPO / "configs/onnx_bidirectional.yaml"))
    assert onnx.shapes == {"X": (5, 32, 10), "initial_h": (2, 32, 20), "initial_c": (2, 32, 20),
                           "Y": (5, 2, 32, 20), "Y_h": (2, 32, 20), "Y_c": (2, 32, 20)}
    assert onnx.block is None and onnx.num_params == 15040
    assert onnx["Y"] is onnx.nodes[-1]["Y"] and onnx["lstm_1.W"].shape == (2, 80, 40)
    assert [node["W"].shape for node in onnx.nodes] == [(2, 80, 10), (2, 80, 40)]
    assert keras["forward_h"].shape == (32, 20)
