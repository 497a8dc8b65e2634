"""The Keras layer arguments lstmshape reads beyond the sizes (input_shape, batch_input_shape,
dropout, recurrent_dropout, activation, recurrent_activation, unit_forget_bias, stateful, unroll,
time_major): lstmshape's verdicts and shapes against Keras 3 live (KERAS_BACKEND=torch) and against
tests/golden/frameworks/keras_args.json recorded from it (tests/golden/record_keras_args.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from helpers import REPO, recorder, run
from lstmshape.check import check_file
from lstmshape.read import parse_text, read_config
from lstmshape.settings import KERAS_ACTIVATIONS, DataConfig, KerasArguments, KerasLSTM
from lstmshape.frameworks import infer
from lstmshape.frameworks.keras import infer_keras, settings

HERE = Path(__file__).parent
rec = recorder("record_keras_args")
GOLDEN = json.loads((HERE / "golden" / "frameworks" / "keras_args.json").read_text())
HELD_OUT = sorted(rec.HELD_OUT.glob("*.yaml"))


def layer(case: dict) -> KerasLSTM:
    """A recorded case's settings: the shape-free arguments apart, as the reader keeps them."""
    arguments = {k: v for k, v in case.items() if k in KerasArguments._fields}
    return KerasLSTM(**{k: v for k, v in case.items() if k not in arguments}, arguments=KerasArguments(**arguments))


def check_layer(case: dict, observed: dict) -> None:
    """Outputs, count_params and weights as Keras builds them; a stateful layer's states are (batch, units)."""
    lstm = layer(case)
    result = infer_keras(lstm, DataConfig(rec.BATCH, rec.SEQ))
    assert [list(t.shape) for t in result.outputs] == observed["outputs"], case
    assert result.num_params == observed["count_params"]
    assert [list(p.shape) for p in result.params] == observed["weights"]
    states = lstm.num_layers * lstm.num_directions * (2 if lstm.has_cell_state else 1) if lstm.arguments.stateful else 0
    assert observed["states"] == [[rec.BATCH, lstm.units]] * states


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


# ------------------------------------------------------------------------------------- golden


def test_activation_names_are_the_recorded_ones():
    assert list(KERAS_ACTIVATIONS) == GOLDEN["activations"]


def test_golden_covers_the_cases():
    assert [o["case"] for o in GOLDEN["verdicts"]] == rec.verdict_cases()
    assert [o["case"] for o in GOLDEN["layers"]] == json.loads(json.dumps(rec.layer_cases()))


@pytest.mark.parametrize("observed", GOLDEN["layers"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_layers_match_golden_recorded_from_keras(observed):
    check_layer({k: tuple(v) if isinstance(v, list) else v for k, v in observed["case"].items()}, observed)


@pytest.mark.parametrize("observed", GOLDEN["verdicts"], ids=lambda o: json.dumps(o["case"], sort_keys=True))
def test_verdicts_match_golden_recorded_from_keras(observed, tmp_path):
    """What Keras refused, lstmshape refuses with an error; what Keras ran, it passes, with Keras' shapes."""
    check_verdict(observed["case"], observed, tmp_path)


# --------------------------------------------------------------------------------------- live


@pytest.mark.oracle
def test_activation_names_match_live_keras(keras):
    assert list(KERAS_ACTIVATIONS) == rec.activations()
    for name in KERAS_ACTIVATIONS:
        assert callable(keras.activations.get(name))
    for name in ("Tanh", "ReLU", "hardsigmoid"):
        with pytest.raises(ValueError, match="Could not interpret activation"):
            keras.activations.get(name)


@pytest.mark.oracle
def test_layers_match_live_keras(keras):
    for case in rec.layer_cases():
        check_layer(case, rec.observe_layer(case))


@pytest.mark.oracle
def test_verdicts_match_live_keras(keras, tmp_path):
    for case in rec.verdict_cases():
        check_verdict(case, rec.observe_verdict(case), tmp_path)


@pytest.mark.oracle
def test_the_infer_line_builds_the_same_model_in_keras(keras):
    """The layer as `infer` prints it is Python: run it and Keras builds the shapes lstmshape gives."""
    import numpy as np

    names = {"keras": keras, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU,
             "SimpleRNN": keras.layers.SimpleRNN, "Bidirectional": keras.layers.Bidirectional}
    for case in rec.layer_cases():
        lstm = layer(case)
        if lstm.num_layers > 1:
            continue
        data = DataConfig(rec.BATCH, rec.SEQ)
        line = settings(lstm, data)
        if "keras.Input" not in line:
            line = f"{line}(keras.Input(shape=(None, {lstm.input_dim})))"
        inp = re.search(r"keras\.Input\(.*\)(?=\)$)", line).group(0)
        x = eval(inp, names)
        model = keras.Model(x, eval(line.replace(inp, "x"), {**names, "x": x}))
        result = infer_keras(lstm, data)
        out = model(np.zeros((rec.BATCH, rec.SEQ, lstm.input_dim), np.float32))
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        assert [list(o.shape) for o in out] == [list(t.shape) for t in result.outputs], line
        assert model.count_params() == result.num_params


# ----------------------------------------------------------------------------- held-out configs


def expected_codes(path: Path) -> list[str]:
    first = path.read_text().splitlines()[0]
    listed = first.split("expect:", 1)[1].strip()
    return [] if listed == "clean" else [c.strip() for c in listed.split(",")]


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.stem)
def test_held_out_config_through_the_console_script(path):
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
    observed = rec.observe_verdict({"lstm": doc["lstm"], "data": doc.get("data", {})})
    assert observed["runs"] == (expected_codes(path) == []), observed


# --------------------------------------------------------------------------------- messages, CLI


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


def test_rates_types_and_cell_arguments():
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, dropout: 1.0, "
                             "recurrent_dropout: '0.1', unroll: 1}\n")
    assert [p.code for p in problems] == ["LS008", "LS007", "LS007"]
    assert "[0, 1)" in problems[0].message
    _, problems = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, unit_forget_bias: true}\n")
    assert [p.code for p in problems] == ["LS008"] and "keras.layers.LSTM only" in problems[0].message


def test_infer_shows_the_arguments_as_python():
    lstm = KerasLSTM(3, 4, arguments=KerasArguments(dropout=0.2, activation=None, stateful=True, input_shape=(None, 3)))
    assert settings(lstm, DataConfig(16, 5)) == (
        "LSTM(4, activation=None, dropout=0.2, stateful=True)(keras.Input(batch_shape=(16, None, 3)))")
    assert settings(KerasLSTM(3, 4)) == "LSTM(4)"


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


def test_infer_json_lists_the_arguments_and_where_each_came_from():
    result = run("infer", "--format", "json", "configs/keras_stateful.yaml", cwd=REPO)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    (shapes,) = doc["results"]
    assert shapes["arguments"] == {"batch_input_shape": [16, 15, 1], "dropout": 0.2, "recurrent_dropout": 0.1,
                                   "stateful": True}
    assert shapes["shapes"] == {"input": [16, 15, 1], "outputs": [[16, 50]]}
    assert (doc["sources"]["lstm.input_dim"]["line"], doc["sources"]["lstm.input_dim"]["column"]) == (5, 31)
    assert doc["sources"]["lstm.stateful"]["value"] is True
    assert doc["sources"]["lstm.activation"]["value"] == "tanh"
    plain = json.loads(run("infer", "--format", "json", "configs/keras_bilstm.yaml", cwd=REPO).stdout)
    assert "arguments" not in plain["results"][0]


def test_hostile_arguments_give_short_messages():
    long_shape = "[" + ", ".join(["7"] * 5000) + "]"
    huge = "[" + ", ".join(["9" * 101] * 500) + "]"
    for text in (f"input_shape: {long_shape}", f"input_shape: {huge}", "activation: '" + "x" * 50000 + "'"):
        _, problems = parse_text(f"framework: keras\nlstm:\n  input_dim: 3\n  units: 4\n  {text}\n")
        assert problems and all(len(p.message) < 600 for p in problems), [p.message[:200] for p in problems]


def test_explain_says_what_the_shape_free_arguments_change():
    from lstmshape.explain import traps

    config, _ = read_config(str(REPO / "configs" / "keras_stateful.yaml"))
    (result,) = infer(config)
    text = "\n".join(traps(result))
    assert "recurrent_dropout 0.1 rules it out" in text and "cuDNN" in text
    assert "(16, 50) variables" in text and "every batch must have 16 rows" in text
    assert "change no shape" in text
    config, _ = read_config(str(REPO / "configs" / "keras_bilstm.yaml"))
    assert not any("cuDNN" in t or "stateful" in t for t in traps(infer(config)[0]))
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, use_bias: false, unroll: true}\n")
    assert "here unroll True, use_bias False rule it out" in "\n".join(traps(infer(config)[0]))
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, use_bias: false}\n")
    assert "here use_bias False rules it out" in "\n".join(traps(infer(config)[0]))


STACK = """framework: keras
lstm:
  - units: 16
    batch_input_shape: [4, 10, 8]
    return_sequences: true
    dropout: 0.2
  - units: 4
    stateful: true
"""


def test_a_stack_declares_its_input_on_the_first_block(tmp_path):
    """In a stack of blocks the first block's declared input is the model's: it fixes the batch and
    time of every block (a stateful later block included); another block's is refused, and each
    block's Keras 2 arguments and activations are checked at that block."""
    path = tmp_path / "stack.yaml"
    path.write_text(STACK)
    assert (run("check", path).returncode, run("check", path).stdout) == (0, "1 file OK\n")
    doc = json.loads(run("infer", "--format", "json", path).stdout)
    assert [r["shapes"]["input"] for r in doc["results"]] == [[4, 10, 8], [4, 10, 16]]
    path.write_text(STACK + "data:\n  batch_size: 5\n")
    mismatch = run("check", path)
    assert mismatch.returncode == 1 and f"{path}:4:25: error[LS127]" in mismatch.stdout
    assert mismatch.stdout.count("error[LS127]") == 1
    path.write_text(STACK.replace("    stateful: true\n", "    stateful: true\n    input_shape: [10, 16]\n"
                                  "    time_major: false\n    recurrent_activation: Sigmoid\n"))
    refused = run("check", path)
    assert refused.returncode == 1 and "Traceback" not in refused.stdout + refused.stderr
    assert f"{path}:9:18: error[LS013] input_shape on lstm[1]: only the first block's input is declared" \
        in refused.stdout
    assert f"{path}:10:5: error[LS014] time_major" in refused.stdout
    assert f"{path}:11:27: error[LS015] recurrent_activation 'Sigmoid'" in refused.stdout


def test_as_holds_every_block_of_a_keras_stack_to_its_arguments(tmp_path):
    """--as judges each block's layer arguments at that block: a later block's non-default
    activation is refused for torch (exit 1), an earlier block's dropout is a note of its own."""
    path = tmp_path / "stack.yaml"
    path.write_text("framework: keras\nlstm:\n  - {input_dim: 8, units: 16, return_sequences: true, dropout: 0.1}\n"
                    "  - {units: 4, activation: relu}\n")
    result = run("infer", path, "--as", "torch")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:4:28: error[LS201] lstm[1]: activation 'relu' has no equivalent in torch.nn.LSTM" in result.stderr
    assert f"{path}:3:64: note[LS202] lstm[0]: dropout 0.1 is training-only" in result.stderr
    onnx = run("infer", path, "--as", "onnx")
    assert onnx.returncode == 0 and "lstm[1]: activation 'relu': set the ONNX node's activations" in onnx.stderr
