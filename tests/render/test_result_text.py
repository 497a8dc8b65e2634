"""Tests of lstmshape.render.result_text: byte sizes and the text every reporter shares.

Byte sizes with symbolic dimensions keep their unit apart from any symbol, even one named B, KiB
or GiB: in `infer`'s table, in `draw`'s HTML report, and as a count of bytes in
`infer --format json` (helpers.run). A stack of a thousand blocks lists a few and says which are
not shown, for `infer`, `--matrix` and `--verify`, through the real console script
(helpers.run_bounded: 5 s, 400 MB).
"""

from __future__ import annotations

import json
import re

import pytest

from helpers import SIZES, config_text, run, run_bounded, write


SIZE = re.compile(r"[0-9][0-9,.]* (B|KiB|MiB|GiB|TiB)")  # a number and its unit, always together


def float32_column(table: str) -> list[str]:
    """The last cell of each tensor row of infer's first table."""
    rows = [line for line in table.splitlines() if line.startswith("│ ")]
    return [row.split("│")[-2].strip() for row in rows[:6]]


@pytest.mark.parametrize("batch, seq", [("B", "T"), ("KiB", "B"), ("MiB", "GiB")])
def test_symbolic_byte_sizes_keep_their_unit_apart_from_every_symbol(tmp_path, batch, seq):
    config = write(tmp_path, "c.yaml", f"data: {{batch_size: {batch}, seq_len: {seq}}}\n"
                                        "lstm: {input_size: 128, hidden_size: 256}\n")
    result = run("infer", config)
    assert result.returncode == 0, result.stderr
    symbols = " × ".join(sorted([batch, seq]))
    cells = float32_column(result.stdout)
    assert cells[:2] == [f"512 B × {symbols}", f"1.0 KiB × {symbols}"]  # (T, N, 128) and (T, N, 256)
    assert cells[2:] == [f"1.0 KiB × {batch}"] * 4  # h0, c0, hn, cn: (1, N, 256)
    for cell in cells:  # whatever the symbols are called, the size is the number with its own unit
        size, *factors = cell.split(" × ")
        assert SIZE.fullmatch(size) and sorted(factors) in ([batch], sorted([batch, seq])), cell


def test_symbolic_byte_sizes_in_the_html_report_and_json(tmp_path):
    config = write(tmp_path, "c.yaml", "data: {batch_size: B, seq_len: 32}\nlstm: {input_size: 128, hidden_size: 256}\n")
    page = tmp_path / "report.html"
    drawn = run("draw", config, "-o", page)
    assert drawn.returncode == 0, drawn.stderr
    html = page.read_text()
    assert ">16.0 KiB × B<" in html and ">1.0 KiB × B<" in html and "·B B" not in html
    doc = json.loads(run("infer", config, "--format", "json").stdout)
    assert doc["results"][0]["bytes"]["input"] == "16384*B"  # JSON: a count of bytes, its unit the key's


def test_a_stack_of_a_thousand_blocks_lists_a_few(tmp_path):
    blocks = [SIZES["torch"]] + [{"hidden_size": 20}] * 999
    path = write(tmp_path, "blocks.yaml", config_text("torch", blocks))
    for options in ((), ("--matrix",), ("--verify",)):
        ran = run_bounded("infer", path, *options, cwd=tmp_path)
        ran.assert_harmless(path)
        assert "⋮ blocks 3–998 not shown" in ran.stdout
