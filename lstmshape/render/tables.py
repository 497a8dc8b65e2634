"""The rich pieces shared by every framework's `infer` tables: one row per tensor, and what the
forward pass made of it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..shapes import Tensor
from .common import human_bytes, shape_text


def verified_cell(verification, name: str | None) -> Text:
    """✓ when the forward pass produced the inferred shape; otherwise what it produced."""
    if name is None:
        bad = verification.mismatches
        if verification.verified:
            return Text("✓ verified", style="green")
        return Text("✗ " + (", ".join(bad) if bad else verification.note), style="bold red")
    if not verification.observed:
        return Text("✗ not run", style="bold red")
    if name in verification.mismatches:
        seen = verification.observed.get(name)
        return Text(f"✗ observed {shape_text(seen) if seen else 'nothing'}", style="bold red")
    return Text("✓ verified", style="green")


def verification_summary(verification, cell: str = "LSTM") -> Text:
    """The line under a verified table; `cell` names the module the NumPy pass ran (LSTM, GRU, RNN)."""
    if verification.verified:
        text = f"forward pass: every shape verified by running the NumPy {cell}"
        return Text(text + (f" ({verification.note})" if verification.note else ""), style="green")
    return Text(f"forward pass: NOT verified ({verification.note or ', '.join(verification.mismatches)})", style="bold red")


def tensor_table(title: str, first: str, tensors: tuple[Tensor, ...], explain: bool = False,
                 verification=None) -> Table:
    """One row per tensor: its shape, what each dimension is (and, explaining, how it was derived),
    its size, and with a verification what the forward pass made of it."""
    table = Table(title=title, title_justify="left", title_style="bold")
    for name in (first, "shape", "dimensions") + (("derived from",) if explain else ()):
        table.add_column(name, overflow="fold")
    table.add_column("elements", justify="right", overflow="fold")
    table.add_column("float32", justify="right", overflow="fold")
    if verification is not None:
        table.add_column("forward pass", overflow="fold")
    for tensor in tensors:
        row = [
            Text(tensor.name, style="bold"),
            Text(shape_text(tensor.shape), style="cyan"),
            "(" + ", ".join(d.meaning for d in tensor.dims) + ")",
        ]
        if explain:
            row.append("; ".join(d.why for d in tensor.dims))
        row += [str(tensor.numel), human_bytes(tensor.nbytes)]
        if verification is not None:
            row.append(verified_cell(verification, tensor.name))
        table.add_row(*row)
    return table
