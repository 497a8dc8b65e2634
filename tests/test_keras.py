"""Keras configs: validation, the shape engine against real Keras 3 (live, KERAS_BACKEND=torch)
and against goldens recorded from it, and the NumPy Keras forward pass against Keras' own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import recorder
from lstmshape.read import parse_text, read_config
from lstmshape.settings import DataConfig, KerasLSTM
from lstmshape.convert import keras_forward, keras_layers_from_list
from lstmshape.frameworks import infer
from lstmshape.frameworks.keras import infer_keras

HERE = Path(__file__).parent
rec = recorder("record_frameworks")
GOLDEN = json.loads((HERE / "golden" / "frameworks" / "keras_shapes.json").read_text())


def ours(case: dict):
    return infer_keras(KerasLSTM(**case), DataConfig(rec.BATCH, rec.SEQ))


def check_against(result, observed: dict) -> None:
    assert [list(t.shape) for t in result.outputs] == observed["outputs"]
    assert result.num_params == observed["count_params"]
    assert {p.name: list(p.shape) for p in result.params} == observed["weights"]
    assert [p.name for p in result.params] == list(observed["weights"])


@pytest.mark.parametrize("observed", GOLDEN["cases"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_shapes_match_golden_recorded_from_keras(observed):
    check_against(ours(observed["case"]), observed)


def test_golden_covers_the_grid():
    assert [o["case"] for o in GOLDEN["cases"]] == rec.keras_cases()


@pytest.mark.oracle
def test_shapes_arity_and_params_match_live_keras(keras):
    for case in rec.keras_cases():
        check_against(ours(case), rec.observe_keras(case))


@pytest.mark.oracle
def test_forward_matches_keras_with_the_same_weights(keras):
    rng = np.random.default_rng(0)
    for case in rec.keras_cases():
        model = rec.build_keras(case)
        weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
        model.set_weights(weights)
        layers = keras_layers_from_list(weights, case["num_layers"], case["bidirectional"], case["use_bias"])
        x = rng.standard_normal((rec.BATCH, rec.SEQ, case["input_dim"])).astype(np.float32)
        expected = rec.keras_outputs(model, x)
        got = keras_forward(x, layers, case["return_sequences"], case["return_state"], case["go_backwards"],
                            case["merge_mode"])
        assert len(got) == len(expected), case
        for a, b in zip(got, expected):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, atol=1e-5, err_msg=str(case))


@pytest.mark.oracle
def test_keras_refuses_go_backwards_in_bidirectional_and_so_do_we(keras):
    with pytest.raises(ValueError, match="go_backwards"):
        keras.layers.Bidirectional(keras.layers.LSTM(4, go_backwards=True))
    config, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, bidirectional: true, go_backwards: true}\n")
    assert config is None and [p.code for p in problems] == ["LS008"]


# --------------------------------------------------------------------------------------- configs


def test_example_config():
    config, problems = read_config("configs/keras_bilstm.yaml")
    assert problems == [] and config.framework == "keras"
    (result,) = infer(config)
    assert [t.shape for t in result.outputs] == [(32, 5, 40), (32, 20), (32, 20), (32, 20), (32, 20)]
    # per direction: kernel (in, 80) + recurrent_kernel (20, 80) + bias (80,); layer 1 reads 40 features
    assert result.num_params == 2 * (10 * 80 + 20 * 80 + 80) + 2 * (40 * 80 + 20 * 80 + 80) == 14720


def test_validation_messages_have_positions_and_hints():
    text = (
        "framework: keras\n"
        "lstm:\n"
        "  input_dim: 10.0\n"
        "  units: 20\n"
        "  return_sequence: true\n"
        "  hidden_size: 20\n"
        "  merge_mode: concatenate\n"
        "  bidirectional: true\n"
    )
    config, problems = parse_text(text, "k.yaml")
    assert config is None
    got = {(p.line, p.column, p.code) for p in problems}
    assert got == {(3, 14, "LS007"), (5, 3, "LS004"), (6, 3, "LS004"), (7, 15, "LS008")}
    messages = " | ".join(p.message for p in problems)
    assert "did you mean 'return_sequences'" in messages
    assert "Keras calls it 'units'" in messages
    assert "did you mean 'concat'" in messages


def test_merge_mode_null_cannot_be_stacked_and_merge_mode_alone_warns():
    config, problems = parse_text(
        "framework: keras\nlstm: {input_dim: 3, units: 4, num_layers: 2, bidirectional: true, merge_mode: null}\n")
    assert config is None and problems[0].code == "LS008" and "merge_mode null" in problems[0].message
    config, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, merge_mode: sum}\n")
    assert config is not None and [(p.code, p.severity) for p in problems] == [("LS203", "warning")]


def test_unbatched_and_unknown_framework_are_errors():
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4}\ndata: {unbatched: true}\n")
    assert [p.code for p in problems] == ["LS008"] and "always 3-D" in problems[0].message
    _, problems = parse_text("framework: jax\nlstm: {input_dim: 3, units: 4}\n")
    assert [p.code for p in problems] == ["LS008"] and (problems[0].line, problems[0].column) == (1, 12)


def test_matrix_spans_keras_axes():
    config, _ = read_config("configs/keras_bilstm.yaml")
    results = infer(config, matrix=True)
    axes = {(r.lstm.bidirectional, r.lstm.return_sequences, r.lstm.return_state, r.lstm.num_layers) for r in results}
    assert len(results) == len(axes) == 16


def test_torch_configs_are_untouched_by_the_framework_key():
    plain, _ = read_config("configs/bilstm.yaml")
    text = Path("configs/bilstm.yaml").read_text()
    explicit, problems = parse_text("framework: torch\n" + text)
    assert problems == [] and explicit.blocks == plain.blocks and explicit.framework == plain.framework == "torch"
