"""Where everything in a scene (render/picture.py) goes: boxes, arrows and text at coordinates.

Input at the bottom, output at the top: the head above the last section, each section's time
steps left to right with its state labels on either side, the glue and the bridge on the edges
between sections, and the problems' notes under the picture. Three columns: the initial states and
their labels on the left, the cells, inputs, outputs, glue and head in the centre, the final
states and the ONNX node inputs on the right. Each column has a maximum width, so the picture is
never wider than MAX_WIDTH: a label longer than its column is cut with `…`; titles, notes and the
ops of glue and head are wrapped instead.

Text widths are measured with the advance widths of the font the picture declares
(render/metrics.py), the same ones the overlap tests use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import metrics
from .picture import Bridge, Elision, Glue, Head, HeadBox, Mark, Port, Row, Scene, Section, StateLabel

# Geometry (px).
FONT, SMALL = 12, 10.5  # the text sizes: plain and `small` (and time steps)
MARGIN, CELL_W, CELL_H, GAP, ROW_H, LINE = 16, 58, 30, 40, 52, 15
PORT_H, BAND_GAP, HEAD_H, EDGE = 22, 26, 44, 24
SIDE = GAP + 8  # between a column's text and the cells
LEFT_MAX, CENTRE_MAX, RIGHT_MAX = 360, 600, 380  # the columns' widths at most
MAX_WIDTH = 2 * MARGIN + LEFT_MAX + CENTRE_MAX + RIGHT_MAX  # 1,372 px: no picture is wider
MAX_NOTES = 12  # problems listed under the picture; the rest are counted
MAX_NOTE_LINES = 6  # lines of one problem's message


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    cls: str = ""  # small | muted | title | err | warn | step
    anchor: str = "start"

    @property
    def size(self) -> float:
        return SMALL if "small" in self.cls.split() or self.cls == "step" else FONT


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    cls: str  # port | cell fwd | cell bwd | head | op ... (+ err)
    texts: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Arrow:
    points: tuple[tuple[float, float], ...]
    cls: str  # fwd | bwd | plain | err
    head: bool = True


@dataclass(frozen=True)
class Group:
    """Things that belong together (one state label and its arrow; a port and its edges)."""

    kind: str  # state | port | head | row | elision | notes | title | glue | bridge | marks
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
    return metrics.text_width(text, SMALL if small else FONT)


def text_box(t: Text) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a text as drawn: its advance width, the font's ascent and descent."""
    width = metrics.text_width(t.text, t.size)
    left = {"start": t.x, "middle": t.x - width / 2, "end": t.x - width}[t.anchor]
    return (left, t.y - t.size * metrics.ASCENT / metrics.UNITS_PER_EM, left + width,
            t.y + t.size * metrics.DESCENT / metrics.UNITS_PER_EM)


def fitting(text: str, width: float, small: bool = False) -> int:
    """How many leading characters of `text` fit in `width` (work bounded by the width, not the text)."""
    size = SMALL if small else FONT
    used = 0.0
    for i, ch in enumerate(text):
        used += metrics.text_width(ch, size)
        if used > width:
            return i
    return len(text)


def clip(text: str, width: float, small: bool = False) -> str:
    """`text`, cut with `…` to fit `width`."""
    if fitting(text, width, small) == len(text):
        return text
    return text[:fitting(text, width - text_width("…", small), small)] + "…"


def wrap(text: str, width: float, small: bool = False, limit: int = 6) -> list[str]:
    """`text` in at most `limit` lines that fit `width`, broken after spaces (inside a word when it
    must), the last one cut with `…` when the text goes on."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < limit:
        cut = fitting(rest, width, small)
        if cut == len(rest):
            lines.append(rest)
            return lines
        if len(lines) == limit - 1:
            lines.append(clip(rest, width, small))
            return lines
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0:
            lines.append(rest[:space])
            rest = rest[space + 1:]
        else:  # a word wider than the line
            lines.append(rest[:max(cut, 1)])
            rest = rest[max(cut, 1):]
    return lines or [""]


def marks_text(marks: tuple[Mark, ...]) -> str:
    return " ".join(m.text for m in marks)


def port_note(port: Port) -> str:
    """The line under a port in the error style: what the code expects, the problems' numbers and codes."""
    return " ".join(x for x in (port.expect, marks_text(port.marks)) if x)


def port_width(port: Port) -> float:
    return max(text_width(f"{port.name} {port.shape}"), text_width(port_note(port), True)) + 16


def label_width(label: StateLabel | None) -> float:
    if label is None:
        return 0
    return max(text_width(label.title), text_width(label.detail, True))


def cells_width(steps: tuple) -> float:
    return len(steps) * CELL_W + (len(steps) - 1) * GAP


def is_error(marks) -> bool:
    return any(m.error for m in marks)


def style(marks, plain: str = "") -> str:
    """The class of what problems concern: `err` (dashed vermillion) for an error, `warn` (dashed
    dark yellow) for warnings only, else `plain`."""
    return "err" if is_error(marks) else "warn" if marks else plain


@dataclass
class Columns:
    left: float  # width of the left column, up to the cells
    centre: float
    right: float

    @property
    def x0(self) -> float:
        return MARGIN + self.left

    @property
    def mid(self) -> float:
        return self.x0 + self.centre / 2

    @property
    def right_x(self) -> float:
        return self.x0 + self.centre + GAP

    @property
    def width(self) -> float:
        return MARGIN + self.left + self.centre + self.right + MARGIN


def columns(s: Scene) -> Columns:
    sections = [p for p in s.parts if isinstance(p, Section)]
    rows = [r for sec in sections for r in sec.rows if isinstance(r, Row)]
    left = max([label_width(r.left) for r in rows] + [port_width(p) for sec in sections for p in sec.initial]
               + [0]) + SIDE
    right = max([label_width(r.right) for r in rows] + [port_width(p) for sec in sections for p in sec.final]
                + [port_width(p) for sec in sections for p in sec.weights] + [0]) + SIDE
    steps = [p for p in s.parts if isinstance(p, (Glue, Bridge))]
    centre = max([cells_width(sec.steps) for sec in sections]
                 + [port_width(p) for sec in sections for p in (sec.inputs, *sec.outputs)]
                 + [text_width(st.text) + 32 for g in steps for st in g.steps]
                 + [text_width(h.text) + 40 for h in (s.head.layers if s.head else ()) if isinstance(h, HeadBox)])
    left, centre, right = min(left, LEFT_MAX), min(centre, CENTRE_MAX), min(right, RIGHT_MAX)
    if s.head:  # the marks beside the head's boxes reach into the right column
        beside = [min(text_width(h.text) + 32, centre) / 2 + 8 + text_width(marks_text(h.marks), True)
                  for h in s.head.layers if isinstance(h, HeadBox) and h.marks]
        right = min(max([right] + [b - centre / 2 for b in beside]), RIGHT_MAX)
    return Columns(left, centre, right)


def layout(s: Scene) -> Picture:
    """Place the scene: every box, arrow and text with its coordinates."""
    cols = columns(s)
    width = cols.width
    inner = width - 2 * MARGIN
    pic = Picture(width, 0, title=f"{s.title}: {s.settings}",
                  description="Input at the bottom, time steps left to right, one row per layer and direction; "
                              "problems numbered under the picture.")
    y = MARGIN + FONT
    items = []
    for i, line in enumerate(wrap(s.title, inner, False, 3)):
        items.append(Text(MARGIN, y, line, "title"))
        y += LINE + 2
    for text in (s.settings, s.legend):
        for line in wrap(text, inner, True):
            items.append(Text(MARGIN, y, line, "small muted"))
            y += LINE
    pic.groups.append(Group("title", items=tuple(items)))
    notes_marks = [m for p in s.parts for m in _all_marks(p)] + list(s.marks) + [
        m for h in (s.head.layers if s.head else ()) if isinstance(h, HeadBox) for m in h.marks]
    if s.marks:
        lines = wrap("about a setting or a part not drawn: " + marks_text(s.marks), inner, True)
        pic.groups.append(Group("marks", error=is_error(s.marks), items=tuple(
            Text(MARGIN, y + i * LINE, line, "small " + ("err" if is_error(s.marks) else "warn"))
            for i, line in enumerate(lines))))
        y += LINE * len(lines)
    if notes_marks:
        y += 2
        line = clip("dashed: where a problem is; [n] CODE: problem n, under the picture", inner - 48, True)
        cls = style(notes_marks)
        pic.groups.append(Group("legend", error=cls == "err", items=(
            Arrow(((MARGIN, y - 4), (MARGIN + 40, y - 4)), cls, head=False), Text(MARGIN + 48, y, line, "small " + cls))))
        y += LINE
    y += 10
    head_bottom = None
    if s.head:
        y, head_bottom = _head(pic, s.head, cols, y)
    above: Anchors | None = None  # the section drawn last (the one above what comes next)
    pending = None  # draws the edge from the next section up into what was drawn last
    fed = False  # the head is fed by the top section
    for part in reversed(s.parts):
        if isinstance(part, Elision):
            pic.groups.append(Group("elision", items=(Text(cols.mid, y + 14, clip(part.text, inner), "muted",
                                                           "middle"),)))
            y += 28
            above = pending = None
        elif isinstance(part, Glue):
            y, pending = _glue(pic, part, cols, y, above)
        elif isinstance(part, Bridge):
            y, pending = _bridge(pic, part, cols, y, above)
        else:
            y, anchors = _section(pic, part, cols, y)
            if pending is not None:
                pending(anchors)
            if not fed and s.head and head_bottom is not None:
                _feed(pic, s.head, cols, anchors, head_bottom)
            fed = True
            above = anchors
            pending = _link(pic, cols, anchors)
    y = _notes(pic, s, cols, y)
    pic.height = y + MARGIN
    return pic


def _all_marks(part) -> list:
    marks = list(getattr(part, "marks", ()))
    if isinstance(part, Section):
        marks += [m for p in (part.inputs, *part.outputs, *part.initial, *part.final, *part.weights) for m in p.marks]
    return marks


@dataclass
class Anchors:
    """Where a drawn section's edges attach: its output box's top, its input box's bottom, its
    final-state ports (x of their centre, top) and its initial-state ports (x, bottom)."""

    output_top: float
    input_bottom: float
    final: tuple[float, float]
    initial: tuple[float, float] | None
    bottom: float  # the section's lowest point


def _link(pic: Picture, cols: Columns, above: Anchors):
    """What draws a plain arrow from the next section's output up into `above`'s input."""

    def attach(below: Anchors) -> None:
        pic.groups.append(Group("link", items=(
            Arrow(((cols.mid, below.output_top), (cols.mid, above.input_bottom)), "plain"),)))
    return attach


def _op_lines(step, cols: Columns) -> tuple[list[str], float]:
    """An op's text in lines that fit the centre column, and its box's width."""
    lines = wrap(step.text, cols.centre - 24, False, 3)
    return lines, min(max(text_width(line) for line in lines) + 24, cols.centre)


def _chain_width(steps, cols: Columns) -> float:
    return max([_op_lines(step, cols)[1] for step in steps] + [0])


def _chain(pic: Picture, kind: str, steps, cols: Columns, y: float, cls: str) -> tuple:
    """Op boxes one over the other on the centre line, the last op on top, each edge above a box
    labelled with the shape it carries. Returns (y below the chain, [(top, bottom) of each box])."""
    spans = []
    for step in reversed(steps):
        label = clip(step.shape, cols.centre / 2 - 8 + cols.right - 8, True)
        items: list = [Text(cols.mid + 8, y + 15, label, "small")] if label else []
        y += EDGE
        lines, w = _op_lines(step, cols)
        h = PORT_H + LINE * (len(lines) - 1)
        box_cls = "op" if cls == "plain" else f"op {cls}"  # dashed with the glue or bridge its problems concern
        texts = tuple(Text(cols.mid, y + 15 + i * LINE, line, "", "middle") for i, line in enumerate(lines))
        items.append(Box(cols.mid - w / 2, y, w, h, box_cls, texts))
        pic.groups.append(Group(kind, items=tuple(items), error=cls == "err"))
        spans.append((y, y + h))
        y += h
    return y, spans


def _glue(pic: Picture, glue: Glue, cols: Columns, y: float, above: Anchors | None):
    """The ops from the section below's output up to the input of `above`; returns the y below
    and what draws the edge from the section below into the chain."""
    cls = style(glue.marks, "plain")
    error = cls == "err"
    side = cols.mid - _chain_width(glue.steps, cols) / 2 - 8  # the title ends left of the ops
    room = side - MARGIN
    title = wrap(glue.title, room, True, 2) + ([clip(marks_text(glue.marks), room, True)] if glue.marks else [])
    marked = len(title) - 1 if glue.marks else len(title)
    top = y
    texts = tuple(Text(side, y + 14 + i * LINE, line, "small " + (cls if i == marked else "muted"), "end")
                  for i, line in enumerate(title))
    y, spans = _chain(pic, "glue", glue.steps, cols, y, cls)
    y = max(y, top + LINE * len(title) + 6) + EDGE
    ends = [above.input_bottom if above else top] + [p for span in spans for p in span]  # (top, bottom) of each edge
    arrows = [Arrow(((cols.mid, ends[i + 1]), (cols.mid, ends[i])), cls) for i in range(0, len(ends) - 1, 2)]
    pic.groups.append(Group("glue", items=texts + tuple(arrows), error=error))
    foot = ends[-1]

    def attach(below: Anchors) -> None:
        pic.groups.append(Group("glue", items=(
            Arrow(((cols.mid, below.output_top), (cols.mid, foot)), cls, head=above is not None or bool(spans)),),
            error=error))
    return y, attach


def _bridge(pic: Picture, bridge: Bridge, cols: Columns, y: float, above: Anchors | None):
    """The bridge's ops on the centre line: from the encoder's final-state port (right, below) to
    the decoder's initial-state ports (left, above)."""
    cls = style(bridge.marks, "plain")
    error = cls == "err"
    side = cols.mid - _chain_width(bridge.steps, cols) / 2 - 8  # the title ends left of the ops
    room = side - MARGIN
    turn = y + 4  # the line from the chain's top to the decoder's initial state
    title = wrap(bridge.title, room, True, 2) + wrap(bridge.target, room, True, 3)
    marked = len(title)
    if bridge.marks:
        title.append(clip(marks_text(bridge.marks), room, True))
    texts = tuple(Text(side, turn + 16 + i * LINE, line, "small " + (cls if i == marked else "muted"), "end")
                  for i, line in enumerate(title))
    y, spans = _chain(pic, "bridge", bridge.steps, cols, turn + 2, cls)
    y = max(y, turn + LINE * len(title) + 10) + EDGE + 2
    source = y - 8  # the line from the encoder's final state to the chain's foot, its state beside it
    y += 8
    ends = [p for span in spans for p in span]
    arrows = [Arrow(((cols.mid, ends[i + 1]), (cols.mid, ends[i])), cls) for i in range(1, len(ends) - 1, 2)]
    if above is not None and above.initial is not None:
        ix, ibottom = above.initial
        arrows.append(Arrow(((cols.mid, ends[0] if ends else source), (cols.mid, turn), (ix, turn), (ix, ibottom)),
                            cls))
    label = Text(cols.mid + 8, source - 5, clip(bridge.source, cols.centre / 2 + cols.right - 8, True), "small")
    pic.groups.append(Group("bridge", items=texts + tuple(arrows) + (label,), error=error))

    def attach(below: Anchors) -> None:
        fx, ftop = below.final
        foot = ends[-1] if ends else source
        pic.groups.append(Group("bridge", items=(
            Arrow(((fx, ftop), (fx, source), (cols.mid, source), (cols.mid, foot)), cls, head=bool(ends)),),
            error=error))
    return y, attach


def _head(pic: Picture, head: Head, cols: Columns, y: float) -> tuple:
    """The head from its output (top) down to its first layer; each edge says what it carries.
    Returns the y below it and the bottom of its first layer (where it is fed)."""
    centre = cols.mid
    room = cols.centre / 2 + cols.right - 8
    pic.groups.append(Group("head", tensor="head-output",
                            items=(Text(centre + 8, y + 8, clip(head.output, room, True), "small"),)))
    y += 14
    above = y
    y += 4
    boxes = list(reversed(head.layers))
    for i, h in enumerate(boxes):
        label = boxes[i - 1].shape_in if i and isinstance(boxes[i - 1], HeadBox) else ""
        top = y + HEAD_H - PORT_H - 4
        parts: list = [Arrow(((centre, top), (centre, above)), "plain")] if label or i == 0 else []
        if label:
            parts.append(Text(centre + 8, y + 12, clip(label, room, True), "small"))
        if isinstance(h, Elision):
            parts.append(Text(centre, top + 16, clip(h.text, cols.centre), "muted", "middle"))
            pic.groups.append(Group("elision", items=tuple(parts)))
            above = top + PORT_H + 4
        else:
            lines = wrap(h.text, cols.centre - 32, False, 3)
            w = min(max(text_width(line) for line in lines) + 32, cols.centre)
            bh = PORT_H + 4 + LINE * (len(lines) - 1)
            error = is_error(h.marks)
            parts.append(Box(centre - w / 2, top, w, bh, "head " + style(h.marks) if h.marks else "head",
                             tuple(Text(centre, top + 17 + j * LINE, line, "", "middle")
                                   for j, line in enumerate(lines))))
            if h.marks:
                parts.append(Text(centre + w / 2 + 8, top + 17, marks_text(h.marks), "small " + (
                    "err" if error else "warn")))
            pic.groups.append(Group("head", items=tuple(parts), error=error))
            above = top + bh
            y += bh - PORT_H - 4
        y += HEAD_H
    return y + 20, above


def _feed(pic: Picture, head: Head, cols: Columns, section: Anchors, head_bottom: float) -> None:
    """The head's first edge: from the output up the centre, or from the final state's port."""
    fed = next(h for h in head.layers if isinstance(h, HeadBox))
    room = cols.centre / 2 + cols.right - 8
    if head.from_state:
        fx, ftop = section.final
        path = ((fx, ftop), (fx, head_bottom + 18), (cols.mid, head_bottom + 18), (cols.mid, head_bottom))
    else:
        path = ((cols.mid, section.output_top), (cols.mid, head_bottom))
    pic.groups.append(Group("head", tensor="head-input", items=(
        Arrow(path, "plain"), Text(cols.mid + 8, head_bottom + 14, clip(fed.shape_in, room, True), "small"))))


def _section(pic: Picture, sec: Section, cols: Columns, y: float) -> tuple:
    """Draw one section from its top (y) down: the y below it and its anchors."""
    room = cols.mid - 8 - MARGIN  # left of the centre line, which the edge from below runs up
    error = is_error(sec.marks)
    lines = wrap(sec.title, room, True, 3)
    items = [Text(MARGIN, y + 10 + i * LINE, line, "small muted") for i, line in enumerate(lines)]
    if sec.marks:
        items.append(Text(MARGIN, y + 10 + len(lines) * LINE, clip(marks_text(sec.marks), room, True),
                          "small " + ("err" if error else "warn")))
    pic.groups.append(Group("title", items=tuple(items), error=error))
    y += 16 + LINE * (len(items) - 1)
    top_y = y
    out_y = top_y
    for port in sec.outputs:
        out_y += _port(pic, port, cols.x0, out_y, cols.centre, "middle") + 16
    right_w = cols.right - GAP  # from the right column's start to the margin
    step = _spacing(sec.final, right_w)
    for i, port in enumerate(sec.final):
        _port(pic, port, cols.right_x, top_y + i * step, min(port_width(port), right_w), "start")
    outputs_bottom = out_y - 16
    y = max(outputs_bottom, top_y + len(sec.final) * step) + BAND_GAP
    rows_top = y
    drawn = list(reversed(sec.rows))  # the top row first
    row_y = []
    for item in drawn:
        row_y.append(y)
        y += ROW_H if isinstance(item, Row) else 30
    inputs_y = y + 4
    xs = [cols.x0 + (cols.centre - cells_width(sec.steps)) / 2 + i * (CELL_W + GAP) for i in range(len(sec.steps))]
    spines = []  # each drawn time step from the input up to the output (behind the cells)
    for i, x in enumerate(xs):
        if sec.steps[i] == "⋯":
            continue
        reach = not sec.last_step_only or i == len(xs) - 1
        top = outputs_bottom if reach else rows_top + CELL_H / 2 - 8
        spines.append(Arrow(((x + CELL_W / 2, inputs_y), (x + CELL_W / 2, top)), "plain", head=reach))
    pic.groups.append(Group("spines", items=tuple(spines)))
    for item, ry in zip(drawn, row_y):
        if isinstance(item, Elision):
            pic.groups.append(Group("elision", items=(Text(cols.mid, ry + 12, clip(item.text, cols.centre + 2 * GAP),
                                                           "muted", "middle"),)))
            continue
        _row(pic, item, sec.steps, ry, xs, cols)
    # bottom band: input under the cells, initial states bottom left, node inputs bottom right
    in_h = _port(pic, sec.inputs, cols.x0, inputs_y, cols.centre, "middle")
    left_w = cols.left - SIDE + GAP - 8 if sec.initial else 0
    step = _spacing(sec.initial, left_w)
    for i, port in enumerate(sec.initial):
        _port(pic, port, MARGIN, inputs_y + i * step, left_w, "start")
    w_step = _spacing(sec.weights, right_w) - 2
    for i, port in enumerate(sec.weights):
        _port(pic, port, cols.right_x, inputs_y + i * w_step, min(port_width(port), right_w), "start")
    bottom = max(in_h + 16, len(sec.initial) * step, len(sec.weights) * w_step)
    final = (cols.right_x + min(port_width(sec.final[0]), right_w) / 2, top_y) if sec.final else \
        (cols.mid, top_y)
    initial = (MARGIN + left_w / 2, inputs_y + (len(sec.initial) - 1) * step + PORT_H) if sec.initial else None
    anchors = Anchors(top_y, inputs_y + in_h, final, initial, inputs_y + bottom)
    return inputs_y + bottom + 16, anchors


def _note_lines(port: Port, width: float) -> list[str]:
    note = port_note(port)
    return wrap(note, width - 16, True, 3) if note else []


def _spacing(ports, width: float) -> float:
    """Vertical distance between stacked port boxes: room for the error lines under any of them."""
    return PORT_H + 6 + max([LINE * len(_note_lines(p, width)) for p in ports] + [0])


def _port(pic: Picture, port: Port, x: float, y: float, w: float, anchor: str) -> float:
    """A port's box and its texts; returns the height it takes with its note."""
    tx = x + w / 2 if anchor == "middle" else x + 8
    texts = [Text(tx, y + 15, clip(f"{port.name} {port.shape}", w - 16), "", anchor)]
    h = PORT_H
    if port.meaning and anchor == "middle":
        texts.append(Text(tx, y + 15 + LINE, clip(port.meaning, w - 16, True), "small muted", anchor))
        h += LINE
    lines = _note_lines(port, w)
    error = is_error(port.marks)
    for i, line in enumerate(lines):
        texts.append(Text(tx, y + h + 12 + i * LINE, line, "small " + style(port.marks, "warn"), anchor))
    inside = anchor == "middle" and lines  # in the centre the note goes in the box, clear of the edges
    if inside:
        h += LINE * len(lines) + 2
    box = Box(x, y, w, h, "port " + style(port.marks) if port.marks else "port", tuple(texts))
    pic.groups.append(Group("port", port.name, (box,), error=error))
    return h if inside else h + LINE * len(lines)


def _row(pic: Picture, row: Row, steps: tuple, y: float, xs: list, cols: Columns) -> None:
    cls = "bwd" if row.backward else "fwd"
    cy = y + CELL_H / 2
    items = []
    for i, (x, step) in enumerate(zip(xs, steps)):
        if step == "⋯":
            items.append(Text(x + CELL_W / 2, cy + 5, "⋯", "muted", "middle"))
        else:
            items.append(Box(x, y, CELL_W, CELL_H, "cell " + cls, (Text(x + CELL_W / 2, cy + 4, clip(step, CELL_W - 6, True), "step", "middle"),)))
        if i + 1 < len(xs):
            a, b = x + CELL_W + 3, xs[i + 1] - 3
            items.append(Arrow(((b, cy), (a, cy)) if row.backward else ((a, cy), (b, cy)), cls))
    pic.groups.append(Group("row", items=tuple(items)))
    first, last = xs[0], xs[-1] + CELL_W
    for label, edge, outward in ((row.left, first, -1), (row.right, last, 1)):
        if label is None:
            continue
        tip = edge + outward * (GAP - 4)
        room = (tip - 6 - MARGIN) if outward < 0 else (cols.width - MARGIN - tip - 6)
        anchor = "end" if outward < 0 else "start"
        texts = [Text(tip + outward * 6, cy - 3, clip(label.title, room), "", anchor)]
        if label.detail:
            texts.append(Text(tip + outward * 6, cy + 11, clip(label.detail, room, True), "small muted", anchor))
        parts = list(texts)
        if label.tensor is not None:
            near = edge + outward * 3
            into = label.tensor in ("h0", "initial_h")  # an initial state flows into the row
            parts.insert(0, Arrow(((tip, cy), (near, cy)) if into else ((near, cy), (tip, cy)), cls))
        pic.groups.append(Group("state", label.tensor or "", tuple(parts)))


def _notes(pic: Picture, s: Scene, cols: Columns, y: float) -> float:
    """Every problem under the picture, numbered as its marks, wrapped to the picture's width."""
    if not s.notes:
        return y
    inner = cols.width - 2 * MARGIN
    items = []
    y += 6
    shown = s.notes if len(s.notes) <= MAX_NOTES else s.notes[:MAX_NOTES - 1]
    for note in shown:
        cls = "small " + ("err" if note.severity == "error" else "warn")
        first = f"[{note.number}] {'✗' if note.severity == 'error' else '⚠'} {note.where} {note.code} {note.severity}: "
        for i, line in enumerate(wrap(first + note.message, inner, True, MAX_NOTE_LINES)):
            items.append(Text(MARGIN, y + 10, line, cls))
            y += LINE
        y += 3
    if len(shown) < len(s.notes):
        items.append(Text(MARGIN, y + 10, f"… and {len(s.notes) - len(shown)} more (lstmshape check lists them)",
                          "small muted"))
        y += LINE
    pic.groups.append(Group("notes", items=tuple(items), error=any(n.severity == "error" for n in s.notes)))
    return y
