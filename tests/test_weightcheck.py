"""Tests of lstmshape.weightcheck: a config held against a real checkpoint (`check --weights`).

End to end through helpers.run: configs matching and mismatching tests/golden/weights/seq2seq.npz
(two LSTMs, chosen with --prefix) and bare.safetensors, each difference (LS301-LS307) named as
load_state_dict names it, at the config setting behind it, the cell included (GRU weights from
tests/golden/rnn_forward/); mapped training configs and project groups with `weights`; and
`infer --verify --weights` running the checkpoint's weights. Against live torch: the NumPy forward
with checkpoint weights, a torch.save file, and twelve held-out random checkpoints (.pt,
.safetensors, .npz) whose reported tensors are exactly those load_state_dict complains about.
An absurd num_layers through the real console script (helpers.run_bounded).
"""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest

from helpers import GOLDEN_DIR, SIZES, config_text, npz, run, run_bounded, torch_tensors, write
from lstmshape import codes
from lstmshape.checkpoint import read_checkpoint
from lstmshape.read import load_config
from lstmshape.weightcheck import checkpoint_params


SEQ2SEQ = GOLDEN_DIR / "weights" / "seq2seq.npz"  # encoder.rnn.: LSTM(6, 5, 2, bidirectional); decoder.lstm.: LSTM(10, 7, proj_size=3, bias=False)


ENCODER = "lstm:\n  input_size: 6\n  hidden_size: 5\n  num_layers: 2\n  bidirectional: true\n"


def config(tmp_path, text: str, name: str = "model.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


TRAINING = """\
# a training config, not written for lstmshape: the encoder's settings under model.encoder
model:
  encoder:
    feat_dim: 6
    units: 5
    layers: 2
    bidirectional: true
optim: {lr: 0.001}
"""


TRAINING_MAP = ("--from", "lstm=model.encoder", "--from", "lstm.input_size=model.encoder.feat_dim",
                "--from", "lstm.hidden_size=model.encoder.units", "--from", "lstm.num_layers=model.encoder.layers")


SETTINGS = ("input_size", "hidden_size", "num_layers", "bidirectional", "proj_size", "bias")


def random_settings(rng: random.Random) -> dict:
    hidden = rng.randint(2, 9)
    return {"input_size": rng.randint(1, 9), "hidden_size": hidden, "num_layers": rng.randint(1, 3),
            "bidirectional": rng.random() < 0.5, "proj_size": rng.choice([0, 0, rng.randint(1, hidden - 1)]),
            "bias": rng.random() < 0.7}


def perturb(rng: random.Random, settings: dict) -> dict:
    key = rng.choice(SETTINGS)
    changed = dict(settings)
    if isinstance(settings[key], bool):
        changed[key] = not settings[key]
    elif key == "proj_size":
        changed[key] = 0 if settings[key] else settings["hidden_size"] - 1
    else:
        changed[key] = settings[key] + rng.randint(1, 3)
    if changed["proj_size"] >= changed["hidden_size"]:
        changed["proj_size"] = 0
    return changed


def torch_complaints(torch, settings: dict, state: dict, prefix: str) -> set[str]:
    """The tensor names torch's load_state_dict(strict=True) complains about."""
    model = torch.nn.LSTM(**settings)
    try:
        model.load_state_dict({k[len(prefix):]: v for k, v in state.items()
                               if k.startswith(prefix) and k != "head.weight"})  # the layer beside the LSTM
    except RuntimeError as exc:
        text = str(exc)
        names = set(re.findall(r'"([^"]+)"', text.split("size mismatch")[0]))
        names |= set(re.findall(r"size mismatch for ([\w.]+):", text))
        return {prefix + name for name in names}
    return set()


def yaml_for(settings: dict) -> str:
    return "lstm:\n" + "".join(f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in settings.items())


def shape_problems(tmp_path, config: str, tensors: dict) -> dict[str, str]:
    """LS301's message per tensor name (after `is`), from `check CONFIG --weights`."""
    path = npz(tmp_path / "w.npz", tensors)
    out = run("check", write(tmp_path, "c.yaml", config), "--weights", path).stdout
    return {m["name"]: m["why"] for m in re.finditer(r"error\[LS301\] (?P<name>\S+) is .*?: (?P<why>.*)", out)}


def golden_params(name: str) -> dict:
    case = np.load(GOLDEN_DIR / "rnn_forward" / f"{name}.npz")
    return {key[6:]: case[key] for key in case.files if key.startswith("param.")}


DEEP = 100_000_000


@pytest.mark.parametrize("prefix", ["encoder.rnn", "encoder.rnn."])
def test_matching_config_passes_with_or_without_the_trailing_dot(tmp_path, prefix):
    result = run("check", config(tmp_path, ENCODER), "--weights", SEQ2SEQ, "--prefix", prefix)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 file OK\n", "")


def test_input_size_mismatch_is_named_at_its_line(tmp_path):
    path = config(tmp_path, ENCODER.replace("input_size: 6", "input_size: 8"))
    result = run("check", path, "--weights", SEQ2SEQ, "--prefix", "encoder.rnn")
    assert result.returncode == 1
    assert result.stdout == (f"{path}:2:15: error[LS301] encoder.rnn.weight_ih_l0 is [20, 6] in the file, the config "
                             "gives [20, 8]: input_size 8 vs 6 in the checkpoint\n"
                             f"{path}:2:15: error[LS301] encoder.rnn.weight_ih_l0_reverse is [20, 6] in the file, the "
                             "config gives [20, 8]: input_size 8 vs 6 in the checkpoint\n1 error in 1 of 1 file\n"
                             .replace("1 error", "2 errors"))


def test_layers_directions_and_hidden_size(tmp_path):
    path = config(tmp_path, "lstm:\n  input_size: 6\n  hidden_size: 5\n  num_layers: 3\n  bidirectional: false\n")
    result = run("check", path, "--weights", SEQ2SEQ, "--prefix", "encoder.rnn", "--format", "json")
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1
    assert [(p["line"], p["column"], p["code"]) for p in problems] == [(4, 15, "LS302"), (5, 18, "LS301"),
                                                                       (5, 18, "LS303")]
    by_code = {p["code"]: p["message"] for p in problems}
    assert by_code["LS302"] == ("missing from the file: encoder.rnn.weight_ih_l2, encoder.rnn.weight_hh_l2, "
                                "encoder.rnn.bias_ih_l2, encoder.rnn.bias_hh_l2: num_layers 3 vs 2 in the checkpoint")
    assert by_code["LS301"] == ("encoder.rnn.weight_ih_l1 is [20, 10] in the file, the config gives [20, 5]: "
                                "num_directions × hidden_size = 5 vs 10 in the checkpoint")
    assert by_code["LS303"].startswith("unexpected in the file: encoder.rnn.weight_ih_l0_reverse, ")
    assert by_code["LS303"].endswith(": bidirectional false vs true in the checkpoint")
    hidden = run("check", config(tmp_path, ENCODER.replace("hidden_size: 5", "hidden_size: 4"), "h.yaml"),
                 "--weights", SEQ2SEQ, "--prefix", "encoder.rnn.", "--format", "json")
    messages = [p["message"] for p in json.loads(hidden.stdout)["problems"]]
    assert len(messages) == 16 and all(m.endswith("hidden_size 4 vs 5 in the checkpoint") for m in messages)


def test_bias_and_projection(tmp_path):
    path = config(tmp_path, "lstm:\n  input_size: 10\n  hidden_size: 7\n")
    result = run("check", path, "--weights", SEQ2SEQ, "--prefix", "decoder.lstm", "--format", "json")
    messages = {(p["line"], p["column"], p["code"]): p["message"] for p in json.loads(result.stdout)["problems"]}
    assert messages == {
        (2, 3, "LS301"): "decoder.lstm.weight_hh_l0 is [28, 3] in the file, the config gives [28, 7]: proj_size 0 "
                         "vs 3 in the checkpoint",
        (2, 3, "LS302"): "missing from the file: decoder.lstm.bias_ih_l0, decoder.lstm.bias_hh_l0: bias true vs "
                         "false in the checkpoint",
        (2, 3, "LS303"): "unexpected in the file: decoder.lstm.weight_hr_l0: proj_size 0 vs 3 in the checkpoint",
    }


def test_which_lstm(tmp_path):
    path = config(tmp_path, ENCODER)
    several = run("check", path, "--weights", SEQ2SEQ)
    assert several.returncode == 1
    assert several.stdout.splitlines()[0] == (f"{SEQ2SEQ}:1:1: error[LS305] {SEQ2SEQ} holds 2 LSTMs "
                                              "('encoder.rnn.', 'decoder.lstm.'); choose one with --prefix")
    nothing = run("check", path, "--weights", SEQ2SEQ, "--prefix", "encoder")
    assert nothing.stdout.splitlines()[0].endswith("--prefix 'encoder' names no LSTM in "
                                                   f"{SEQ2SEQ}; its LSTM prefixes: 'encoder.rnn.', 'decoder.lstm.'")
    bare = run("check", config(tmp_path, "lstm: {input_size: 3, hidden_size: 4}\n", "b.yaml"),
               "--weights", GOLDEN_DIR / "weights" / "bare.safetensors")
    assert bare.returncode == 0, bare.stdout


def test_config_problems_come_first_and_stop_the_comparison(tmp_path):
    path = config(tmp_path, "lstm: {input_size: 6.0, hidden_size: 5}\n")
    result = run("check", path, "--weights", SEQ2SEQ, "--prefix", "encoder.rnn")
    assert result.returncode == 1 and "[LS007]" in result.stdout and "LS30" not in result.stdout


def test_not_comparable(tmp_path):
    keras = config(tmp_path, "framework: keras\nlstm: {input_dim: 6, units: 5}\n")
    result = run("check", keras, "--weights", SEQ2SEQ, "--prefix", "encoder.rnn")
    assert result.returncode == 1 and "[LS306]" in result.stdout and "this is a keras config" in result.stdout
    stack = config(tmp_path, "lstm:\n  - {input_size: 6, hidden_size: 5}\n  - {hidden_size: 4}\n", "s.yaml")
    assert "a stack of 2 LSTMs" in run("check", stack, "--weights", SEQ2SEQ).stdout


def test_unreadable_weights_and_usage_errors(tmp_path):
    path = config(tmp_path, ENCODER)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{nope")
    result = run("check", path, "--weights", bad)
    assert result.returncode == 1 and result.stdout.startswith(f"{bad}:1:1: error[LS304] not a valid safetensors")
    assert "Traceback" not in result.stdout + result.stderr
    assert run("check", path, "--weights", tmp_path / "none.pt").returncode == 2
    assert run("check", path, path, "--weights", SEQ2SEQ).returncode == 2
    assert run("check", path, "--prefix", "rnn").returncode == 2


def test_every_code_is_documented_in_one_place():
    series = [code for code in codes.ALL if code.startswith("LS3")]
    assert [str(code) for code in series] == [f"LS30{n}" for n in range(1, 8)]
    for code in series:
        assert code.name and code.severity == "error" and code.summary and code.doc.startswith(code.summary)


def test_verify_runs_the_checkpoints_weights(tmp_path):
    path = config(tmp_path, ENCODER + "data: {batch_size: 2, seq_len: 3}\n")
    result = run("infer", path, "--verify", "--weights", SEQ2SEQ, "--prefix", "encoder.rnn", "--format", "json")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)["results"]
    assert entry["verified"] is True
    params, problems = checkpoint_params(load_config(path), str(SEQ2SEQ), "encoder.rnn")
    assert problems == []
    with np.load(SEQ2SEQ) as archive:
        for name, array in params.items():
            np.testing.assert_array_equal(array, archive["encoder.rnn." + name])


def test_verify_with_mismatching_weights_names_the_tensor(tmp_path):
    path = config(tmp_path, ENCODER.replace("hidden_size: 5", "hidden_size: 4"))
    result = run("infer", path, "--verify", "--weights", SEQ2SEQ, "--prefix", "encoder.rnn")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (f"{path}:3:16: error[LS301] encoder.rnn.weight_ih_l0 is [20, 6] in the "
                                             "file, the config gives [16, 6]: hidden_size 4 vs 5 in the checkpoint")


def test_weights_needs_verify(tmp_path):
    result = run("infer", config(tmp_path, ENCODER), "--weights", SEQ2SEQ)
    assert result.returncode == 2 and "--verify" in result.stderr


@pytest.mark.oracle
def test_forward_with_checkpoint_weights_matches_torch(torch, tmp_path):
    from lstmshape.forward import lstm_forward

    torch.manual_seed(1)
    lstm = torch.nn.LSTM(6, 5, num_layers=2, bidirectional=True, proj_size=3)
    torch.save({"rnn." + k: v for k, v in lstm.state_dict().items()}, tmp_path / "m.pt")
    path = config(tmp_path, ENCODER + "  proj_size: 3\n")
    params, problems = checkpoint_params(load_config(path), str(tmp_path / "m.pt"))
    assert problems == []
    x = torch.randn(4, 2, 6)
    with torch.no_grad():
        expected, (hn, cn) = lstm(x)
    output, (our_hn, our_cn) = lstm_forward(x.numpy(), params, 2, True, proj_size=3)
    np.testing.assert_allclose(output, expected.numpy(), atol=1e-5)
    np.testing.assert_allclose(our_cn, cn.numpy(), atol=1e-5)


def test_a_mapped_training_config_against_the_checkpoint(tmp_path):
    """check --weights reads a training config as `check` does (--from/--set): the file is never
    changed, and a mismatch is placed at the user's own line."""
    path = config(tmp_path, TRAINING, "train.yaml")
    result = run("check", path, *TRAINING_MAP, "--weights", SEQ2SEQ, "--prefix", "encoder.rnn")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 file OK\n", "")
    wrong = run("check", path, *TRAINING_MAP, "--set", "lstm.bidirectional=false", "--weights", SEQ2SEQ,
                "--prefix", "encoder.rnn")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stdout + wrong.stderr
    assert "encoder.rnn.weight_ih_l0_reverse" in wrong.stdout
    units = run("check", path, *TRAINING_MAP, "--set", "lstm.hidden_size=7", "--weights", SEQ2SEQ,
                "--prefix", "encoder.rnn")
    assert units.returncode == 1 and "hidden_size" in units.stdout
    assert path.read_text() == TRAINING
    assert run("check", "-", *TRAINING_MAP, "--weights", SEQ2SEQ).returncode == 2


@pytest.mark.oracle
def test_a_mapped_training_config_against_a_real_torch_file(torch, tmp_path):
    """The same, against a checkpoint torch.save wrote."""
    path = config(tmp_path, TRAINING, "train.yaml")
    module = torch.nn.Module()
    module.encoder = torch.nn.LSTM(6, 5, num_layers=2, bidirectional=True)
    torch.save(module.state_dict(), tmp_path / "model.pt")
    result = run("check", path, *TRAINING_MAP, "--weights", tmp_path / "model.pt")
    assert (result.returncode, result.stdout) == (0, "1 file OK\n"), result.stdout + result.stderr
    layers = run("check", path, *TRAINING_MAP[:6], "--weights", tmp_path / "model.pt")  # num_layers left at 1
    assert layers.returncode == 1 and "encoder.weight_ih_l1" in layers.stdout


@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(12))
def test_held_out_random_checkpoints(torch, tmp_path, seed):
    from safetensors.torch import save_file

    rng = random.Random(seed)
    truth = random_settings(rng)
    prefix = rng.choice(["", "rnn.", "model.encoder.lstm."])
    torch.manual_seed(seed)
    state = {prefix + k: v for k, v in torch.nn.LSTM(**truth).state_dict().items()}
    state["head.weight"] = torch.zeros(3, 4)
    suffix = rng.choice([".pt", ".safetensors", ".npz"])
    path = tmp_path / f"ckpt{suffix}"
    if suffix == ".pt":
        torch.save(state, path)
    elif suffix == ".safetensors":
        save_file(state, str(path))
    else:
        np.savez(path, **{k: v.numpy() for k, v in state.items()})
    (lstm,) = read_checkpoint(str(path)).lstms
    assert (lstm.prefix, lstm.config) == (prefix, truth)
    assert lstm.num_params == sum(v.numel() for k, v in state.items() if k.startswith(prefix) and k != "head.weight")
    assert run("check", config(tmp_path, yaml_for(truth)), "--weights", path).returncode == 0
    wrong = perturb(rng, truth)
    result = run("check", config(tmp_path, yaml_for(wrong), "wrong.yaml"), "--weights", path, "--format", "json")
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1 and problems
    ours = {name for p in problems for name in re.findall(r"(?:^|[ :,])((?:[\w]+\.)*(?:weight|bias)_\w+)", p["message"])}
    assert ours == torch_complaints(torch, wrong, state, prefix)


def test_a_project_group_holds_its_configs_against_a_checkpoint(tmp_path):
    """`weights` (and `prefix`) in a [[tool.lstmshape.configs]] group: `lstmshape check` with no
    arguments, or on the file, holds each of the group's configs against that checkpoint."""
    import shutil

    (tmp_path / "configs").mkdir()
    shutil.copy(SEQ2SEQ, tmp_path / "seq2seq.npz")
    (tmp_path / "configs" / "good.yaml").write_text(
        "lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true}\n")
    (tmp_path / "configs" / "bad.yaml").write_text(
        "lstm: {input_size: 8, hidden_size: 5, num_layers: 2, bidirectional: true}\n")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.lstmshape.configs]]\nfiles = ["configs/*.yaml"]\nweights = "seq2seq.npz"\nprefix = "encoder.rnn"\n')
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("configs/bad.yaml:1:20: error[LS301] encoder.rnn.weight_ih_l0 is [20, 6] in the "
                                    "file, the config gives [20, 8]: input_size 8 vs 6 in the checkpoint")
    assert "good.yaml" not in result.stdout
    assert run("check", "configs/good.yaml", cwd=tmp_path).returncode == 0
    (tmp_path / "pyproject.toml").write_text('[[tool.lstmshape.configs]]\nfiles = ["configs/*.yaml"]\nprefix = "x"\n')
    bad = run("check", cwd=tmp_path)
    assert bad.returncode == 2 and "prefix names the LSTM in a checkpoint: give weights too" in bad.stderr


def test_check_weights_names_the_cells_it_could_compare(tmp_path):
    config = write(tmp_path, "c.yaml", "lstm: {input_size: 8, hidden_size: 16, cell: gru}\n")
    mixed = npz(tmp_path / "mixed.npz", torch_tensors("enc.", 4, 8, 16) | torch_tensors("dec.", 3, 8, 16))
    several = run("check", config, "--weights", mixed)
    assert several.returncode == 1
    assert several.stdout.splitlines()[0] == (f"{mixed}:1:1: error[LS305] {mixed} holds 2 recurrent layers: an LSTM "
                                              "and a GRU ('enc.', 'dec.'); choose one with --prefix")
    grus = npz(tmp_path / "grus.npz", torch_tensors("a.", 3, 8, 16) | torch_tensors("b.", 3, 8, 16))
    assert f"{grus} holds 2 GRUs ('a.', 'b.'); choose one with --prefix" in run("check", config, "--weights",
                                                                                 grus).stdout
    wrong = run("check", config, "--weights", grus, "--prefix", "c").stdout
    assert f"--prefix 'c' names no GRU in {grus}; its GRU prefixes: 'a.', 'b.'" in wrong
    stack = write(tmp_path, "stack.yaml", "lstm:\n  - {input_size: 8, hidden_size: 16, cell: gru}\n"
                                           "  - {hidden_size: 16, cell: gru}\n")
    assert "this is a stack of 2 GRUs" in run("check", stack, "--weights", grus).stdout


def test_ls301_names_input_size_and_hidden_size_when_both_differ(tmp_path):
    why = shape_problems(tmp_path, "lstm: {input_size: 12, hidden_size: 24}\n", torch_tensors("rnn.", 4, 10, 20))
    assert why["rnn.weight_ih_l0"] == "hidden_size 24 vs 20 and input_size 12 vs 10 in the checkpoint"
    assert why["rnn.weight_hh_l0"] == "hidden_size 24 vs 20 in the checkpoint"  # input_size is no part of it
    assert why["rnn.bias_ih_l0"] == why["rnn.bias_hh_l0"] == "hidden_size 24 vs 20 in the checkpoint"


def test_ls301_names_the_cell_and_input_size_when_both_differ(tmp_path):
    why = shape_problems(tmp_path, "lstm: {input_size: 6, hidden_size: 16}\n", torch_tensors("gru.", 3, 8, 16))
    assert why["gru.weight_ih_l0"] == ("cell lstm vs gru and input_size 6 vs 8 in the checkpoint (its weight_hh_l0 "
                                       "has 3 × hidden_size rows)")
    assert why["gru.weight_hh_l0"] == ("cell lstm vs gru in the checkpoint (its weight_hh_l0 has 3 × hidden_size "
                                       "rows)")


def test_ls301_names_the_cell_and_hidden_size_when_both_differ(tmp_path):
    why = shape_problems(tmp_path, "lstm: {input_size: 8, hidden_size: 4}\n", torch_tensors("gru.", 3, 8, 5))
    assert why["gru.weight_hh_l0"] == ("cell lstm vs gru and hidden_size 4 vs 5 in the checkpoint (its weight_hh_l0 "
                                       "has 3 × hidden_size rows)")
    # an RNN's gate rows are hidden_size, as its weight_hh_l0's columns are: only the rows tell the cell
    why = shape_problems(tmp_path, "lstm: {input_size: 8, hidden_size: 16, cell: rnn}\n", torch_tensors("", 4, 8, 16))
    assert why["weight_hh_l0"] == "cell rnn vs lstm in the checkpoint (its weight_hh_l0 has 4 × hidden_size rows)"


def test_check_weights_names_the_cell(tmp_path):
    path = tmp_path / "gru.npz"
    np.savez(path, **{f"rnn.{k}": v for k, v in golden_params("gru_f64_one_layer").items()})
    lstm = tmp_path / "lstm.yaml"
    lstm.write_text("lstm: {input_size: 3, hidden_size: 4}\n")
    result = run("check", str(lstm), "--weights", str(path))
    assert result.returncode == 1
    assert "rnn.weight_ih_l0 is [12, 3] in the file, the config gives [16, 3]: cell lstm vs gru in the checkpoint" \
        in result.stdout
    gru = tmp_path / "gru.yaml"
    gru.write_text("lstm: {input_size: 3, hidden_size: 4, rnn_type: gru}\n")
    assert run("check", str(gru), "--weights", str(path)).returncode == 0
    verified = run("infer", str(gru), "--verify", "--weights", str(path))
    assert verified.returncode == 0 and "every shape verified by running the NumPy GRU" in verified.stdout


def test_weights_held_against_an_absurd_depth_are_answered_at_once(tmp_path):
    import numpy as np

    weights = tmp_path / "w.npz"
    np.savez(weights, **{f"{kind}_l0": np.zeros(shape, np.float32) for kind, shape in
                         (("weight_ih", (80, 10)), ("weight_hh", (80, 20)), ("bias_ih", (80,)), ("bias_hh", (80,)))})
    path = write(tmp_path, "deep.yaml", config_text("torch", SIZES["torch"] | {"num_layers": DEEP}))
    ran = run_bounded("check", path, "--weights", weights, cwd=tmp_path)
    ran.assert_harmless(path)
    assert ran.returncode == 1
    assert (f"error[LS302] missing from the file: every tensor of layers 1 to {DEEP - 1:,}: num_layers {DEEP:,} in "
            "the config (deeper than any real network) vs 1 in the checkpoint") in ran.stdout
