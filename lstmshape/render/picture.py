"""What the picture of a network shows, as plain data: the scene.

`scene` reads a config, its shape results (`TorchShapes`, `KerasShapes`, `OnnxShapes`) and the
check's problems into parts, from the input up: the LSTM sections (a torch block, an ONNX node, a
Keras stack; one row per layer and direction), the glue between them (a stack's join, the ONNX
Transpose/Reshape between nodes), the bridge from an encoder's final state to its decoder's
initial state, and the head. Every edge carries the shape of the tensor on it. Every problem is a
numbered note, and a mark with the same number sits on the part it concerns (`subject`).

render/layout.py places a scene; render/svg.py writes what is placed. So what the picture says is
tested on this data, and where it goes on the layout's.

Work is bounded whatever the config says: a long sequence shows its first steps, an ellipsis and
the last step; a deep stack shows its first layers, an elision and the last layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..frameworks import of
from ..shapes.joins import bridge_steps, final_state, infer_decoder, join_steps
from .result_text import describe, shape_text  # the table's exact spelling of a shape

# How much of a long or deep network is drawn.
LEADING_STEPS = 3  # t = 0, 1, 2, then an ellipsis and the last step
MAX_STEPS = 5  # sequences up to this long are drawn whole
LEADING_LAYERS = 2  # layers 0 and 1, an elision, then the last layer
MAX_LAYERS = 3
LEADING_SECTIONS = 2
MAX_SECTIONS = 3
LEADING_HEAD = 3
MAX_HEAD = 6

OUTPUTS = ("output", "forward_output", "backward_output", "Y")  # what a head reads that is not a final state
LEGEND = "→ blue: forward, from t=0;  ← green: backward, from the last step to t=0 (its final state sits at t=0)"
FORWARD_LEGEND = "→ each layer runs from t=0 to the last step; its final state leaves after the last step"


# ----------------------------------------------------------------------------------------------
# The scene


@dataclass(frozen=True)
class Mark:
    """A problem drawn where it is: its number (the note's under the picture) and its code."""

    number: int
    code: str
    error: bool

    @property
    def text(self) -> str:
        return f"[{self.number}] {self.code}"


@dataclass(frozen=True)
class Note:
    """A problem as listed under the picture, numbered as its mark."""

    number: int
    code: str
    severity: str
    where: str  # "line:column" in the config
    message: str


@dataclass(frozen=True)
class Port:
    """A whole tensor where it enters or leaves a section (its box), e.g. `hn (4, 32, 20)`."""

    name: str
    shape: str
    meaning: str = ""
    expect: str = ""  # "expect [2, 32, 20]": what the code around the LSTM assumes instead
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class StateLabel:
    """One row's slice of a state tensor, e.g. `hn[3] = layer 1, backward` and its shapes."""

    tensor: str | None  # the tensor the slice belongs to (h0, hn, Y_h, ...), None for a plain title
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Row:
    layer: int
    backward: bool  # runs right to left
    left: StateLabel | None
    right: StateLabel | None


@dataclass(frozen=True)
class Elision:
    text: str


@dataclass(frozen=True)
class Section:
    """One LSTM (a torch block, an ONNX node, a Keras stack or a decoder) with its ports."""

    title: str
    steps: tuple  # its time step labels, "⋯" for the elided middle
    inputs: Port  # below the cells
    outputs: tuple[Port, ...]  # above the cells
    initial: tuple[Port, ...]  # bottom left
    final: tuple[Port, ...]  # top right
    rows: tuple  # Row | Elision, bottom (layer 0) first
    weights: tuple[Port, ...] = ()  # bottom right (ONNX node inputs W, R, B, P)
    last_step_only: bool = False  # Keras without return_sequences: only the last step is returned
    marks: tuple[Mark, ...] = ()  # problems about the block as a whole


@dataclass(frozen=True)
class Step:
    """One op on an edge between parts (a join's Linear, an ONNX Reshape, a bridge's view/cat) and
    the shape it hands on."""

    text: str
    shape: str


@dataclass(frozen=True)
class Glue:
    """What turns the section below's output into the input of the section above: `steps` one
    over the other on the centre line (none: the output is the next input as it is)."""

    title: str
    steps: tuple[Step, ...]
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class Bridge:
    """The encoder's final state (below) into the decoder's initial state (above)."""

    title: str
    source: str  # "hn (4, 64, 512) · cn (4, 64, 512)"
    steps: tuple[Step, ...]
    target: str  # "= decoder h0 (2, 64, 512) · c0 (2, 64, 512)"
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class HeadBox:
    text: str
    shape_in: str  # the edge into the layer: what it is fed
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class Head:
    """The layers the last section feeds, bottom first; `from_state`: fed a final state (from the
    right-hand ports), not the output."""

    layers: tuple  # HeadBox | Elision
    output: str  # the shape the head produces
    from_state: bool = False


@dataclass(frozen=True)
class Scene:
    title: str
    settings: str
    legend: str
    parts: tuple  # Section | Glue | Bridge | Elision, from the input (bottom) up
    head: Head | None = None
    notes: tuple[Note, ...] = ()  # every problem, numbered
    marks: tuple[Mark, ...] = ()  # problems about a setting (the data, ...) or a part not drawn (an elided block)


# ----------------------------------------------------------------------------------------------
# What each problem concerns


def subject(problem) -> tuple:
    """What a problem concerns, as the picture keys its parts: the problem's own `subject`
    (("expect", block, tensor), ("head", index), ("join", block), ("bridge",)), or () for a setting,
    which no part of the picture stands for."""
    return problem.subject or ()


class Marks:
    """The marks of every problem by subject; what is drawn takes its marks, the rest stay `left`."""

    def __init__(self, problems):
        self.by_subject: dict = {}
        self.notes = []
        for number, p in enumerate(problems, 1):
            mark = Mark(number, str(p.code), p.is_error)
            self.by_subject.setdefault(subject(p), []).append(mark)
            self.notes.append(Note(number, str(p.code), p.severity, f"{p.line}:{p.column}", p.message))

    def take(self, *key) -> tuple[Mark, ...]:
        return tuple(self.by_subject.pop(key, ()))

    def rest(self, *prefix) -> tuple[Mark, ...]:
        """The marks of every subject starting with `prefix` not yet taken (an `expect` entry for a
        tensor the layer does not return: marked on its block)."""
        keys = [key for key in self.by_subject if key[:len(prefix)] == prefix]
        return tuple(sorted((m for key in keys for m in self.by_subject.pop(key)), key=lambda m: m.number))

    def left(self) -> tuple[Mark, ...]:
        return tuple(sorted((m for marks in self.by_subject.values() for m in marks), key=lambda m: m.number))


# ----------------------------------------------------------------------------------------------
# The scene, framework by framework


def time_steps(seq_len) -> tuple:
    """The time step labels drawn: all of a short sequence, else the first steps, ⋯, the last."""
    if isinstance(seq_len, int) and seq_len <= MAX_STEPS:
        return tuple(f"t={t}" for t in range(seq_len))
    last = f"t={seq_len - 1}" if isinstance(seq_len, int) else f"t={seq_len}-1"
    return tuple(f"t={t}" for t in range(LEADING_STEPS)) + ("⋯", last)


def bounded(items: Callable[[int], object], count: int, leading: int, limit: int, elision) -> list:
    """`items` (count of them, only those drawn are built), or the leading ones, an elision, the last."""
    if count <= limit:
        return [items(i) for i in range(count)]
    return [items(i) for i in range(leading)] + [elision(leading, count - 2)] + [items(count - 1)]


def span(what: str, a: int, b: int) -> str:
    """`layers 2–6`, or `layer 2` when only one is left out."""
    return f"{what}s {a}–{b}" if b > a else f"{what} {a}"


def flat(items: list) -> list:
    return [x for item in items for x in (item if isinstance(item, list) else [item])]


def scene(config, results: list, problems=()) -> Scene:
    """What to draw for one config's results (one result, or one per block of a stack)."""
    framework = of(results[0].framework)
    marks = Marks(problems)
    block = {"module": torch_block, "layer": keras_block, "node": onnx_block}[framework.unit]  # what it draws a block as
    parts = flat(bounded(lambda k: block(config, results, k, marks), len(results), LEADING_SECTIONS, MAX_SECTIONS,
                         lambda a, b: [Elision(f"⋮ {span('block', a, b)} not drawn")]))
    head = None
    if config.decoder is not None:  # torch's alone
        parts += decoder_parts(config, results[-1], marks)
    if config.head:
        head = head_of(config, marks)
    summary = describe(results[0])
    if len(results) > 1:  # a stack: each block's settings head its section
        modules = "/".join(sorted({framework.module(r.lstm.kind) for r in results}))
        summary = f"a stack of {len(results)} {modules} blocks, lstm[0] at the bottom" + (
            f"; the head is fed by lstm[{len(results) - 1}]" if config.head else "")
    if config.decoder is not None:
        summary += "; the decoder on top, started from the encoder's final state"
    rows = [r for p in parts if isinstance(p, Section) for r in p.rows if isinstance(r, Row)]
    return Scene(config.path, summary, LEGEND if any(r.backward for r in rows) else FORWARD_LEGEND,
                 tuple(parts), head, tuple(marks.notes), marks.left())


def _meaning(tensor) -> str:
    return "(" + ", ".join(d.meaning for d in tensor.dims) + ")"


def expect_text(config, block: int, name: str) -> str:
    expected = config.expect[block].get(name, ()) if block < len(config.expect) else ()
    if not isinstance(expected, (list, tuple)):
        return ""
    return f"expect [{', '.join(str(d) for d in expected)}]"


def torch_block(config, results: list, k: int, marks: Marks) -> list:
    """Block k, after the join that feeds it from block k-1."""
    result = results[k]
    prefix = f"lstm[{k}]: " if result.block is not None else ("encoder: " if config.decoder else "")
    section = torch_section(result, config, marks, prefix)
    if not k:
        return [section]
    join = config.joins[k] if k < len(config.joins) else ()
    steps = tuple(Step(s.code, shape_text(results[k - 1]["output"].shape[:-1] + (s.features_out,)))
                  for s in join_steps(config.blocks[k - 1], join))
    title = f"join lstm[{k - 1}] → lstm[{k}]" if steps else f"output → lstm[{k}]'s input"
    return [Glue(title, steps, marks.take("join", k)), section]


def torch_section(result, config, marks: Marks, prefix: str, decoder: bool = False) -> Section:
    lstm, k = result.lstm, result.block or 0
    d = lstm.num_directions

    def port(name: str) -> Port:
        tensor = result[name]
        if decoder:
            return Port(name, shape_text(tensor.shape), _meaning(tensor))
        taken = marks.take("expect", k, name)
        return Port(name, shape_text(tensor.shape), _meaning(tensor),
                    expect_text(config, k, name) if taken else "", taken)

    def state(kind: str, row: int, layer: int, backward: bool) -> StateLabel:
        h, c = ("h0", "c0") if kind == "initial" else ("hn", "cn")
        where = f"layer {layer}, {'backward' if backward else 'forward'}"
        sliced = f"{h}[{row}] {shape_text(result[h].shape[1:])}"
        if lstm.has_cell_state:  # a GRU or RNN row carries h alone
            sliced += f" · {c}[{row}] {shape_text(result[c].shape[1:])}"
        return StateLabel(h, f"{h}[{row}] = {where}", sliced)

    def layer_rows(layer: int) -> list:
        rows = []
        for direction in range(d):
            index, backward = layer * d + direction, direction == 1
            start, end = state("initial", index, layer, backward), state("final", index, layer, backward)
            rows.append(Row(layer, backward, end if backward else start, start if backward else end))
        return rows

    def elided(a: int, b: int) -> Elision:
        rows = f"state rows {a * d}–{(b + 1) * d - 1}" if (b + 1 - a) * d > 1 else f"state row {a * d}"
        return Elision(f"⋮ {span('layer', a, b)} not drawn ({rows})")

    rows = flat(bounded(layer_rows, lstm.num_layers, LEADING_LAYERS, MAX_LAYERS, elided))
    title = prefix + (describe(result) if prefix else f"nn.{lstm.kind.torch}")
    initial, final = (("h0", "c0"), ("hn", "cn")) if lstm.has_cell_state else (("h0",), ("hn",))
    ports = port("input"), (port("output"),), tuple(map(port, initial)), tuple(map(port, final))
    own = marks.take("decoder") if decoder else marks.take("block", k) + marks.rest("expect", k)
    return Section(title, time_steps(result.data.seq_len), *ports, tuple(rows), marks=own)


def decoder_parts(config, encoder, marks: Marks) -> list:
    """The bridge from the encoder's final (hn, cn) and the decoder it starts."""
    shapes = infer_decoder(config)
    block = config.blocks[-1]
    name = f"lstm[{len(config.blocks) - 1}]" if config.listed else "lstm"
    batch = () if config.data.unbatched else (config.data.batch_size,)
    start = final_state(block)
    state = start
    steps = []
    for kind, state, code in bridge_steps(block, config.decoder.bridge, *batch):
        steps.append(Step(code, _state_text(state, batch, block.has_cell_state)))
    source = "hn " + shape_text(encoder["hn"].shape) + (
        " · cn " + shape_text(encoder["cn"].shape) if block.has_cell_state else "")
    wanted = "h0 " + shape_text(shapes["h0"].shape) + (
        " · c0 " + shape_text(shapes["c0"].shape) if shapes.lstm.has_cell_state else "")
    bridge = Bridge(f"bridge {name} → decoder" + ("" if steps else " (the state passed as it is)"), source,
                    tuple(steps), f"decoder {wanted}", marks.take("bridge"))
    section = torch_section(shapes, config, marks, "decoder: ", decoder=True)
    return [bridge, section]


def _state_text(state, batch: tuple, cell: bool) -> str:
    h = shape_text((state.rows, *batch, state.h))
    if not cell:
        return h
    c = shape_text((state.rows, *batch, state.c))
    return h if c == h else f"h {h} · c {c}"


def head_of(config, marks: Marks) -> Head:
    """The head as the check walks it (the framework's one head walk, lstmshape.frameworks.head):
    each layer's own transpose/reshape and what it is fed; layers after one that cannot be fed
    are drawn without a shape."""
    context = of(config.framework).context(config)
    steps = {step.index: step for step in context.head_steps}
    first = steps.get(0)
    # with a decoder on top, say which block the check feeds the head from
    block = f"lstm[{len(config.blocks) - 1}]: " if config.decoder is not None and config.listed else \
        "lstm: " if config.decoder is not None else ""

    def box(i: int):
        layer, step = config.head[i], steps.get(i)
        ops = [f"{op.capitalize()} {list(given)}" for op, given in layer.ops]
        text = " → ".join(ops + [layer_text(layer)])
        if step is None:
            return HeadBox(text, "not reached", marks.take("head", i))
        fed = f"cannot be fed: {step.error}" if step.error else shape_text(tuple(d.size for d in step.fed))
        return HeadBox(text, (block + step.source + " " if i == 0 else "") + fed, marks.take("head", i))

    boxes = bounded(box, len(config.head), LEADING_HEAD, MAX_HEAD, lambda a, b: Elision(f"⋮ head[{a}]–head[{b}]"))
    output = context.head_output
    return Head(tuple(boxes), shape_text(tuple(d.size for d in output)) if output else "not reached",
                from_state=first is not None and first.tensor not in OUTPUTS)


def layer_text(layer) -> str:
    """`Linear(20 → 3)`, `Dense(32 → 5)`, `Gemm(256 → 10)`, `relu`: a head layer as written."""
    if layer.out_features is None:
        return layer.kind
    given = f"{layer.in_features} → " if layer.in_features is not None else ""
    return f"{layer.kind.capitalize()}({given}{layer.out_features})"


def keras_block(config, results: list, k: int, marks: Marks) -> list:
    section = keras_section(results[k], config, marks)
    return [Glue(f"output → lstm[{k}]'s input", ()), section] if k else [section]


def keras_section(result, config, marks: Marks) -> Section:
    lstm, k = result.lstm, result.block or 0
    states = {t.name: t for t in result.outputs if t.name not in ("output", "forward_output", "backward_output")}

    def port(t) -> Port:
        taken = marks.take("expect", k, t.name)
        return Port(t.name, shape_text(t.shape), _meaning(t), expect_text(config, k, t.name) if taken else "", taken)

    outputs = tuple(port(t) for t in result.outputs if t.name not in states)

    def label(layer: int, backward: bool, last: bool) -> StateLabel:
        """Keras starts from zero states and returns h and c of the last layer only (with return_state)."""
        where = f"layer {layer}, {'backward' if backward else 'forward'}"
        if not (last and states):
            return StateLabel(None, where)
        prefix = ("backward_" if backward else "forward_") if lstm.bidirectional else ""
        h = states[prefix + "h"]
        sliced = f"{h.name} {shape_text(h.shape)}"
        if lstm.has_cell_state:  # GRU and SimpleRNN return h alone
            c = states[prefix + "c"]
            sliced += f" · {c.name} {shape_text(c.shape)}"
        return StateLabel(h.name, f"{h.name} = {where}", sliced)

    def layer_rows(layer: int) -> list:
        last = layer == lstm.num_layers - 1
        runs_back = [lstm.go_backwards] if not lstm.bidirectional else [False, True]
        rows = []
        for backward in runs_back:
            end = label(layer, backward, last)
            rows.append(Row(layer, backward, end if backward else None, None if backward else end))
        return rows

    rows = flat(bounded(layer_rows, lstm.num_layers, LEADING_LAYERS, MAX_LAYERS,
                        lambda a, b: Elision(f"⋮ {span('layer', a, b)} not drawn")))
    final = tuple(port(t) for t in result.outputs if t.name in states)
    kind = f"keras.layers.{lstm.kind.keras}"
    if lstm.bidirectional:
        kind = f"keras.layers.Bidirectional({kind}, merge_mode={lstm.merge_mode!r})"
    title = kind if result.block is None else f"lstm[{k}]: {describe(result)}"
    taken = marks.take("expect", k, "input")
    inputs = Port("input", shape_text(result.input.shape), _meaning(result.input),
                  expect_text(config, k, "input") if taken else "", taken)
    return Section(title, time_steps(result.data.seq_len), inputs, outputs, (), final, tuple(rows),
                   last_step_only=not lstm.return_sequences, marks=marks.take("block", k) + marks.rest("expect", k))


def onnx_block(config, results: list, k: int, marks: Marks) -> list:
    """The nodes of block k, after the ops that turn block k-1's last Y into their X."""
    parts = onnx_sections(results[k], config, marks)
    before = results[k - 1].nodes[-1] if k else None
    if before is not None and before.to_next:
        first = f"{results[k].lstm.cell}_{results[k].nodes[0].index}"
        parts.insert(0, Glue(f"Y of {results[k - 1].lstm.cell}_{before.index} → X of {first}",
                             glue_steps(before.to_next)))
    return parts


def glue_steps(ops: str) -> tuple[Step, ...]:
    """`Transpose(perm=[0, 2, 1, 3]) -> (seq, batch, 2, H), Reshape(...) -> ...` as one step per op."""
    steps = []
    for part in re.split(r"(?<=\)),\s*(?=[A-Z])", ops):
        op, _, shape = part.partition(" -> ")
        steps.append(Step(op.strip(), shape.strip()))
    return tuple(steps)


def onnx_sections(result, config, marks: Marks) -> list:
    """Each node of one block, and the ops from its Y to the next node's X."""
    lstm, k = result.lstm, result.block or 0
    index = "[{}]" if lstm.layout == 0 else "[:, {}]"

    def section(n: int) -> list:
        node = result.nodes[n]
        name = f"{lstm.cell}_{node.index}"  # indices run on across the blocks of a stack

        def port(tensor: str) -> Port:
            mine = n == 0 if tensor == "X" else n == len(result.nodes) - 1
            taken = marks.take("expect", k, tensor) if mine else ()
            return Port(tensor, shape_text(node[tensor].shape), _meaning(node[tensor]),
                        expect_text(config, k, tensor) if taken else "", taken)

        def label(kind: str, d: int) -> StateLabel:
            h, c = ("initial_h", "initial_c") if kind == "initial" else ("Y_h", "Y_c")
            where = f"{name}, {'reverse' if lstm.direction == 'reverse' else ('backward' if d else 'forward')}"
            state = shape_text(_drop(node[h].shape, lstm.layout))
            if lstm.has_cell_state:
                sliced = f"{h}{index.format(d)} · {c}{index.format(d)}: {state} each"
            else:  # GRU and RNN nodes have no cell state
                sliced = f"{h}{index.format(d)}: {state}"
            return StateLabel(h, f"{h}{index.format(d)} = {where}", sliced)

        rows = []
        for d in range(lstm.num_directions):
            backward = d == 1 or lstm.direction == "reverse"
            start, end = label("initial", d), label("final", d)
            rows.append(Row(n, backward, end if backward else start, start if backward else end))
        weights = tuple(port(t.name) for t in node.tensors if t.name in ("W", "R", "B", "P", "sequence_lens"))
        initial, final = (("initial_h", "initial_c"), ("Y_h", "Y_c")) if lstm.has_cell_state else \
            (("initial_h",), ("Y_h",))
        out = [Section(f"node {name}: ONNX {lstm.kind.onnx}", time_steps(result.data.seq_len), port("X"),
                       (port("Y"),), tuple(map(port, initial)), tuple(map(port, final)), tuple(rows), weights,
                       marks=(marks.take("block", k) if n == 0 else ()) + (
                           marks.rest("expect", k) if n == len(result.nodes) - 1 else ()))]
        if n + 1 < len(result.nodes):
            out.append(Glue(f"Y of {name} → X of {lstm.cell}_{node.index + 1}", glue_steps(node.to_next)))
        return out

    return flat(bounded(section, len(result.nodes), LEADING_SECTIONS, MAX_SECTIONS,
                        lambda a, b: [Elision(f"⋮ nodes {lstm.cell}_{result.nodes[a].index}–{lstm.cell}_"
                                              f"{result.nodes[b].index} not drawn")]))


def _drop(shape: tuple, layout: int) -> tuple:
    """An ONNX state without its num_directions axis (axis 0 with layout 0, axis 1 with layout 1)."""
    return shape[1:] if layout == 0 else shape[:1] + shape[2:]

