"""The `expect` section as read: `target` beside each framework's tensors."""

from __future__ import annotations

import pytest

from lstmshape.read import read_config

LSTMS = {
    "torch": "lstm: {input_size: 10, hidden_size: 20}\n",
    "keras": "framework: keras\nlstm: {input_dim: 10, units: 20}\n",
    "onnx": "framework: onnx\nlstm: {input_size: 10, hidden_size: 20}\n",
}


@pytest.mark.parametrize("framework", sorted(LSTMS))
def test_expect_target_is_read_in_every_framework(framework, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(LSTMS[framework] + "expect:\n  target: [N, 1]\n")
    config, problems = read_config(str(path))
    assert problems == [] and config.expect == ({"target": ("N", 1)},)
    assert config.origins[("expect", 0, "target")] == ("expect", "target")


@pytest.mark.parametrize(("target", "code", "column"), [("[0, 1]", "LS008", 12), ("[1.5]", "LS007", 12),
                                                         ("5", "LS003", 11)])
def test_a_bad_target_is_placed_at_its_value(target, code, column, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(LSTMS["torch"] + f"expect:\n  target: {target}\n")
    config, problems = read_config(str(path))
    assert config is None
    assert [(p.code, p.line, p.column) for p in problems] == [(code, 3, column)]
