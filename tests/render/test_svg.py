"""Every shipped config and example drawn, then looked at in a real browser (headless Chromium):
no two texts overlap as the browser lays them out, every text is as wide as the layout measured
it (the same font), every problem's mark is in the picture, and a screenshot of each picture shows
the error colour exactly when the check found errors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import png_array

from lstmshape.draw import drawn_text
from lstmshape.render import metrics

ROOT = Path(__file__).resolve().parent.parent.parent
SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = sorted(str(p.relative_to(ROOT)) for d in ("configs", "examples") for p in (ROOT / d).glob("*.yaml"))
UNREADABLE = {"configs/broken.yaml", "examples/keras_layer_args.yaml"}  # examples of configs draw refuses
DRAWN = [name for name in EXAMPLES if name not in UNREADABLE]

# Runs in the page: each picture's texts as the browser lays them out, and every pair that overlaps.
MEASURE = """
const out = [];
for (const figure of document.querySelectorAll('figure')) {
  const texts = [...figure.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
            left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height, advance: t.getComputedTextLength()};
  });
  const overlaps = [];
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      if (a.left < b.right - 0.01 && b.left < a.right - 0.01 && a.top < b.bottom - 0.01 && b.top < a.bottom - 0.01)
        overlaps.push([a.text, b.text]);
    }
  const svg = figure.querySelector('svg');
  out.push({name: figure.dataset.name, texts, overlaps, errors: figure.querySelectorAll('g.error').length,
            width: svg.width.baseVal.value, height: svg.height.baseVal.value});
}
document.getElementById('result').textContent = JSON.stringify(out);
"""


def drawn(name: str):
    text, drawing = drawn_text(str(ROOT / name))
    assert text is not None, drawing.problems
    return text, drawing


@pytest.fixture(scope="module")
def measured(browser, tmp_path_factory):
    """Every drawn example's texts as Chromium lays them out (one page, one figure each)."""
    figures = []
    for name in DRAWN:
        svg = drawn(name)[0].split("?>", 1)[1]  # inline: without the XML declaration
        figures.append(f'<figure data-name="{name}">{svg}</figure>')
    page = tmp_path_factory.mktemp("browser") / "pictures.html"
    page.write_text("<!DOCTYPE html>\n<html><head><meta charset='utf-8'></head><body>" + "".join(figures)
                    + f"<pre id='result'></pre><script>{MEASURE}</script></body></html>\n")
    dom = browser.dump_dom(page.as_uri())
    found = re.search(r"<pre id=\"result\">(.*?)</pre>", dom, re.S)
    assert found and found.group(1), browser.stderr()
    cases = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&quot;", '"'))
    return {case["name"]: case for case in cases}


@pytest.mark.parametrize("name", DRAWN)
def test_no_two_texts_overlap_in_the_browser(measured, name):
    case = measured[name]
    assert len(case["texts"]) > 10
    assert case["overlaps"] == []
    for t in case["texts"]:  # and every text inside the picture
        assert -0.5 <= t["left"] and t["right"] <= case["width"] + 0.5, t
        assert -0.5 <= t["top"] and t["bottom"] <= case["height"] + 0.5, t


@pytest.mark.parametrize("name", DRAWN)
def test_the_browser_lays_text_out_with_the_layouts_widths(measured, name):
    """The layout's widths are DejaVu Sans Mono's: the browser's advance equals them for text the
    font covers, and never exceeds them (a character drawn by a fallback font counts a full em)."""
    for t in measured[name]["texts"]:
        ours = metrics.text_width(t["text"], t["size"])
        assert t["advance"] <= ours + 0.05, t
        if all(metrics.covered(ch) for ch in t["text"]):
            assert abs(t["advance"] - ours) <= 0.02 * ours + 0.05, t


@pytest.mark.parametrize("name", DRAWN)
def test_every_problem_is_marked_and_numbered_in_the_browser(measured, name):
    text, drawing = drawn(name)
    shown = [t["text"] for t in measured[name]["texts"]]
    for number, p in enumerate(drawing.problems, 1):
        assert any(f"[{number}] {p.code}" in line for line in shown), (number, p.code)  # the mark
        assert any(line.startswith(f"[{number}] ") and p.code in line for line in shown), number  # the note
    errors = any(p.is_error for p in drawing.problems)
    assert (measured[name]["errors"] > 0) == errors




def error_pixels(pixels) -> int:
    """Pixels in the error colours (vermillion #d55e00 strokes, #b23c00 text), told apart from the
    forward blue, backward green, grey and the warnings' dark yellow (#7a5a00)."""
    r, g, b = (pixels[:, :, i].astype(int) for i in range(3))
    return int(((r > 150) & (g >= 30) & (g <= 120) & (b < 60) & (r - g > 90)).sum())


@pytest.mark.parametrize("name", DRAWN)
def test_screenshot_of_every_example_shows_its_errors(browser, name, tmp_path):
    """The SVG file alone, as a page of its size (the one browser every case shares)."""
    text, drawing = drawn(name)
    root = ET.fromstring(text.split("?>", 1)[1])
    width, height = (int(float(root.get(k)) + 0.999) for k in ("width", "height"))
    svg = tmp_path / "net.svg"
    svg.write_text(text)
    png = browser.screenshot(svg.as_uri(), width, height, tmp_path / "net.png")
    pixels = png_array(png)
    assert pixels.shape == (height, width, 3)
    inked = int((pixels.min(axis=2) < 200).sum())
    assert inked > 0.01 * width * height  # boxes, arrows and text, not a blank page
    errors = error_pixels(pixels)
    if any(p.is_error for p in drawing.problems):
        assert errors > 200, errors  # a dashed edge or box and its code
    else:
        assert errors == 0, errors
