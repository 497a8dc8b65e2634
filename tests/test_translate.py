"""Tests of lstmshape.translate: `infer --as`, the same network in another framework (or why not).

Every stack case of tests/golden/record_stacks.py translated into torch, Keras and ONNX is held
against tests/golden/frameworks/stacks.json (what each framework observed building it), or
refused (LS201) at the block's setting; the recorder re-run live where torch, Keras 3 and ONNX
are installed reproduces that file. Round trips torch → Keras → torch and torch → ONNX → torch
run the same numbers with lstmshape.convert's weights (live torch, Keras 3, onnx.reference).
Also: cells and their gate rows kept, exit 1 on a refused setting, and the LS202 notes for what
is not translated (a decoder from tests/golden/around.json, the joins of
examples/around_rnnp.yaml, training-only arguments), through helpers.run.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from helpers import GOLDEN_DIR, REPO, recorder, run, write
from lstmshape.frameworks import infer
from lstmshape.read import parse_text
from lstmshape.settings import TorchLSTM
from lstmshape.translate import translate


GOLDEN = json.loads((GOLDEN_DIR / "around.json").read_text())["records"]


RECORDER = recorder("record_stacks")


STACKS_GOLDEN = json.loads((REPO / "tests" / "golden" / "frameworks" / "stacks.json").read_text())["cases"]


CASES = sorted(RECORDER.CASES)


# what `--as` must refuse (LS201), and at which block's setting
REFUSED = {
    ("torch_projection_block", "keras"): "lstm[1]: proj_size 2",
    ("torch_projection_block", "onnx"): "lstm[1]: proj_size 2",
    ("keras_merge_sum", "torch"): "lstm[0]: merge_mode 'sum'",
    ("keras_merge_sum", "onnx"): "lstm[0]: merge_mode 'sum'",
    ("onnx_reverse_block", "torch"): "lstm[1]: direction 'reverse'",
}


def config_of(name: str):
    config, problems = parse_text(RECORDER.CASES[name], f"{name}.yaml")
    assert config is not None, problems
    return config


def assert_matches(config, observed: dict) -> None:
    """`infer` on a (translated) stack equals what its framework observed, block by block."""
    results = infer(config)
    assert [r.block for r in results] == list(range(len(config.blocks)))
    blocks = observed["blocks"]
    assert len(blocks) == len(results)
    if config.framework == "torch":
        for result, seen in zip(results, blocks):
            assert {k: list(v) for k, v in result.shapes.items() if k in seen["shapes"]} == seen["shapes"]
            assert [[p.name, list(p.shape)] for p in result.params] == seen["params"]
            assert result.num_params == seen["num_params"]
    elif config.framework == "keras":
        for result, seen in zip(results, blocks):
            assert [list(t.shape) for t in result.outputs] == seen["outputs"]
        assert {p.name: list(p.shape) for r in results for p in r.params} == observed["weights"]
        assert sum(r.num_params for r in results) == observed["count_params"]
    else:
        for result, seen in zip(results, blocks):
            assert [{t.name: list(t.shape) for t in node.tensors} for node in result.nodes] == seen["nodes"]
        names = [f"{r.lstm.cell}_{node.index}" for r in results for node in r.nodes]
        assert len(set(names)) == len(names) == sum(b.num_layers for b in config.blocks)


def test_as_with_verify_speaks_of_the_translation_not_the_config():
    result = run("infer", "configs/bilstm.yaml", "--as", "keras", "--verify", cwd=REPO)
    assert result.returncode == 2
    assert "--as keras" in result.stderr and "this is a keras config" not in result.stderr
    assert "verify the torch config without --as" in result.stderr


def test_as_says_the_decoder_is_not_translated(tmp_path):
    path = write(tmp_path, "c.yaml", GOLDEN["seq2seq_concat"]["yaml"])
    result = run("infer", path, "--as", "keras")
    assert result.returncode == 0, result.stderr
    assert ("note[LS202] --as translates the LSTM blocks only: build the decoder in keras by hand"
            in result.stderr)


def test_as_translates_every_block_of_a_joined_stack_and_says_the_joins_are_left():
    """--as on a stack with joins: every block is translated (one ONNX node per block here), and a
    note says the joins between them are not."""
    result = run("infer", "examples/around_rnnp.yaml", "--as", "onnx", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "note[LS202] --as translates the LSTM blocks only: build the joins between blocks in onnx by hand" \
        in result.stderr
    doc = json.loads(result.stdout)
    assert [r["block"] for r in doc["results"]] == [0, 1, 2]
    assert [r["nodes"][0]["X"] for r in doc["results"]] == [[16, 500, 83], [16, 500, 320], [16, 500, 320]]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("target", ("torch", "keras", "onnx"))
def test_translated_stack_matches_the_recorded_framework(name, target):
    """Every block of the stack `--as target` has the shapes and parameter counts that framework
    gave when it built and ran it (golden: no oracle needed)."""
    translated, problems = translate(config_of(name), target)
    refused = [p for p in problems if p.code == "LS201"]
    if (name, target) in REFUSED:
        assert translated is None and STACKS_GOLDEN[name][target] is None
        assert refused and all(p.message.startswith("lstm[") for p in refused)
        assert any(p.message.startswith(REFUSED[name, target]) for p in refused), refused
        return
    assert translated is not None and not refused, problems
    assert translated.framework == target and len(translated.blocks) == len(config_of(name).blocks)
    assert_matches(translated, STACKS_GOLDEN[name][target])


@pytest.mark.parametrize("name", CASES)
def test_recorder_reproduces_the_golden_live(name, torch, keras, onnx):
    """The oracles, run now, observe exactly what the golden file says."""
    assert RECORDER.observe(name) == STACKS_GOLDEN[name]


def test_golden_covers_every_framework_both_ways():
    sources = {config_of(name).framework for name in CASES}
    assert sources == {"torch", "keras", "onnx"}
    translated = {(config_of(name).framework, target) for name in CASES for target in STACKS_GOLDEN[name]
                  if STACKS_GOLDEN[name][target] is not None}
    assert {(s, t) for s in sources for t in sources} <= translated


def test_torch_keras_torch_round_trip_runs_the_same_numbers(torch, keras):
    """A torch stack → Keras (settings by --as, weights by lstmshape.convert) gives torch's outputs;
    back to torch (--as torch and convert.keras_to_torch) gives them again."""
    from lstmshape import convert

    config = config_of("torch_bilstm_then_lstm")
    as_keras, _ = translate(config, "keras")
    back, _ = translate(as_keras, "torch")
    assert back.blocks == tuple(replace(b, batch_first=True) for b in config.blocks)  # Keras is batch-first
    data = config.data
    torch.manual_seed(0)
    modules = [RECORDER.torch_module(block) for block in config.blocks]
    x = torch.randn(data.seq_len, data.batch_size, config.blocks[0].input_size)
    y, states = x, []
    with torch.no_grad():
        for module in modules:
            y, (hn, cn) = module(y)
            states.append((hn, cn))
    model, counts = RECORDER.build_keras_stack(as_keras.blocks, data.batch_size, data.seq_len)
    assert counts == [5, 3]  # Bidirectional(return_state): output, h, c forward and backward; LSTM: output, h, c
    layers = [convert.torch_to_keras({k: v.numpy() for k, v in m.state_dict().items()}) for m in modules]
    model.set_weights([w for block in layers for w in convert.keras_weight_list(block)])
    outs = recorder("record_frameworks").keras_outputs(model, x.numpy().swapaxes(0, 1))
    np.testing.assert_allclose(outs[5], y.numpy().swapaxes(0, 1), atol=1e-5)  # the last block's sequence
    np.testing.assert_allclose(outs[6], states[1][0][-1].numpy(), atol=1e-5)  # its h
    np.testing.assert_allclose(outs[7], states[1][1][-1].numpy(), atol=1e-5)  # its c
    rebuilt = [RECORDER.torch_module(block) for block in back.blocks]
    z = x.transpose(0, 1)
    with torch.no_grad():
        for module, block in zip(rebuilt, layers):
            module.load_state_dict({k: torch.from_numpy(v) for k, v in convert.keras_to_torch(block).items()})
            z, _ = module(z)
    np.testing.assert_allclose(z.numpy(), y.numpy().swapaxes(0, 1), atol=1e-5)


def test_torch_onnx_torch_round_trip_runs_the_same_numbers(torch, onnx):
    """A torch stack whose blocks differ in batch_first → ONNX nodes (layout 0, then 1, glued by a
    Transpose) run by the reference evaluator with the converted weights give torch's output."""
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    from lstmshape import convert

    config = config_of("torch_gru_then_bilstm_batch_first")
    as_onnx, _ = translate(config, "onnx")
    assert [b.layout for b in as_onnx.blocks] == [0, 1]
    assert translate(as_onnx, "torch")[0].blocks == config.blocks
    data = config.data
    torch.manual_seed(0)
    modules = [RECORDER.torch_module(block) for block in config.blocks]
    x = torch.randn(data.seq_len, data.batch_size, 3)
    with torch.no_grad():
        y, _ = modules[0](x)
        y, (hn, _) = modules[1](y.transpose(0, 1))
    model = RECORDER.build_onnx_stack(as_onnx.blocks, data.batch_size, data.seq_len)
    nodes = [node for m in modules for node in convert.torch_to_onnx({k: v.numpy() for k, v in m.state_dict().items()})]
    weights = {f"{key}_{i}": value for i, node in enumerate(nodes) for key, value in node.items()}
    for init in model.graph.initializer:
        if init.name in weights:
            init.CopyFrom(numpy_helper.from_array(np.asarray(weights[init.name], np.float32), init.name))
    feeds = {i.name: np.zeros([d.dim_value for d in i.type.tensor_type.shape.dim], np.float32)
             for i in model.graph.input}
    feeds["X"] = x.numpy()
    names = [o.name for o in model.graph.output]
    ran = dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))
    y_onnx = ran["Y_1"]  # layout 1: (batch, seq, 2, H)
    np.testing.assert_allclose(y_onnx.reshape(*y_onnx.shape[:2], -1), y.numpy(), atol=1e-5)
    np.testing.assert_allclose(ran["Y_h_1"].swapaxes(0, 1), hn.numpy(), atol=1e-5)


def test_as_refuses_a_block_setting_with_exit_1(tmp_path):
    path = write(tmp_path, "stack.yaml", RECORDER.CASES["torch_projection_block"])
    result = run("infer", path, "--as", "keras")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"{path}:3:33: error[LS201] lstm[1]: proj_size 2 has no equivalent in keras.layers.LSTM"
            in result.stderr), result.stderr
    as_json = run("infer", path, "--as", "onnx", "--format", "json")
    doc = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and doc["results"] == []
    (error,) = [p for p in doc["problems"] if p["code"] == "LS201"]
    assert error["path"] == "$.lstm[1].proj_size" and error["line"] == 3
    usage = run("infer", path, "--as", "tensorflow")
    assert usage.returncode == 2
    summed = write(tmp_path, "summed.yaml", RECORDER.CASES["keras_merge_sum"])
    result = run("infer", summed, "--as", "torch")
    assert result.returncode == 1
    assert (f"{summed}:3:63: error[LS201] lstm[0]: merge_mode 'sum' has no equivalent: torch.nn.LSTM always "
            "concatenates the two directions" in result.stderr), result.stderr


def test_torch_stack_translated_keeps_its_settings():
    """torch → keras → torch and torch → onnx → torch give the same blocks back (held-out stacks)."""
    for text in ("lstm:\n  - {input_size: 7, hidden_size: 3, num_layers: 3, bias: false}\n"
                 "  - {hidden_size: 9, bidirectional: true, batch_first: true}\n  - {hidden_size: 1, cell: rnn}\n",
                 "lstm:\n  - {input_size: 2, hidden_size: 6, cell: gru, bidirectional: true}\n  - {hidden_size: 4}\n"):
        config, _ = parse_text(text)
        for target in ("keras", "onnx"):
            there, problems = translate(config, target)
            assert there is not None, problems
            if target == "onnx":  # B = Wb ++ Rb: torch's two biases (Keras sums an LSTM's into one)
                assert [r.num_params for r in infer(there)] == [r.num_params for r in infer(config)]
            back, _ = translate(there, "torch")
            same = config.blocks if target == "onnx" else tuple(replace(b, batch_first=True) for b in config.blocks)
            assert back.blocks == same and all(isinstance(b, TorchLSTM) for b in back.blocks)


@pytest.mark.parametrize("text, target, cell, extra", [
    ("lstm: {input_size: 3, hidden_size: 4, cell: gru}", "keras", "gru", {"reset_after": True}),
    ("lstm: {input_size: 3, hidden_size: 4, cell: gru}", "onnx", "gru", {"linear_before_reset": 1}),
    ("lstm: {input_size: 3, hidden_size: 4, mode: RNN_RELU}", "onnx", "rnn", {}),
    ("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, reset_after: false}", "onnx", "gru",
     {"linear_before_reset": 0}),
    ("framework: onnx\nlstm: {input_size: 3, hidden_size: 4, cell: gru, linear_before_reset: 1}", "torch", "gru", {}),
    ("framework: keras\nlstm: {input_dim: 3, units: 4, cell: rnn}", "torch", "rnn", {}),
])
def test_as_keeps_the_cell_and_its_gate_rows(text, target, cell, extra):
    config, _ = parse_text(text + "\n")
    translated, problems = translate(config, target)
    assert translated is not None, problems
    assert translated.blocks[0].cell == cell and all(getattr(translated.blocks[0], k) == v for k, v in extra.items())
    rows = {"gru": 12, "rnn": 4}[cell]  # 4 units: 3 or 1 gate blocks, never the LSTM's 16
    weights = [p.shape for p in infer(translated)[0].params if not p.name.endswith(("B", "bias"))]
    assert weights and all(rows in shape and 16 not in shape for shape in weights)


def test_as_refuses_a_gru_torch_cannot_express():
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, cell: gru, reset_after: false}\n", "k.yaml")
    translated, problems = translate(config, "torch")
    assert translated is None and [p.code for p in problems if p.is_error] == ["LS201"]
    assert "reset_after false has no equivalent in torch.nn.GRU" in problems[0].message


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
