"""The HTML report: one self-contained page with the picture, the tensor and parameter tables, the
traps and the problems. Built with ElementTree like the SVG; nothing is fetched (inline SVG and
CSS, no script, no font or CDN), so the page works offline, as an attachment and in print.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..explain import traps
from ..frameworks.keras import KerasShapes
from ..frameworks.onnx import OnnxShapes
from .layout import Picture
from .result_text import human_bytes, shape_text
from .svg import svg_element, xml_text

MAX_PARAM_ROWS = 200  # a deep stack lists its first parameters and says how many more there are

CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #57606a; --bg: #ffffff; --line: #d0d7de;
  --head: #f6f8fa; --err: #b23c00; --warn: #7a5a00; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9da7b1; --bg: #0d1117; --line: #30363d; --head: #161b22;
    --err: #ff8a4c; --warn: #f0c000; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1rem; max-width: 80rem; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); }
p.settings, code, td.shape, td.dims { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
p.settings { color: var(--muted); overflow-wrap: anywhere; margin-top: 0; }
figure { margin: 1rem 0; overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
figure svg { display: block; max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--head); }
td.shape, td.num { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
li.error { color: var(--err); }
li.warning { color: var(--warn); }
ol.problems li::marker { content: "[" counter(list-item) "] "; }
@media (max-width: 40rem) {
  body { padding: .5rem; font-size: 14px; }
  th, td { padding: .2rem .35rem; }
  figure svg { max-width: none; }  /* readable size; the figure scrolls sideways */
}
@media print {
  :root { --fg: #000; --muted: #333; --bg: #fff; --line: #999; --head: #eee; --err: #a33000; --warn: #5a4300; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  figure { border: none; overflow: visible; }
  figure, table, tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  .scroll { overflow: visible; }
}
"""


def html_text(path: str, settings: str, picture: Picture, tables: list, traps: list[str], problems: list) -> str:
    """The page. `tables`: (title, first column, tensors); `problems`: lstmshape Problems."""
    root = ET.Element("html", {"lang": "en"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})
    ET.SubElement(head, "title").text = xml_text(f"{path}: lstmshape")
    ET.SubElement(head, "style").text = CSS
    body = ET.SubElement(root, "body")
    ET.SubElement(body, "h1").text = xml_text(path)
    ET.SubElement(body, "p", {"class": "settings"}).text = settings
    figure = ET.SubElement(body, "figure")
    figure.append(svg_element(picture))
    if problems:
        ET.SubElement(body, "h2").text = f"Problems ({len(problems)})"
        ol = ET.SubElement(body, "ol", {"class": "problems"})  # numbered as their marks in the picture
        for p in problems:
            ET.SubElement(ol, "li", {"class": p.severity}).text = \
                xml_text(f"{p.file}:{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]")
    for title, first, tensors in tables:
        ET.SubElement(body, "h2").text = title
        _table(ET.SubElement(body, "div", {"class": "scroll"}), first, tensors)
    if traps:
        ET.SubElement(body, "h2").text = "Traps for this config"
        ul = ET.SubElement(body, "ul", {"class": "traps"})
        for trap in traps:
            ET.SubElement(ul, "li").text = trap
    ET.indent(root, space=" ")
    return "<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html") + "\n"


def _table(parent: ET.Element, first: str, tensors) -> None:
    table = ET.SubElement(parent, "table")
    row = ET.SubElement(ET.SubElement(table, "thead"), "tr")
    for name in (first, "shape", "dimensions", "elements", "float32"):
        ET.SubElement(row, "th").text = name
    body = ET.SubElement(table, "tbody")
    shown = tensors[:MAX_PARAM_ROWS]
    for tensor in shown:
        row = ET.SubElement(body, "tr")
        ET.SubElement(ET.SubElement(row, "td"), "code").text = tensor.name
        ET.SubElement(row, "td", {"class": "shape"}).text = shape_text(tensor.shape)
        ET.SubElement(row, "td", {"class": "dims"}).text = "(" + ", ".join(d.meaning for d in tensor.dims) + ")"
        ET.SubElement(row, "td", {"class": "num"}).text = str(tensor.numel)
        ET.SubElement(row, "td", {"class": "num"}).text = human_bytes(tensor.nbytes)
    if len(tensors) > len(shown):
        cell = ET.SubElement(ET.SubElement(body, "tr"), "td", {"colspan": "5"})
        cell.text = f"… and {len(tensors) - len(shown):,} more"


def report_parts(results: list) -> tuple[list, list[str]]:
    """The tables and traps of a report, the way `infer --explain` presents each framework."""
    if isinstance(results[0], KerasShapes):
        r = results[0]
        return [("Input", "tensor", (r.input,)), ("Outputs (what the last layer's call returns, in order)", "output",
                                                   r.outputs),
                ("Weights (Keras weight paths, model.weights order)", "weight", r.params)], traps(r)
    if isinstance(results[0], OnnxShapes):
        r = results[0]
        tables = [(f"Node lstm_{node.index} (ONNX LSTM, opset 14+)", "tensor", node.tensors)
                  for node in r.nodes[:MAX_PARAM_ROWS]]
        return tables, traps(r)
    tables, notes = [], []
    for r in results[:MAX_PARAM_ROWS]:
        prefix = f"lstm[{r.block}]: " if r.block is not None else ""
        tables += [(prefix + "Tensors", "tensor", r.tensors), (prefix + "Parameters (torch state_dict names)",
                                                               "parameter", r.params)]
        notes += [prefix + trap for trap in traps(r)]
    return tables, notes
