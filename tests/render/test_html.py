"""The HTML report (lstmshape.render.html) `draw -o x.html` writes: self-contained, and rendered
in a real browser (headless Chromium)."""

from __future__ import annotations

from helpers import MISMATCHES, png_array, run


# --- the HTML report --------------------------------------------------------------------------


def test_html_report_is_self_contained(tmp_path):
    config = tmp_path / "mis.yaml"
    config.write_text(MISMATCHES)
    out = tmp_path / "report.html"
    assert run("draw", str(config), "-o", str(out)).returncode == 1
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    for banned in ("<script", "<link", " src=", "@import", "url(http"):
        assert banned not in html
    assert html.replace("http://www.w3.org/2000/svg", "").count("http") == 0
    assert '<meta name="viewport"' in html and "@media print" in html and "@media (max-width" in html
    assert "<svg" in html and "[LS110]" in html and "Traps for this config" in html
    assert "weight_ih_l7_reverse" in html and "lstm[1]: Parameters (torch state_dict names)" in html


def test_report_renders_in_a_real_browser(browser, tmp_path):
    out = tmp_path / "report.html"
    assert run("draw", "configs/bilstm.yaml", "-o", str(out)).returncode == 0
    png = browser.screenshot(out.as_uri(), 1000, 1400, tmp_path / "page.png")
    pixels = png_array(png).astype(int)
    height, width = pixels.shape[:2]
    assert (width, height) == (1000, 1400)
    inked = int((pixels.min(axis=2) < 200).sum())
    assert inked > 0.01 * width * height  # text, boxes and arrows, not a blank page
    picture_band = pixels[100:500]  # the figure: coloured cells (forward blue, backward green)
    coloured = int((picture_band.max(axis=2) - picture_band.min(axis=2) > 60).sum())
    assert coloured > 500
    dom = browser.dump_dom(out.as_uri())
    for text in ("output (5, 32, 40)", "hn[3] = layer 1, backward", "h0 (4, 32, 20)", "(80, 40)",
                 "Traps for this config"):
        assert text in dom, text


# --- the docs' gallery ------------------------------------------------------------------------
