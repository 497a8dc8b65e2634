"""What a rule sees of a keras or onnx config: the RuleContext of torch configs, with the
framework's own shapes (lstmshape.shapes.keras / .onnx), its own tensor names, and the head walked
in its own layers. Loaded by name (`rules.CONTEXTS`) for keras and onnx configs only, so a torch
check never imports the Keras or ONNX engines.

The names `expect` and the head use, per block (for num_layers > 1 inside one block):

* Keras: `input` is the block's input; `output`, `state_h`, `state_c` (and with Bidirectional +
  return_state `forward_h`, `forward_c`, `backward_h`, `backward_c`; with merge_mode null
  `forward_output`, `backward_output`) are what the last layer's call returns, in Keras's order
  `[output, forward_h, forward_c, backward_h, backward_c]`.
* ONNX: `X` is the first node's input; `Y`, `Y_h`, `Y_c` the last node's outputs; `initial_h`,
  `initial_c` each node's initial state (every node's has the same shape); `sequence_lens` the
  (batch,) input every node shares.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import NamedTuple

from ..shapes.core import Dimension, Size, Tensor
from ..shapes.keras import infer_keras_stack
from ..shapes.onnx import NODE_TENSORS, glue, infer_onnx, infer_onnx_stack
from .context import RuleContext, listed, n, shape


class Mismatch(NamedTuple):
    """One `expect` entry that the configured layer or node contradicts, and how."""

    block: int
    name: str
    expected: tuple
    tensor: Tensor | None  # None: the layer does not return it (LS118)
    parts: tuple
    kind: str  # not-returned | keras-input-ndim | onnx-y-rank | shape
    hint: str = ""

    @property
    def label(self) -> str:
        return f"expect[{self.block}].{self.name}" if self.parts[1:2] == (self.block,) else f"expect.{self.name}"


class Step(NamedTuple):
    """One head layer as the walk reaches it: the dimensions it is fed (after its own transpose
    and reshape), or why it cannot be fed (`error`: LS118 not-returned, LS124 reshape, LS125 rank)."""

    index: int
    layer: object  # settings.HeadLayer
    fed: tuple  # of Dimension
    source: str  # what the dimensions are, for a message: "Y_h after reshape [0, -1]"
    error: str = ""  # "" | not-returned | reshape | rank
    why: str = ""
    op: str = ""  # the setting that failed: transpose or reshape


# Every tensor a Keras recurrent layer can take or return, by the names a config gives them
KERAS_TENSORS = ("input", "output", "forward_output", "backward_output", "state_h", "state_c",
                 "forward_h", "forward_c", "backward_h", "backward_c")


def returned(tensors, name: str) -> Tensor | None:
    """The tensor called `name` among those a layer or node, as configured, has; None if it has none."""
    return next((t for t in tensors if t.name == name), None)


def same(a, b) -> bool:
    return type(a) is type(b) and a == b


def described(dims) -> str:
    return shape(d.size for d in dims)


class FrameworkContext(RuleContext):
    """A keras or onnx config as the rules read it; subclasses name the framework's tensors."""

    weighted: tuple = ()  # the head layers that change the features
    in_key = "in_features"  # how the written input size is called

    def tensor(self, k: int, name: str) -> Tensor | None:
        raise NotImplementedError

    def absent(self, k: int, name: str) -> str:
        raise NotImplementedError

    def hint(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        return ""

    def diagnose(self, name: str, expected: tuple, tensor: Tensor) -> str:
        return "shape"

    @cached_property
    def expect_mismatches(self) -> list[Mismatch]:
        out = []
        for k, name, expected, parts in self.expects():
            tensor = self.tensor(k, name)
            if tensor is None:
                out.append(Mismatch(k, name, expected, None, parts, "not-returned", self.absent(k, name)))
                continue
            inferred = tensor.shape
            if len(expected) == len(inferred) and all(same(e, i) for e, i in zip(expected, inferred)):
                continue
            out.append(Mismatch(k, name, expected, tensor, parts, self.diagnose(name, expected, tensor),
                                self.hint(k, name, expected, tensor)))
        return out

    @cached_property
    def head_steps(self) -> list[Step]:
        """The head walked from the tensor head[0] is fed: stops at the first layer that cannot take it."""
        head = self.config.head
        if not head:
            return []
        source = head[0].input if head[0].kind in self.weighted else self.default_input
        tensor = self.tensor(len(self.blocks) - 1, source)
        if tensor is None:
            return [Step(0, head[0], (), source, "not-returned", self.absent(len(self.blocks) - 1, source))]
        dims, what, steps = tensor.dims, source, []
        for index, layer in enumerate(head):
            for op, given in layer.ops:
                if op == "transpose" and sorted(given) != list(range(len(dims))):
                    steps.append(Step(index, layer, dims, what, "reshape",
                                      f"transpose {listed(given)} is not a permutation of the {len(dims)} axes "
                                      f"of {what} {described(dims)}", op))
                    return steps
                if op == "transpose":
                    dims = tuple(dims[p] for p in given)
                else:
                    dims, why = reshaped(dims, given, what)
                    if dims is None:
                        steps.append(Step(index, layer, (), what, "reshape", why, op))
                        return steps
                what = f"{what} after {op} {listed(given)}"
            rank_error = self.rank_error(layer, dims, what)
            if rank_error:
                steps.append(Step(index, layer, dims, what, "rank", rank_error))
                return steps
            steps.append(Step(index, layer, dims, what))
            dims = self.output(layer, dims)
            what = f"head[{index}]'s output"
        return steps

    def rank_error(self, layer, dims, what: str) -> str:
        return ""

    def output(self, layer, dims: tuple) -> tuple:
        """What a head layer returns, given its input dimensions."""
        if layer.kind in self.weighted:
            return dims[:-1] + (Dimension(layer.out_features, self.out_name,
                                          f"{self.out_name} {n(layer.out_features)} of head[{layer.parts[1]}]"),)
        if layer.kind == "flatten" and len(dims) > 2:
            size = Size.of(d.size for d in dims[1:]).value
            return (dims[0], Dimension(size, "flattened", " × ".join(n(d.size) for d in dims[1:]) + " (flatten)"))
        if layer.kind.startswith("global_"):
            return (dims[0], dims[-1])
        return dims


class KerasContext(FrameworkContext):
    weighted = ("dense",)
    in_key = "input_dim"
    out_name = "units"
    default_input = "output"
    lengths_user = "the Keras mask (keras.layers.Masking or mask=)"

    @cached_property
    def inferences(self) -> list:
        return infer_keras_stack(self.blocks, self.config.data)  # block 0's declared input fixes every block's

    def tensor(self, k: int, name: str) -> Tensor | None:
        """Block k's tensor `name` (a config's name), None when its layer, as configured, does not return it."""
        if name not in KERAS_TENSORS:
            raise ValueError(f"no Keras recurrent layer has a tensor {name!r}")  # a bug: the reader allows none
        return returned(self.inferences[k].tensors, {"state_h": "h", "state_c": "c"}.get(name, name))

    def absent(self, k: int, name: str) -> str:
        block = self.blocks[k]
        layer = f"keras.layers.{block.kind.keras}"
        if name in ("state_c", "forward_c", "backward_c") and not block.has_cell_state:
            return f"{layer} has no cell state: return_state gives h alone"
        if name.endswith("_output"):
            return f"{name} exists only with bidirectional: true and merge_mode: null (two outputs, not merged)"
        if name == "output":
            return "merge_mode null returns the two directions apart: expect forward_output and backward_output"
        if name.startswith(("forward_", "backward_")) and not block.bidirectional:
            return f"{name} exists only with bidirectional: true and return_state: true; this {layer} returns state_h" + (
                "/state_c" if block.has_cell_state else "")
        if not block.return_state:
            returned = "[output, state_h, state_c]" if block.has_cell_state else "[output, state_h]"
            if block.bidirectional:
                returned = "[output, forward_h, forward_c, backward_h, backward_c]" if block.has_cell_state else \
                    "[output, forward_h, backward_h]"
            return f"{name} exists only with return_state: true (then the layer returns {returned})"
        return f"a Bidirectional layer returns forward_h, forward_c, backward_h, backward_c, not {name}"

    def diagnose(self, name: str, expected: tuple, tensor: Tensor) -> str:
        return "keras-input-ndim" if name == "input" and len(expected) == 2 else "shape"

    def hint(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        block = self.blocks[k]
        if name in ("output", "forward_output", "backward_output") and len(expected) != len(tensor.dims):
            return ("; the output is (batch, units) without return_sequences, (batch, seq_len, units) with it "
                    f"(return_sequences is {str(block.return_sequences).lower()})")
        if name not in ("input", "output") and len(expected) == 3:
            return "; Keras states have no layer or direction axis: each is (batch, units)"
        return ""

    def rank_error(self, layer, dims, what: str) -> str:
        if layer.kind.startswith("global_") and len(dims) != 3:
            return (f"keras.layers.{'GlobalAveragePooling1D' if 'average' in layer.kind else 'GlobalMaxPooling1D'} "
                    f"expected ndim=3, found ndim={len(dims)} ({what} {described(dims)}): it pools over the time axis of a (batch, seq_len, "
                    "features) sequence (return_sequences: true)")
        return ""


class OnnxContext(FrameworkContext):
    weighted = ("gemm", "matmul")
    out_name = "out_features"
    default_input = "Y"
    lengths_user = "the node's sequence_lens input"

    @cached_property
    def inferences(self) -> list:
        return infer_onnx_stack(self.blocks, self.config.data)

    def tensor(self, k: int, name: str) -> Tensor | None:
        nodes = self.inferences[k].nodes
        if name not in NODE_TENSORS:
            raise ValueError(f"no ONNX recurrent node has a tensor {name!r}")  # a bug: the reader allows none
        return returned((nodes[-1] if name in ("Y", "Y_h", "Y_c") else nodes[0]).tensors, name)

    def absent(self, k: int, name: str) -> str:
        block = self.blocks[k]
        if name == "sequence_lens":
            return "the node takes sequence_lens only with sequence_lens: true in lstm"
        return f"the ONNX {block.kind.onnx} operator has no cell state: it has initial_h and Y_h only"

    def diagnose(self, name: str, expected: tuple, tensor: Tensor) -> str:
        return "onnx-y-rank" if name == "Y" and len(expected) == 3 else "shape"

    def hint(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        block = self.blocks[k]
        if name == "sequence_lens" or len(expected) != len(tensor.dims):
            return ""
        other = infer_onnx(replace(block, layout=1 - block.layout), self.config.data)
        flipped = (other.nodes[-1] if name in ("Y", "Y_h", "Y_c") else other.nodes[0])[name].shape
        if all(same(e, f) for e, f in zip(expected, flipped)):
            return (f"; that is the layout {1 - block.layout} shape: layout 1 moves batch first in all of X, Y, Y_h, "
                    f"Y_c (and initial_h/c), and lstm.layout is {block.layout}")
        return ""

    def glue(self, k: int) -> str:
        """The ops exporters put between Y and a 3-D sequence."""
        return glue(self.blocks[k])

    def rank_error(self, layer, dims, what: str) -> str:
        if layer.kind == "gemm" and len(dims) != 2:
            return (f"Gemm needs a 2-D A (M, K), but it is fed {what} {described(dims)}; reshape it first, e.g. "
                    "reshape: [0, -1] after transpose [1, 0, 2] for Y_h (batch first, then the directions side by side)")
        return ""


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
