"""Tests of lstmshape.verify: `infer --verify`, the NumPy forward pass checking every inferred shape.

Every shipped torch config verifies in every --matrix combination (helpers.run), each tensor's
observed shape in the JSON and a mark in the table; symbolic dimensions and large configs run at
a reduced batch and seq_len and say so, --full runs at full size; the MAC budget and the
random-weight bounds (256 MiB, 2 GiB with --full) decide what runs; a mismatch or a refused
tensor (a monkeypatched forward pass) is reported; GRU and RNN cells verify too. An absurd depth
(`draw` in every framework, `infer --verify`) and many sequential steps through the real console
script (helpers.run_bounded).
"""

from __future__ import annotations

import json

import pytest
import yaml

from helpers import REPO, SIZES, config_text, run, run_bounded, write
from lstmshape import verify as verify_module
from lstmshape.frameworks.torch import infer_lstm
from lstmshape.settings import DataConfig, TorchLSTM
from lstmshape.shapes.core import DEEPEST_RUN
from lstmshape.verify import MAC_BUDGET, verify


DEEP = 100_000_000


@pytest.mark.parametrize("name", ["basic", "bilstm", "batch_first", "projection", "unbatched", "symbolic"])
def test_every_shipped_config_verifies_in_every_combination(name):
    result = run("infer", f"configs/{name}.yaml", "--verify", "--matrix", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert all(r["verified"] for r in doc["results"])
    for r in doc["results"]:
        assert set(r["observed"]) == set(r["shapes"]) | set(r["params"])


def test_table_marks_rows_verified():
    result = run("infer", "configs/bilstm.yaml", "--verify")
    assert result.returncode == 0
    assert result.stdout.count("✓ verified") == 6 + 16
    assert "forward pass: every shape verified by running the NumPy LSTM" in result.stdout


def test_observed_shapes_are_what_the_forward_pass_returned():
    (r,) = json.loads(run("infer", "configs/bilstm.yaml", "--verify", "--format", "json").stdout)["results"]
    assert r["observed"]["output"] == [5, 32, 40] and r["observed"]["hn"] == [4, 32, 20]
    assert r["run_at"] == {} and r["verify_note"] == ""


def test_symbolic_dimensions_run_small_and_say_so():
    (r,) = json.loads(run("infer", "configs/symbolic.yaml", "--verify", "--format", "json").stdout)["results"]
    assert r["shapes"]["output"] == ["B", "T", 512]
    assert r["observed"]["output"] == [3, 7, 512]
    assert r["run_at"] == {"batch_size": 3, "seq_len": 7}
    assert "symbolic dimensions run at batch_size=3, seq_len=7" in r["verify_note"]


def test_large_config_runs_reduced_keeping_features(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("lstm: {input_size: 64, hidden_size: 512}\ndata: {batch_size: 64, seq_len: 10000}\n")
    (r,) = json.loads(run("infer", str(path), "--verify", "--format", "json").stdout)["results"]
    assert r["verified"] and r["observed"]["output"] == [3, 2, 512] and r["shapes"]["output"] == [10000, 64, 512]
    assert "--full" in r["verify_note"]
    text = run("infer", str(path), "--verify").stdout
    assert "run at batch_size=2, seq_len=3" in text


def test_full_runs_everything():
    result = infer_lstm(TorchLSTM(4, 8), DataConfig(2, 5))
    check = verify(result, full=True)
    assert check.verified and check.run_at == {} and check.observed["output"] == (5, 2, 8)


def test_budget_decides_reduction():
    small = infer_lstm(TorchLSTM(4, 8), DataConfig(2, 5))
    big = infer_lstm(TorchLSTM(256, 1024), DataConfig(64, 1000))
    assert small.macs.coefficient < MAC_BUDGET < big.macs.coefficient
    assert verify(small).run_at == {} and verify(big).run_at == {"batch_size": 2, "seq_len": 3}


def test_too_many_parameters_is_not_verified_and_says_why():
    check = verify(infer_lstm(TorchLSTM(10**6, 10**5), DataConfig(1, 1)), full=True)
    assert not check.verified and "need more than 2,048 MiB of random weights" in check.note


def test_an_untrusted_config_draws_at_most_256_mib_of_random_weights():
    """4 × 4096 × (4096 + 4096 + 2) × 2 layers ≈ 537 MB of float32: over the bound without --full."""
    result = infer_lstm(TorchLSTM(4096, 4096, num_layers=2), DataConfig(1, 1))
    check = verify(result)
    assert not check.verified and check.note == (f"not run: its {result.num_params:,} parameters need more than "
                                                 "256 MiB of random weights (--full raises the bound to 2 GiB)")


def test_a_mismatch_is_reported(monkeypatch):
    from lstmshape.forward import reference as forward

    real = forward.lstm_forward

    def wrong(x, params, *args, **kwargs):
        output, (hn, cn) = real(x, params, *args, **kwargs)
        return output[:, :, :1], (hn, cn)

    monkeypatch.setattr(forward, "lstm_forward", wrong)
    check = verify(infer_lstm(TorchLSTM(4, 8, bidirectional=True), DataConfig(2, 5)))
    assert not check.verified and check.mismatches == ("output",) and check.observed["output"] == (5, 2, 1)
    assert "lstm_forward" not in vars(verify_module)  # imported at call time: numpy stays off start-up


def test_a_refused_tensor_is_reported(monkeypatch):
    from lstmshape.forward import reference as forward

    def refuse(*args, **kwargs):
        raise ValueError("h0 has shape (2, 2, 8), expected (2, 3, 8)")

    monkeypatch.setattr(forward, "lstm_forward", refuse)
    check = verify(infer_lstm(TorchLSTM(4, 8), DataConfig(2, 5)))
    assert not check.verified and "refused" in check.note and "h0" in check.note


@pytest.mark.parametrize("flag", ["--verify", "--full"])
def test_unverifiable_config_exits_1(tmp_path, flag):
    path = tmp_path / "huge.yaml"
    path.write_text(f"lstm: {{input_size: {10**40}, hidden_size: 20}}\ndata: {{batch_size: 1, seq_len: 1}}\n")
    result = run("infer", str(path), flag)
    assert result.returncode == 1 and "NOT verified" in result.stdout and "Traceback" not in result.stderr


def test_unbatched_verify_names_no_batch_size():
    result = run("infer", "configs/unbatched.yaml", "--verify", "--format", "json", cwd=REPO)
    assert result.returncode == 0
    assert json.loads(result.stdout)["results"][0]["run_at"] == {}
    assert "batch_size" not in run("infer", "configs/unbatched.yaml", "--verify", cwd=REPO).stdout


def test_full_is_verify_at_full_size_and_prefix_needs_weights():
    full = run("infer", "configs/basic.yaml", "--full", "--format", "json", cwd=REPO)
    assert full.returncode == 0 and json.loads(full.stdout)["results"][0]["verified"] is True
    bad = run("infer", "configs/basic.yaml", "--prefix", "rnn", cwd=REPO)
    assert bad.returncode == 2 and "--prefix works with --weights only" in bad.stderr


def test_verify_runs_every_cell():
    for cell, nonlinearity in (("gru", "tanh"), ("rnn", "relu"), ("rnn", "tanh"), ("lstm", "tanh")):
        result = infer_lstm(TorchLSTM(4, 6, 2, True, True, cell=cell, nonlinearity=nonlinearity), DataConfig(3, 5))
        check = verify(result)
        assert check.verified, check
        assert ("c0" in check.observed) == (cell == "lstm")


@pytest.mark.parametrize("framework", SIZES)
def test_draw_and_verify_refuse_an_absurd_depth_naming_file_and_size(tmp_path, framework):
    path = write(tmp_path, "deep.yaml", config_text(framework, SIZES[framework] | {"num_layers": DEEP}))
    drawn = run_bounded("draw", path, "-o", tmp_path / "deep.svg", cwd=tmp_path)
    drawn.assert_harmless(path)
    assert drawn.returncode == 2 and "100,000,000" in drawn.stderr and f"{DEEPEST_RUN:,}" in drawn.stderr
    assert not (tmp_path / "deep.svg").exists()
    if framework == "torch":  # --verify runs torch's forward pass only
        verified = run_bounded("infer", path, "--verify", cwd=tmp_path)
        verified.assert_harmless(path)
        assert verified.returncode == 1 and "100,000,000" in verified.stderr


def test_verify_of_many_sequential_steps_runs_reduced(tmp_path):
    """1,000 bidirectional layers of hidden 1 over 5,000 steps: under any MAC budget, but 10^7
    Python-level cell steps; --verify runs it at a reduced seq_len and says so."""
    path = write(tmp_path, "long.yaml", yaml.safe_dump({"lstm": {"input_size": 1, "hidden_size": 1, "num_layers": 1000,
                                                                 "bidirectional": True},
                                                        "data": {"batch_size": 1, "seq_len": 5000}}))
    ran = run_bounded("infer", "--verify", "--format", "json", path, cwd=tmp_path)
    ran.assert_harmless(path)
    assert ran.returncode == 0, ran.stderr
    (result,) = json.loads(ran.stdout)["results"]
    assert result["verified"] is True and result["run_at"] == {"batch_size": 2, "seq_len": 3}
