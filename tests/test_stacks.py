"""Keras and ONNX configs as a stack of blocks (`lstm` as a list, like torch's), `infer --as` on a
whole stack, and `infer(load_config(path))` for every framework.

The shapes are proven against the frameworks: tests/golden/frameworks/stacks.json holds what
torch, Keras 3 and ONNX (strict shape inference and the reference evaluator) observed for every
case of tests/golden/record_stacks.py translated into each of them, and the recorder re-runs live
where the oracles are installed. The CLI is run end to end through its entry point.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lstmshape import infer, load_config
from lstmshape.check import check_file
from lstmshape.read import parse_text
from lstmshape.settings import KerasLSTM, OnnxLSTM, TorchLSTM
from lstmshape.translate import translate

from helpers import REPO, recorder, run, write

RECORDER = recorder("record_stacks")
GOLDEN = json.loads((Path(__file__).parent / "golden" / "frameworks" / "stacks.json").read_text())["cases"]
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


# ------------------------------------------------------------------------- shapes against the oracles


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


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("target", ("torch", "keras", "onnx"))
def test_translated_stack_matches_the_recorded_framework(name, target):
    """Every block of the stack `--as target` has the shapes and parameter counts that framework
    gave when it built and ran it (golden: no oracle needed)."""
    translated, problems = translate(config_of(name), target)
    refused = [p for p in problems if p.code == "LS201"]
    if (name, target) in REFUSED:
        assert translated is None and GOLDEN[name][target] is None
        assert refused and all(p.message.startswith("lstm[") for p in refused)
        assert any(p.message.startswith(REFUSED[name, target]) for p in refused), refused
        return
    assert translated is not None and not refused, problems
    assert translated.framework == target and len(translated.blocks) == len(config_of(name).blocks)
    assert_matches(translated, GOLDEN[name][target])


@pytest.mark.parametrize("name", CASES)
def test_recorder_reproduces_the_golden_live(name, torch, keras, onnx):
    """The oracles, run now, observe exactly what the golden file says."""
    assert RECORDER.observe(name) == GOLDEN[name]


def test_golden_covers_every_framework_both_ways():
    sources = {config_of(name).framework for name in CASES}
    assert sources == {"torch", "keras", "onnx"}
    translated = {(config_of(name).framework, target) for name in CASES for target in GOLDEN[name]
                  if GOLDEN[name][target] is not None}
    assert {(s, t) for s in sources for t in sources} <= translated


# --------------------------------------------------------------------------------- round trips


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


# ------------------------------------------------------------------------------------------ reading


def test_keras_stack_defaults_each_input_dim_to_the_merged_output():
    config, problems = parse_text("framework: keras\nlstm:\n"
                                  "  - {input_dim: 3, units: 4, bidirectional: true, return_sequences: true}\n"
                                  "  - {units: 5, bidirectional: true, merge_mode: ave, return_sequences: true}\n"
                                  "  - {units: 2}\n")
    assert problems == []
    assert [b.input_dim for b in config.blocks] == [3, 8, 5]
    assert all(isinstance(b, KerasLSTM) for b in config.blocks) and config.listed


def test_onnx_stack_defaults_each_input_size_to_directions_times_hidden():
    config, problems = parse_text("framework: onnx\nlstm:\n"
                                  "  - {input_size: 3, hidden_size: 4, num_layers: 3, direction: bidirectional}\n"
                                  "  - {hidden_size: 5, direction: reverse}\n  - {hidden_size: 2, cell: gru}\n")
    assert problems == []
    assert [b.input_size for b in config.blocks] == [3, 8, 5]
    assert all(isinstance(b, OnnxLSTM) for b in config.blocks)
    results = infer(config)
    assert [[n.index for n in r.nodes] for r in results] == [[0, 1, 2], [3], [4]]
    assert [p.name for p in results[2].params] == ["gru_4.W", "gru_4.R", "gru_4.B"]


BAD_STACKS = [
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4}\n  - {units: 2}\n",
     "LS205", 3, 5, "lstm[0] returns (batch, 4) without return_sequences, so lstm[1] gets a 2-D input and Keras "
                    "refuses it (\"expected ndim=3, found ndim=2\")"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, return_sequences: false}\n  - {units: 2}\n",
     "LS205", 3, 48, "lstm[0] returns (batch, 4) without return_sequences"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, bidirectional: true, merge_mode: null, "
     "return_sequences: true}\n  - {units: 2}\n",
     "LS008", 3, 63, "merge_mode null returns the two directions as two tensors, which lstm[1] cannot take"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, return_sequences: true}\n  - {units: 2, hidden_size: 2}\n",
     "LS004", 4, 16, "unknown key 'hidden_size' in a keras 'lstm[1]' section: Keras calls it 'units'"),
    ("framework: keras\nlstm:\n  - {units: 4}\n", "LS005", 3, 5, "'lstm[0]' needs 'input_dim' (or feature_size)"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4}\n  - {hidden_size: 2, direction: sideways}\n",
     "LS008", 4, 33, "direction must be one of forward, reverse, bidirectional, got string 'sideways'"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4}\n  - {hidden_size: 2, batch_first: true}\n",
     "LS004", 4, 22, "unknown key 'batch_first' in an onnx 'lstm[1]' section: ONNX calls it 'layout'"),
    ("framework: onnx\nlstm: []\n", "LS003", 2, 7, "'lstm' is an empty list"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4}\n  - 7\n", "LS003", 4, 5, "'lstm[1]' is"),
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, return_sequences: true}\n"
     "  - {units: 2, bidirectional: true, go_backwards: true}\n",
     "LS008", 4, 51, "go_backwards true with bidirectional"),
]


@pytest.mark.parametrize("text, code, line, column, message", BAD_STACKS)
def test_bad_stack_is_refused_at_the_setting(text, code, line, column, message, tmp_path):
    """Through the CLI's entry point: `infer` exits 1 and `check` names file:line:col, no traceback."""
    path = write(tmp_path, "stack.yaml", text)
    config, problems = parse_text(text, str(path))
    assert config is None
    assert [(p.code, p.line, p.column) for p in problems if p.is_error] == [(code, line, column)], problems
    assert message in problems[0].message
    result = run("infer", path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:{line}:{column}: error[{code}] {message}" in result.stderr
    checked = run("check", path)
    assert checked.returncode == 1 and f"{path}:{line}:{column}: error[{code}]" in checked.stdout + checked.stderr


@pytest.mark.parametrize("text, key, written, wanted", [
    ("framework: keras\nlstm:\n  - {input_dim: 3, units: 4, bidirectional: true, return_sequences: true}\n"
     "  - {input_dim: 4, units: 2}\n", "input_dim", 4, "8 features (Bidirectional concat: 2 × units 4)"),
    ("framework: onnx\nlstm:\n  - {input_size: 3, hidden_size: 4, direction: bidirectional}\n"
     "  - {input_size: 4, hidden_size: 2}\n", "input_size", 4,
     "8 features (num_directions 2 × hidden_size 4: its last node's Y reshaped to 3-D)"),
])
def test_a_later_block_that_writes_another_input_size_is_ls100(text, key, written, wanted, tmp_path):
    path = write(tmp_path, "stack.yaml", text)
    (problem,) = check_file(str(path))
    assert (problem.code, problem.line, problem.column) == ("LS100", 4, 17 if key == "input_dim" else 18)
    assert problem.message == f"lstm[1].{key} is {written} but lstm[0]'s output has {wanted}"
    result = run("check", path)
    assert result.returncode == 1 and f"{path}:4:" in result.stdout


# ----------------------------------------------------------------------------------------- the CLI


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


def test_as_onnx_json_lists_one_node_per_layer_of_every_block(tmp_path):
    path = write(tmp_path, "stack.yaml", RECORDER.CASES["torch_bilstm_then_lstm"])
    result = run("infer", path, "--as", "onnx", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["framework"] == "onnx"
    assert [r["block"] for r in doc["results"]] == [0, 1]
    assert [len(r["nodes"]) for r in doc["results"]] == [2, 1]
    assert [r["node_names"] for r in doc["results"]] == [["lstm_0", "lstm_1"], ["lstm_2"]]
    assert doc["results"][1]["nodes"][0]["X"] == [5, 2, 8]
    assert doc["results"][0]["to_next_block"].startswith("Transpose(perm=[0, 2, 1, 3])")
    assert {p["code"] for p in doc["problems"]} == {"LS202"}


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


def test_matrix_of_a_framework_stack_has_a_block_column():
    result = run("infer", "configs/keras_stack.yaml", "--matrix", "--layers", "1", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "block" in result.stdout.splitlines()[2]
    doc = json.loads(run("infer", "configs/onnx_stack.yaml", "--matrix", "--format", "json", cwd=REPO).stdout)
    assert len(doc["results"]) == 2 * 3 * 2 * 2  # layout × direction × num_layers 1, 2 × 2 blocks
    for first, second in zip(doc["results"][::2], doc["results"][1::2]):
        d = 2 if first["direction"] == "bidirectional" else 1
        assert second["input_size"] == d * first["hidden_size"] and (first["block"], second["block"]) == (0, 1)


# ------------------------------------------------------------------------------------- the library


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


def test_draw_shows_every_block_of_a_keras_and_an_onnx_stack(tmp_path):
    import xml.etree.ElementTree as ET

    for name, wanted in (("keras_stack", ["lstm[0]: keras: Bidirectional", "lstm[1]: keras: LSTM(8",
                                          "a stack of 2 keras.layers.LSTM blocks, lstm[0] at the bottom"]),
                         ("onnx_stack", ["node lstm_0: ONNX LSTM", "node lstm_1: ONNX LSTM", "node lstm_2: ONNX LSTM",
                                         "Y of lstm_1 → X of lstm_2", "(batch, seq, 2, H) | Transpose(perm=[2, 0, 1, 3])"])):
        out = tmp_path / f"{name}.svg"
        result = run("draw", f"configs/{name}.yaml", "-o", out, cwd=REPO)
        assert result.returncode == 0, result.stderr
        texts = " | ".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
        for text in wanted:
            assert text in texts, (name, text)
