"""lstmshape.frameworks.context: where a rule's problem lies in the model (Problem.subject)."""

from __future__ import annotations

import pytest

from lstmshape.frameworks.context import subject_of


@pytest.mark.parametrize("parts, subject", [
    (("head", 2, "linear", "in_features"), ("head", 2)),
    (("expect", "hn"), ("expect", 0, "hn")),
    (("expect", 1, "hn", 0), ("expect", 1, "hn")),
    (("lstm", 1, "join", 0, "linear"), ("join", 1)),
    (("decoder", "bridge", 1), ("bridge",)),
    (("lstm", "hidden_size"), None),
    (("data", "batch_size"), None),
    (("expect",), None),
    ((), None),
])
def test_subject_of_parts(parts, subject):
    assert subject_of(parts) == subject
