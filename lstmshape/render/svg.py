"""A `Picture` as SVG, built with the standard library's ElementTree (never by pasting markup).

Text stays text (selectable, searchable). Colours are the Okabe–Ito palette, which colour-blind
readers tell apart: forward blue, backward bluish green, errors vermillion; errors are dashed as
well, and arrows point the way each direction runs, so nothing depends on colour alone. The
embedded style follows `prefers-color-scheme`, so the picture reads on light and dark pages.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from . import metrics
from .layout import FONT, SMALL, Arrow, Box, Group, Picture, Text

SVG_NS = "http://www.w3.org/2000/svg"
# The font the layout measures (render/metrics.py) first; Menlo and Bitstream Vera Sans Mono share
# its advance widths, and the other monospace fonts are narrower.
MONO = f"'{metrics.FAMILY}', Menlo, 'Bitstream Vera Sans Mono', Consolas, 'Liberation Mono', monospace"
STYLE = f"""
text {{ font: {FONT}px {MONO}; fill: #1f2328; }}
.small {{ font-size: {SMALL}px; }}
.title {{ font-weight: bold; }}
.muted {{ fill: #57606a; }}
.step {{ font-size: {SMALL}px; fill: #1f2328; }}
text.err {{ fill: #b23c00; }}
text.warn {{ fill: #7a5a00; }}
.bg {{ fill: #ffffff; }}
rect.port, rect.head, rect.op {{ fill: #f6f8fa; stroke: #57606a; stroke-width: 1; }}
rect.cell {{ stroke-width: 1.5; }}
rect.cell.fwd {{ fill: #e3f0fa; stroke: #0072b2; }}
rect.cell.bwd {{ fill: #e0f4ee; stroke: #009e73; }}
svg rect.err {{ stroke: #d55e00; stroke-width: 2; stroke-dasharray: 6 3; }}
path {{ fill: none; stroke-width: 1.5; }}
path.fwd {{ stroke: #0072b2; }}
path.bwd {{ stroke: #009e73; }}
path.plain {{ stroke: #8c959f; stroke-width: 1; }}
path.err {{ stroke: #d55e00; stroke-width: 2; stroke-dasharray: 6 3; }}
svg rect.warn {{ stroke: #7a5a00; stroke-width: 1.5; stroke-dasharray: 6 3; }}
path.warn {{ stroke: #7a5a00; stroke-width: 1.5; stroke-dasharray: 6 3; }}
marker path {{ stroke: none; }}
#arrow-fwd path {{ fill: #0072b2; }}
#arrow-bwd path {{ fill: #009e73; }}
#arrow-plain path {{ fill: #8c959f; }}
#arrow-err path {{ fill: #d55e00; }}
#arrow-warn path {{ fill: #7a5a00; }}
@media (prefers-color-scheme: dark) {{
  text, .step {{ fill: #e6edf3; }}
  .muted {{ fill: #9da7b1; }}
  text.err {{ fill: #ff8a4c; }}
  text.warn {{ fill: #f0c000; }}
  svg rect.warn, path.warn {{ stroke: #f0c000; }}
  #arrow-warn path {{ fill: #f0c000; }}
  .bg {{ fill: #0d1117; }}
  rect.port, rect.head, rect.op {{ fill: #161b22; stroke: #9da7b1; }}
  rect.cell.fwd {{ fill: #0b2a40; stroke: #56b4e9; }}
  rect.cell.bwd {{ fill: #06302a; stroke: #2fc6a0; }}
  path.fwd {{ stroke: #56b4e9; }}
  path.bwd {{ stroke: #2fc6a0; }}
  #arrow-fwd path {{ fill: #56b4e9; }}
  #arrow-bwd path {{ fill: #2fc6a0; }}
}}
"""


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with the characters XML cannot hold at all (control characters, e.g. from a file
    name) shown as U+FFFD, so that the document always parses."""
    return _NOT_XML.sub("\ufffd", text)


def _n(value: float) -> str:
    """Coordinates to one decimal, without a trailing .0: stable output for golden files."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def svg_element(picture: Picture) -> ET.Element:
    width, height = _n(picture.width), _n(picture.height)
    root = ET.Element("svg", {"xmlns": SVG_NS, "width": width, "height": height,
                              "viewBox": f"0 0 {width} {height}", "role": "img", "class": "lstmshape"})
    ET.SubElement(root, "title").text = xml_text(picture.title)
    ET.SubElement(root, "desc").text = xml_text(picture.description)
    ET.SubElement(root, "style").text = STYLE
    defs = ET.SubElement(root, "defs")
    for cls in ("fwd", "bwd", "plain", "err", "warn"):
        marker = ET.SubElement(defs, "marker", {"id": f"arrow-{cls}", "viewBox": "0 0 10 10", "refX": "9",
                                                "refY": "5", "markerWidth": "7", "markerHeight": "7",
                                                "orient": "auto-start-reverse"})
        ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z"})
    ET.SubElement(root, "rect", {"class": "bg", "width": "100%", "height": "100%"})
    for group in picture.groups:
        _group(root, group)
    return root


def _group(parent: ET.Element, group: Group) -> None:
    attrs = {"class": group.kind + (" error" if group.error else "")}
    if group.tensor:
        attrs["data-tensor"] = group.tensor
    g = ET.SubElement(parent, "g", attrs)
    for item in group.items:
        if isinstance(item, Box):
            _box(g, item)
        elif isinstance(item, Arrow):
            _arrow(g, item)
        elif isinstance(item, Text):
            _text(g, item)


def _box(parent: ET.Element, box: Box) -> None:
    attrs = {"x": _n(box.x), "y": _n(box.y), "width": _n(box.w), "height": _n(box.h), "rx": "4", "class": box.cls}
    ET.SubElement(parent, "rect", attrs)
    for text in box.texts:
        _text(parent, text)


def _arrow(parent: ET.Element, arrow: Arrow) -> None:
    d = "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in arrow.points)
    attrs = {"d": d, "class": arrow.cls}
    if arrow.head:
        attrs["marker-end"] = f"url(#arrow-{arrow.cls})"
    ET.SubElement(parent, "path", attrs)


def _text(parent: ET.Element, text: Text) -> None:
    attrs = {"x": _n(text.x), "y": _n(text.y)}
    if text.anchor != "start":
        attrs["text-anchor"] = text.anchor
    if text.cls:
        attrs["class"] = text.cls
    ET.SubElement(parent, "text", attrs).text = xml_text(text.text)


def svg_text(picture: Picture) -> str:
    """The standalone SVG file: an XML declaration and the indented document."""
    root = svg_element(picture)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
