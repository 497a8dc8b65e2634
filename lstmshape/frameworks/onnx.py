"""The ONNX `LSTM` operator (opset 14+), and `GRU` and `RNN`: the shapes of every input and output
of every node, as plain arithmetic on the config.

Pure like lstmshape.frameworks.torch (no numpy, no onnx, no I/O). Checked against
`onnx.shape_inference.infer_shapes` and `onnx.reference.ReferenceEvaluator` in
tests/frameworks/test_onnx.py and recorded in tests/golden/frameworks/onnx_shapes.json:

* X is (seq, batch, input) with layout 0, (batch, seq, input) with layout 1;
* W (D, 4H, input), R (D, 4H, H), B (D, 8H) = Wb ++ Rb, P (D, 3H), gates in the order i, o, f, c
  (peepholes i, o, f), where D = num_directions (2 for bidirectional); GRU: 3H rows (z, r, h),
  B (D, 6H), no initial_c / Y_c / P; RNN: H rows, B (D, 2H), no initial_c / Y_c / P;
* Y is 4-D: (seq, D, batch, H) with layout 0, (batch, seq, D, H) with layout 1; Y_h, Y_c,
  initial_h and initial_c are (D, batch, H) with layout 0, (batch, D, H) with layout 1;
* `num_layers` stacks nodes the way exporters emit them: between two nodes Y is turned back
  into a 3-D sequence: layout 0: Transpose(perm=[0, 2, 1, 3]) then Reshape([0, 0, -1]) →
  (seq, batch, D·H) (torch.onnx emits Squeeze(axes=[1]) when D is 1); layout 1:
  Reshape([0, 0, -1]) → (batch, seq, D·H).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from functools import cached_property

from ..settings import DIRECTIONS, DataConfig, Key, OnnxLSTM
from ..shapes.core import Dimension, Layers, Repeat, Tensor, TensorLookup, gate_rows, layer_counts, listed
from .base import CELL_NAMES, TORCH_ONLY, Framework, Translating
from .head import HeadContext, described, returned, same

ONNX_KEYS = (
    Key("input_size", "positive_int", ("feature_size",), required=True,
        doc="Features per time step of X (required on the first block)."),
    Key("hidden_size", "positive_int", (), required=True,
        doc="The ONNX LSTM node's hidden_size: the size of Y_h and Y_c."),
    Key("num_layers", "positive_int", ("n_layers",),
        doc="Nodes stacked, each fed the one before (default 1)."),
    Key("direction", "choice",
        doc="forward, reverse or bidirectional (default forward)."),
    Key("layout", "choice",
        doc="0: X is (seq, batch, features); 1: batch first (default 0)."),
    Key("input_forget", "choice",
        doc="Couple the input and forget gates, 0 or 1 (LSTM only; default 0)."),
    Key("peepholes", "bool",
        doc="Whether input P (the peephole weights) is given (LSTM only)."),
    Key("bias", "bool",
        doc="Whether input B (the biases) is given (default true)."),
    Key("sequence_lens", "bool",
        doc="Whether input sequence_lens (one length per sequence) is given."),
    Key("cell", "choice", ("op_type",),
        doc="Which operator: lstm, gru or rnn (LSTM, GRU, RNN; any case)."),
    Key("linear_before_reset", "choice",
        doc="The ONNX GRU node's linear_before_reset, 0 or 1 (GRU only)."),
)
# Keys of torch or Keras written in an onnx section: what ONNX calls them
FOREIGN = {
    "units": "ONNX calls it 'hidden_size'",
    "input_dim": "ONNX calls it 'input_size'",
    "batch_first": "ONNX calls it 'layout' (1 = batch first)",
    "bidirectional": "ONNX uses 'direction: bidirectional'",
    "go_backwards": "ONNX uses 'direction: reverse'",
    "proj_size": "the ONNX LSTM operator has no projection",
    "dropout": "the ONNX LSTM operator has no dropout",
    "return_sequences": "the ONNX LSTM node always returns Y, Y_h and Y_c",
    "return_state": "the ONNX LSTM node always returns Y, Y_h and Y_c",
    "use_bias": "ONNX calls it 'bias' (whether input B is given)",
    "reset_after": "ONNX calls it 'linear_before_reset' (the GRU node)",
}
EXPECT_NAMES = ("X", "Y", "Y_h", "Y_c", "initial_h", "initial_c", "sequence_lens")
# Another framework's tensor name in an `expect` or head `input`: ONNX's name for it
FOREIGN_NAMES = {"input": "X", "output": "Y", "h0": "initial_h", "c0": "initial_c", "hn": "Y_h", "cn": "Y_c",
                 "state_h": "Y_h", "state_c": "Y_c", "hn_last": "Y_h", "hn_concat": "Y_h", "last_step": "Y"}

NODE_TENSORS = ("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P", "Y", "Y_h", "Y_c")
INITIALIZERS = ("W", "R", "B", "P")


@dataclass(frozen=True)
class OnnxNode(TensorLookup):
    """One LSTM node of an exported stack: every input and output, and the ops feeding the next node."""

    index: int
    tensors: tuple[Tensor, ...]  # in NODE_TENSORS order, absent optional inputs left out
    to_next: str | None  # the ops that turn Y into the next node's X

    @property
    def shapes(self) -> dict:
        return {t.name: t.shape for t in self.tensors}


@dataclass(frozen=True)
class OnnxShapes(TensorLookup):
    """Every node of one ONNX LSTM stack called on one input (`result["Y"]`: the last node's Y;
    `result["lstm_0.W"]`: an initializer)."""

    lstm: OnnxLSTM
    data: DataConfig
    nodes: Sequence[OnnxNode]  # built on demand (lstmshape.shapes.core.Layers): num_layers may be 10**8
    block: int | None = None  # the block's index when `lstm` is a stack of blocks, else None

    framework = "onnx"

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The block's inputs and outputs in the graph: the first node's X, then the last node's
        sequence_lens, initial_h/initial_c, Y, Y_h, Y_c (the same shape at every node)."""
        first, last = self.nodes[0], self.nodes[-1]
        return (first["X"],) + tuple(t for t in last.tensors if t.name != "X" and t.name not in INITIALIZERS)

    @property
    def shapes(self) -> dict:
        """Tensor name → shape for `tensors` (X, Y, Y_h, Y_c, ...); every node's in `nodes`."""
        return {t.name: t.shape for t in self.tensors}

    @property
    def params(self) -> tuple[Tensor, ...]:
        """The initializers, named node-wise: `lstm_0.W` (`gru_0.W`, `rnn_0.W`)."""
        return tuple(
            replace(t, name=f"{self.lstm.cell}_{node.index}.{t.name}")
            for node in self.nodes for t in node.tensors if t.name in INITIALIZERS
        )

    @property
    def listed_nodes(self) -> tuple[OnnxNode | Repeat, ...]:
        """The nodes as a report lists them: a deep stack's identical nodes as one Repeat."""
        nodes = self.nodes  # (len() stops at 2**63: num_layers counts them)
        return listed(self.lstm.num_layers, lambda k: (nodes[k],), lambda k: nodes[k].tensors, nodes[0].index)

    @property
    def num_params(self) -> int:
        """Total elements of the initializers W, R, B, P of every node: node 0, then num_layers - 1
        equal nodes."""
        first, *rest = (sum(t.numel.coefficient for t in node.tensors if t.name in INITIALIZERS)
                        for node in self.nodes[:2])
        return first + (self.lstm.num_layers - 1) * sum(rest)


def glue(lstm: OnnxLSTM) -> str:
    if lstm.layout == 0:
        if lstm.num_directions == 1:
            return "Squeeze(axes=[1]) -> (seq, batch, H)"
        return "Transpose(perm=[0, 2, 1, 3]) -> (seq, batch, 2, H), Reshape([0, 0, -1]) -> (seq, batch, 2*H)"
    if lstm.num_directions == 1:
        return "Squeeze(axes=[2]) -> (batch, seq, H)"
    return "Reshape([0, 0, -1]) -> (batch, seq, 2*H)"


def between_blocks(before: OnnxLSTM, after: OnnxLSTM) -> str:
    """The ops that turn block `before`'s last Y into block `after`'s X (its layout may differ)."""
    if before.layout == after.layout:
        return glue(before)
    d = before.num_directions
    if before.layout == 0:
        return (f"Transpose(perm=[2, 0, 1, 3]) -> (batch, seq, {d}, H), Reshape([0, 0, -1]) -> "
                f"(batch, seq, {d}*H)")
    return f"Transpose(perm=[1, 0, 2, 3]) -> (seq, batch, {d}, H), Reshape([0, 0, -1]) -> (seq, batch, {d}*H)"


def infer_onnx(lstm: OnnxLSTM, data, first: int = 0, to_next: str | None = None) -> OnnxShapes:
    """`first`: the nodes of the blocks before, so node names stay unique across a stack; `to_next`:
    the ops from the last node's Y to the next block's X. Nodes are built as they are looked at."""
    return OnnxShapes(lstm, data, Layers(lstm.num_layers, lambda k: onnx_node(lstm, data, k, first, to_next)))


def onnx_node(lstm: OnnxLSTM, data, k: int, first: int = 0, to_next: str | None = None) -> OnnxNode:
    """Node k of the stack (named `first + k`)."""
    h, d = lstm.hidden_size, lstm.num_directions
    batch = Dimension(data.batch_size, "batch", f"batch_size {data.batch_size}")
    seq = Dimension(data.seq_len, "seq", f"seq_len {data.seq_len}")
    hidden = Dimension(h, "hidden_size", f"hidden_size {h}")
    dirs = Dimension(d, "num_directions", f"num_directions {d} (direction {lstm.direction!r})")
    cell = lstm.kind
    gates = gate_rows(cell, h, order=cell.onnx_gates)
    states = ("initial_h", "initial_c") if lstm.has_cell_state else ("initial_h",)
    outputs = ("Y_h", "Y_c") if lstm.has_cell_state else ("Y_h",)
    if k == 0:
        fed = Dimension(lstm.input_size, "input_size", f"input_size {lstm.input_size}")
    else:
        fed = Dimension(d * h, "num_directions × hidden_size",
                        f"{d * h} = num_directions {d} × hidden_size {h} (node {k - 1}'s Y, reshaped)")
    if lstm.layout == 0:
        x, y, state = (seq, batch, fed), (seq, dirs, batch, hidden), (dirs, batch, hidden)
    else:
        x, y, state = (batch, seq, fed), (batch, seq, dirs, hidden), (batch, dirs, hidden)
    tensors = [Tensor("X", x), Tensor("W", (dirs, gates, fed)), Tensor("R", (dirs, gates, hidden))]
    if lstm.bias:
        tensors.append(Tensor("B", (dirs, gate_rows(cell, h, scale=2))))
    if lstm.sequence_lens:
        tensors.append(Tensor("sequence_lens", (batch,)))
    tensors += [Tensor(name, state) for name in states]
    if lstm.peepholes:
        tensors.append(Tensor("P", (dirs, Dimension(3 * h, "3 × hidden_size",
                                                      f"{3 * h} = 3 peepholes (i, o, f) × hidden_size {h}"))))
    tensors += [Tensor("Y", y)] + [Tensor(name, state) for name in outputs]
    return OnnxNode(first + k, tuple(tensors), glue(lstm) if k < lstm.num_layers - 1 else to_next)


def combinations(lstm: OnnxLSTM, layers: Iterable[int] | None = None) -> list[OnnxLSTM]:
    """layout × direction × num_layers, everything else as configured."""
    counts = layer_counts(lstm.num_layers, layers)
    return [
        replace(lstm, layout=layout, direction=direction, num_layers=n)
        for layout in (0, 1) for direction in DIRECTIONS for n in counts
    ]


def infer_onnx_config(config, matrix: bool = False, layers: Iterable[int] | None = None) -> list[OnnxShapes]:
    """One result per combination; for a stack (`lstm` as a list of blocks), one per block (per
    combination: layout, direction and num_layers applied to every block, each block's
    input_size following the block before)."""
    if len(config.blocks) > 1:
        stacks = [stack_combination(config.blocks, combo) for combo in combinations(
            replace(config.blocks[0], num_layers=max(b.num_layers for b in config.blocks)), layers)] if matrix \
            else [config.blocks]
        return [result for blocks in stacks for result in infer_onnx_stack(blocks, config.data)]
    lstms = combinations(config.blocks[0], layers) if matrix else [config.blocks[0]]
    return [infer_onnx(lstm, config.data) for lstm in lstms]


def infer_onnx_stack(blocks, data) -> list[OnnxShapes]:
    """Each block's nodes, numbered on from the blocks before; a block's last node says how its Y
    becomes the next block's X."""
    out, first = [], 0
    for k, lstm in enumerate(blocks):
        to_next = between_blocks(lstm, blocks[k + 1]) if k < len(blocks) - 1 else None
        out.append(replace(infer_onnx(lstm, data, first, to_next), block=k))
        first += lstm.num_layers
    return out


def stack_combination(blocks, combo: OnnxLSTM) -> list[OnnxLSTM]:
    out = []
    for block in blocks:
        block = replace(block, layout=combo.layout, direction=combo.direction, num_layers=combo.num_layers)
        if out:
            block = replace(block, input_size=out[-1].num_directions * out[-1].hidden_size)
        out.append(block)
    return out


def settings(lstm: OnnxLSTM) -> str:
    attrs = [f"hidden_size={lstm.hidden_size}", f"direction={lstm.direction!r}", f"layout={lstm.layout}"]
    if lstm.input_forget:
        attrs.append("input_forget=1")
    if lstm.cell == "gru":
        attrs.append(f"linear_before_reset={lstm.linear_before_reset}")
    inputs = ["X", "W", "R"] + (["B"] if lstm.bias else []) + (["sequence_lens"] if lstm.sequence_lens else [])
    inputs += ["initial_h"] + (["initial_c"] if lstm.has_cell_state else []) + (["P"] if lstm.peepholes else [])
    text = f"{lstm.kind.onnx}({', '.join(inputs)}; {', '.join(attrs)})"
    if lstm.num_layers > 1:
        text = f"{lstm.num_layers} × {text}"
    return text


class OnnxContext(HeadContext):

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

    def diagnose(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
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


def describe_onnx(lstm: OnnxLSTM) -> dict:
    """An ONNX node in `infer --as`'s framework-free words."""
    return {"cell": lstm.cell, "nonlinearity": "tanh", "reset_after": bool(lstm.linear_before_reset),
            "input": lstm.input_size, "hidden": lstm.hidden_size, "layers": lstm.num_layers,
            "direction": lstm.direction, "direction_key": "direction", "batch_first": lstm.layout == 1,
            "bias": lstm.bias, "bias_key": "bias", "peepholes": lstm.peepholes,
            "input_forget": lstm.input_forget, "sequence_lens": lstm.sequence_lens, "source": "onnx"}


def build_onnx(spec: dict) -> OnnxLSTM:
    return OnnxLSTM(spec["input"], spec["hidden"], spec["layers"], spec["direction"], int(spec["batch_first"]),
                    bias=spec["bias"], cell=spec["cell"],
                    linear_before_reset=int(spec["reset_after"]) if spec["cell"] == "gru" else 0)


ONNX_TRANSLATING = Translating(
    describe=describe_onnx, build=build_onnx, input_data=lambda block, data: data,
    reset_key="linear_before_reset", reset_words=("0", "1"),
    merge_refusal="the ONNX LSTM node returns the two directions separately in Y (an Add/Mul after it "
                  "would be needed, which lstmshape does not emit)",
    directions_split="Y[:, 0] / Y[:, :, 0] (layout 0 / 1) is the forward and index 1 the backward output",
    relu_rnn="the RNN node's activations=['Relu'] (per direction)")

ONNX = Framework(
    name="onnx", section_doc="The ONNX LSTM (GRU, RNN) node's attributes.",
    label="ONNX", article="an", keys=ONNX_KEYS, input_key="input_size", hidden_key="hidden_size",
    choices={"direction": DIRECTIONS, "layout": (0, 1), "input_forget": (0, 1, False, True),
             "linear_before_reset": (0, 1)},
    foreign=FOREIGN, cell_only={"linear_before_reset": "gru", "peepholes": "lstm", "input_forget": "lstm"},
    legacy={}, expect_names=EXPECT_NAMES, head_inputs=("Y", "Y_h", "Y_c"), foreign_names=FOREIGN_NAMES,
    weighted={"gemm": (("in_features", True), ("out_features", True)),
              "matmul": (("in_features", True), ("out_features", True))}, in_key="in_features",
    out_key="out_features", head_layer_keys=("bias", "transpose", "reshape"), pooling=(),
    example_layer="gemm: {input: Y_h, reshape: [0, -1], in_features: 40, out_features: 3}",
    foreign_layers={"linear": "gemm (or matmul)", "dense": "gemm (or matmul)"},
    lengths_user="the node's sequence_lens input", input_name="X", unchecked=TORCH_ONLY, input_shape_keys=(),
    sequences_optional=False, cell_class=lambda cell: cell.onnx, module=lambda cell: "ONNX " + cell.onnx,
    operator=lambda cell: f"the ONNX {cell.onnx} operator", settings=lambda values: OnnxLSTM(**values),
    handed_on=lambda block: block.num_directions * block.hidden_size,
    matrix_axes="every layout × direction × num_layers", runs_forward=False,
    engine=infer_onnx_config, context=OnnxContext, check="check_onnx", unit="node",
    per_step_output="feed the head Y (every step) rather than Y_h",
    cell_names=CELL_NAMES, mapping_aliases={"neurons": "hidden_size"},
    takes_unbatched=False, translating=ONNX_TRANSLATING,
    reads_around=False)
OnnxContext.framework = ONNX
