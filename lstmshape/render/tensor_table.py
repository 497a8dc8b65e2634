"""The rich pieces shared by every framework's `infer` tables: one row per tensor, and what the
forward pass made of it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..problems import one_line
from ..shapes import Repeat, Tensor
from .result_text import human_bytes, shape_text


def plain(text, style: str = "") -> Text:
    """Text that may hold what a file or command line said (a path, a key, a value): never read as
    rich markup or an emoji code, and one printable line (lstmshape.problems.one_line, as `check`
    prints its problem lines), so no control character or bidi override reaches the terminal."""
    return Text(one_line(text), style=style)


def verified_cell(verification, name: str | None) -> Text:
    """✓ when the forward pass produced the inferred shape; otherwise what it produced."""
    if name is None:
        bad = verification.mismatches
        if verification.verified:
            return Text("✓ verified", style="green")
        return plain("✗ " + (", ".join(bad) if bad else verification.note), "bold red")
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
        return plain(text + (f" ({verification.note})" if verification.note else ""), "green")
    return plain(f"forward pass: NOT verified ({verification.note or ', '.join(verification.mismatches)})", "bold red")


def repeat_row(repeat: Repeat, explain: bool, verified: bool) -> list:
    """One row for a deep stack's identical layers: which, what each holds, and their size together."""
    names = ", ".join(t.name for t in repeat.tensors)
    row = [plain(f"⋮ layers {repeat.first}–{repeat.last}", "bold"), plain(f"as layer {repeat.first - 1}"),
           plain(f"{repeat.count:,} identical layers, each with {names}")]
    if explain:
        row.append(plain("every layer after the first takes the layer before's output: the same shapes"))
    return row + [plain(repeat.numel), plain(human_bytes(repeat.nbytes))] + ([plain("—")] if verified else [])


def tensor_table(title: str, first: str, tensors: tuple[Tensor | Repeat, ...], explain: bool = False,
                 verification=None) -> Table:
    """One row per tensor: its shape, what each dimension is (and, explaining, how it was derived),
    its size, and with a verification what the forward pass made of it; one row for a Repeat."""
    table = Table(title=title, title_justify="left", title_style="bold")
    for name in (first, "shape", "dimensions") + (("derived from",) if explain else ()):
        table.add_column(name, overflow="fold")
    table.add_column("elements", justify="right", overflow="fold")
    table.add_column("float32", justify="right", overflow="fold")
    if verification is not None:
        table.add_column("forward pass", overflow="fold")
    for tensor in tensors:
        if isinstance(tensor, Repeat):
            table.add_row(*repeat_row(tensor, explain, verification is not None))
            continue
        row = [
            plain(tensor.name, "bold"),
            plain(shape_text(tensor.shape), "cyan"),
            plain("(" + ", ".join(d.meaning for d in tensor.dims) + ")"),
        ]
        if explain:
            row.append(plain("; ".join(d.why for d in tensor.dims)))
        row += [plain(tensor.numel), plain(human_bytes(tensor.nbytes))]
        if verification is not None:
            row.append(verified_cell(verification, tensor.name))
        table.add_row(*row)
    return table
