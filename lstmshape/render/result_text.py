"""Text every reporter writes the same way: shapes as the table prints them, byte sizes, a one-line
description of each result, and JSON with each shape on one line. No rich here: JSON and plain
output never pay for it."""

from __future__ import annotations

import json
import re

from ..shapes import Size
from ..frameworks.torch import TorchShapes
from ..shapes.core import LEADING_LAYERS, LISTED_LAYERS, MATRIX_LAYERS
from ..frameworks.keras import KerasShapes
from ..frameworks.keras import settings as keras_settings
from ..frameworks.onnx import OnnxShapes
from ..frameworks.onnx import settings as onnx_settings


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def human_bytes(size: Size) -> str:
    """`58.8 KiB`; a symbolic size keeps its unit on the number, the symbols after `×`
    (`2.0 KiB × L × N`): a symbol named B or KiB never reads as the unit."""
    if size.symbols:
        return " × ".join([human_bytes(Size(size.coefficient)), *size.symbols])
    value = float(size.coefficient)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size.coefficient:,} B" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


_FLAT_LIST = re.compile(r"\[\s+([^\[\]{}]*?)\s+\]")


def dumps(doc: dict) -> str:
    """Indented JSON with each shape on one line: `"hn": [4, 32, 20]`."""
    text = json.dumps(doc, indent=2)
    return _FLAT_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)


def describe(result) -> str:
    """One line saying what was inferred: `nn.LSTM(input_size=10, ...) on input with seq_len=5, ...`."""
    return torch_description(result) if isinstance(result, TorchShapes) else framework_description(result)


def torch_description(result: TorchShapes) -> str:
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
    if lstm.cell == "rnn":
        parts.append(f"nonlinearity={lstm.nonlinearity!r}")
    sizes = [f"seq_len={data.seq_len}"] + ([] if data.unbatched else [f"batch_size={data.batch_size}"])
    return f"nn.{lstm.kind.torch}({', '.join(parts)}) on {'unbatched ' if data.unbatched else ''}input with {', '.join(sizes)}"


def data_text(data) -> str:
    return f"on input with seq_len={data.seq_len}, batch_size={data.batch_size}"


def framework_description(result: KerasShapes | OnnxShapes) -> str:
    if isinstance(result, KerasShapes):
        return f"keras: {keras_settings(result.lstm, result.data)} {data_text(result.data)}"
    return f"onnx: {onnx_settings(result.lstm)} {data_text(result.data)}"


def matrix_note(results: list) -> str:
    """What a --matrix over a deep stack leaves out (lstmshape.shapes.core.layer_counts): '' when its
    rows span every num_layers value."""
    counts = sorted({r.lstm.num_layers for r in results})
    if counts != [*range(1, LEADING_LAYERS + 1), counts[-1]] or counts[-1] <= MATRIX_LAYERS:
        return ""
    return (f"num_layers {LEADING_LAYERS + 1} to {counts[-1] - 1:,} not shown: their rows differ from these only in "
            "num_layers, the state rows and params (--layers N shows any)")


def shown_blocks(count: int) -> list:
    """The blocks of a stack a table shows, in order: every one of up to LISTED_LAYERS blocks, else
    the first LEADING_LAYERS, the range left out, and the last (a few hundred bytes of config can
    hold thousands of blocks; `--format json` lists every block)."""
    if count <= LISTED_LAYERS:
        return list(range(count))
    return [*range(LEADING_LAYERS), range(LEADING_LAYERS, count - 1), count - 1]


def blocks_left_out(left: range) -> str:
    return f"⋮ blocks {left.start}–{left[-1]} not shown ({len(left):,} blocks; --format json lists every block)"


def matrix_blocks(results: list) -> tuple[set, list]:
    """(the blocks a --matrix table shows rows for, the ranges it leaves out); a single LSTM's rows
    (block None) are all shown."""
    if results[0].block is None:
        return {None}, []
    listed = shown_blocks(max(r.block for r in results) + 1)
    return {k for k in listed if isinstance(k, int)}, [k for k in listed if isinstance(k, range)]
