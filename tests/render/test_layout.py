"""The layout (lstmshape/render/layout.py): from a one-layer LSTM to a four-block encoder-decoder
with a three-layer head, no two texts of the written SVG overlap (measured with the font metrics
the picture is laid out and declared with), every text is inside the picture, the width never
exceeds MAX_WIDTH, and problems never widen the picture."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lstmshape.read import parse_text
from lstmshape.render.layout import MAX_WIDTH, Text, clip, layout, text_box, text_width, wrap
from lstmshape.render.picture import scene
from lstmshape.render.svg import svg_text
from lstmshape.rules import run_rules
from lstmshape.frameworks import infer

ROOT = Path(__file__).resolve().parent.parent.parent
SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = sorted(p for d in ("configs", "examples") for p in (ROOT / d).glob("*.yaml")
                 if p.name not in ("broken.yaml", "keras_layer_args.yaml"))

ENCODER_DECODER = """\
lstm:
  - {input_size: 80, hidden_size: 256, num_layers: 3, bidirectional: true, batch_first: true}
  - join: [{linear: {in_features: 512, out_features: 256}}, tanh]
    hidden_size: 256
    num_layers: 2
    bidirectional: true
    batch_first: true
  - join: sum
    input_size: 256
    hidden_size: 256
    bidirectional: true
    batch_first: true
  - join: [{linear: {in_features: 500, out_features: 320}}, relu]
    hidden_size: 512
    num_layers: 4
    bidirectional: true
    batch_first: true
data: {batch_size: 32, seq_len: 1000}
decoder:
  lstm: {input_size: 300, hidden_size: 512, num_layers: 4, batch_first: true}
  bridge: [concat, {linear: {in_features: 1000, out_features: 1024}}, tanh]
  seq_len: 64
head:
  - linear: {in_features: 1024, out_features: 512, input: last_step}
  - relu
  - linear: {in_features: 500, out_features: 10}
expect:
  - {h0: [6, 32, 256]}
  - null
  - null
  - {hn: [8, 32, 512]}
"""
ONE_LAYER = "lstm: {input_size: 1, hidden_size: 1}\ndata: {batch_size: 1, seq_len: 1}\n"
LONG_NAMES = ("lstm: {input_size: 10, hidden_size: 20, num_layers: 80, bidirectional: true}\n"
              "data: {batch_size: " + "B" * 120 + ", seq_len: " + "T" * 150 + "}\n"
              "head:\n  - linear: {in_features: 20, out_features: 3}\n")
ONNX_STACK = ("framework: onnx\nlstm:\n  - {input_size: 4, hidden_size: 6, num_layers: 3, direction: bidirectional}\n"
              "  - {input_size: 12, hidden_size: 6, layout: 1}\ndata: {batch_size: 3, seq_len: 9}\n")
HUGE_NAME = ("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\ndata: {batch_size: " + "B" * 100_000
             + ", seq_len: T}\nhead:\n  - linear: {in_features: 20, out_features: 3, input: hn_concat}\n")
CASES = {p.relative_to(ROOT).as_posix(): p.read_text() for p in SHIPPED} | {
    "encoder-decoder": ENCODER_DECODER, "one-layer": ONE_LAYER, "long-names": LONG_NAMES, "onnx-stack": ONNX_STACK,
    "huge-name": HUGE_NAME}


def drawn(text: str, name: str = "net.yaml"):
    config, problems = parse_text(text, name)
    assert config is not None, problems
    problems = sorted(problems + run_rules(config), key=lambda p: (p.line, p.column, p.code))
    return layout(scene(config, infer(config), problems)), problems


def svg_texts(svg: str) -> tuple[ET.Element, list[Text]]:
    """The SVG's texts as the layout would measure them: position, anchor, class, content."""
    root = ET.fromstring(svg.split("?>", 1)[1])
    return root, [Text(float(t.get("x")), float(t.get("y")), t.text or "", t.get("class", ""),
                       t.get("text-anchor", "start")) for t in root.iter(f"{SVG}text")]


def overlapping(texts: list[Text]) -> list[tuple[str, str]]:
    boxes = [(t, text_box(t)) for t in texts]
    return [(a.text, b.text) for (a, (al, at, ar, ab)), (b, (bl, bt, br, bb)) in itertools.combinations(boxes, 2)
            if al < br and bl < ar and at < bb and bt < ab]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_two_texts_of_the_svg_overlap(name):
    picture, _ = drawn(CASES[name], "net.yaml" if "/" not in name else name)
    root, texts = svg_texts(svg_text(picture))
    assert len(texts) > 10
    assert overlapping(texts) == []
    width, height = float(root.get("width")), float(root.get("height"))
    assert width <= MAX_WIDTH
    for t in texts:
        left, top, right, bottom = text_box(t)
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, t


def test_the_overlap_check_finds_overlaps():
    a = Text(10, 20, "hn[0] = layer 0, forward")
    assert overlapping([a, Text(100, 24, "x", "small")]) == [(a.text, "x")]
    assert overlapping([a, Text(100, 20 + 15, "x", "small")]) == []  # the next line
    assert overlapping([a, Text(10 + text_width(a.text) + 1, 20, "x")]) == []  # beside it


def test_the_encoder_decoder_draws_every_part():
    picture, problems = drawn(ENCODER_DECODER)
    shown = [t.text for t in svg_texts(svg_text(picture))[1]]
    for text in ("nn.Linear(512, 256)", "tanh", "nn.Linear(500, 320)",
                 "hn.view(4, 2, 32, 512) → torch.cat((h[:, 0], h[:, 1]), dim=-1)", "nn.Linear(1000, 1024)",
                 "Linear(1024 → 512)", "relu", "Linear(500 → 10)", "⋮ block 2 not drawn"):
        assert text in shown, text
    assert any(t.startswith("decoder: nn.LSTM(input_size=300") for t in shown)
    codes = {str(p.code) for p in problems}
    assert {"LS131", "LS139", "LS102"} <= codes  # the join, the bridge and the head, each marked
    for number, p in enumerate(problems, 1):  # each mark beside its part ("[1] ✗ ..." is its note)
        assert any(f"[{number}] {p.code}" in t for t in shown), (number, p.code)


def test_problems_never_widen_the_picture():
    """The same network with and without its problem: the same width, the message wrapped under it."""
    with_problem, problems = drawn((ROOT / "examples" / "around_packed.yaml").read_text())
    without, none = drawn((ROOT / "examples" / "around_packed.yaml").read_text().replace("[120, 64, 97, 30]",
                                                                                           "[120, 97, 64, 30]"))
    assert [str(p.code) for p in problems] == ["LS133"] and none == []
    assert with_problem.width == without.width
    notes = [t for g in with_problem.groups if g.kind == "notes" for t in g.items]
    assert len(notes) >= 2 and notes[0].text.startswith("[1] ✗ ")  # wrapped over lines
    assert with_problem.height > without.height


def test_wrap_and_clip_fit_their_width():
    text = "lstm[0]: nn.LSTM(input_size=1312, hidden_size=1024, num_layers=1, bidirectional=True)"
    lines = wrap(text, 200, True)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(text_width(line, True) <= 200 for line in lines)
    assert all(text_width(line) <= 50 for line in wrap("x" * 40, 50))  # a word longer than the width is cut
    assert len(wrap(text, 100, True, 2)) == 2 and wrap(text, 100, True, 2)[-1].endswith("…")
    assert clip(text, 100).endswith("…") and text_width(clip(text, 100)) <= 100
    assert clip("short", 100) == "short"
