"""`infer` for keras and onnx configs: rich tables and JSON. The torch reporters hand results of
those frameworks over to this module (dispatch on the result's `framework`)."""

from __future__ import annotations

from typing import TextIO

from rich.table import Table
from rich.text import Text

from ..shapes import Size
from .table import human_bytes, shape_text, tensor_table

MATRIX_AXES = {
    "keras": "every bidirectional × return_sequences × return_state × num_layers",
    "onnx": "every layout × direction × num_layers",
}


def data_text(data) -> str:
    return f"on input with seq_len={data.seq_len}, batch_size={data.batch_size}"


def settings(result) -> str:
    if result.framework == "keras":
        from ..frameworks.keras import settings as keras_settings

        return f"keras: {keras_settings(result.lstm)} {data_text(result.data)}"
    from ..frameworks.onnx import settings as onnx_settings

    return f"onnx: {onnx_settings(result.lstm)} {data_text(result.data)}"


def traps(result) -> list[str]:
    """What to watch for when using (or porting) this layer."""
    lstm = result.lstm
    out = []
    if result.framework == "keras":
        main = result.outputs[0]
        out.append(f"A Dense layer after it sees {main.shape[-1]} features" +
                   (" (merge_mode concat doubles units)" if lstm.bidirectional and lstm.merge_mode == "concat" else "")
                   + ".")
        if lstm.return_state:
            out.append(f"return_state: the call returns {len(result.outputs)} tensors ("
                       + ", ".join(t.name for t in result.outputs) + "); unpack them all.")
        if lstm.go_backwards:
            out.append("go_backwards: the returned sequence is in reading order (last time step first); "
                       "flip it along axis 1 to line it up with the input.")
        if lstm.bidirectional and not lstm.return_sequences:
            out.append("Bidirectional without return_sequences: the backward half is the backward layer's "
                       "final state (it read the whole sequence), not its output at the last step.")
        if lstm.num_layers > 1:
            out.append("Stacked: inner layers return sequences and no state; only the last layer's h/c come back.")
        out.append("Keras weights: kernel is (input, 4·units) — the transpose of torch's weight_ih — with gates "
                   "i, f, c, o and a single bias (torch has two, ONNX packs two in B).")
    else:
        layout = lstm.layout
        seq_axes = "(seq, num_directions, batch, hidden)" if layout == 0 else "(batch, seq, num_directions, hidden)"
        out.append(f"Y is 4-D {seq_axes}: reshape before a MatMul/Gemm "
                   + ("(Transpose(perm=[0, 2, 1, 3]) then Reshape([0, 0, -1]))." if layout == 0
                      else "(Reshape([0, 0, -1]))."))
        out.append("initial_h/initial_c and Y_h/Y_c follow layout: "
                   + ("(num_directions, batch, hidden)." if layout == 0 else "(batch, num_directions, hidden)."))
        out.append("Gate order is i, o, f, c (torch: i, f, g, o; Keras: i, f, c, o); B is (num_directions, 8·hidden) "
                   "= Wb ++ Rb.")
        if lstm.direction == "reverse":
            out.append("direction reverse: Y is indexed by the original time step (unlike Keras go_backwards).")
        if lstm.input_forget or lstm.peepholes:
            out.append("input_forget/peepholes have no PyTorch or Keras equivalent.")
    return out


class FrameworkTableReporter:
    """Tables like the torch ones, framework-appropriate: Keras outputs in call order and weight
    paths; ONNX inputs and outputs of every node."""

    def __init__(self, console, explain: bool = False):
        self.console = console
        self.explain = explain

    def report(self, config, results: list) -> None:
        if len(results) == 1:
            self.single(config, results[0])
        else:
            self.matrix(config, results)

    def single(self, config, result) -> None:
        out = self.console
        out.print(Text(config.path, style="bold"), Text(settings(result)))
        if result.framework == "keras":
            out.print(tensor_table("Input", "tensor", (result.input,), self.explain))
            out.print(tensor_table("Outputs (what the last layer's call returns, in order)", "output",
                                   result.outputs, self.explain))
            out.print(tensor_table("Weights (Keras weight paths, model.weights order)", "weight", result.params,
                                   self.explain))
            counted = "model.count_params()"
        else:
            for node in result.nodes:
                out.print(tensor_table(f"Node lstm_{node.index} (ONNX LSTM, opset 14+)", "tensor", node.tensors,
                                       self.explain))
                if node.to_next:
                    out.print(f"  Y → node lstm_{node.index + 1}'s X: {node.to_next}")
            counted = "elements of the initializers W, R, B, P"
        out.print(f"parameters: {result.num_params:,} ({counted}; {human_bytes(Size(4 * result.num_params))} float32)")
        if self.explain:
            out.print(Text("Traps for this config:", style="bold"))
            for trap in traps(result):
                out.print(f"  • {trap}", soft_wrap=True)

    def matrix(self, config, results: list) -> None:
        out = self.console
        framework = results[0].framework
        out.print(Text(config.path, style="bold"), Text(f"{framework}: {MATRIX_AXES[framework]}"))
        table = Table(title_justify="left")
        if framework == "keras":
            columns = ["bidirectional", "return_sequences", "return_state", "num_layers", "input", "outputs", "params"]
        else:
            columns = ["layout", "direction", "num_layers", "X", "W (node 0)", "Y (last node)", "Y_h / Y_c", "params"]
        for name in columns:
            table.add_column(name, justify="right" if name in ("num_layers", "params") else "left")
        for result in results:
            lstm = result.lstm
            if framework == "keras":
                table.add_row(str(lstm.bidirectional).lower(), str(lstm.return_sequences).lower(),
                              str(lstm.return_state).lower(), str(lstm.num_layers), shape_text(result.input.shape),
                              " ".join(shape_text(t.shape) for t in result.outputs), f"{result.num_params:,}")
            else:
                first, last = result.nodes[0], result.nodes[-1]
                table.add_row(str(lstm.layout), lstm.direction, str(lstm.num_layers), shape_text(first["X"].shape),
                              shape_text(first["W"].shape), shape_text(last["Y"].shape),
                              shape_text(last["Y_h"].shape), f"{result.num_params:,}")
        out.print(table)
        if self.explain:
            for result in results:
                out.print(Text(settings(result), style="bold"))
                for trap in traps(result):
                    out.print(f"  • {trap}", soft_wrap=True)


def result_json(result) -> dict:
    lstm = result.lstm
    if result.framework == "keras":
        return {
            "input_dim": lstm.input_dim,
            "units": lstm.units,
            "num_layers": lstm.num_layers,
            "bidirectional": lstm.bidirectional,
            "merge_mode": lstm.merge_mode if lstm.bidirectional else None,
            "return_sequences": lstm.return_sequences,
            "return_state": lstm.return_state,
            "go_backwards": lstm.go_backwards,
            "use_bias": lstm.use_bias,
            "shapes": {"input": list(result.input.shape), "outputs": [list(t.shape) for t in result.outputs]},
            "output_names": [t.name for t in result.outputs],
            "params": {p.name: list(p.shape) for p in result.params},
            "num_params": result.num_params,
        }
    doc = {
        "input_size": lstm.input_size,
        "hidden_size": lstm.hidden_size,
        "num_layers": lstm.num_layers,
        "direction": lstm.direction,
        "layout": lstm.layout,
        "input_forget": lstm.input_forget,
        "peepholes": lstm.peepholes,
        "bias": lstm.bias,
        "sequence_lens": lstm.sequence_lens,
        "nodes": [{t.name: list(t.shape) for t in node.tensors} for node in result.nodes],
        "num_params": result.num_params,
    }
    if lstm.num_layers > 1:
        doc["between_nodes"] = result.nodes[0].to_next
    return doc


def json_report(stream: TextIO, config, results: list) -> None:
    from .json import dumps

    doc = {"config": config.path, "framework": results[0].framework, "results": [result_json(r) for r in results]}
    stream.write(dumps(doc) + "\n")


def is_framework_result(results: list) -> bool:
    return bool(results) and getattr(results[0], "framework", "torch") != "torch"
