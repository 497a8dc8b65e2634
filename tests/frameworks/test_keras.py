"""Tests of lstmshape.frameworks.keras: the shapes Keras 3's LSTM, GRU and SimpleRNN build.

The shape engine (infer_keras) against tests/golden/frameworks/keras_shapes.json (recorded by
tests/golden/record_frameworks.py), rnn_keras_shapes.json (GRU and SimpleRNN, recorded by
tests/golden/record_rnn_frameworks.py) and keras_args.json (the arguments beyond the sizes, and
which configs Keras runs; recorded by tests/golden/record_keras_args.py), each recorder re-run
against live Keras; lstmshape.convert's NumPy forward pass against Keras' own on the same
weights; the layer line `infer` prints, built in Keras. Also: validation at line and column, the
held-out configs tests/golden/keras_args/*.yaml through `check` (helpers.run) and in live Keras,
and which rules a keras config runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from helpers import GOLDEN_DIR, REPO, recorder, run
from lstmshape.check import check_file
from lstmshape.convert import keras_forward, keras_layers_from_list
from lstmshape.frameworks import infer
from lstmshape.frameworks.keras import infer_keras, settings
from lstmshape.read import parse_text, read_config
from lstmshape.settings import DataConfig, KERAS_ACTIVATIONS, KerasArguments, KerasLSTM


HERE = REPO / "tests"


rec = recorder("record_frameworks")


GOLDEN = json.loads((HERE / "golden" / "frameworks" / "keras_shapes.json").read_text())


def ours(case: dict):
    return infer_keras(KerasLSTM(**case), DataConfig(rec.BATCH, rec.SEQ))


def check_against(result, observed: dict) -> None:
    assert [list(t.shape) for t in result.outputs] == observed["outputs"]
    assert result.num_params == observed["count_params"]
    assert {p.name: list(p.shape) for p in result.params} == observed["weights"]
    assert [p.name for p in result.params] == list(observed["weights"])


rnn_rec = recorder("record_rnn_frameworks")


KERAS = json.loads((GOLDEN_DIR / "frameworks" / "rnn_keras_shapes.json").read_text())


ONNX = json.loads((GOLDEN_DIR / "frameworks" / "rnn_onnx_shapes.json").read_text())


def keras_ours(case: dict):
    return infer_keras(KerasLSTM(**case), DataConfig(rnn_rec.BATCH, rnn_rec.SEQ))


def check_keras(result, observed: dict) -> None:
    assert [list(t.shape) for t in result.outputs] == observed["outputs"]
    assert result.num_params == observed["count_params"]
    assert [(p.name, list(p.shape)) for p in result.params] == list(observed["weights"].items())


args_rec = recorder("record_keras_args")


ARGS_GOLDEN = json.loads((HERE / "golden" / "frameworks" / "keras_args.json").read_text())


HELD_OUT = sorted(args_rec.HELD_OUT.glob("*.yaml"))


def layer(case: dict) -> KerasLSTM:
    """A recorded case's settings: the shape-free arguments apart, as the reader keeps them."""
    arguments = {k: v for k, v in case.items() if k in KerasArguments._fields}
    return KerasLSTM(**{k: v for k, v in case.items() if k not in arguments}, arguments=KerasArguments(**arguments))


def check_layer(case: dict, observed: dict) -> None:
    """Outputs, count_params and weights as Keras builds them; a stateful layer's states are (batch, units)."""
    lstm = layer(case)
    result = infer_keras(lstm, DataConfig(args_rec.BATCH, args_rec.SEQ))
    assert [list(t.shape) for t in result.outputs] == observed["outputs"], case
    assert result.num_params == observed["count_params"]
    assert [list(p.shape) for p in result.params] == observed["weights"]
    states = lstm.num_layers * lstm.num_directions * (2 if lstm.has_cell_state else 1) if lstm.arguments.stateful else 0
    assert observed["states"] == [[args_rec.BATCH, lstm.units]] * states


def config_text(case: dict) -> str:
    return yaml.safe_dump({"framework": "keras", "lstm": case["lstm"], "data": case["data"]}, sort_keys=False)


def refused(path: Path) -> list:
    """lstmshape's errors for a config (warnings do not stop Keras)."""
    return [p for p in check_file(str(path)) if p.severity == "error"]


def same_shapes(ours: list, keras_shapes: list) -> None:
    """Our shapes against Keras', dimension by dimension (a symbol in ours stands for any size)."""
    assert len(ours) == len(keras_shapes)
    for mine, theirs in zip(ours, keras_shapes):
        assert len(mine) == len(theirs) and all(isinstance(a, str) or a == b for a, b in zip(mine, theirs)), (mine, theirs)


def check_verdict(case: dict, observed: dict, tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(config_text(case))
    errors = refused(path)
    assert (errors == []) == observed["runs"], (case, errors, observed)
    if observed["runs"]:
        config, _ = read_config(str(path))
        (result,) = infer(config)
        same_shapes([list(t.shape) for t in result.outputs], observed["outputs"])
        same_shapes([list(result.input.shape)], [observed["fed"]])


def expected_codes(path: Path) -> list[str]:
    first = path.read_text().splitlines()[0]
    listed = first.split("expect:", 1)[1].strip()
    return [] if listed == "clean" else [c.strip() for c in listed.split(",")]


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


@pytest.mark.parametrize("observed", KERAS["cases"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_keras_shapes_match_golden(observed):
    check_keras(keras_ours(observed["case"]), observed)


def test_goldens_cover_the_grids():
    assert [o["case"] for o in KERAS["cases"]] == rnn_rec.keras_cases()
    assert [o["case"] for o in ONNX["cases"]] == rnn_rec.onnx_cases()
    assert {(c["cell"], c["reset_after"], c["bidirectional"]) for c in rnn_rec.keras_cases()} == {
        (cell, after, bi) for cell, after in (("gru", True), ("gru", False), ("rnn", True)) for bi in (False, True)}


@pytest.mark.oracle
def test_keras_shapes_match_live_keras(keras):
    for case in rnn_rec.keras_cases():
        check_keras(keras_ours(case), rnn_rec.observe_keras(case))


def test_activation_names_are_the_recorded_ones():
    assert list(KERAS_ACTIVATIONS) == ARGS_GOLDEN["activations"]


def test_golden_covers_the_cases():
    assert [o["case"] for o in ARGS_GOLDEN["verdicts"]] == args_rec.verdict_cases()
    assert [o["case"] for o in ARGS_GOLDEN["layers"]] == json.loads(json.dumps(args_rec.layer_cases()))


@pytest.mark.parametrize("observed", ARGS_GOLDEN["layers"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_layers_match_golden_recorded_from_keras(observed):
    check_layer({k: tuple(v) if isinstance(v, list) else v for k, v in observed["case"].items()}, observed)


@pytest.mark.parametrize("observed", ARGS_GOLDEN["verdicts"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_verdicts_match_golden_recorded_from_keras(observed, tmp_path):
    """What Keras refused, lstmshape refuses with an error; what Keras ran, it passes, with Keras' shapes."""
    check_verdict(observed["case"], observed, tmp_path)


@pytest.mark.oracle
def test_activation_names_match_live_keras(keras):
    assert list(KERAS_ACTIVATIONS) == args_rec.activations()
    for name in KERAS_ACTIVATIONS:
        assert callable(keras.activations.get(name))
    for name in ("Tanh", "ReLU", "hardsigmoid"):
        with pytest.raises(ValueError, match="Could not interpret activation"):
            keras.activations.get(name)


@pytest.mark.oracle
def test_layers_match_live_keras(keras):
    for case in args_rec.layer_cases():
        check_layer(case, args_rec.observe_layer(case))


@pytest.mark.oracle
def test_verdicts_match_live_keras(keras, tmp_path):
    for case in args_rec.verdict_cases():
        check_verdict(case, args_rec.observe_verdict(case), tmp_path)


@pytest.mark.oracle
def test_the_infer_line_builds_the_same_model_in_keras(keras):
    """The layer as `infer` prints it is Python: run it and Keras builds the shapes lstmshape gives."""
    import numpy as np

    names = {"keras": keras, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU,
             "SimpleRNN": keras.layers.SimpleRNN, "Bidirectional": keras.layers.Bidirectional}
    for case in args_rec.layer_cases():
        lstm = layer(case)
        if lstm.num_layers > 1:
            continue
        data = DataConfig(args_rec.BATCH, args_rec.SEQ)
        line = settings(lstm, data)
        if "keras.Input" not in line:
            line = f"{line}(keras.Input(shape=(None, {lstm.input_dim})))"
        inp = re.search(r"keras\.Input\(.*\)(?=\)$)", line).group(0)
        x = eval(inp, names)
        model = keras.Model(x, eval(line.replace(inp, "x"), {**names, "x": x}))
        result = infer_keras(lstm, data)
        out = model(np.zeros((args_rec.BATCH, args_rec.SEQ, lstm.input_dim), np.float32))
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        assert [list(o.shape) for o in out] == [list(t.shape) for t in result.outputs], line
        assert model.count_params() == result.num_params


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.stem)
def test_held_out_config_through_the_cli(path):
    """`lstmshape check --format json` (the console script's function, helpers.run) finds exactly the
    codes the config names on its first line."""
    result = run("check", "--format", "json", path)
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert sorted(codes) == sorted(expected_codes(path)), result.stdout
    assert result.returncode == (1 if codes else 0), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.oracle
@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.stem)
def test_held_out_config_against_live_keras(path, keras):
    """Each held-out config built in Keras as written: it runs exactly when lstmshape finds no error."""
    doc = yaml.safe_load(path.read_text())
    observed = args_rec.observe_verdict({"lstm": doc["lstm"], "data": doc.get("data", {})})
    assert observed["runs"] == (expected_codes(path) == []), observed


def test_no_time_axis_says_so_and_how_to_reshape():
    config, problems = parse_text("framework: keras\nlstm:\n  units: 4\n  input_shape: [15]\n", "k.yaml")
    assert config is None and [(p.code, p.line, p.column) for p in problems] == [("LS013", 4, 16)]
    message = problems[0].message
    assert "no time axis" in message and "expected ndim=3, found ndim=2" in message
    assert "(batch, 15, 1)" in message and "(batch, 1, 15)" in message


def test_input_dim_comes_from_the_declared_features_and_the_declared_input_fixes_batch_and_time():
    config, problems = parse_text("framework: keras\nlstm: {units: 4, batch_input_shape: [8, 10, 3]}\n")
    assert problems == [] and config.blocks[0].input_dim == 3
    (result,) = infer(config)
    assert result.input.shape == (8, 10, 3) and result.outputs[0].shape == (8, 4)
    assert "batch_input_shape[0] 8" in result.input.dims[0].why


def test_check_end_to_end_positions_and_exit_codes(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  time_major: true\n"
                      "  activation: Relu\n  stateful: true\n")
    result = run("check", broken)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    out = result.stdout + result.stderr
    assert f"{broken}:5:3: error[LS014]" in out and f"{broken}:6:15: error[LS015]" in out
    assert "did you mean 'relu'" in out
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text("framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  activation: relu\n  stateful: true\n"
                     "data:\n  batch_size: 8\n")
    assert run("check", fixed).returncode == 0
    result = run("infer", fixed, "--as", "torch")
    assert result.returncode == 1 and f"{fixed}:5:15: error[LS201] activation 'relu'" in result.stdout + result.stderr
    stateful = tmp_path / "stateful.yaml"
    stateful.write_text("framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  stateful: true\n")
    result = run("check", stateful)
    assert result.returncode == 1 and f"{stateful}:5:13: error[LS127]" in result.stdout + result.stderr


def test_a_torch_check_runs_no_keras_rule_and_a_keras_check_no_torch_rule(monkeypatch):
    """Each config is judged by the rules that have a check for its framework, and by those only: a
    rule judges exactly the frameworks it has a check function for (check, check_keras, check_onnx)."""
    from lstmshape import rules
    from lstmshape.check import check_file

    ran = {}
    for code, module in rules.RULES.items():
        for name in rules.CHECKS:
            function = getattr(module, name, None)
            if function is not None:
                def spy(context, code=code, name=name, function=function):
                    ran.setdefault(name, set()).add(code)
                    return function(context)
                monkeypatch.setattr(module, name, spy)
    for config in ("bilstm.yaml", "keras_stateful.yaml"):
        assert check_file(str(REPO / "configs" / config)) == []
    torch_only = {code for code, module in rules.RULES.items() if not hasattr(module, "check_keras")}
    assert set(ran) == {"check", "check_keras"}
    assert {"LS126", "LS127", "LS128", "LS129", "LS100", "LS110"} <= ran["check_keras"]
    assert ran["check_keras"] == set(rules.RULES) - torch_only
    assert {"LS100", "LS101", "LS130", "LS139"} <= ran["check"] and not ran["check"] & {"LS126", "LS119", "LS120"}
