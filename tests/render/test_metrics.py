"""The picture's width table (lstmshape/render/metrics.py) is DejaVu Sans Mono's: read again from
the font files Debian ships (fonts-dejavu-core) with fontTools."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import require

from lstmshape.render import metrics

FONTS = Path("/usr/share/fonts/truetype/dejavu")


def test_the_table_is_the_fonts():
    ttlib = require("fontTools.ttLib")
    faces = [FONTS / "DejaVuSansMono.ttf", FONTS / "DejaVuSansMono-Bold.ttf"]  # plain and title text
    if not all(face.exists() for face in faces):
        if os.environ.get("LSTMSHAPE_REQUIRE_ORACLES") == "1" or os.environ.get("CI"):  # as conftest.require
            pytest.fail(f"{faces[0]} is required here (apt-get install fonts-dejavu-core)")
        pytest.skip("fonts-dejavu-core is not installed")
    fonts = [ttlib.TTFont(face) for face in faces]
    common = set.intersection(*(set(font.getBestCmap()) for font in fonts))
    ranges: list[list[int]] = []
    for point in sorted(common):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    assert [list(r) for r in metrics.COVERED] == ranges
    for font in fonts:
        assert font["head"].unitsPerEm == metrics.UNITS_PER_EM
        assert {font["hmtx"].metrics[glyph][0] for glyph in font.getBestCmap().values()} == {metrics.ADVANCE}
        assert (font["hhea"].ascent, -font["hhea"].descent) == (metrics.ASCENT, metrics.DESCENT)


def test_widths():
    em = metrics.ADVANCE / metrics.UNITS_PER_EM
    assert metrics.text_width("hn[0]", 12) == pytest.approx(5 * em * 12)
    assert metrics.covered("→") and metrics.covered("…") and not metrics.covered("⋮")
    assert metrics.text_width("⋮", 10) == 10 * metrics.FALLBACK_EM  # a fallback font's glyph: a full em
    assert metrics.text_width("", 12) == 0
