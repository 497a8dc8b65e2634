"""Re-record tests/golden/frameworks/stacks.json from real torch, Keras 3 and ONNX (run by hand).

    KERAS_BACKEND=torch python tests/golden/record_stacks.py

For every stack config in CASES (torch, keras and onnx configs with `lstm` as a list of blocks)
and every framework `lstmshape infer --as` translates it into (itself included), the network is
built in that framework and run on the config's input: torch as one nn.LSTM / nn.GRU / nn.RNN per
block called one after the other (transposing between blocks whose batch_first differs, as the
calling code must); Keras as one functional model, each block's layers named as lstmshape names
them; ONNX as one graph of LSTM / GRU nodes glued as lstmshape says (Transpose / Reshape /
Squeeze between nodes and blocks), with weights drawn here, passed through strict
`onnx.shape_inference` and run by `onnx.reference.ReferenceEvaluator`. What each framework
observed (every block's tensor shapes, every weight, the parameter counts) is written down;
tests/test_translate.py compares `infer` with it, and re-runs this recorder live where the oracles
are installed. A target the translation refuses (LS201) is recorded as null.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("frameworks") / "stacks.json"
FRAMEWORKS = ("torch", "keras", "onnx")

CASES = {
    # a BiLSTM of two layers, then an LSTM of another size: every framework expresses it
    "torch_bilstm_then_lstm": """\
lstm:
  - {input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true}
  - {hidden_size: 5}
data: {batch_size: 2, seq_len: 5}
""",
    # a GRU block, then a batch-first BiLSTM block reading it transposed
    "torch_gru_then_bilstm_batch_first": """\
lstm:
  - {input_size: 3, hidden_size: 4, cell: gru}
  - {hidden_size: 2, bidirectional: true, batch_first: true}
data: {batch_size: 2, seq_len: 5}
""",
    # proj_size in the second block: neither Keras nor ONNX has a projection
    "torch_projection_block": """\
lstm:
  - {input_size: 3, hidden_size: 4, bidirectional: true}
  - {hidden_size: 6, proj_size: 2}
data: {batch_size: 2, seq_len: 5}
""",
    # Keras: a Bidirectional concat block, then a plain LSTM that returns its states
    "keras_bidirectional_then_state": """\
framework: keras
lstm:
  - {input_dim: 3, units: 4, bidirectional: true, return_sequences: true}
  - {units: 5, return_state: true}
data: {batch_size: 2, seq_len: 5}
""",
    # Keras: three blocks, the last a GRU returning sequences and its state
    "keras_three_blocks": """\
framework: keras
lstm:
  - {input_dim: 3, units: 4, num_layers: 2, return_sequences: true}
  - {units: 2, bidirectional: true, return_sequences: true}
  - {units: 3, cell: gru, return_sequences: true, return_state: true}
data: {batch_size: 2, seq_len: 5}
""",
    # Keras: merge_mode sum between blocks: torch and ONNX cannot express it
    "keras_merge_sum": """\
framework: keras
lstm:
  - {input_dim: 3, units: 4, bidirectional: true, merge_mode: sum, return_sequences: true}
  - {units: 2}
data: {batch_size: 2, seq_len: 5}
""",
    # ONNX: two bidirectional nodes in layout 0, then a forward node in layout 1
    "onnx_layouts_mixed": """\
framework: onnx
lstm:
  - {input_size: 3, hidden_size: 4, num_layers: 2, direction: bidirectional}
  - {hidden_size: 2, layout: 1}
data: {batch_size: 2, seq_len: 5}
""",
    # ONNX: a batch-first forward block, then a bidirectional GRU block (torch's arithmetic)
    "onnx_forward_then_gru": """\
framework: onnx
lstm:
  - {input_size: 3, hidden_size: 4, layout: 1}
  - {hidden_size: 3, direction: bidirectional, cell: gru, linear_before_reset: 1}
data: {batch_size: 2, seq_len: 5}
""",
    # ONNX: a reverse-only block: torch has none
    "onnx_reverse_block": """\
framework: onnx
lstm:
  - {input_size: 3, hidden_size: 4}
  - {hidden_size: 2, direction: reverse}
data: {batch_size: 2, seq_len: 5}
""",
}


def translated(name: str, target: str):
    """The case's config as `infer --as target` gives it (None when refused)."""
    from lstmshape.read import parse_text
    from lstmshape.translate import translate

    config, problems = parse_text(CASES[name], f"{name}.yaml")
    assert config is not None, problems
    return translate(config, target)[0]


# ------------------------------------------------------------------------------------------ torch


def torch_module(block):
    import torch

    kw = dict(num_layers=block.num_layers, bidirectional=block.bidirectional, batch_first=block.batch_first,
              bias=block.bias)
    if block.cell == "lstm":
        return torch.nn.LSTM(block.input_size, block.hidden_size, proj_size=block.proj_size, **kw)
    if block.cell == "gru":
        return torch.nn.GRU(block.input_size, block.hidden_size, **kw)
    return torch.nn.RNN(block.input_size, block.hidden_size, nonlinearity=block.nonlinearity, **kw)


def observe_torch(config) -> dict:
    """Each block run on the output of the one before (transposed where batch_first differs)."""
    import torch

    torch.manual_seed(0)
    blocks, data = config.blocks, config.data
    first = blocks[0]
    shape = (data.batch_size, data.seq_len, first.input_size) if first.batch_first else \
        (data.seq_len, data.batch_size, first.input_size)
    x = torch.randn(shape)
    out = []
    for k, block in enumerate(blocks):
        if k and blocks[k - 1].batch_first != block.batch_first:
            x = x.transpose(0, 1)
        module = torch_module(block)
        with torch.no_grad():
            y, state = module(x)
        hn, cn = state if block.cell == "lstm" else (state, None)
        shapes = {"input": list(x.shape), "output": list(y.shape), "hn": list(hn.shape)}
        if cn is not None:
            shapes["cn"] = list(cn.shape)
        out.append({"shapes": shapes, "params": [[n, list(p.shape)] for n, p in module.state_dict().items()],
                    "num_params": sum(p.numel() for p in module.parameters())})
        x = y
    return {"blocks": out}


# ------------------------------------------------------------------------------------------ keras


def build_keras_stack(blocks, batch: int, seq: int):
    """One keras.Model: every block's layers in turn, named as lstmshape names them; its outputs
    are every block's call outputs, block after block. Returns (model, outputs per block)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    from lstmshape.frameworks.keras import layer_names

    classes = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
    inp = keras.Input(shape=(seq, blocks[0].input_dim), batch_size=batch)
    x, outputs, first = inp, [], 0
    for lstm in blocks:
        for k, name in enumerate(layer_names(lstm, first)):
            last = k == lstm.num_layers - 1
            kw = dict(return_sequences=lstm.return_sequences or not last, return_state=lstm.return_state and last,
                      go_backwards=lstm.go_backwards, use_bias=lstm.use_bias,
                      name=f"{lstm.kind.keras_name}_{first + k}" if lstm.bidirectional else name)
            if lstm.cell == "gru":
                kw["reset_after"] = lstm.reset_after
            layer = classes[lstm.cell](lstm.units, **kw)
            if lstm.bidirectional:
                layer = keras.layers.Bidirectional(layer, merge_mode=lstm.merge_mode, name=name)
            x = layer(x)
        called = list(x) if isinstance(x, (list, tuple)) else [x]
        outputs.append(called)
        x = called[0]
        first += lstm.num_layers
    model = keras.Model(inp, [o for called in outputs for o in called])
    return model, [len(called) for called in outputs]


def observe_keras(config) -> dict:
    model, counts = build_keras_stack(config.blocks, config.data.batch_size, config.data.seq_len)
    shapes = [list(o.shape) for o in model.outputs]
    blocks, start = [], 0
    for count in counts:
        blocks.append({"outputs": shapes[start:start + count]})
        start += count
    return {"blocks": blocks, "count_params": int(model.count_params()),
            "weights": {w.path: list(w.shape) for w in model.weights}}


# ------------------------------------------------------------------------------------------- onnx


def glue_ops(helper, numpy_helper, src: str, dst: str, d: int, layout: int, to_layout: int, tag: str):
    """The nodes (and initializers) turning a 4-D Y in `layout` into a 3-D X in `to_layout`."""
    nodes, inits = [], []
    if layout == to_layout and d == 1:
        inits.append(numpy_helper.from_array(np.array([1 if layout == 0 else 2], np.int64), f"axes_{tag}"))
        return [helper.make_node("Squeeze", [src, f"axes_{tag}"], [dst])], inits
    perm = {(0, 0): [0, 2, 1, 3], (0, 1): [2, 0, 1, 3], (1, 0): [1, 0, 2, 3]}.get((layout, to_layout))
    if perm is not None:
        nodes.append(helper.make_node("Transpose", [src], [f"T_{tag}"], perm=perm))
        src = f"T_{tag}"
    inits.append(numpy_helper.from_array(np.array([0, 0, -1], np.int64), f"shape_{tag}"))
    nodes.append(helper.make_node("Reshape", [src, f"shape_{tag}"], [dst]))
    return nodes, inits


def build_onnx_stack(blocks, batch: int, seq: int, seed: int = 0):
    """A ModelProto of every block's nodes (named lstm_0, lstm_1, gru_2, ... across blocks), with
    seeded weights drawn from the settings alone; initial states and X are graph inputs, every
    node's outputs graph outputs of unknown shape for shape inference to fill in."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    first = blocks[0]
    x_shape = [seq, batch, first.input_size] if first.layout == 0 else [batch, seq, first.input_size]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)]
    nodes, inits, outputs, x_name, i = [], [], [], "X", 0
    for b, lstm in enumerate(blocks):
        d, h, g = lstm.num_directions, lstm.hidden_size, lstm.gates
        for k in range(lstm.num_layers):
            fed = lstm.input_size if k == 0 else d * h
            weights = {"W": (d, g * h, fed), "R": (d, g * h, h)} | ({"B": (d, 2 * g * h)} if lstm.bias else {})
            names = [x_name]
            for key, shape in weights.items():
                inits.append(numpy_helper.from_array(rng.uniform(-0.5, 0.5, shape).astype(np.float32), f"{key}_{i}"))
                names.append(f"{key}_{i}")
            if not lstm.bias:
                names.append("")
            names.append("")  # sequence_lens
            state = [d, batch, h] if lstm.layout == 0 else [batch, d, h]
            for key in ("initial_h", "initial_c") if lstm.has_cell_state else ("initial_h",):
                inputs.append(helper.make_tensor_value_info(f"{key}_{i}", TensorProto.FLOAT, state))
                names.append(f"{key}_{i}")
            outs = [f"Y_{i}", f"Y_h_{i}"] + ([f"Y_c_{i}"] if lstm.has_cell_state else [])
            attrs = {"hidden_size": h, "direction": lstm.direction, "layout": lstm.layout}
            if lstm.cell == "gru":
                attrs["linear_before_reset"] = lstm.linear_before_reset
            nodes.append(helper.make_node(lstm.kind.onnx, names, outs, name=f"{lstm.cell}_{i}", **attrs))
            outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs]
            following = lstm if k < lstm.num_layers - 1 else (blocks[b + 1] if b + 1 < len(blocks) else None)
            if following is not None:
                more, more_inits = glue_ops(helper, numpy_helper, f"Y_{i}", f"X_{i + 1}", d, lstm.layout,
                                            following.layout, str(i))
                nodes += more
                inits += more_inits
                x_name = f"X_{i + 1}"
            i += 1
    graph = helper.make_graph(nodes, "lstmshape_stack", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    return model


def observe_onnx(config) -> dict:
    """Every node's shapes after strict shape inference, confirmed by a reference evaluator run."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    blocks, data = config.blocks, config.data
    model = build_onnx_stack(blocks, data.batch_size, data.seq_len)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    shapes = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        shapes[info.name] = [dim.dim_value for dim in info.type.tensor_type.shape.dim]
    for init in inferred.graph.initializer:
        shapes[init.name] = list(init.dims)
    rng = np.random.default_rng(1)
    feeds = {i.name: rng.standard_normal([d.dim_value for d in i.type.tensor_type.shape.dim]).astype(np.float32)
             for i in model.graph.input}
    names = [o.name for o in model.graph.output]
    ran = dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))
    out, i = [], 0
    for lstm in blocks:
        nodes = []
        for _ in range(lstm.num_layers):
            node = {"X": shapes["X" if i == 0 else f"X_{i}"], "W": shapes[f"W_{i}"], "R": shapes[f"R_{i}"]}
            if lstm.bias:
                node["B"] = shapes[f"B_{i}"]
            for key in ("initial_h", "initial_c") if lstm.has_cell_state else ("initial_h",):
                node[key] = shapes[f"{key}_{i}"]
            for key in ("Y", "Y_h", "Y_c") if lstm.has_cell_state else ("Y", "Y_h"):
                assert list(ran[f"{key}_{i}"].shape) == shapes[f"{key}_{i}"], (key, i)
                node[key] = shapes[f"{key}_{i}"]
            nodes.append(node)
            i += 1
        out.append({"nodes": nodes})
    return {"blocks": out}


OBSERVE = {"torch": observe_torch, "keras": observe_keras, "onnx": observe_onnx}


def observe(name: str) -> dict:
    """What each framework observed for the case translated into it (None where refused)."""
    out = {}
    for target in FRAMEWORKS:
        config = translated(name, target)
        out[target] = None if config is None else OBSERVE[target](config)
    return out


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import onnx
    import torch

    doc = {"torch": torch.__version__, "keras": keras.__version__, "onnx": onnx.__version__,
           "cases": {name: observe(name) for name in CASES}}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(CASES)} stack cases × {len(FRAMEWORKS)} frameworks to {OUT}")


if __name__ == "__main__":
    main()
