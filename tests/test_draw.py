"""`lstmshape draw`: the picture's structure, golden SVGs of the shipped configs, the CLI end to
end (the console script itself for --open: webbrowser reads BROWSER and PATH once per process);
the HTML report's own tests are in tests/render/test_html.py."""

from __future__ import annotations

import importlib.util
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lstmshape.read import parse_text, read_config
from lstmshape.frameworks import infer
from lstmshape.render.layout import Arrow, Box, Text, layout, text_width
from lstmshape.render.picture import scene
from lstmshape.render.result_text import shape_text
from lstmshape.rules import run_rules

from helpers import MISMATCHES, console_script, run, run_script

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.name for p in (ROOT / "configs").glob("*.yaml") if p.name != "broken.yaml")
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.yaml") if p.name != "keras_layer_args.yaml")
SVG = "{http://www.w3.org/2000/svg}"


def draw_svg(config: str, tmp_path: Path) -> ET.Element:
    out = tmp_path / (Path(config).stem + ".svg")
    result = run("draw", config, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return ET.parse(out).getroot()


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def groups(root: ET.Element, tensor: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("data-tensor") == tensor]


def on_edge(root: ET.Element, tensor: str, text: str) -> bool:
    """Whether some group drawing `tensor` carries `text`."""
    return any(text in line for g in groups(root, tensor) for line in texts(g))


def picture_of(text: str):
    config, problems = parse_text(text, "net.yaml")
    assert config is not None, problems
    return layout(scene(config, infer(config), problems + run_rules(config)))


def labels_of(picture) -> list[str]:
    """Every text of a picture, including those inside boxes."""
    return [t.text for g in picture.groups for item in g.items
            for t in ([item] if isinstance(item, Text) else getattr(item, "texts", ()))]


def elements(picture) -> int:
    return sum(len(g.items) for g in picture.groups)


# --- structure --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_svg_parses_and_every_tensor_shape_is_on_its_edge(name, tmp_path):
    root = draw_svg(f"configs/{name}", tmp_path)
    assert root.tag == f"{SVG}svg"
    config, _ = read_config(ROOT / "configs" / name)
    results = infer(config)
    framework = getattr(results[0], "framework", "torch")
    if framework == "onnx":
        tensors = [t for node in results[0].nodes for t in node.tensors]
    elif framework == "keras":
        tensors = list(results[0].tensors)
    else:
        tensors = [t for r in results for t in r.tensors]
    assert tensors
    for tensor in tensors:
        assert on_edge(root, tensor.name, f"{tensor.name} {shape_text(tensor.shape)}"), tensor.name


@pytest.mark.parametrize("name", [n for n in SHIPPED if "keras" not in n and "onnx" not in n])
def test_every_state_row_is_labelled_with_layer_and_direction(name, tmp_path):
    root = draw_svg(f"configs/{name}", tmp_path)
    config, _ = read_config(ROOT / "configs" / name)
    (result,) = infer(config)
    d = result.lstm.num_directions
    h_slice = shape_text(result["hn"].shape[1:])
    c_slice = shape_text(result["cn"].shape[1:]) if result.lstm.has_cell_state else None  # GRU/RNN: h only
    for row in range(d * result.lstm.num_layers):
        where = f"layer {row // d}, {'backward' if row % d else 'forward'}"
        for h, c in (("h0", "c0"), ("hn", "cn")):
            assert on_edge(root, h, f"{h}[{row}] = {where}"), (h, row)
            sliced = f"{h}[{row}] {h_slice}" + (f" · {c}[{row}] {c_slice}" if c_slice else "")
            assert on_edge(root, h, sliced), (h, row)


def test_bidirectional_arrows_run_each_direction_and_the_backward_final_state_leaves_at_t0():
    picture = picture_of("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n"
                         "data: {batch_size: 32, seq_len: 5}\n")
    rows = [g for g in picture.groups if g.kind == "row"]
    assert len(rows) == 2
    for row in rows:
        arrows = [a for a in row.items if isinstance(a, Arrow)]
        cls = {a.cls for a in arrows}
        assert len(cls) == 1 and len(arrows) == 4
        (start, _), (end, _) = arrows[0].points
        assert (end > start) == (cls == {"fwd"})  # forward runs right, backward left
    states = {item.text: g for g in picture.groups if g.kind == "state" for item in g.items if isinstance(item, Text)}
    cells = [b for g in rows for b in g.items if isinstance(b, Box)]
    t0 = min(b.x for b in cells)
    backward_final = states["hn[1] = layer 0, backward"]
    assert max(t.x for t in backward_final.items if isinstance(t, Text)) < t0  # left of t=0


def test_proj_size_unbatched_keras_and_onnx_labels(tmp_path):
    assert on_edge(draw_svg("configs/projection.yaml", tmp_path), "hn", "hn[3] (4, 256) · cn[3] (4, 1024)")
    assert on_edge(draw_svg("configs/unbatched.yaml", tmp_path), "h0", "h0[1] (8,) · c0[1] (8,)")
    keras = draw_svg("configs/keras_bilstm.yaml", tmp_path)
    assert on_edge(keras, "backward_h", "backward_h = layer 1, backward")
    assert on_edge(keras, "forward_h", "forward_h (32, 20) · forward_c (32, 20)")
    onnx = draw_svg("configs/onnx_bidirectional.yaml", tmp_path)
    assert on_edge(onnx, "Y_h", "Y_h[1] = lstm_0, backward")
    assert any("Transpose(perm=[0, 2, 1, 3])" in line for line in texts(onnx))
    layout1 = picture_of("framework: onnx\nlstm: {input_size: 4, hidden_size: 6, direction: bidirectional, layout: 1}\n"
                         "data: {batch_size: 3, seq_len: 2}\n")
    labels = labels_of(layout1)
    assert "Y_h[:, 1] = lstm_0, backward" in labels and "Y_h (3, 2, 6)" in labels


def test_long_sequences_and_deep_stacks_stay_bounded():
    small = picture_of("lstm: {input_size: 3, hidden_size: 4, num_layers: 8, bidirectional: true}\n"
                       "data: {batch_size: 2, seq_len: 300}\n")
    huge = picture_of("lstm: {input_size: 3, hidden_size: 4, num_layers: 80, bidirectional: true}\n"
                      "data: {batch_size: 2, seq_len: 1000000}\n")
    assert elements(small) == elements(huge) < 200
    cells = [b for g in small.groups for b in g.items if isinstance(b, Box) and b.cls.startswith("cell")]
    assert len(cells) == 3 * 2 * 4  # layers 0, 1, 7 × 2 directions × t = 0, 1, 2, 299
    labels = labels_of(small)
    assert "t=299" in labels and "⋯" in labels and "t=3" not in labels
    assert "hn[15] = layer 7, backward" in labels and "⋮ layers 2–6 not drawn (state rows 4–13)" in labels
    stack = picture_of("lstm:\n" + "".join("  - {input_size: 3, hidden_size: 3}\n" for _ in range(40)))
    assert elements(stack) < 200
    assert "⋮ blocks 2–38 not drawn" in labels_of(stack)


@pytest.mark.parametrize("text", [(ROOT / "configs" / n).read_text() for n in SHIPPED] + [MISMATCHES])
def test_every_text_fits_inside_the_picture(text):
    picture = picture_of(text)
    for group in picture.groups:
        for item in group.items:
            for t in [item] if isinstance(item, Text) else getattr(item, "texts", ()):
                small = "small" in t.cls or t.cls == "step"
                width = text_width(t.text, small)
                left = {"start": t.x, "middle": t.x - width / 2, "end": t.x - width}[t.anchor]
                assert 0 <= left and left + width <= picture.width, t


def test_mismatches_and_the_head_are_drawn_in_the_error_style(tmp_path):
    config = tmp_path / "mis.yaml"
    config.write_text(MISMATCHES)
    out = tmp_path / "mis.svg"
    result = run("draw", str(config), "-o", str(out))
    assert result.returncode == 1  # errors were found (and drawn)
    assert f"{config}:10:11: error[LS110] " in result.stderr
    root = ET.parse(out).getroot()
    notes = {line.split("] ")[0] + "]": line for line in texts(root) if re.match(r"\[\d+\] [✗⚠] \d+:\d+ LS", line)}
    assert len(notes) == len(result.stderr.splitlines())  # every problem numbered under the picture

    def marked(text: str, code: str, line: str) -> bool:
        """`text [n] CODE`, whose note n is the problem at `line` (line:column) with that code."""
        m = re.fullmatch(re.escape(text) + r" ?(\[\d+\]) " + code, line)
        return bool(m) and f" {code} " in notes[m.group(1)]

    (h0,) = [g for g in groups(root, "h0") if g.get("class") == "port error"]
    assert any(marked("expect [2, 2, 20]", "LS110", t) for t in texts(h0))
    assert "err" in h0.find(f"{SVG}rect").get("class")
    assert any(marked("expect [300, 2, 20]", "LS112", t) for g in groups(root, "output") for t in texts(g))
    assert any(marked("expect [1, 2, 8]", "LS113", t) for g in groups(root, "cn") for t in texts(g))
    heads = [g for g in root.iter(f"{SVG}g") if g.get("class") == "head error"]
    codes = [t.split()[-1] for g in heads for t in texts(g) if re.fullmatch(r"\[\d+\] LS\d+", t)]
    assert codes == ["LS102", "LS101"]  # top (head[2]) first
    assert all(marked("", code, t) for g in heads for t in texts(g) for code in ["LS101", "LS102"] if t.endswith(code))
    all_text = texts(root)
    assert "Linear(16 → 64)" in all_text and "relu" in all_text and "(2, 3)" in all_text
    assert on_edge(root, "head-input", "hn[-1] (2, 8)")
    style = root.find(f"{SVG}style").text
    assert "stroke-dasharray" in style.split("rect.err")[1].split("}")[0]  # not colour alone


# --- golden files and the README picture ------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_svg_golden(name, golden, tmp_path):
    out = tmp_path / "net.svg"
    result = run("draw", f"configs/{name}", "-o", str(out))
    assert result.returncode == 0, result.stderr
    golden(f"draw-{Path(name).stem}.svg", out.read_text())


@pytest.mark.parametrize("name", EXAMPLES)
def test_svg_golden_of_each_example(name, golden, tmp_path):
    """The examples: stacks with joins, encoder-decoders, heads, and the problems each shows."""
    out = tmp_path / "net.svg"
    result = run("draw", f"examples/{name}", "-o", str(out))
    assert result.returncode == (1 if "error[" in result.stderr else 0), result.stderr
    golden(f"draw-example-{Path(name).stem}.svg", out.read_text())


def test_readme_picture_is_the_tools_output(request, tmp_path):
    docs = ROOT / "docs" / "bilstm.svg"
    out = tmp_path / "bilstm.svg"
    assert run("draw", "configs/bilstm.yaml", "-o", str(out)).returncode == 0
    if request.config.getoption("--regen-golden"):
        docs.parent.mkdir(exist_ok=True)
        docs.write_text(out.read_text())
    assert docs.read_text() == out.read_text(), "docs/bilstm.svg is stale; run pytest --regen-golden"
    assert "![" in (readme := (ROOT / "README.md").read_text()) and "docs/bilstm.svg" in readme


# --- the CLI: usage errors, bad configs, files -----------------------------------------------


def test_the_full_cli_and_the_fast_path_agree(tmp_path):
    """`-o OUT` and `-oOUT` are the same option, as in any getopt-style command line."""
    fast, full = tmp_path / "fast.html", tmp_path / "full.html"
    drawn = run("draw", "configs/projection.yaml", "-o", str(fast))
    assert (drawn.returncode, drawn.stdout) == (0, f"{fast}\n")  # the path written, as `inspect -o` prints
    assert run("draw", "configs/projection.yaml", f"-o{full}").returncode == 0
    assert fast.read_text() == full.read_text()
    helped = run("draw", "--help")
    assert helped.returncode == 0 and "--open" in helped.stdout and ".html" in helped.stdout


def test_refuses_other_suffixes_and_writes_nothing(tmp_path):
    for name in ("net.png", "net", "net.yaml", "net.svg.bak"):
        result = run("draw", "configs/bilstm.yaml", "-o", str(tmp_path / name))
        assert result.returncode == 2 and ".svg" in result.stderr and ".html" in result.stderr, name
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (("configs/nope.yaml", "-o", "{tmp}/x.svg"), "no such file"),
    (("configs", "-o", "{tmp}/x.svg"), "is a directory"),
    (("configs/bilstm.yaml", "-o", "{tmp}/missing/x.svg"), "does not exist"),
    (("configs/bilstm.yaml", "-o", "{tmp}/dir.svg"), "is a directory"),
    (("configs/bilstm.yaml",), "-o"),
])
def test_usage_errors_exit_2(args, message, tmp_path):
    (tmp_path / "dir.svg").mkdir()
    result = run("draw", *(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_config_gives_infers_problems_and_leaves_the_old_picture(tmp_path):
    out = tmp_path / "net.svg"
    out.write_text("the previous picture")
    result = run("draw", "configs/broken.yaml", "-o", str(out))
    infer_result = run("infer", "configs/broken.yaml")
    assert result.returncode == infer_result.returncode == 1
    assert result.stderr == infer_result.stderr
    assert "configs/broken.yaml:3:15: error[LS007] input_size is not an integer" in result.stderr
    assert out.read_text() == "the previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.svg"]


def test_writes_only_the_named_file_replacing_it_and_never_through_a_link(tmp_path):
    config = tmp_path / "net.yaml"
    config.write_text((ROOT / "configs" / "bilstm.yaml").read_text())
    target = tmp_path / "elsewhere.svg"
    target.write_text("not ours")
    link = tmp_path / "net.svg"
    link.symlink_to(target)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p != link}
    result = run("draw", str(config), "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "not ours" and not link.is_symlink()
    ET.parse(link)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p != link} == before
    assert oct(link.stat().st_mode & 0o044) == oct(0o044 & ~_umask())  # readable like any new file


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_file_name_xml_cannot_hold_still_gives_a_valid_picture(tmp_path):
    config = tmp_path / "a\x01b.yaml"
    config.write_text("lstm: {input_size: 3, hidden_size: 4, num_layers: 2}\ndata: {batch_size: 2}\n")
    result = run("draw", str(config), "-o", str(tmp_path / "net.svg"))
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "a\ufffdb.yaml") in texts(ET.parse(tmp_path / "net.svg").getroot())


def test_open_uses_the_default_browser(tmp_path):
    seen = tmp_path / "seen"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {seen}\n')
    browser.chmod(0o755)
    out = tmp_path / "report.html"
    result = run_script("draw", "configs/bilstm.yaml", "-o", str(out), "--open", env={"BROWSER": str(browser)})
    assert result.returncode == 0, result.stderr
    assert seen.read_text().strip() == out.resolve().as_uri()


def test_open_without_a_browser_says_where_the_report_is(tmp_path):
    out = tmp_path / "report.html"
    env = {"PATH": str(Path(console_script()).parent), "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    result = run_script("draw", "configs/bilstm.yaml", "-o", str(out), "--open", env=env)
    assert result.returncode == 0 and out.exists()
    assert f"no browser found; the report is {out}" in result.stderr



def test_the_docs_gallery_draws_every_shipped_config(tmp_path):
    """docs/hooks.py builds the gallery page at docs build time: every shipped config either drawn,
    as `lstmshape draw` draws it, or named as one draw refuses."""
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    cwd = os.getcwd()
    os.chdir(ROOT)  # the build runs in the checkout, naming each config by its relative path
    try:
        pages = hooks.gallery_pages()
    finally:
        os.chdir(cwd)
    page = pages.pop("gallery.md")
    shipped = sorted(f"{d}/{p.name}" for d in ("configs", "examples") for p in (ROOT / d).glob("*.yaml"))
    refused = [name for name in shipped if f"gallery/{name.replace('/', '-')[:-5]}.svg" not in pages]
    assert refused == ["configs/broken.yaml", "examples/keras_layer_args.yaml"]
    assert all(f"`{name}` (LS0" in page for name in refused)
    assert len(pages) == len(shipped) - len(refused)
    for svg in pages:
        assert f"]({svg})" in page
    out = tmp_path / "seq2seq.svg"
    assert run("draw", "examples/around_seq2seq_bridge.yaml", "-o", str(out)).returncode == 0
    assert pages["gallery/examples-around_seq2seq_bridge.svg"] == out.read_text()


def test_the_decoder_and_its_bridge_are_drawn_not_left_out(tmp_path):
    """Issue #29: `draw` once drew the encoder only and said so; now the bridge and the decoder are in
    the picture, LS136 marked on the bridge and its message wrapped under the picture, numbered."""
    out = tmp_path / "seq2seq.svg"
    result = run("draw", "examples/around_seq2seq.yaml", "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.startswith("examples/around_seq2seq.yaml:5:57: error[LS136] ")
    assert "note" not in result.stderr and len(result.stderr.splitlines()) == 1
    root = ET.parse(out).getroot()
    bridge = [g for g in root.iter(f"{SVG}g") if g.get("class") == "bridge error"]
    assert bridge and any("[1] LS136" in texts(g) for g in bridge)
    all_text = texts(root)
    assert any(t.startswith("decoder: nn.LSTM(input_size=300") for t in all_text)
    assert "decoder h0 (2, 64, 512) · c0 (2, 64, 512)" in all_text
    note = [t for t in all_text if t.startswith("[1] ✗ 5:57 LS136 error: lstm's final hn is (4, 64, 512)")]
    assert len(note) == 1 and len(note[0]) < len("lstm's final hn") + 200  # wrapped, never one long line


@pytest.mark.parametrize("name", ["examples/around_seq2seq_bridge.yaml", "examples/onnx_model.yaml"])
def test_the_report_holds_the_same_picture(name, tmp_path):
    """The HTML report is the SVG's picture (inline), plus the tables."""
    svg, html = tmp_path / "net.svg", tmp_path / "net.html"
    assert run("draw", name, "-o", str(svg)).returncode == run("draw", name, "-o", str(html)).returncode
    inline = html.read_text()
    inline = inline[inline.index("<svg"):inline.index("</svg>") + len("</svg>")]

    def elements(root):
        return [(e.tag, sorted(e.attrib.items()), (e.text or "").strip()) for e in root.iter()]

    assert elements(ET.fromstring(inline)) == elements(ET.parse(svg).getroot())
    assert "<table>" in html.read_text()
