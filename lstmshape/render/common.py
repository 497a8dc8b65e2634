"""Text every reporter writes the same way: shapes as the table prints them, byte sizes, a one-line
description of each result, and JSON with each shape on one line. No rich here: JSON and plain
output never pay for it."""

from __future__ import annotations

import json
import re

from ..shapes import Size, TorchShapes
from ..shapes.keras import KerasShapes
from ..shapes.keras import settings as keras_settings
from ..shapes.onnx import OnnxShapes
from ..shapes.onnx import settings as onnx_settings


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


_FLAT_LIST = re.compile(r"\[\s+([^\[\]{}]*?)\s+\]")


def dumps(doc: dict) -> str:
    """Indented JSON with each shape on one line: `"hn": [4, 32, 20]`."""
    text = json.dumps(doc, indent=2)
    return _FLAT_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)


def describe(result) -> str:
    """One line saying what was inferred: `nn.LSTM(input_size=10, ...) on input with seq_len=5, ...`."""
    return torch_description(result) if result.framework == "torch" else framework_description(result)


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
    if result.framework == "keras":
        return f"keras: {keras_settings(result.lstm, result.data)} {data_text(result.data)}"
    return f"onnx: {onnx_settings(result.lstm)} {data_text(result.data)}"
