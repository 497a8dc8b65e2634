"""Tests of lstmshape.render.join_bridge_lines: joins and bridges as lines of the `infer` table.

The seq2seq_linear and rnnp configs recorded in tests/golden/around.json, through `infer`
(helpers.run): the bridge from the encoder's hn through view, cat, Linear and tanh to the
decoder's h0, the decoder's own section, and the Linear join between two blocks, each step with
its shapes.
"""

from __future__ import annotations

import json

from helpers import GOLDEN_DIR, run, write


GOLDEN = json.loads((GOLDEN_DIR / "around.json").read_text())["records"]


def test_infer_table_shows_join_and_bridge(tmp_path):
    path = write(tmp_path, "c.yaml", GOLDEN["seq2seq_linear"]["yaml"])
    result = run("infer", path)
    assert result.returncode == 0, result.stderr
    assert ("bridge lstm → decoder: hn (4, 3, 5) → hn.view(2, 2, 3, 5) → torch.cat((h[:, 0], h[:, 1]), dim=-1) → "
            "(2, 3, 10) → nn.Linear(10, 8) → (2, 3, 8) → tanh → (2, 3, 8) = decoder h0") in result.stdout
    assert "decoder: decoder.lstm" in result.stdout
    path = write(tmp_path, "rnnp.yaml", GOLDEN["rnnp"]["yaml"])
    result = run("infer", path)
    assert "join lstm[0] → lstm[1]: (3, 7, 10) → nn.Linear(10, 4) → tanh → (3, 7, 4)" in result.stdout
