"""The `data` section as read: data.state's spellings, and its bad values placed at the value."""

from __future__ import annotations

import pytest

from lstmshape.read import read_config


@pytest.mark.parametrize(("written", "means"), [
    ("none", "none"), ("null", "none"), ("h0", "h0"), ("hx", "h0"), ("[h0, c0]", ("h0", "c0")),
    ("[h, c]", ("h0", "c0")), ('"(h0, c0)"', ("h0", "c0")), ('"h0, c0"', ("h0", "c0")), ('"(h0,)"', ("h0",)),
    ("[hidden, cell, hx, cx]", ("h0", "c0", "h0", "c0")),
])
def test_state_spellings_read_as_one_value(written, means, tmp_path):
    config, problems = read_config(str(_written(tmp_path, f"state: {written}")))
    assert problems == [] and config.data.state == means


@pytest.mark.parametrize(("written", "code", "column"), [
    ("hz", "LS008", 42), ("[h0, 3]", "LS007", 42), ("[]", "LS008", 42), ("5", "LS007", 42),
    ("[h0, c0, h0, c0, h0]", "LS008", 42), ("[none]", "LS008", 42), ('"(h0"', "LS008", 42), ("None", "LS008", 42),
])
def test_bad_state_values_are_placed_at_their_value(written, code, column, tmp_path):
    path = _written(tmp_path, f"state: {written}")
    config, problems = read_config(str(path))
    assert config is None
    assert [(p.code, p.line, p.column, p.path) for p in problems] == [(code, 2, column, "$.data.state")]


def _written(tmp_path, state: str):
    path = tmp_path / "c.yaml"
    path.write_text(f"lstm: {{input_size: 4, hidden_size: 6}}\ndata: {{batch_size: 3, seq_len: 5, {state}}}\n")
    return path
