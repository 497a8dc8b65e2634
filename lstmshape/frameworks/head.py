"""What a head layer is fed and what an `expect` entry is compared with, in each framework's own
tensors: the head walked from the tensor head[0] is fed, one `Step` per layer, and one `Mismatch`
per `expect` entry the configured LSTM contradicts. The rules (LS101, LS102, LS110-LS113, LS116,
LS118-LS125) and the picture read these values; nothing else walks the head."""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

from ..shapes.core import Dimension, Size, Tensor
from .context import RuleContext, listed, n, shape


class Mismatch(NamedTuple):
    """One `expect` entry that the configured LSTM contradicts, with the trap that explains it
    (`kind`), so that exactly one rule reports it: not-returned (LS118: `tensor` is None),
    keras-input-ndim (LS119), onnx-y-rank (LS120), state-batch-first (LS111), output-features
    (LS112), proj-size (LS113) or shape (LS110). `hint`: what a message adds for this framework."""

    block: int
    name: str
    expected: tuple
    tensor: Tensor | None
    parts: tuple
    kind: str
    hint: str = ""

    @property
    def label(self) -> str:
        return f"expect[{self.block}].{self.name}" if self.parts[1:2] == (self.block,) else f"expect.{self.name}"


class Step(NamedTuple):
    """One head layer as the walk reaches it: the dimensions it is fed (after its own transpose
    and reshape), or why it cannot be fed (`error`: LS118 not-returned, LS124 reshape, LS125 rank).
    `tensor`: the LSTM tensor the head reads (head[0]'s step only: output, hn, Y_h, state_h, ...);
    `explained`: how the features of that tensor come about, for a message (torch)."""

    index: int
    layer: object  # settings.HeadLayer
    fed: tuple  # of Dimension
    source: str  # what the dimensions are, for a message: "Y_h after reshape [0, -1]"
    error: str = ""  # "" | not-returned | reshape | rank
    why: str = ""
    op: str = ""  # the setting that failed: transpose or reshape
    tensor: str = ""
    explained: str = ""


def returned(tensors, name: str) -> Tensor | None:
    """The tensor called `name` among those a layer or node, as configured, has; None if it has none."""
    return next((t for t in tensors if t.name == name), None)


def same(a, b) -> bool:
    return type(a) is type(b) and a == b


def described(dims) -> str:
    return shape(d.size for d in dims)


class HeadContext(RuleContext):
    """The one head walk and the one `expect` comparison; each framework's context says what its
    tensors are (`tensor`, `head_source`), what a layer does to them (`output`, `rank_error`) and
    which trap explains a mismatch (`fits`, `diagnose`, `hint`)."""

    @property
    def weighted(self) -> tuple:
        """The head layers that change the features (Linear; Dense; Gemm, MatMul)."""
        return tuple(self.framework.weighted)

    @property
    def in_key(self) -> str:
        """How the written input size of a weighted layer is called."""
        return self.framework.in_key

    @property
    def out_name(self) -> str:
        return self.framework.out_key

    @property
    def default_input(self) -> str:
        """What feeds head[0] unless its `input` says otherwise."""
        return self.framework.head_inputs[0]

    def tensor(self, k: int, name: str) -> Tensor | None:
        """Block k's tensor `name` (a config's name), None when the LSTM as configured has none."""
        raise NotImplementedError

    def absent(self, k: int, name: str) -> str:
        return ""

    def compared(self, k: int, name: str) -> bool:
        """Whether an `expect` entry is compared at all (torch: a GRU's c0 is LS117's business)."""
        return True

    def fits(self, k: int, name: str, expected: tuple, inferred: tuple) -> bool:
        return len(expected) == len(inferred) and all(same(e, i) for e, i in zip(expected, inferred))

    def diagnose(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        return "shape"

    def hint(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        return ""

    @cached_property
    def expect_mismatches(self) -> list[Mismatch]:
        out = []
        for k, name, expected, parts in self.expects(self.framework.expect_names):
            if not self.compared(k, name):
                continue
            tensor = self.tensor(k, name)
            if tensor is None:
                out.append(Mismatch(k, name, expected, None, parts, "not-returned", self.absent(k, name)))
                continue
            if self.fits(k, name, expected, tensor.shape):
                continue
            out.append(Mismatch(k, name, expected, tensor, parts, self.diagnose(k, name, expected, tensor),
                                self.hint(k, name, expected, tensor)))
        return out

    def head_source(self, source: str) -> tuple[tuple, str, str, str] | None:
        """What `source` (head[0]'s input) gives the head: (dims, what a message calls it, the LSTM
        tensor, how its features come about), None when the LSTM as configured does not return it."""
        tensor = self.tensor(len(self.blocks) - 1, source)
        return None if tensor is None else (tensor.dims, source, source, "")

    @cached_property
    def head_steps(self) -> list[Step]:
        """The head walked from the tensor head[0] is fed: stops at the first layer that cannot take it."""
        head = self.config.head
        if not head:
            return []
        source = head[0].input if head[0].kind in self.weighted else self.default_input
        fed = self.head_source(source)
        if fed is None:
            return [Step(0, head[0], (), source, "not-returned", self.absent(len(self.blocks) - 1, source))]
        dims, what, tensor, explained = fed
        steps: list[Step] = []
        for index, layer in enumerate(head):
            start = {"tensor": tensor, "explained": explained} if index == 0 else {}
            for op, given in layer.ops:
                if op == "transpose" and sorted(given) != list(range(len(dims))):
                    steps.append(Step(index, layer, dims, what, "reshape",
                                      f"transpose {listed(given)} is not a permutation of the {len(dims)} axes "
                                      f"of {what} {described(dims)}", op, **start))
                    return steps
                if op == "transpose":
                    dims = tuple(dims[p] for p in given)
                else:
                    dims, why = reshaped(dims, given, what)
                    if dims is None:
                        steps.append(Step(index, layer, (), what, "reshape", why, op, **start))
                        return steps
                what = f"{what} after {op} {listed(given)}"
            rank_error = self.rank_error(layer, dims, what)
            if rank_error:
                steps.append(Step(index, layer, dims, what, "rank", rank_error, **start))
                return steps
            steps.append(Step(index, layer, dims, what, **start))
            dims = self.output(layer, dims)
            what = f"head[{index}]'s output"
        return steps

    @property
    def head_output(self) -> tuple:
        """The dimensions the whole head returns (() when it has no layer or the walk stopped)."""
        steps = self.head_steps
        if not steps or steps[-1].error or len(steps) < len(self.config.head):
            return ()
        return self.output(steps[-1].layer, steps[-1].fed)

    def rank_error(self, layer, dims, what: str) -> str:
        return ""

    def weighted_output(self, layer, dims: tuple) -> tuple:
        """What a feature-changing layer returns: the last axis its out size."""
        return dims[:-1] + (Dimension(layer.out_features, self.out_name,
                                      f"{self.out_name} {n(layer.out_features)} of head[{layer.parts[1]}]"),)

    def output(self, layer, dims: tuple) -> tuple:
        """What a head layer returns, given its input dimensions (Keras, ONNX: pooling and flatten
        drop axes; torch's subclass: only Linear changes the shape)."""
        if layer.kind in self.weighted:
            return self.weighted_output(layer, dims)
        if layer.kind == "flatten" and len(dims) > 2:
            size = Size.of(d.size for d in dims[1:]).value
            return (dims[0], Dimension(size, "flattened", " × ".join(n(d.size) for d in dims[1:]) + " (flatten)"))
        if layer.kind.startswith("global_"):
            return (dims[0], dims[-1])
        return dims



def reshaped(dims: tuple, target: tuple, what: str) -> tuple[tuple | None, str]:
    """ONNX Reshape (allowzero 0) of `dims` to `target`: (the new dims, "") or (None, why not)."""
    if target.count(-1) > 1:
        return None, f"reshape {listed(target)} has more than one -1 (ONNX Reshape infers at most one dimension)"
    total = Size.of(d.size for d in dims)
    out: list = []
    for i, t in enumerate(target):
        if t == 0 and not isinstance(t, bool):
            if i >= len(dims):
                return None, (f"reshape {listed(target)}: entry {i} is 0 (copy input dimension {i}), but {what} "
                              f"{described(dims)} has only {len(dims)} dimensions")
            out.append(dims[i])
        elif t == -1:
            out.append(None)
        else:
            out.append(Dimension(t, "given", f"reshape[{i}] {n(t)}"))
    known = Size.of(d.size for d in out if d is not None)
    if None not in out:
        if known != total:
            return None, (f"reshape {listed(target)} holds {known} elements but {what} {described(dims)} holds "
                          f"{total}")
        return tuple(out), ""
    rest = list(total.symbols)
    for symbol in known.symbols:
        if symbol not in rest:
            return None, (f"reshape {listed(target)}: {what} {described(dims)} has no dimension {symbol} to divide "
                          f"its {total} elements by")
        rest.remove(symbol)
    if total.coefficient % known.coefficient:
        return None, (f"reshape {listed(target)}: {what} {described(dims)} holds {total} elements, not a multiple "
                      f"of {known}")
    inferred = Size(total.coefficient // known.coefficient, tuple(rest)).value
    at = out.index(None)
    why = f"{n(inferred)} = {total} elements / {known} (-1)"
    if at == len(out) - 1 and at < len(dims) and all(same(o.size, d.size) for o, d in zip(out[:at], dims)):
        # the trailing axes merged: say which
        why = f"{n(inferred)} = " + " × ".join(f"{d.meaning} {n(d.size)}" for d in dims[at:]) + " (reshape -1)"
    out[at] = Dimension(inferred, "inferred", why)
    return tuple(out), ""
