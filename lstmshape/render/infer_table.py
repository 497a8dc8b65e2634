"""`infer` as rich tables: one row per tensor with each dimension labelled, then the parameters.

Colour follows rich's rules: none when the stream is not a terminal or when NO_COLOR is set.
"""

from __future__ import annotations

from typing import TextIO

from rich.table import Table
from rich.text import Text

from ..explain import traps
from ..read.mapping import MappedDoc
from ..read.sources import origin_text, sources
from ..settings import Config
from ..shapes import Size
from ..frameworks import TORCH
from ..frameworks.torch import TorchShapes
from ..shapes.joins import infer_decoder
from . import terminal
from .result_text import blocks_left_out, describe, human_bytes, matrix_blocks, matrix_note, shape_text, shown_blocks
from .join_bridge_lines import bridge_line, join_line
from .keras_onnx_table import FrameworkTableReporter
from .tensor_table import plain, tensor_table, verification_summary, verified_cell


def sources_table(config: Config) -> Table:
    table = Table(title="Sources (where each setting came from)", title_justify="left")
    for column in ("setting", "value", "from"):
        table.add_column(column)
    for name, origin in sources(config).items():
        value = origin["value"]
        shown = str(value).lower() if isinstance(value, bool) else "—" if value is None else str(value)
        table.add_row(plain(name), plain(shown), plain(origin_text(origin)))
    return table


def matrix_cells(results: list[TorchShapes]) -> str:
    """` of nn.GRU`: which module the matrix is about, said when it is not nn.LSTM."""
    names = sorted({r.lstm.kind.torch for r in results})
    return "" if names == ["LSTM"] else f" of {' / '.join('nn.' + n for n in names)}"


class TableReporter:
    def __init__(self, stream: TextIO, explain: bool = False):
        self.console = terminal.console(stream, highlight=False, soft_wrap=False,
                                        width=200 if not stream.isatty() else None)
        self.explain = explain

    def report(self, config: Config, results: list[TorchShapes], verifications: list | None = None,
               problems=()) -> None:
        """(The problems are already on stderr: a table shows the shapes, and for a config read
        through --from/--set, where each setting came from.)"""
        self.shapes(config, results, verifications)
        if isinstance(config.source, MappedDoc):
            self.console.print(sources_table(config))

    def shapes(self, config: Config, results: list[TorchShapes], verifications: list | None = None) -> None:
        if not isinstance(results[0], TorchShapes):
            return FrameworkTableReporter(self.console, self.explain).report(config, results)
        if len(results) == 1:
            self.single(config, results[0], verifications[0] if verifications else None)
        elif [r.block for r in results] == list(range(len(results))):
            for i in shown_blocks(len(results)):  # a stack: each block in turn
                if isinstance(i, range):
                    self.console.print(Text(blocks_left_out(i), style="bold magenta"))
                    continue
                if config.joins and config.joins[i]:
                    self.console.print(Text(join_line(config, results, i), style="bold cyan"), soft_wrap=True)
                self.console.print(Text(f"block {i} of {len(results)}: lstm[{i}]", style="bold magenta"))
                self.single(config, results[i], verifications[i] if verifications else None)
        else:
            self.matrix(config, results, verifications)
        if config.decoder is not None and (len(results) == 1 or [r.block for r in results] == list(range(len(results)))):
            self.decoder(config, results[-1])  # (a --matrix table shows the encoder's combinations only)

    def decoder(self, config: Config, encoder: TorchShapes) -> None:
        """The seq2seq decoder: the bridge from the encoder's final state, then its own tensors."""
        self.console.print(Text(bridge_line(config, encoder), style="bold cyan"), soft_wrap=True)
        self.console.print(Text("decoder: decoder.lstm", style="bold magenta"))
        self.single(config, infer_decoder(config))

    def single(self, config: Config, result: TorchShapes, verification=None) -> None:
        out = self.console
        out.print(plain(config.path, "bold"), plain(describe(result)))
        out.print(tensor_table("Tensors", "tensor", result.tensors, self.explain, verification))
        out.print(tensor_table("Parameters (torch state_dict names)", "parameter", result.listed_params, self.explain,
                               verification))
        out.print(
            f"parameters: {result.num_params:,} ({human_bytes(Size(4 * result.num_params))} float32)   "
            f"forward MACs: {result.macs}"
        )
        if verification is not None:
            out.print(verification_summary(verification, result.lstm.kind.torch), soft_wrap=True)
        if self.explain:
            out.print(Text("Traps for this config:", style="bold"))
            for trap in traps(result):
                out.print(plain(f"  • {trap}"), soft_wrap=True)

    def matrix(self, config: Config, results: list[TorchShapes], verifications: list | None = None) -> None:
        out = self.console
        out.print(plain(config.path, "bold"), Text(TORCH.matrix_axes
                                                         + matrix_cells(results)))
        table = Table(title_justify="left")
        cell_state = any(r.lstm.has_cell_state for r in results)  # GRU and RNN have no c0/cn column
        columns = ["batch_first", "bidirectional", "num_layers", "input", "output", "h0 / hn", "c0 / cn", "params"]
        if not cell_state:
            columns.remove("c0 / cn")
        stacked = results[0].block is not None
        if stacked:  # a stack of LSTMs: one row per block per combination
            columns.insert(3, "block")
        for name in columns + (["forward pass"] if verifications else []):
            table.add_column(name, justify="right" if name in ("num_layers", "params") else "left", overflow="fold")
        shown, left = matrix_blocks(results)
        for i, result in enumerate(results):
            if result.block not in shown:
                continue
            lstm = result.lstm
            extra = [verified_cell(verifications[i], None)] if verifications else []
            table.add_row(
                str(lstm.batch_first).lower(),
                str(lstm.bidirectional).lower(),
                str(lstm.num_layers),
                *([str(result.block)] if stacked else []),
                shape_text(result["input"].shape),
                shape_text(result["output"].shape),
                shape_text(result["hn"].shape),
                *([shape_text(result["cn"].shape) if result.lstm.has_cell_state else "—"] if cell_state else []),
                f"{result.num_params:,}",
                *extra,
            )
        out.print(table)
        for note in [matrix_note(results)] + [blocks_left_out(r) + " in each combination" for r in left]:
            if note:
                out.print(Text(note), soft_wrap=True)
        if verifications:
            notes = sorted({v.note for v in verifications if v.note})
            failed = sum(not v.verified for v in verifications)
            out.print(f"forward pass: {len(verifications) - failed} of {len(verifications)} combinations verified"
                      + "".join(f"; {note}" for note in notes), soft_wrap=True)
        if self.explain:
            for result in results:
                out.print(plain(describe(result), "bold"))
                for trap in traps(result):
                    out.print(plain(f"  • {trap}"), soft_wrap=True)
