"""`infer` tables for keras and onnx configs. The torch table reporter hands results of those
frameworks over to this module (dispatch on the result's `framework`)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..explain import framework_traps as traps
from ..frameworks import of
from ..frameworks.keras import KerasShapes
from ..shapes import Repeat, Size
from .result_text import blocks_left_out, describe, human_bytes, matrix_blocks, matrix_note, shape_text, shown_blocks
from .tensor_table import plain, tensor_table

class FrameworkTableReporter:
    """Tables like the torch ones, framework-appropriate: Keras outputs in call order and weight
    paths; ONNX inputs and outputs of every node."""

    def __init__(self, console, explain: bool = False):
        self.console = console
        self.explain = explain

    def report(self, config, results: list) -> None:
        if len(results) == 1:
            self.single(config, results[0])
        elif [r.block for r in results] == list(range(len(results))):
            for i in shown_blocks(len(results)):  # a stack: each block in turn
                if isinstance(i, range):
                    self.console.print(Text(blocks_left_out(i), style="bold magenta"))
                    continue
                self.console.print(Text(f"block {i} of {len(results)}: lstm[{i}]", style="bold magenta"))
                self.single(config, results[i], results[i + 1] if i + 1 < len(results) else None)
        else:
            self.matrix(config, results)

    def single(self, config, result, following=None) -> None:
        """One result (one block of a stack: `following` is the next block's, whose first node
        the last node's Y feeds)."""
        out = self.console
        out.print(plain(config.path, "bold"), plain(describe(result)))
        if isinstance(result, KerasShapes):
            out.print(tensor_table("Input", "tensor", (result.input,), self.explain))
            out.print(tensor_table("Outputs (what the last layer's call returns, in order)", "output",
                                   result.outputs, self.explain))
            out.print(tensor_table("Weights (Keras weight paths, model.weights order)", "weight",
                                   result.listed_params, self.explain))
            counted = "model.count_params()"
        else:
            self.nodes(result, following)
            counted = "elements of the initializers W, R, B" + (", P" if result.lstm.has_cell_state else "")
        out.print(f"parameters: {result.num_params:,} ({counted}; {human_bytes(Size(4 * result.num_params))} float32)")
        if self.explain:
            out.print(Text("Traps for this config:", style="bold"))
            for trap in traps(result):
                out.print(plain(f"  • {trap}"), soft_wrap=True)

    def nodes(self, result, following=None) -> None:
        """Each ONNX node's tensors (a deep stack's identical nodes as one line), and the ops from its Y
        to the next node's X."""
        out, last = self.console, result.nodes[-1].index
        op, name = result.lstm.kind.onnx, result.lstm.cell
        for node in result.listed_nodes:
            if isinstance(node, Repeat):
                out.print(Text(f"  ⋮ nodes {name}_{node.first}–{name}_{node.last}: {node.count:,} identical nodes, "
                               f"each as node {name}_{node.first - 1} (its Y → the next node's X the same way)"))
                continue
            out.print(tensor_table(f"Node {name}_{node.index} (ONNX {op}, opset 14+)", "tensor", node.tensors,
                                   self.explain))
            if node.to_next:
                after = name if node.index != last or following is None else following.lstm.cell
                block = f" (lstm[{following.block}])" if node.index == last and following is not None else ""
                out.print(plain(f"  Y → node {after}_{node.index + 1}{block}'s X: {node.to_next}"))

    def matrix(self, config, results: list) -> None:
        out = self.console
        framework = results[0].framework
        out.print(plain(config.path, "bold"), Text(f"{framework}: {of(framework).matrix_axes}"))
        table = Table(title_justify="left")
        keras = isinstance(results[0], KerasShapes)
        if keras:
            columns = ["bidirectional", "return_sequences", "return_state", "num_layers", "input", "outputs", "params"]
        else:
            states = "Y_h / Y_c" if results[0].lstm.has_cell_state else "Y_h"  # GRU and RNN nodes: no Y_c
            columns = ["layout", "direction", "num_layers", "X", "W (node 0)", "Y (last node)", states, "params"]
        stacked = results[0].block is not None
        if stacked:  # a stack of blocks: one row per block per combination
            columns.insert(columns.index("num_layers") + 1, "block")
        for name in columns:
            table.add_column(name, justify="right" if name in ("num_layers", "params") else "left", overflow="fold")
        shown, left = matrix_blocks(results)
        for result in results:
            if result.block not in shown:
                continue
            lstm = result.lstm
            block = [str(result.block)] if stacked else []
            if keras:
                table.add_row(str(lstm.bidirectional).lower(), str(lstm.return_sequences).lower(),
                              str(lstm.return_state).lower(), str(lstm.num_layers), *block,
                              shape_text(result.input.shape),
                              " ".join(shape_text(t.shape) for t in result.outputs), f"{result.num_params:,}")
            else:
                first, last = result.nodes[0], result.nodes[-1]
                table.add_row(str(lstm.layout), lstm.direction, str(lstm.num_layers), *block,
                              shape_text(first["X"].shape), shape_text(first["W"].shape), shape_text(last["Y"].shape),
                              shape_text(last["Y_h"].shape), f"{result.num_params:,}")
        out.print(table)
        for note in [matrix_note(results)] + [blocks_left_out(r) + " in each combination" for r in left]:
            if note:
                out.print(Text(note), soft_wrap=True)
        if self.explain:
            for result in results:
                out.print(plain(describe(result), "bold"))
                for trap in traps(result):
                    out.print(plain(f"  • {trap}"), soft_wrap=True)
