"""A bug in lstmshape is an internal error (exit 3), never a verdict about the user's file: the
rules and the checkpoint reader tell "the config or file says so" apart from "lstmshape's own code
went wrong", and the registry of rules refuses declarations that would silently skip a rule."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from lstmshape import checkpoint, rules
from lstmshape.checkpoint import CheckpointError, load_tensors
from lstmshape.codes import ALL
from lstmshape.read import parse_text
from lstmshape.rules import context_for, declaration_errors, run_rules
from lstmshape.frameworks.keras import KerasContext
from lstmshape.frameworks.onnx import OnnxContext

from helpers import run

KERAS = "framework: keras\nlstm: {input_dim: 10, units: 20, return_state: true}\ndata: {batch_size: 32, seq_len: 5}\n"
ONNX = "framework: onnx\nlstm: {input_size: 10, hidden_size: 20, cell: gru}\ndata: {batch_size: 32, seq_len: 5}\n"


def context(text: str):
    config, problems = parse_text(text)
    assert config is not None, problems
    return context_for(config)


def cli(*args: str) -> tuple[int, str]:
    result = run(*args)
    return result.returncode, result.stdout + result.stderr


# ---- a tensor the layer does not return vs a name no layer has ----

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


# ---- checkpoint data: a bad file is exit 1, a bug in lstmshape exit 3 ----

def npz(tmp_path) -> str:
    path = tmp_path / "w.npz"
    shapes = {"weight_ih_l0": (20, 6), "weight_hh_l0": (20, 5), "bias_ih_l0": (20,), "bias_hh_l0": (20,)}
    np.savez(path, **{f"rnn.{name}": np.zeros(shape, np.float32) for name, shape in shapes.items()})  # LSTM(6, 5)
    return str(path)


def test_a_bug_while_loading_tensor_data_propagates(monkeypatch, tmp_path):
    path = npz(tmp_path)

    def buggy(path, members):
        raise AttributeError("'ZipInfo' object has no attribute 'size'")  # a bug of lstmshape's own

    monkeypatch.setattr(checkpoint, "_bound_inflation", buggy)
    with pytest.raises(AttributeError):
        load_tensors(path, ["rnn.weight_ih_l0"])


def test_a_bug_while_loading_tensor_data_is_exit_3(monkeypatch, tmp_path):
    weights = npz(tmp_path)
    config = tmp_path / "model.yaml"
    config.write_text("lstm: {input_size: 6, hidden_size: 5}\ndata: {batch_size: 2, seq_len: 3}\n")
    monkeypatch.setattr(checkpoint, "_bound_inflation", lambda path, members: members[0].no_such_field)
    code, out = cli("infer", config, "--verify", "--weights", weights, "--prefix", "rnn")
    assert code == 3 and "internal error" in out and "cannot read tensor data" not in out, out


def test_a_file_whose_data_is_corrupt_is_still_a_checkpoint_error(tmp_path):
    """A member whose bytes changed after the header was read: the CRC check fails (BadZipFile)."""
    path = npz(tmp_path)
    data = bytearray(open(path, "rb").read())
    data[200:260] = b"\xff" * 60  # inside the array's data, past its .npy header
    open(path, "wb").write(bytes(data))
    with pytest.raises(CheckpointError, match="cannot read tensor data"):
        load_tensors(path, ["rnn.weight_ih_l0"])


def test_a_dtype_numpy_cannot_hold_is_a_checkpoint_error(torch, tmp_path):
    path = tmp_path / "m.pt"
    torch.save({"w": torch.zeros(2, dtype=torch.float8_e4m3fn)}, path)
    with pytest.raises(CheckpointError, match="(?i)float8"):
        load_tensors(str(path), ["w"])


# ---- the registry of rules ----

def fake_rule(name: str, **attributes) -> ModuleType:
    module = ModuleType(f"lstmshape.rules.{name}")
    module.__dict__.update(attributes)
    return module


def check(context):
    return iter(())


def test_every_rule_module_is_registered_and_declared_as_it_runs():
    """A rule module left out of RULES would never run: every file is imported and listed, under its
    own code, and each declares a check it runs."""
    files = {p.stem for p in __import__("pathlib").Path(rules.__file__).parent.glob("ls[0-9][0-9][0-9]_*.py")}
    assert files == {module.__name__.rsplit(".", 1)[1] for module in rules.RULES.values()}
    assert all(code == module.ID and module.__name__.rsplit(".", 1)[1][:5] == code.lower()
               for code, module in rules.RULES.items())
    assert [error for module in rules.RULES.values() for error in declaration_errors(module)] == []


@pytest.mark.parametrize("attributes, error", [
    ({"STAGE": "modle", "check": check, "check_keras": check, "check_onnx": check}, "STAGE 'modle'"),
    ({"check": None}, "no check function (check, check_keras, check_onnx): it never runs"),
    ({}, "no check function"),
    ({"check": check, "check_kears": lambda context: iter(())}, "check_kears is not one of check, check_keras"),
])
def test_the_declaration_check_catches_a_rule_that_would_never_run(attributes, error):
    (found,) = declaration_errors(fake_rule("ls999_fake", **attributes))
    assert error in found


def test_a_helper_bound_to_a_check_name_is_no_declaration_error():
    """`check_keras = check_onnx = check_framework` (one function for both) runs: not an error."""
    assert declaration_errors(fake_rule("ls999_fake", check_framework=check, check_keras=check)) == []


def test_a_mistyped_stage_is_raised_when_rules_run(monkeypatch):
    config, _ = parse_text("lstm: {input_size: 10, hidden_size: 20}\n")
    monkeypatch.setattr(rules.rule("LS100"), "STAGE", "modle", raising=False)
    with pytest.raises(ValueError, match="modle"):
        run_rules(config)


# ---- docs say what is true now ----

@pytest.mark.parametrize("code", sorted(ALL))
def test_rules_page_tells_no_history(code):
    status, out = cli("rules", code)
    assert status == 0 and out
    assert not any(phrase in out.lower() for phrase in ("issue #", "since issue", "before 0.", "used to ")), out
