"""lstmshape.frameworks.context: where a rule's problem lies in the model (Problem.subject).

A bug in lstmshape is an internal error (exit 3), never a verdict about the user's file: the
rules and the checkpoint reader tell "the config or file says so" apart from "lstmshape's own code
went wrong", and the registry of rules refuses declarations that would silently skip a rule.
"""

from __future__ import annotations

import pytest

from helpers import cli, context
from lstmshape.frameworks.context import subject_of
from lstmshape.frameworks.keras import KerasContext
from lstmshape.frameworks.onnx import OnnxContext


KERAS = "framework: keras\nlstm: {input_dim: 10, units: 20, return_state: true}\ndata: {batch_size: 32, seq_len: 5}\n"


ONNX = "framework: onnx\nlstm: {input_size: 10, hidden_size: 20, cell: gru}\ndata: {batch_size: 32, seq_len: 5}\n"


def check(context):
    return iter(())


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


@pytest.mark.parametrize("text, name", [(KERAS, "state_hh"), (KERAS, "h0"), (ONNX, "Y_hh"), (ONNX, "output")])
def test_a_name_no_layer_of_the_framework_has_is_a_bug(text, name):
    with pytest.raises(ValueError, match=repr(name)):
        context(text).tensor(0, name)


@pytest.mark.parametrize("text, returned, not_returned", [
    (KERAS, ("input", "output", "state_h", "state_c"), ("forward_h", "forward_output")),
    (KERAS.replace(", return_state: true", ""), ("input", "output"), ("state_h", "state_c")),
    (ONNX, ("X", "Y", "Y_h", "W"), ("Y_c", "initial_c", "sequence_lens", "P")),
])
def test_a_tensor_the_configured_layer_does_not_return_is_none(text, returned, not_returned):
    ctx = context(text)
    assert all(ctx.tensor(0, name) is not None for name in returned)
    assert all(ctx.tensor(0, name) is None for name in not_returned)


@pytest.mark.parametrize("framework, text, good", [(KerasContext, KERAS, "state_h"), (OnnxContext, ONNX, "Y_h")])
def test_a_mistyped_name_inside_lstmshape_is_exit_3_not_ls118(monkeypatch, tmp_path, framework, text, good):
    """A bug that asks for a name no layer has (here: a typo in the expect walk) must not read as
    LS118 "not returned" about the user's config."""
    path = tmp_path / "model.yaml"
    path.write_text(text + f"expect:\n  {good}: [1, 32, 20]\n")
    expects = framework.expects
    monkeypatch.setattr(framework, "expects", lambda self, names=None: (
        (k, name + "x", shape, parts) for k, name, shape, parts in expects(self, names)))
    code, out = cli("check", path)
    assert code == 3 and "internal error" in out and "LS118" not in out, out
