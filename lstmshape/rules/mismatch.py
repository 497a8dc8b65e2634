"""Shared by the expect rules (LS110–LS113): each mismatch between `expect` and the inferred
shapes is diagnosed once, as the most specific trap that explains it, so that exactly one rule
reports it."""

from __future__ import annotations

from typing import NamedTuple

from ..shapes.core import Tensor
from ..frameworks.context import RuleContext

STATES = ("h0", "c0", "hn", "cn")


class Mismatch(NamedTuple):
    """One `expect` shape that differs from the inferred one, with the trap that explains it."""

    block: int
    name: str  # input, output, h0, ...
    expected: tuple
    tensor: Tensor  # the inferred one
    parts: tuple
    kind: str  # state-batch-first | output-features | proj-size | shape

    @property
    def label(self) -> str:
        return f"expect[{self.block}].{self.name}" if self.parts[1:2] == (self.block,) else f"expect.{self.name}"


def same(a, b) -> bool:
    return type(a) is type(b) and a == b


def mismatches(context: RuleContext) -> list[Mismatch]:
    if "mismatches" in context.memo:
        return context.memo["mismatches"]
    out = []
    for k, name, expected, parts in context.expects():
        if name in ("c0", "cn") and not context.blocks[k].has_cell_state:
            continue  # a GRU or RNN has no cell state to compare with: LS117 says so
        tensor = context.inferences[k][name]
        inferred = tensor.shape
        if fits(context, k, name, expected, inferred):
            continue
        out.append(Mismatch(k, name, expected, tensor, parts, diagnose(context.blocks[k], name, expected, inferred)))
    context.memo["mismatches"] = out
    return out


def time_axis(context, k: int) -> int | None:
    if context.data.unbatched:
        return 0
    return 1 if context.blocks[k].batch_first else 0


def fits(context, k, name, expected, inferred) -> bool:
    if len(expected) != len(inferred):
        return False
    lengths = context.data.lengths
    for axis, (e, i) in enumerate(zip(expected, inferred)):
        if same(e, i):
            continue
        # pad_packed_sequence returns max(lengths) time steps unless given total_length
        if name == "output" and lengths and axis == time_axis(context, k) and same(e, max(lengths)):
            continue
        return False
    return True


def diagnose(block, name: str, expected: tuple, inferred: tuple) -> str:
    rank = len(inferred)
    if name in STATES and rank == 3 == len(expected) and not same(inferred[0], inferred[1]):
        if same(expected[0], inferred[1]) and same(expected[1], inferred[0]) and same(expected[2], inferred[2]):
            return "state-batch-first"
    if len(expected) == rank and all(same(e, i) for e, i in zip(expected[:-1], inferred[:-1])):
        last = expected[-1]
        if block.proj_size and name in ("c0", "cn") and same(last, block.proj_size):
            return "proj-size"
        if block.proj_size and name in ("h0", "hn") and same(last, block.hidden_size):
            return "proj-size"
        if name == "output" and (same(last, block.hidden_size) or same(last, block.h_out)):
            return "output-features"
    return "shape"
