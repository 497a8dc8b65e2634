"""Tests of lstmshape.forward's rnn_forward: the GRU and vanilla RNN forward pass against torch.

On tests/golden/rnn_forward/*.npz (recorded from torch.nn.GRU and nn.RNN by
tests/golden/record_rnn_forward.py, the recorder re-run live), with NumPy's cell and the compiled
cell (helpers.cells_for); live against torch on every setting, input kind and h0, and on random
configs (hypothesis; infer_lstm's shapes and counts too); batch parts and the two directions in
threads of single-threaded BLAS; the compiled cells float32-accurate against float64 over every
range; a NaN spreading as in torch; the `lstm` cell equal to lstm_forward; torch's refusals.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import (GOLDEN_DIR, assert_golden_close, blas_threads, cells_for, force, packed_products_per_step, recorder, use_cell)
from lstmshape.forward import init_rnn_params, lstm_forward, rnn_forward, rnn_param_shapes
from lstmshape.frameworks.torch import infer_lstm
from lstmshape.settings import DataConfig, TorchLSTM


FORWARD_CASES = sorted((GOLDEN_DIR / "rnn_forward").glob("*.npz"))


TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}


RECORD_FORWARD = recorder("record_rnn_forward")


def assert_close(got, want, name):
    assert got.shape == want.shape, f"{name} shape"
    assert got.dtype == want.dtype, f"{name} dtype"
    error = np.max(np.abs(got - want), initial=0.0)
    assert error <= TOLERANCE[got.dtype], f"{name}: max |ours - torch| = {error:.3g}"


GOLDEN_CELL_CASES = cells_for([(np.load(path)["x"].dtype.type, path) for path in FORWARD_CASES])


def forward_depth(case) -> int:
    """The sequential steps of a recorded forward pass: time steps × layers."""
    x = case["x"]
    return x.shape[1 if bool(case["batch_first"]) and x.ndim == 3 else 0] * int(case["num_layers"])


COMBINATIONS = list(itertools.product(
    ("gru", "rnn_tanh", "rnn_relu"), (np.float32, np.float64), (False, True), (False, True), (1, 3), (True, False),
    ("batched", "unbatched", "lengths"), (False, True),
))


configs = st.fixed_dictionaries({
    "cell": st.sampled_from(["gru", "rnn_tanh", "rnn_relu"]),
    "input_size": st.integers(1, 7),
    "hidden_size": st.integers(1, 7),
    "num_layers": st.integers(1, 3),
    "bidirectional": st.booleans(),
    "batch_first": st.booleans(),
    "bias": st.booleans(),
    "batch_size": st.integers(1, 4),
    "seq_len": st.integers(1, 5),
    "unbatched": st.booleans(),
})


THREADED_CASES = [  # batch, lengths (None: all seq_len), seq_len
    (2, None, 6),
    (5, None, 6),  # odd: parts of 3 and 2
    (5, [6, 2, 5, 1, 3], 6),  # unsorted lengths, dealt out sorted
    (3, [6, 1, 1], 6),  # the second part is empty from step 1 on
    (4, [2, 1, 2, 1], 6),  # both parts empty for the last four steps
]


def exact_step(mode, gates, projected, hh_bias, h):
    """One GRU or RNN step in float64 from the float32 inputs the compiled cell takes: the reference,
    and each value's conditioning: how far float32's own rounding of the sums the step adds up may
    move it (relative to eps), whatever exp and tanh do."""
    gates, projected, hh_bias, h = (a.astype(np.float64) for a in (gates, projected, hh_bias, h))
    if mode != "gru":
        z = gates + projected
        return (np.tanh(z) if mode == "rnn_tanh" else np.where(z < 0, 0, z)), 1 + np.abs(gates) + np.abs(projected)
    hidden_size = h.shape[1]
    (g_r, g_z, g_n), (p_r, p_z, p_n) = (np.split(a, 3, axis=1) for a in (gates, projected))
    with np.errstate(over="ignore", invalid="ignore"):
        r, z = 1 / (1 + np.exp(-(g_r + p_r))), 1 / (1 + np.exp(-(g_z + p_z)))
        inner = g_n + hh_bias
        new = np.tanh(p_n + r * inner)
        # a saturated gate (r or z exactly 0 or 1) passes no rounding on: its 0 * inf terms are 0
        conditioning = 1 + np.abs(p_n) + np.abs(g_n) + np.abs(hh_bias) + np.nan_to_num(
            np.abs(r * inner) + r * (1 - r) * (np.abs(g_r) + np.abs(p_r)) * np.abs(inner)
            + z * (1 - z) * (np.abs(g_z) + np.abs(p_z)) * np.abs(h - new), nan=0.0)
    assert new.shape[1] == hidden_size
    return new + z * (h - new), conditioning


@pytest.mark.parametrize("cell, dtype, path", GOLDEN_CELL_CASES,
                         ids=lambda value: getattr(value, "stem", getattr(value, "__name__", value)))
def test_golden_forward(request, cell, dtype, path):
    steps = use_cell(request, cell)
    case = np.load(path)
    params = {key[6:]: case[key] for key in case.files if key.startswith("param.")}
    output, hn = rnn_forward(case["x"], params, str(case["mode"]), int(case["num_layers"]),
                             bool(case["bidirectional"]), bool(case["batch_first"]),
                             h0=case["h0"] if "h0" in case.files else None,
                             lengths=case["lengths"] if "lengths" in case.files else None)
    assert_golden_close(output, case["output"], "output", forward_depth(case))
    assert_golden_close(hn, case["hn"], "hn", forward_depth(case))
    kind = "gru" if str(case["mode"]) == "gru" else "rnn"
    shapes = rnn_param_shapes(kind, case["x"].shape[-1], case["hn"].shape[-1], int(case["num_layers"]),
                              bool(case["bidirectional"]), "param.bias_ih_l0" in case.files)
    assert shapes == {name: value.shape for name, value in params.items()}
    assert sum(int(np.prod(s)) for s in shapes.values()) == int(case["num_params"])
    assert steps is None or len(steps) > 0, "the compiled cell ran"


def test_golden_forward_covers_every_cell_and_input_kind():
    seen = {(str(np.load(p)["mode"]), "lengths" in np.load(p).files, np.load(p)["x"].ndim) for p in FORWARD_CASES}
    assert {mode for mode, *_ in seen} == {"gru", "rnn_tanh", "rnn_relu"}
    assert {(lengths, ndim) for _, lengths, ndim in seen} == {(False, 3), (True, 3), (False, 2)}


@pytest.mark.oracle
def test_forward_recorder_reproduces_files(torch, tmp_path, monkeypatch):
    monkeypatch.setattr(RECORD_FORWARD, "OUT_DIR", tmp_path)
    """torch, run here, records what the golden files hold: the same arrays and config, its outputs
    within the rounding another machine's BLAS kernels give (helpers.assert_golden_close)."""
    for name in list(RECORD_FORWARD.CASES)[::3]:
        RECORD_FORWARD.record(name, *RECORD_FORWARD.CASES[name])
        new, old = np.load(tmp_path / f"{name}.npz"), np.load(GOLDEN_DIR / "rnn_forward" / f"{name}.npz")
        assert sorted(new.files) == sorted(old.files)
        for key in new.files:
            depth = forward_depth(old) if key in ("output", "hn") else 1  # inputs and weights: drawn
            assert_golden_close(new[key], old[key], f"{name}: {key}", depth)


def test_golden_comparison_allows_another_machines_rounding_not_a_change():
    """A golden output one ulp off in half its elements (what another CPU's BLAS kernel gives: 26 of
    60 elements 1.1e-16 off on a Xeon) is the golden; a difference past rounding, another dtype or
    shape, or integer data off by one is not."""
    case = np.load(next(p for p in FORWARD_CASES if p.stem == "gru_f64_one_layer"))
    want, depth = case["output"], forward_depth(case)
    rounded = np.where(np.arange(want.size).reshape(want.shape) % 2 == 0, np.nextafter(want, 2 * want), want)
    assert np.count_nonzero(rounded != want) >= want.size // 2 - 1
    assert_golden_close(rounded, want, "output", depth)
    for wrong in (want + 1e-12, want.astype(np.float32), want[:-1], np.where(want == want.max(), np.nan, want)):
        with pytest.raises(AssertionError):
            assert_golden_close(wrong, want, "output", depth)
    with pytest.raises(AssertionError):
        assert_golden_close(case["num_params"] + 1, case["num_params"], "num_params", depth)


@functools.cache
def seeded_module(torch, mode, dtype, batch_first, bidirectional, num_layers, bias):
    """The seeded torch.nn.GRU or nn.RNN of one setting and its state_dict as read-only NumPy arrays,
    built once for the cases that share them (each input kind, with and without h0, each cell):
    seeding torch and building the module cost more than both forwards."""
    torch.manual_seed(num_layers * 10 + bidirectional)
    torch_dtype = torch.float64 if dtype is np.float64 else torch.float32
    net = RECORD_FORWARD.module(mode, 3, 5, num_layers, bias, batch_first, bidirectional).to(torch_dtype)
    weights = {k: v.numpy() for k, v in net.state_dict().items()}
    for value in weights.values():
        value.flags.writeable = False
    return net, weights


@pytest.mark.oracle
@pytest.mark.parametrize("cell, mode, dtype, batch_first, bidirectional, num_layers, bias, kind, given_h0",
                         cells_for(COMBINATIONS, dtype_at=1), ids=lambda value: getattr(value, "__name__", str(value)))
def test_forward_matches_torch(torch, request, cell, mode, dtype, batch_first, bidirectional, num_layers, bias, kind,
                               given_h0):
    steps = use_cell(request, cell)
    net, weights = seeded_module(torch, mode, dtype, batch_first, bidirectional, num_layers, bias)
    rng = np.random.default_rng(7)
    seq_len, batch, rows = 6, 4, num_layers * (2 if bidirectional else 1)
    if kind == "unbatched":
        x = rng.standard_normal((seq_len, 3)).astype(dtype)
        h0 = rng.standard_normal((rows, 5)).astype(dtype) if given_h0 else None
    else:
        x = rng.standard_normal(((batch, seq_len) if batch_first else (seq_len, batch)) + (3,)).astype(dtype)
        h0 = rng.standard_normal((rows, batch, 5)).astype(dtype) if given_h0 else None
    lengths = [4, 6, 1, 6] if kind == "lengths" else None
    want_output, want_hn = RECORD_FORWARD.run(net, torch.from_numpy(x), None if h0 is None else torch.from_numpy(h0),
                                              lengths, batch_first)
    output, hn = rnn_forward(x, dict(weights), mode, num_layers, bidirectional, batch_first, h0=h0, lengths=lengths)
    assert_close(output, want_output.numpy(), "output")
    assert_close(hn, want_hn.numpy(), "hn")
    if steps is not None:  # every layer, direction and step (some sequence is running at each)
        assert len(steps) == num_layers * (2 if bidirectional else 1) * seq_len


def test_lstm_cell_is_lstm_forward():
    params = init_rnn_params("lstm", 3, 5, 2, True, proj_size=2, dtype=np.float64, seed=3)
    x = np.random.default_rng(0).standard_normal((4, 2, 3))
    output, (hn, cn) = rnn_forward(x, params, "lstm", 2, True)
    want_output, (want_hn, want_cn) = lstm_forward(x, params, 2, True, proj_size=2)
    np.testing.assert_array_equal(output, want_output)
    np.testing.assert_array_equal(hn, want_hn)
    np.testing.assert_array_equal(cn, want_cn)


def test_forward_refuses_what_torch_refuses():
    params = init_rnn_params("gru", 3, 5)
    x = np.zeros((4, 2, 3), np.float32)
    with pytest.raises(ValueError, match="no cell state"):
        rnn_forward(x, params, "gru", c0=np.zeros((1, 2, 5), np.float32))
    with pytest.raises(ValueError, match="cell must be one of"):
        rnn_forward(x, params, "lstmp")
    with pytest.raises(ValueError, match=r"expected shape \(3\*hidden_size, input_size\)"):
        rnn_forward(x, {**params, "weight_ih_l0": np.zeros((16, 3), np.float32)}, "gru")
    with pytest.raises(ValueError, match=r"weight_hh_l0: expected shape \(15, 5\)"):
        rnn_forward(x, {**params, "weight_hh_l0": np.zeros((20, 5), np.float32)}, "gru")
    with pytest.raises(ValueError, match="missing tensor weight_ih_l1"):
        rnn_forward(x, params, "gru", num_layers=2)
    with pytest.raises(ValueError, match=r"Expected h0 shape \(1, 2, 5\)"):
        rnn_forward(x, params, "gru", h0=np.zeros((2, 1, 5), np.float32))
    with pytest.raises(ValueError, match="unexpected tensor weight_hr_l0"):
        rnn_forward(x, {**params, "weight_hr_l0": np.zeros((2, 5), np.float32)}, "gru")


@pytest.mark.oracle
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs)
def test_random_configs_agree_with_torch(torch, c):
    """Shapes, parameters, counts and forward values of random GRU/RNN configs, against torch."""
    kind, nonlinearity = ("gru", "tanh") if c["cell"] == "gru" else ("rnn", c["cell"][4:])
    lstm = TorchLSTM(c["input_size"], c["hidden_size"], c["num_layers"], c["bidirectional"], c["batch_first"],
                     bias=c["bias"], cell=kind, nonlinearity=nonlinearity)
    data = DataConfig(c["batch_size"], c["seq_len"], c["unbatched"])
    result = infer_lstm(lstm, data)
    net = RECORD_FORWARD.module(c["cell"], lstm.input_size, lstm.hidden_size, lstm.num_layers, lstm.bias,
                                lstm.batch_first, lstm.bidirectional).double()
    assert [(p.name, p.shape) for p in result.params] == [(k, tuple(v.shape)) for k, v in net.state_dict().items()]
    assert result.num_params == sum(p.numel() for p in net.parameters())
    x = np.random.default_rng(1).standard_normal(result["input"].shape)
    h0 = np.random.default_rng(2).standard_normal(result["h0"].shape)
    want_output, want_hn = RECORD_FORWARD.run(net, torch.from_numpy(x), torch.from_numpy(h0), None, lstm.batch_first)
    assert tuple(want_output.shape) == result["output"].shape and tuple(want_hn.shape) == result["hn"].shape
    params = {k: v.numpy() for k, v in net.state_dict().items()}
    output, hn = rnn_forward(x, params, c["cell"], lstm.num_layers, lstm.bidirectional, lstm.batch_first, h0=h0)
    assert_close(output, want_output.numpy(), "output")
    assert_close(hn, want_hn.numpy(), "hn")


@pytest.mark.oracle
@pytest.mark.parametrize("batch, lengths, seq_len", THREADED_CASES)
@pytest.mark.parametrize("mode", ["gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("cell, dtype, num_layers, bidirectional, batch_first", cells_for([
    (np.float32, 1, False, False),
    (np.float64, 2, True, True),
    (np.float32, 3, True, False),
]), ids=["numpy-f32-1", "compiled-f32-1", "numpy-f64-2-bidir-batch_first", "numpy-f32-3-bidir",
         "compiled-f32-3-bidir"])
def test_two_parts_match_torch(torch, request, two_parts, batch, lengths, seq_len, mode, cell, dtype, num_layers,
                               bidirectional, batch_first):
    steps = use_cell(request, cell)
    torch.manual_seed(batch * 10 + num_layers)
    net = RECORD_FORWARD.module(mode, 3, 5, num_layers, True, batch_first, bidirectional)
    net = net.double() if dtype is np.float64 else net
    rng = np.random.default_rng(batch)
    x = rng.standard_normal(((batch, seq_len) if batch_first else (seq_len, batch)) + (3,)).astype(dtype)
    h0 = rng.standard_normal((num_layers * (2 if bidirectional else 1), batch, 5)).astype(dtype)
    want_output, want_hn = RECORD_FORWARD.run(net, torch.from_numpy(x), torch.from_numpy(h0), lengths, batch_first)
    params = {k: v.numpy() for k, v in net.state_dict().items()}
    output, hn = rnn_forward(x, params, mode, num_layers, bidirectional, batch_first, h0=h0, lengths=lengths)
    assert_close(output, want_output.numpy(), "output")
    assert_close(hn, want_hn.numpy(), "hn")
    assert len({thread for thread, _ in two_parts}) == 2, "two parts in two threads"
    assert [limit for _, limit in two_parts] == [1, 1], "each part runs single-threaded BLAS"
    assert steps is None or {thread for thread, _ in two_parts} == set(steps)
    assert packed_products_per_step(request, cell) in (None, 1), "each step's W_hh packed once"


@pytest.mark.oracle
@pytest.mark.parametrize("batch, lengths", [(5, None), (1, None), (5, [6, 2, 5, 1, 3])])
@pytest.mark.parametrize("mode", ["gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("cell, dtype, num_layers", cells_for([(np.float32, 2), (np.float64, 3)]),
                         ids=["numpy-f32-2", "compiled-f32-2", "numpy-f64-3"])
def test_two_directions_in_two_threads_match_torch(torch, request, two_directions, batch, lengths, mode, cell, dtype,
                                                   num_layers):
    """Each layer's two directions in two threads, GRU and RNN alike."""
    steps = use_cell(request, cell)
    torch.manual_seed(batch)
    net = RECORD_FORWARD.module(mode, 3, 5, num_layers, True, False, True)
    net = net.double() if dtype is np.float64 else net
    rng = np.random.default_rng(batch)
    x = rng.standard_normal((6, batch, 3)).astype(dtype)
    h0 = rng.standard_normal((2 * num_layers, batch, 5)).astype(dtype)
    want_output, want_hn = RECORD_FORWARD.run(net, torch.from_numpy(x), torch.from_numpy(h0), lengths, False)
    params = {k: v.numpy() for k, v in net.state_dict().items()}
    output, hn = rnn_forward(x, params, mode, num_layers, True, h0=h0, lengths=lengths)
    assert_close(output, want_output.numpy(), "output")
    assert_close(hn, want_hn.numpy(), "hn")
    assert len(two_directions) == 2 * num_layers
    threads_per_layer = {len({thread for thread, _ in two_directions[k : k + 2]}) for k in range(0, 2 * num_layers, 2)}
    assert threads_per_layer == {2} and {limit for _, limit in two_directions} == {1}
    assert steps is None or len(set(steps)) == 2
    assert packed_products_per_step(request, cell) in (None, 1), "each step's W_hh packed once"


def test_large_gru_batch_runs_one_part_per_blas_thread(monkeypatch, parts_seen):
    force(monkeypatch, "parts")
    x = np.random.default_rng(0).standard_normal((40, 32, 64), dtype=np.float32)  # 9.5e7 MACs
    rnn_forward(x, init_rnn_params("gru", 64, 128), "gru")
    assert len({thread for thread, _ in parts_seen}) == min(2, blas_threads())
    parts_seen.clear()
    rnn_forward(x[:, :1], init_rnn_params("gru", 64, 128), "gru")  # 1 sequence: one part
    assert len(parts_seen) == 1


@pytest.mark.parametrize("mode", ["gru", "rnn_tanh", "rnn_relu"])
def test_compiled_cells_are_float32_accurate_over_every_range(numba, mode):
    """exp and tanh are polynomials: held to float64 over saturating, small and ordinary values
    (to float32's rounding of the sums the step adds up); inf saturates and NaN spreads."""
    from lstmshape.forward.compiled_cell import ready_cells

    rng = np.random.default_rng(0)
    batch, hidden_size, gates_size = 64, 256, (768 if mode == "gru" else 256)
    scale = np.array([1e-4, 0.5, 3, 30, 300], np.float32)
    gates = (rng.standard_normal((batch, gates_size)) * scale[rng.integers(0, 5, (batch, gates_size))]).astype(np.float32)
    projected = (rng.standard_normal((3, batch, gates_size)) * scale[rng.integers(0, 5, (batch, gates_size))]
                 ).astype(np.float32)
    h = rng.uniform(-1, 1, (batch, hidden_size)).astype(np.float32)
    hh_bias = rng.uniform(-1, 1, hidden_size).astype(np.float32)
    gates[0, :3] = [np.inf, -np.inf, np.inf]  # saturate: GRU's r at 1, 0, 1; the RNN's h
    gates[1, gates_size - 1] = np.nan
    want, conditioning = exact_step(mode, gates, projected[2], hh_bias, h)
    ready_cells()[mode](gates, projected, 2, *([hh_bias] if mode == "gru" else []), h)
    finite = np.isfinite(want)
    assert np.isnan(want).sum() == 1 and np.array_equal(h[~finite], want[~finite], equal_nan=True)
    error = np.abs(h[finite] - want[finite]) / conditioning[finite]
    assert np.max(error) < 2.5e-7


@pytest.mark.oracle
@pytest.mark.parametrize("mode", ["gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("cell", ["numpy", "compiled"])
def test_a_nan_in_the_input_spreads_as_in_torch(torch, request, cell, mode):
    use_cell(request, cell)
    torch.manual_seed(0)
    net = RECORD_FORWARD.module(mode, 3, 5, 2, True, False, True)
    x = np.random.default_rng(0).standard_normal((6, 4, 3)).astype(np.float32)
    x[2, 1, 0] = np.nan
    want_output, want_hn = RECORD_FORWARD.run(net, torch.from_numpy(x), None, None, False)
    output, hn = rnn_forward(x, {k: v.numpy() for k, v in net.state_dict().items()}, mode, 2, True)
    for got, expected in ((output, want_output.numpy()), (hn, want_hn.numpy())):
        assert np.array_equal(np.isnan(got), np.isnan(expected))
        assert np.isnan(got[:, 1]).any() and not np.isnan(got[:, [0, 2, 3]]).any()
        assert np.nanmax(np.abs(got - expected)) <= TOLERANCE[got.dtype]
