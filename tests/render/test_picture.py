"""The scene (lstmshape/render/picture.py): every part a config describes, with the shape on each
edge, and every problem numbered and marked on the part it concerns."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstmshape.problems import Problem
from lstmshape.read import parse_text
from lstmshape.render.picture import Bridge, Glue, Head, HeadBox, Section, Step, scene, subject
from lstmshape.rules import run_rules
from lstmshape.frameworks import infer

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = sorted(p for d in ("configs", "examples") for p in (ROOT / d).glob("*.yaml")
                 if p.name not in ("broken.yaml", "keras_layer_args.yaml"))


def scene_of(text: str, name: str = "net.yaml"):
    config, problems = parse_text(text, name)
    assert config is not None, problems
    problems = sorted(problems + run_rules(config), key=lambda p: (p.line, p.column, p.code))
    return scene(config, infer(config), problems), problems


def example(name: str):
    return scene_of((ROOT / "examples" / name).read_text(), f"examples/{name}")


def parts(s, kind) -> list:
    return [p for p in s.parts if isinstance(p, kind)]


def marks_of(s) -> dict:
    """Every mark in the scene: its number → (the part or port it sits on, its code)."""
    out = {}

    def add(owner, marks):
        for m in marks:
            assert m.number not in out, m  # one mark per problem
            out[m.number] = (owner, m.code)

    for p in s.parts:
        add(p, getattr(p, "marks", ()))
        if isinstance(p, Section):
            for port in (p.inputs, *p.outputs, *p.initial, *p.final, *p.weights):
                add(port.name, port.marks)
    for h in (s.head.layers if s.head else ()):
        if isinstance(h, HeadBox):
            add(h, h.marks)
    add("scene", s.marks)
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_problem_is_numbered_and_marked_once(path):
    s, problems = scene_of(path.read_text(), path.name)
    assert [(n.number, n.code, n.message) for n in s.notes] == [
        (i, str(p.code), p.message) for i, p in enumerate(problems, 1)]
    assert sorted(marks_of(s)) == list(range(1, len(problems) + 1))


def test_each_mark_sits_on_what_its_problem_concerns():
    s, _ = example("around_deepspeech.yaml")  # LS130: the join hands lstm[1] 1024 features
    (glue,) = parts(s, Glue)
    assert [m.code for m in glue.marks] == ["LS130"]
    s, _ = example("around_seq2seq.yaml")  # LS136: the encoder's hn has twice the decoder's rows
    (bridge,) = parts(s, Bridge)
    assert [m.code for m in bridge.marks] == ["LS136"]
    s, _ = example("model.yaml")  # LS101 on head[0], LS111 on expect.h0
    marks = marks_of(s)
    assert sorted((owner if isinstance(owner, str) else type(owner).__name__, code)
                  for owner, code in marks.values()) == [("HeadBox", "LS101"), ("h0", "LS111")]
    (h0,) = [p for sec in parts(s, Section) for p in sec.initial if p.name == "h0"]
    assert h0.expect == "expect [32, 4, 20]"
    s, _ = example("around_loader.yaml")  # LS134 on expect.h0
    assert [(owner, code) for owner, code in marks_of(s).values()] == [("h0", "LS134")]


def test_subject_of_a_problem_is_its_own():
    """The picture keys a mark by the problem's `subject` (set by the rules); a problem about a
    setting has none and is listed at the top of the picture."""
    assert subject(Problem("f", 1, 1, "LS101", "error", "m", "$.head[3]", ("head", 3))) == ("head", 3)
    assert subject(Problem("f", 1, 1, "LS133", "error", "m", "$.data.lengths")) == ()
    s, _ = example("around_packed.yaml")  # LS133: the lengths, a setting
    assert [m.code for m in s.marks] == ["LS133"]


def test_joins_are_drawn_with_each_ops_shape():
    s, _ = example("around_rnnp.yaml")
    joins = parts(s, Glue)
    assert [g.title for g in joins] == ["join lstm[0] → lstm[1]", "join lstm[1] → lstm[2]"]
    assert joins[0].steps == (Step("nn.Linear(640, 320)", "(16, 500, 320)"), Step("tanh", "(16, 500, 320)"))
    sections = parts(s, Section)
    assert [sec.inputs.shape for sec in sections] == ["(16, 500, 83)", "(16, 500, 320)", "(16, 500, 320)"]
    s, _ = example("around_deepspeech.yaml")
    assert parts(s, Glue)[0].steps == (Step("x.view(T, N, 2, 1024).sum(2)", "(400, 20, 1024)"),)
    s, _ = example("stack.yaml")  # plain concatenation: the output is the next input as it is
    (glue,) = parts(s, Glue)
    assert glue.steps == () and glue.title == "output → lstm[1]'s input"


def test_the_bridge_and_the_decoder_are_drawn():
    s, _ = example("around_seq2seq_bridge.yaml")
    encoder, decoder = parts(s, Section)
    (bridge,) = parts(s, Bridge)
    assert s.parts.index(encoder) < s.parts.index(bridge) < s.parts.index(decoder)  # from the input up
    assert bridge.source == "hn (4, 64, 512) · cn (4, 64, 512)"
    assert bridge.steps == (Step("hn.view(2, 2, 64, 512) → torch.cat((h[:, 0], h[:, 1]), dim=-1)", "(2, 64, 1024)"),
                            Step("nn.Linear(1024, 512)", "(2, 64, 512)"), Step("tanh", "(2, 64, 512)"))
    assert bridge.target == "decoder h0 (2, 64, 512) · c0 (2, 64, 512)"
    assert encoder.title.startswith("encoder: nn.LSTM(input_size=256")
    assert decoder.title.startswith("decoder: nn.LSTM(input_size=300")
    assert decoder.steps == ("t=0", "t=1", "t=2", "⋯", "t=29") and encoder.steps[-1] == "t=49"
    assert [p.shape for p in decoder.initial] == ["(2, 64, 512)", "(2, 64, 512)"]
    assert decoder.inputs.shape == "(64, 30, 300)"
    s, _ = example("around_seq2seq.yaml")
    (bridge,) = parts(s, Bridge)
    assert bridge.steps == () and bridge.title.endswith("(the state passed as it is)")


def test_keras_and_onnx_equivalents():
    s, _ = scene_of((ROOT / "configs" / "keras_bilstm.yaml").read_text())
    (section,) = parts(s, Section)
    assert section.title == "keras.layers.Bidirectional(keras.layers.LSTM, merge_mode='concat')"
    assert [p.name for p in section.final] == ["forward_h", "forward_c", "backward_h", "backward_c"]
    s, _ = scene_of((ROOT / "configs" / "onnx_stack.yaml").read_text())
    glue = parts(s, Glue)
    assert [g.title for g in glue] == ["Y of lstm_0 → X of lstm_1", "Y of lstm_1 → X of lstm_2"]
    assert glue[0].steps == (Step("Transpose(perm=[0, 2, 1, 3])", "(seq, batch, 2, H)"),
                             Step("Reshape([0, 0, -1])", "(seq, batch, 2*H)"))
    assert glue[1].steps[0] == Step("Transpose(perm=[2, 0, 1, 3])", "(batch, seq, 2, H)")
    nodes = parts(s, Section)
    assert [n.title for n in nodes] == ["node lstm_0: ONNX LSTM", "node lstm_1: ONNX LSTM", "node lstm_2: ONNX LSTM"]
    assert [p.name for p in nodes[0].weights] == ["W", "R", "B"]


def test_the_head_says_what_it_is_fed():
    s, _ = example("model.yaml")
    assert isinstance(s.head, Head) and not s.head.from_state
    (box,) = s.head.layers
    assert box.text == "Linear(20 → 3)" and box.shape_in == "output (32, 5, 40)"
    assert s.head.output == "(32, 5, 3)"
    s, _ = scene_of("lstm: {input_size: 4, hidden_size: 6, bidirectional: true}\ndata: {batch_size: 2}\n"
                    "head:\n  - linear: {in_features: 12, out_features: 3, input: hn_concat}\n")
    assert s.head.from_state and s.head.layers[0].shape_in == "cat(hn[-2], hn[-1]) (2, 12)"
