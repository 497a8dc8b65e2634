"""The picture of a network as plain data: boxes, arrows and text at coordinates.

`scene` reads the shape results (`TorchShapes`, `KerasShapes`, `OnnxShapes`) and the
check's problems into sections of rows (one row per layer and direction); `layout` places them:
input at the bottom, time steps left to right, each direction's arrows the way it runs, the
state rows labelled with their index in the state tensor. Writers (render/svg.py) only draw what
is placed here, so what the picture says is tested on this data, not on markup.

Work is bounded whatever the config says: a long sequence shows its first steps, an ellipsis and
the last step; a deep stack shows its first layers, an elision and the last layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..frameworks import KERAS, ONNX, TORCH, of
from ..frameworks.torch import STATES
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
MAX_PROBLEM_LINES = 12

# Geometry (px): text is 12 px monospace, whose advance is 0.6 em in every common monospace font.
FONT, SMALL = 12, 10.5
CHAR, SMALL_CHAR = 7.3, 6.4
MARGIN, CELL_W, CELL_H, GAP, ROW_H, LINE = 16, 58, 30, 40, 52, 15
PORT_H, BAND_GAP, HEAD_H = 22, 26, 44

LEGEND = "→ blue: forward, from t=0;  ← green: backward, from the last step to t=0 (its final state sits at t=0)"
FORWARD_LEGEND = "→ each layer runs from t=0 to the last step; its final state leaves after the last step"



# ----------------------------------------------------------------------------------------------
# The scene: what is drawn, framework by framework


@dataclass(frozen=True)
class Port:
    """A whole tensor where it enters or leaves a section (its box), e.g. `hn (4, 32, 20)`."""

    name: str
    shape: str
    meaning: str = ""
    error: str = ""  # "expect [2, 32, 20] LS110": what the code around the LSTM assumes instead


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
    """One LSTM (a torch block, an ONNX node, or the whole Keras stack) with its ports."""

    title: str
    inputs: Port  # below the cells
    outputs: tuple[Port, ...]  # above the cells
    initial: tuple[Port, ...]  # bottom left
    final: tuple[Port, ...]  # top right
    rows: tuple  # Row | Elision, bottom (layer 0) first
    weights: tuple[Port, ...] = ()  # bottom right (ONNX node inputs W, R, B, P)
    last_step_only: bool = False  # Keras without return_sequences: only the last step is returned
    to_next: str = ""  # how the output becomes the next section's input


@dataclass(frozen=True)
class HeadBox:
    text: str
    shape_in: str  # the edge into the layer: what it is fed
    error: str = ""
    from_state: bool = False  # fed the LSTM's final state (hn), not its output: the edge leaves the state box


@dataclass(frozen=True)
class Scene:
    title: str
    settings: str
    steps: tuple  # time step labels, "⋯" for the elided middle
    sections: tuple  # Section | Elision, first (bottom) first
    head: tuple = ()  # HeadBox | Elision, first (bottom) first
    head_out: str = ""  # the shape the head produces
    problems: tuple = ()  # lines: "✗ 3:5 LS110 ..." (bounded)
    error_codes: tuple = ()  # every error code drawn, for the legend


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


def mismatches(problems) -> dict:
    """(block, tensor) → the codes of every problem about that `expect` entry; ("head", i) → the
    codes of every error about head[i] (each problem's `subject`)."""
    out: dict = {}
    for p in problems:
        subject = p.subject or ()
        key = subject[1:] if subject[:1] == ("expect",) else subject if subject[:1] == ("head",) and p.is_error \
            else None
        if key is not None:
            out[key] = (out.get(key, "") + " " + p.code).strip()
    return out


def problem_lines(problems) -> tuple:
    lines = [f"{'✗' if p.is_error else '⚠'} {p.line}:{p.column} {p.code} {p.severity}: {p.message}" for p in problems]
    if len(lines) > MAX_PROBLEM_LINES:
        lines = lines[:MAX_PROBLEM_LINES - 1] + [f"… and {len(lines) - MAX_PROBLEM_LINES + 1} more"]
    return tuple(lines)


def scene(config, results: list, problems=()) -> Scene:
    """What to draw for one config's results (one result, or one per block of a torch stack)."""
    framework = of(results[0].framework)
    marks = mismatches(problems)
    def blocks(section) -> list:  # a keras or onnx stack: every block, bounded like torch's
        drawn = bounded(lambda k: section(results[k]), len(results), LEADING_SECTIONS, MAX_SECTIONS,
                        lambda a, b: Elision(f"⋮ blocks {a}–{b} not drawn"))
        return [s for item in drawn for s in (item if isinstance(item, list) else [item])]

    if framework is KERAS:
        sections = blocks(keras_section)
    elif framework is ONNX:
        sections = blocks(onnx_sections)
    else:
        sections = bounded(lambda k: torch_section(results[k], config, marks), len(results), LEADING_SECTIONS,
                           MAX_SECTIONS, lambda a, b: Elision(f"⋮ blocks {a}–{b} not drawn"))
    head, head_out = torch_head(config, marks) if framework is TORCH else ((), "")
    codes = sorted({code for text in marks.values() for code in text.split()})
    summary = describe(results[0])
    if len(results) > 1:  # a stack: each block's settings head its section
        modules = "/".join(sorted({framework.module(r.lstm.kind) for r in results}))
        summary = f"a stack of {len(results)} {modules} blocks, lstm[0] at the bottom" + (
            f"; the head is fed by lstm[{len(results) - 1}]" if config.head else "")
    return Scene(config.path, summary,
                 time_steps(results[0].data.seq_len), tuple(sections), head, head_out,
                 problem_lines(problems), tuple(codes))


def expect_note(config, block: int, name: str, marks: dict) -> str:
    code = marks.get((block, name))
    if not code:
        return ""
    expected = config.expect[block].get(name, ()) if block < len(config.expect) else ()
    return f"expect [{', '.join(str(d) for d in expected)}] {code}"


def torch_section(result, config, marks: dict) -> Section:
    lstm, k = result.lstm, result.block or 0
    d = lstm.num_directions

    def port(name: str) -> Port:
        tensor = result[name]
        return Port(name, shape_text(tensor.shape), "(" + ", ".join(x.meaning for x in tensor.dims) + ")",
                    expect_note(config, k, name, marks))

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
        return Elision(f"⋮ layers {a}–{b} not drawn (state rows {a * d}–{(b + 1) * d - 1})")

    rows = [row for item in bounded(layer_rows, lstm.num_layers, LEADING_LAYERS, MAX_LAYERS, elided)
            for row in (item if isinstance(item, list) else [item])]
    title = f"nn.{lstm.kind.torch}" if result.block is None else f"lstm[{k}]: {describe(result)}"
    initial, final = (("h0", "c0"), ("hn", "cn")) if lstm.has_cell_state else (("h0",), ("hn",))
    return Section(title, port("input"), (port("output"),), tuple(map(port, initial)), tuple(map(port, final)),
                   tuple(rows), to_next="" if result.block is None else "output → next block's input")


def torch_head(config, marks: dict) -> tuple:
    """The head layers fed by the last block, with the shape each one is fed (the rules' walk)."""
    if not config.head:
        return (), ""
    context = of(config.framework).context(config)
    steps = context.head_steps

    def box(i: int):
        step = steps[i]
        layer = step.layer
        text = f"Linear({layer.in_features} → {layer.out_features})" if layer.kind == "linear" else layer.kind
        code = marks.get(("head", i), "")
        fed = shape_text(tuple(d.size for d in step.fed))
        return HeadBox(text, (step.source + " " if i == 0 else "") + fed, code, step.tensor in STATES)

    boxes = bounded(box, len(steps), LEADING_HEAD, MAX_HEAD, lambda a, b: Elision(f"⋮ head[{a}]–head[{b}]"))
    return tuple(boxes), shape_text(tuple(d.size for d in context.head_output))


def keras_section(result) -> Section:
    lstm = result.lstm
    states = {t.name: t for t in result.outputs if t.name not in ("output", "forward_output", "backward_output")}
    outputs = tuple(Port(t.name, shape_text(t.shape), _meaning(t)) for t in result.outputs if t.name not in states)

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

    rows = [row for item in bounded(layer_rows, lstm.num_layers, LEADING_LAYERS, MAX_LAYERS,
                                    lambda a, b: Elision(f"⋮ layers {a}–{b} not drawn"))
            for row in (item if isinstance(item, list) else [item])]
    final = tuple(Port(t.name, shape_text(t.shape), _meaning(t)) for t in result.outputs if t.name in states)
    title = f"keras.layers.{lstm.kind.keras}" if result.block is None else f"lstm[{result.block}]: {describe(result)}"
    return Section(title, Port("input", shape_text(result.input.shape), _meaning(result.input)), outputs, (),
                   final, tuple(rows), last_step_only=not lstm.return_sequences,
                   to_next="" if result.block is None else "output → next block's input")


def onnx_sections(result) -> list:
    lstm = result.lstm
    index = "[{}]" if lstm.layout == 0 else "[:, {}]"

    def section(k: int) -> Section:
        node = result.nodes[k]
        name = f"{lstm.cell}_{node.index}"  # indices run on across the blocks of a stack

        def port(name: str) -> Port:
            return Port(name, shape_text(node[name].shape), _meaning(node[name]))

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
            rows.append(Row(k, backward, end if backward else start, start if backward else end))
        weights = tuple(port(t.name) for t in node.tensors if t.name in ("W", "R", "B", "P", "sequence_lens"))
        initial, final = (("initial_h", "initial_c"), ("Y_h", "Y_c")) if lstm.has_cell_state else \
            (("initial_h",), ("Y_h",))
        return Section(f"node {name}: ONNX {lstm.kind.onnx}", port("X"), (port("Y"),), tuple(map(port, initial)),
                       tuple(map(port, final)), tuple(rows), weights, to_next=node.to_next or "")

    return bounded(section, len(result.nodes), LEADING_SECTIONS, MAX_SECTIONS,
                   lambda a, b: Elision(f"⋮ nodes {lstm.cell}_{result.nodes[a].index}–{lstm.cell}_"
                                        f"{result.nodes[b].index} not drawn"))


def _meaning(tensor) -> str:
    return "(" + ", ".join(d.meaning for d in tensor.dims) + ")"


def _drop(shape: tuple, layout: int) -> tuple:
    """An ONNX state without its num_directions axis (axis 0 with layout 0, axis 1 with layout 1)."""
    return shape[1:] if layout == 0 else shape[:1] + shape[2:]


# ----------------------------------------------------------------------------------------------
# The layout: where everything goes


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    cls: str = ""  # small | muted | title | err | step
    anchor: str = "start"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    cls: str  # port | cell fwd | cell bwd | head | ... (+ err)
    texts: tuple[Text, ...] = ()
    tensor: str = ""  # the tensor whose shape it carries (data-tensor), "" for none


@dataclass(frozen=True)
class Arrow:
    points: tuple[tuple[float, float], ...]
    cls: str  # fwd | bwd | plain | err
    head: bool = True


@dataclass(frozen=True)
class Group:
    """Things that belong together (one state label and its arrow; a port and its edges)."""

    kind: str  # state | port | head | row | elision | problems | title
    tensor: str = ""
    items: tuple = ()
    error: bool = False


@dataclass
class Picture:
    width: float
    height: float
    groups: list[Group] = field(default_factory=list)
    title: str = ""
    description: str = ""


def text_width(text: str, small: bool = False) -> float:
    return len(text) * (SMALL_CHAR if small else CHAR)


def port_width(port: Port) -> float:
    return max(text_width(f"{port.name} {port.shape}"), text_width(port.error, True)) + 16


def label_width(label: StateLabel | None) -> float:
    if label is None:
        return 0
    return max(text_width(label.title), text_width(label.detail, True))


def layout(s: Scene) -> Picture:
    """Place the scene: returns every box, arrow and text with its coordinates."""
    sections = [sec for sec in s.sections if isinstance(sec, Section)]
    rows = [r for sec in sections for r in sec.rows if isinstance(r, Row)]
    side = GAP + 8
    left_w = max([label_width(r.left) for r in rows] + [port_width(p) for sec in sections for p in sec.initial]
                 + [0]) + side
    right_w = max([label_width(r.right) for r in rows] + [port_width(p) for sec in sections for p in sec.final]
                  + [port_width(p) for sec in sections for p in sec.weights] + [0]) + side
    n = len(s.steps)
    cells_w = n * CELL_W + (n - 1) * GAP
    centre_w = max([cells_w] + [port_width(p) for sec in sections for p in (sec.inputs, *sec.outputs)]
                   + [text_width(h.text) + 40 for h in s.head if isinstance(h, HeadBox)])
    x0 = MARGIN + left_w
    cells_x = x0 + (centre_w - cells_w) / 2
    cols = [cells_x + i * (CELL_W + GAP) for i in range(n)]
    legend = LEGEND if any(r.backward for r in rows) else FORWARD_LEGEND
    head_lines = [s.title, s.settings, legend] + list(s.problems) + [sec.title for sec in sections]
    width = max(MARGIN + left_w + centre_w + right_w + MARGIN,
                max(text_width(line, True) for line in head_lines) + 2 * MARGIN)
    pic = Picture(width, 0, title=f"{s.title}: {s.settings}",
                  description="Input at the bottom, time steps left to right, one row per layer and direction.")

    # Top-down: title and problems, the head, then the sections from the last (top) to the first.
    y = MARGIN + FONT
    items = [Text(MARGIN, y, s.title, "title"), Text(MARGIN, y + LINE, s.settings, "small muted"),
             Text(MARGIN, y + 2 * LINE, legend, "small muted")]
    y += 3 * LINE
    for line in s.problems:
        items.append(Text(MARGIN, y, line, "small " + ("err" if line.startswith("✗") else "warn")))
        y += LINE
    pic.groups.append(Group("title", items=tuple(items)))
    if s.error_codes:
        pic.groups.append(Group("legend", error=True, items=(
            Arrow(((MARGIN, y + 2), (MARGIN + 40, y + 2)), "err", head=False),
            Text(MARGIN + 48, y + 6, "dashed: differs from `expect` or the head (" + ", ".join(s.error_codes) + ")",
                 "small err"))))
        y += LINE
    y += 10
    centre = x0 + centre_w / 2
    if s.head:
        # the head from its output (top) down to its first layer; each edge says what it carries
        pic.groups.append(Group("head", tensor="head-output", items=(Text(centre + 8, y + 8, s.head_out, "small"),)))
        y += 14
        above = y
        y += 4
        boxes = list(reversed(s.head))
        for i, h in enumerate(boxes):
            label = boxes[i - 1].shape_in if i and isinstance(boxes[i - 1], HeadBox) else ""
            parts: list = [Arrow(((centre, y + HEAD_H - PORT_H - 4), (centre, above)), "plain"),
                           Text(centre + 8, y + 12, label, "small")] if label or i == 0 else []
            top = y + HEAD_H - PORT_H - 4
            if isinstance(h, Elision):
                parts.append(Text(centre, top + 16, h.text, "muted", "middle"))
                pic.groups.append(Group("elision", items=tuple(p for p in parts if not isinstance(p, Text) or p.text)))
            else:
                w = text_width(h.text) + 32
                parts.append(Box(centre - w / 2, top, w, PORT_H + 4, "head" + (" err" if h.error else ""),
                                 (Text(centre, top + 17, h.text, "", "middle"),)))
                if h.error:
                    parts.append(Text(centre + w / 2 + 8, top + 17, h.error, "small err"))
                pic.groups.append(Group("head", items=tuple(p for p in parts if not isinstance(p, Text) or p.text),
                                        error=bool(h.error)))
            above = top + PORT_H + 4
            y += HEAD_H
        head_bottom = above
        y += 20
    below_input = None  # the bottom of the input box of the section above
    for index, sec in enumerate(reversed(s.sections)):
        if isinstance(sec, Elision):
            pic.groups.append(Group("elision", items=(Text(centre, y + 14, sec.text, "muted", "middle"),)))
            y += 28
            below_input = None
            continue
        link: list = []
        if below_input is not None:  # this section's output is the input of the one above
            for line in _wrap(sec.to_next):
                link.append(Text(centre - 8, y + 8, line, "small muted", "end"))
                y += LINE
        y, outputs_top, inputs_bottom = _section(pic, sec, s, y, cols, x0, centre_w, left_w)
        if below_input is not None:
            pic.groups.append(Group("link", items=(Arrow(((centre, outputs_top), (centre, below_input)), "plain"),
                                                   *link)))
        below_input = inputs_bottom
        if index == 0 and s.head:
            # the head's first edge: from output up the centre, or from the final state box
            fed = next(h for h in s.head if isinstance(h, HeadBox))
            if fed.from_state:
                x_from = x0 + centre_w + GAP + 30
                path = ((x_from, outputs_top), (x_from, head_bottom + 18), (centre, head_bottom + 18), (centre, head_bottom))
            else:
                path = ((centre, outputs_top), (centre, head_bottom))
            pic.groups.append(Group("head", tensor="head-input", items=(
                Arrow(path, "plain"), Text(centre + 8, head_bottom + 14, fed.shape_in, "small"))))
    pic.height = y + MARGIN
    return pic


def _section(pic: Picture, sec: Section, s: Scene, y: float, cols: list, x0: float, centre_w: float,
             left_w: float) -> tuple:
    """Draw one section from its top (y) down: the y below it, the top of its output and
    final-state boxes and the bottom of its input box (where the edges of other parts attach)."""
    right_x = x0 + centre_w + GAP
    pic.groups.append(Group("title", items=(Text(MARGIN, y + 10, sec.title, "small muted"),)))
    y += 16
    top_y = y
    port_h = PORT_H + LINE  # a box with the dimension names under the shape
    for i, port in enumerate(sec.outputs):
        _port(pic, port, x0, top_y + i * (port_h + 16), centre_w, "middle")
    step = _spacing(sec.final)
    for i, port in enumerate(sec.final):
        _port(pic, port, right_x, top_y + i * step, port_width(port), "start")
    outputs_bottom = top_y + len(sec.outputs) * (port_h + 16) - 16
    y = max(outputs_bottom, top_y + len(sec.final) * step) + BAND_GAP
    rows_top = y
    drawn = list(reversed(sec.rows))  # the top row first
    row_y = []
    for item in drawn:
        row_y.append(y)
        y += ROW_H if isinstance(item, Row) else 30
    inputs_y = y + 4
    # the spines: each drawn time step from the input up to the output (behind the cells)
    spines = []
    for i, x in enumerate(cols):
        if s.steps[i] == "⋯":
            continue
        reach = not sec.last_step_only or i == len(cols) - 1
        top = outputs_bottom if reach else rows_top + CELL_H / 2 - 8
        spines.append(Arrow(((x + CELL_W / 2, inputs_y), (x + CELL_W / 2, top)), "plain", head=reach))
    pic.groups.append(Group("spines", items=tuple(spines)))
    for item, ry in zip(drawn, row_y):
        if isinstance(item, Elision):
            pic.groups.append(Group("elision", items=(Text(x0 + centre_w / 2, ry + 12, item.text, "muted", "middle"),)))
            continue
        _row(pic, item, s, ry, cols)
    # bottom band: input under the cells, initial states bottom left, node inputs bottom right
    _port(pic, sec.inputs, x0, inputs_y, centre_w, "middle")
    step = _spacing(sec.initial)
    for i, port in enumerate(sec.initial):
        _port(pic, port, MARGIN, inputs_y + i * step, left_w - GAP - 8, "start")
    for i, port in enumerate(sec.weights):
        _port(pic, port, right_x, inputs_y + i * (PORT_H + 4), port_width(port), "start")
    bottom = max(port_h + 16, len(sec.initial) * step, len(sec.weights) * (PORT_H + 4))
    return inputs_y + bottom + 16, top_y, inputs_y + port_h


def _wrap(text: str) -> list[str]:
    """A glue description one op a line: `Transpose(...) -> ..., Reshape(...) -> ...`."""
    return [part.strip() for part in re.split(r"(?<=\)),\s*(?=[A-Z])", text) if part.strip()]


def _spacing(ports) -> float:
    """Vertical distance between stacked port boxes: room for an error line under any of them."""
    return PORT_H + 6 + (14 if any(p.error for p in ports) else 0)


def _port(pic: Picture, port: Port, x: float, y: float, w: float, anchor: str) -> None:
    tx = x + w / 2 if anchor == "middle" else x + 8
    texts = [Text(tx, y + 15, f"{port.name} {port.shape}", "", anchor)]
    h = PORT_H
    if port.meaning and anchor == "middle":
        texts.append(Text(tx, y + 15 + LINE, port.meaning, "small muted", anchor))
        h += LINE
    if port.error:
        texts.append(Text(tx, y + h + 12, port.error, "small err", anchor))
    box = Box(x, y, w, h, "port" + (" err" if port.error else ""), tuple(texts), port.name)
    pic.groups.append(Group("port", port.name, (box,), error=bool(port.error)))


def _row(pic: Picture, row: Row, s: Scene, y: float, cols: list) -> None:
    cls = "bwd" if row.backward else "fwd"
    cy = y + CELL_H / 2
    items = []
    drawn = [(x, step) for x, step in zip(cols, s.steps)]
    for i, (x, step) in enumerate(drawn):
        if step == "⋯":
            items.append(Text(x + CELL_W / 2, cy + 5, "⋯", "muted", "middle"))
        else:
            items.append(Box(x, y, CELL_W, CELL_H, "cell " + cls, (Text(x + CELL_W / 2, cy + 4, step, "step", "middle"),)))
        if i + 1 < len(drawn):
            a, b = x + CELL_W + 3, drawn[i + 1][0] - 3
            items.append(Arrow(((b, cy), (a, cy)) if row.backward else ((a, cy), (b, cy)), cls))
    pic.groups.append(Group("row", items=tuple(items)))
    first, last = cols[0], cols[-1] + CELL_W
    for label, edge, outward in ((row.left, first, -1), (row.right, last, 1)):
        if label is None:
            continue
        tip = edge + outward * (GAP - 4)
        texts = [Text(tip + outward * 6, cy - 3, label.title, "", "end" if outward < 0 else "start")]
        if label.detail:
            texts.append(Text(tip + outward * 6, cy + 11, label.detail, "small muted", "end" if outward < 0 else "start"))
        parts = list(texts)
        if label.tensor is not None:
            near = edge + outward * 3
            into = label.tensor in ("h0", "initial_h")  # an initial state flows into the row
            parts.insert(0, Arrow(((tip, cy), (near, cy)) if into else ((near, cy), (tip, cy)), cls))
        pic.groups.append(Group("state", label.tensor or "", tuple(parts)))
