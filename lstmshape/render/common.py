"""Text every reporter writes the same way: shapes as the table prints them, byte sizes, and
JSON with each shape on one line. No rich here: JSON and plain output never pay for it."""

from __future__ import annotations

import json
import re

from ..shapes import Size


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
