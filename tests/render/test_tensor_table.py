"""lstmshape.render.tensor_table: the rich rows every framework's `infer` table is made of — one per
tensor, one per run of identical layers, and what the forward pass made of each."""

from __future__ import annotations

import io

from rich.console import Console

from lstmshape import infer
from lstmshape.read import parse_text
from lstmshape.render.tensor_table import plain, tensor_table, verification_summary, verified_cell
from lstmshape.shapes import Repeat
from lstmshape.verify import Verification


def shown(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=400, color_system=None, emoji=False).print(renderable)
    return out.getvalue()


def result(text: str):
    config, problems = parse_text(text, "model.yaml")
    assert problems == []
    return infer(config)[0]


def test_one_row_per_tensor_with_shape_meaning_size_and_bytes():
    params = result("lstm: {input_size: 3, hidden_size: 4}\n").listed_params
    text = shown(tensor_table("parameters", "parameter", params))
    row = next(line for line in text.splitlines() if "weight_ih_l0" in line)
    assert "(16, 3)" in row and "(4 × hidden_size, input_size)" in row
    assert row.split("│")[-3].strip() == "48" and row.split("│")[-2].strip() == "192 B"
    assert "derived from" not in text and "forward pass" not in text


def test_explaining_adds_each_dimensions_derivation():
    params = result("lstm: {input_size: 3, hidden_size: 4}\n").listed_params
    row = next(line for line in shown(tensor_table("p", "parameter", params, explain=True)).splitlines()
               if "weight_ih_l0" in line)
    assert "16 = 4 gates (i, f, g, o) × hidden_size 4; input_size 3" in row


def test_identical_layers_are_one_row_that_counts_them():
    params = result("lstm: {input_size: 3, hidden_size: 4, num_layers: 100000}\n").listed_params
    repeat = next(p for p in params if isinstance(p, Repeat))
    text = shown(tensor_table("parameters", "parameter", params))
    row = next(line for line in text.splitlines() if "identical layers" in line)
    assert "⋮ layers 3–99998" in row and "as layer 2" in row
    assert "99,996 identical layers, each with weight_ih_l{layer}, weight_hh_l{layer}, bias_ih_l{layer}, " \
           "bias_hh_l{layer}" in row
    # a layer after the first takes the hidden state below (input 4): 16·4 + 16·4 + 16 + 16 elements
    assert repeat.count == 99_996 and f"{99_996 * (16 * 4 + 16 * 4 + 16 + 16):,}" in row
    assert len([line for line in text.splitlines() if "_l9999" in line]) == 4  # the last layer, whole


def test_text_from_a_file_is_never_markup_and_stays_one_line():
    assert plain("[bold red]x[/bold red] :smile:").plain == "[bold red]x[/bold red] :smile:"
    assert plain("a\nb\x1b[2J\u202e").plain == "a\\nb\\x1b[2J\\u202e"


def test_the_forward_pass_column_says_what_was_observed():
    good = Verification(True, {"hn": (1, 2, 3)}, (), {})
    bad = Verification(False, {"hn": (1, 2, 4)}, ("hn",), {}, "")
    assert verified_cell(good, "hn").plain == "✓ verified"
    assert verified_cell(bad, "hn").plain == "✗ observed (1, 2, 4)"
    assert verified_cell(bad, None).plain == "✗ hn"
    assert verified_cell(Verification(False, {}, (), {}, "too large"), "hn").plain == "✗ not run"
    assert verification_summary(good, "GRU").plain == "forward pass: every shape verified by running the NumPy GRU"
    assert verification_summary(bad).plain == "forward pass: NOT verified (hn)"


def test_with_a_verification_every_row_has_its_verdict():
    shapes = result("lstm: {input_size: 3, hidden_size: 4}\ndata: {batch_size: 2, seq_len: 5}\n")
    verification = Verification(False, {"output": (5, 2, 4), "hn": (1, 2, 5)}, ("hn",), {})
    text = shown(tensor_table("tensors", "tensor", shapes.tensors, verification=verification))
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 3}
    assert "✓ verified" in rows["output"] and "✗ observed (1, 2, 5)" in rows["hn"]
    assert "✗ observed nothing" not in rows["output"]
