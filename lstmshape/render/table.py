"""`infer` as rich tables: one row per tensor with each dimension labelled, then the parameters.

Colour follows rich's rules: none when the stream is not a terminal or when NO_COLOR is set.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..config import Config
from ..explain import traps
from ..shapes import Inference, Size, Tensor


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def human_bytes(size: Size) -> str:
    if size.symbols:
        return f"{size} B"
    value = float(size.coefficient)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size.coefficient:,} B" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def settings(result: Inference) -> str:
    lstm, data = result.lstm, result.data
    parts = [
        f"input_size={lstm.input_size}",
        f"hidden_size={lstm.hidden_size}",
        f"num_layers={lstm.num_layers}",
        f"bidirectional={lstm.bidirectional}",
        f"batch_first={lstm.batch_first}",
    ]
    if lstm.proj_size:
        parts.append(f"proj_size={lstm.proj_size}")
    if not lstm.bias:
        parts.append("bias=False")
    sizes = [f"seq_len={data.seq_len}"] + ([] if data.unbatched else [f"batch_size={data.batch_size}"])
    return f"nn.LSTM({', '.join(parts)}) on {'unbatched ' if data.unbatched else ''}input with {', '.join(sizes)}"


class TableReporter:
    def __init__(self, stream: TextIO, explain: bool = False):
        self.console = Console(file=stream, highlight=False, soft_wrap=False, width=200 if not stream.isatty() else None)
        self.explain = explain

    def report(self, config: Config, results: list[Inference]) -> None:
        if len(results) == 1:
            self.single(config, results[0])
        else:
            self.matrix(config, results)

    def tensor_rows(self, table: Table, tensors: tuple[Tensor, ...]) -> None:
        for tensor in tensors:
            row = [
                Text(tensor.name, style="bold"),
                Text(shape_text(tensor.shape), style="cyan"),
                "(" + ", ".join(d.meaning for d in tensor.dims) + ")",
            ]
            if self.explain:
                row.append("; ".join(d.why for d in tensor.dims))
            row += [str(tensor.numel), human_bytes(tensor.nbytes)]
            table.add_row(*row)

    def new_table(self, title: str, first: str) -> Table:
        table = Table(title=title, title_justify="left", title_style="bold")
        table.add_column(first)
        table.add_column("shape")
        table.add_column("dimensions")
        if self.explain:
            table.add_column("derived from")
        table.add_column("elements", justify="right")
        table.add_column("float32", justify="right")
        return table

    def single(self, config: Config, result: Inference) -> None:
        out = self.console
        out.print(Text(config.path, style="bold"), Text(settings(result)))
        tensors = self.new_table("Tensors", "tensor")
        self.tensor_rows(tensors, result.tensors)
        out.print(tensors)
        params = self.new_table("Parameters (torch state_dict names)", "parameter")
        self.tensor_rows(params, result.params)
        out.print(params)
        out.print(
            f"parameters: {result.num_params:,} ({human_bytes(Size(4 * result.num_params))} float32)   "
            f"forward MACs: {result.macs}"
        )
        if self.explain:
            out.print(Text("Traps for this config:", style="bold"))
            for trap in traps(result):
                out.print(f"  • {trap}", soft_wrap=True)

    def matrix(self, config: Config, results: list[Inference]) -> None:
        out = self.console
        out.print(Text(config.path, style="bold"), Text("every batch_first × bidirectional × num_layers"))
        table = Table(title_justify="left")
        for name in ("batch_first", "bidirectional", "num_layers", "input", "output", "h0 / hn", "c0 / cn", "params"):
            table.add_column(name, justify="right" if name in ("num_layers", "params") else "left")
        for result in results:
            lstm = result.lstm
            table.add_row(
                str(lstm.batch_first).lower(),
                str(lstm.bidirectional).lower(),
                str(lstm.num_layers),
                shape_text(result["input"].shape),
                shape_text(result["output"].shape),
                shape_text(result["hn"].shape),
                shape_text(result["cn"].shape),
                f"{result.num_params:,}",
            )
        out.print(table)
        if self.explain:
            for result in results:
                out.print(Text(settings(result), style="bold"))
                for trap in traps(result):
                    out.print(f"  • {trap}", soft_wrap=True)
