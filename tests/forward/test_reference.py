"""lstmshape.forward.reference: against torch live and the golden files, and every fast path against it.

The reference is what `--verify` runs and what the fast path (lstmshape.forward.fast: threads,
the compiled cells, packed GEMMs) must agree with, so each fast path is held to it here on every
cell and setting, and the reference itself to torch and to the recorded goldens.
"""

from __future__ import annotations

import ast
import functools
import itertools
from pathlib import Path

import numpy as np
import pytest

from lstmshape.forward import init_rnn_params, reference, rnn_forward
from helpers import assert_golden_close

GOLDEN = Path(__file__).parent.parent / "golden"
# torch and the reference compute in the same dtype in a different order; at these sizes (a few
# steps, hidden 5) they agree to float32's rounding of a short sum, as the fast path does
# (tests/forward/test_fast.py's tolerances).
TORCH_TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH = 3, 5, 6, 4
LENGTHS = [4, 6, 1, 6]  # unsorted, with both extremes
MODES = ["lstm", "lstm_proj", "gru", "rnn_tanh", "rnn_relu"]  # lstm_proj: nn.LSTM with proj_size=2


# --- the module itself --------------------------------------------------------------------------


def test_the_reference_reads_in_one_sitting():
    """At most 250 lines, and nothing but NumPy and the shared argument checks: no threads, no
    compiled code, no BLAS internals, and never the fast path."""
    path = Path(reference.__file__)
    assert path.name.endswith("reference.py")
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 250
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    assert imported == {"__future__", "numpy", ".inputs"}


# --- against torch, live -----------------------------------------------------------------------


def torch_module(torch, mode, dtype, num_layers, bidirectional, bias, batch_first):
    torch.manual_seed(num_layers * 100 + bidirectional * 10 + bias)
    kwargs = {"num_layers": num_layers, "bias": bias, "batch_first": batch_first, "bidirectional": bidirectional}
    if mode.startswith("lstm"):
        net = torch.nn.LSTM(INPUT_SIZE, HIDDEN_SIZE, proj_size=2 if mode == "lstm_proj" else 0, **kwargs)
    elif mode == "gru":
        net = torch.nn.GRU(INPUT_SIZE, HIDDEN_SIZE, **kwargs)
    else:
        net = torch.nn.RNN(INPUT_SIZE, HIDDEN_SIZE, nonlinearity=mode[4:], **kwargs)
    return net.double() if dtype is np.float64 else net


@functools.cache
def seeded_module(torch, mode, dtype, num_layers, bidirectional, bias, batch_first):
    """torch_module and its state_dict as read-only NumPy arrays, built once for the cases that
    share them (each input kind, with and without a given state): seeding torch and building the
    module cost more than both forwards."""
    net = torch_module(torch, mode, dtype, num_layers, bidirectional, bias, batch_first)
    weights = {name: value.numpy() for name, value in net.state_dict().items()}
    for value in weights.values():
        value.flags.writeable = False
    return net, weights


def run_torch(torch, net, x, state, lengths, batch_first):
    """torch's output and final state(s) as NumPy, through pack_padded_sequence and
    pad_packed_sequence when lengths are given."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    given = x
    x = torch.from_numpy(x)
    hx = None if state is None else tuple(torch.from_numpy(s) for s in state)
    hx = hx[0] if hx is not None and len(hx) == 1 else hx
    with torch.no_grad():
        if lengths is None:
            output, final = net(x, hx)
        else:
            packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
            output, final = net(packed, hx)
            output, _ = pad_packed_sequence(output, batch_first=batch_first,
                                            total_length=given.shape[1 if batch_first else 0])
    finals = final if isinstance(final, tuple) else (final,)
    return output.numpy(), tuple(f.numpy() for f in finals)


def case(mode, dtype, num_layers, bidirectional, batch_first, kind, given_state, params, seed=7,
         sizes=(INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH), lengths=LENGTHS):
    """x, the initial state (None, or (h0,) / (h0, c0)) and lengths for one setting."""
    input_size, hidden_size, seq_len, batch = sizes
    rng = np.random.default_rng(seed)
    if kind == "unbatched":
        x_shape, state_batch = (seq_len, input_size), ()
    else:
        x_shape = (batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size)
        state_batch = (batch,)
    x = rng.standard_normal(x_shape).astype(dtype)
    state = None
    if given_state:
        rows = num_layers * (2 if bidirectional else 1)
        out_size = params["weight_hr_l0"].shape[0] if "weight_hr_l0" in params else hidden_size
        state = (rng.standard_normal((rows, *state_batch, out_size)).astype(dtype),)
        if mode.startswith("lstm"):
            state += (rng.standard_normal((rows, *state_batch, hidden_size)).astype(dtype),)
    return x, state, lengths if kind == "lengths" else None


def run(forward, mode, x, params, num_layers, bidirectional, batch_first, state, lengths, **options):
    """output and the final states as a tuple, from reference.rnn_forward or the fast rnn_forward."""
    h0, c0 = (None, None) if state is None else (state + (None,))[:2]
    cell = "lstm" if mode.startswith("lstm") else mode
    output, final = forward(x, params, cell, num_layers, bidirectional, batch_first, h0=h0, c0=c0,
                            lengths=lengths, **options)
    return output, final if isinstance(final, tuple) else (final,)


def assert_close(ours, want, tolerance):
    (output, finals), (want_output, want_finals) = ours, want
    for name, got, expected in zip(("output", "hn", "cn"), (output, *finals), (want_output, *want_finals)):
        assert (got.shape, got.dtype) == (expected.shape, expected.dtype), name
        error = np.max(np.abs(got - expected), initial=0.0)
        assert error <= tolerance, f"{name}: max |difference| = {error:.3g}"


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("mode, dtype, batch_first, bidirectional, bias, kind, given_state", list(itertools.product(
    MODES, (np.float32, np.float64), (False, True), (False, True), (True, False),
    ("batched", "unbatched", "lengths"), (False, True))), ids=lambda value: getattr(value, "__name__", str(value)))
def test_reference_matches_torch(torch, mode, dtype, batch_first, bidirectional, bias, kind, given_state):
    num_layers = 2  # layer 1 takes layer 0's [forward, reverse] output; hn/cn hold both layers
    net, weights = seeded_module(torch, mode, dtype, num_layers, bidirectional, bias, batch_first)
    params = dict(weights)
    x, state, lengths = case(mode, dtype, num_layers, bidirectional, batch_first, kind, given_state, params)
    ours = run(reference.rnn_forward, mode, x, params, num_layers, bidirectional, batch_first, state, lengths)
    assert_close(ours, run_torch(torch, net, x, state, lengths, batch_first), TORCH_TOLERANCE[np.dtype(dtype)])


@pytest.mark.oracle
def test_reference_nan_spreads_as_in_torch(torch):
    net = torch_module(torch, "lstm", np.float32, 2, True, True, False)
    params = {name: value.numpy() for name, value in net.state_dict().items()}
    x, state, _ = case("lstm", np.float32, 2, True, False, "batched", True, params)
    x[2, 1, 0] = np.nan
    ours = run(reference.rnn_forward, "lstm", x, params, 2, True, False, state, None)
    want = run_torch(torch, net, x, state, None, False)
    for got, expected in zip((ours[0], *ours[1]), (want[0], *want[1])):
        assert np.array_equal(np.isnan(got), np.isnan(expected)) and np.isnan(got[:, 1]).any()
        assert np.nanmax(np.abs(got - expected)) <= 1e-5


# --- against the golden files (no torch needed) ------------------------------------------------


def golden_cases():
    return sorted((GOLDEN / "forward").glob("*.npz")) + sorted((GOLDEN / "rnn_forward").glob("*.npz"))


def test_golden_cases_are_present():
    assert len(list((GOLDEN / "forward").glob("*.npz"))) >= 12
    assert len(list((GOLDEN / "rnn_forward").glob("*.npz"))) >= 6


@pytest.mark.parametrize("path", golden_cases(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_reference_matches_golden(path):
    with np.load(path, allow_pickle=False) as stored:
        data = dict(stored)
    params = {key.removeprefix("param."): value for key, value in data.items() if key.startswith("param.")}
    mode = str(data.get("mode", "lstm"))
    finals = ("hn", "cn") if mode == "lstm" else ("hn",)
    state = tuple(data[name] for name in ("h0", "c0") if name in data) or None
    ours = run(reference.rnn_forward, mode, data["x"], params, int(data["num_layers"]), bool(data["bidirectional"]),
               bool(data["batch_first"]), state, data.get("lengths"))
    x = data["x"]
    depth = x.shape[1 if data["batch_first"] and x.ndim == 3 else 0] * int(data["num_layers"])
    for name, got in zip(("output", *finals), (ours[0], *ours[1])):
        assert_golden_close(got, data[name], name, depth)


# --- every fast path against the reference ------------------------------------------------------

# (mode's dtype, batch_first, bidirectional, num_layers, bias, kind, given_state, sizes)
SETTINGS = [
    (np.float32, False, True, 2, True, "lengths", True, (INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH)),
    (np.float32, True, False, 1, False, "batched", False, (INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH)),
    (np.float32, False, True, 1, True, "unbatched", True, (INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH)),
    (np.float32, True, True, 3, True, "lengths", False, (16, 32, 20, 9)),  # every partial GEMM tile
    (np.float64, True, True, 2, True, "lengths", True, (INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH)),
]
# The fast paths: each cell (NumPy's ufuncs; the compiled cells), in one thread, in two batch
# parts, and with a bidirectional layer's directions in two threads; the compiled cells in threads
# run every step's GEMMs on weights packed once (conftest.packed_steps).
PATHS = [(cell, threads) for cell in ("numpy", "compiled") for threads in ("one", "two_parts", "two_directions")]


def fast_cases():
    for (cell, threads), mode, setting in itertools.product(PATHS, MODES, SETTINGS):
        dtype, bidirectional = setting[0], setting[2]
        if (cell == "compiled" and dtype is np.float64) or (threads == "two_directions" and not bidirectional):
            continue  # float64 always runs NumPy's cell; one direction has nothing to split
        yield pytest.param(cell, threads, mode, *setting,
                           id=f"{cell}-{threads}-{mode}-{dtype.__name__}-{setting[5]}-{setting[7][1]}")


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("cell, threads, mode, dtype, batch_first, bidirectional, num_layers, bias, kind, "
                         "given_state, sizes", list(fast_cases()))
def test_every_fast_path_matches_the_reference(request, cell, threads, mode, dtype, batch_first, bidirectional,
                                               num_layers, bias, kind, given_state, sizes):
    """The fast path and the reference compute the same function in the same dtype in another
    order (bias folded into the input GEMM, negated sigmoid rows, BLAS blocking, in float32 the
    compiled exp and tanh within 1.4 ulp): each of the depth = steps × layers sequential steps
    rounds within a few ulp, and the recurrence does not amplify it (σ' ≤ 1/4, tanh' ≤ 1, f < 1,
    weights U(±1/√H)), so the two agree within the goldens' rounding budget of 4 ulp a step
    (helpers.golden_tolerance), relative past 1."""
    steps = request.getfixturevalue("compiled_cell") if cell == "compiled" else None
    seen = request.getfixturevalue(threads) if threads != "one" else None
    input_size, hidden_size, seq_len, batch = sizes
    kind_of = "gru" if mode == "gru" else "lstm" if mode.startswith("lstm") else mode
    params = init_rnn_params(kind_of, input_size, hidden_size, num_layers, bidirectional, bias,
                             2 if mode == "lstm_proj" else 0, dtype, seed=num_layers)
    lengths = list(np.random.default_rng(batch).integers(1, seq_len + 1, batch)) if batch != BATCH else LENGTHS
    x, state, lengths = case(mode, dtype, num_layers, bidirectional, batch_first, kind, given_state, params,
                             sizes=sizes, lengths=np.array(lengths))
    ours = run(rnn_forward, mode, x, params, num_layers, bidirectional, batch_first, state, lengths)
    want = run(reference.rnn_forward, mode, x, params, num_layers, bidirectional, batch_first, state, lengths)
    depth = seq_len * num_layers
    for name, got, expected in zip(("output", "hn", "cn"), (ours[0], *ours[1]), (want[0], *want[1])):
        assert_golden_close(got, expected, name, depth)
    assert steps is None or len(steps) > 0, "the compiled cell ran"
    if seen is not None and kind != "unbatched":
        assert len({thread for thread, _ in seen}) == 2, f"{threads}: two threads"
        if cell == "compiled":
            assert request.getfixturevalue("packed_steps"), "the steps ran on packed weights"


def test_the_fast_path_refuses_what_the_reference_refuses():
    """One set of checks (lstmshape.forward.inputs): the same ValueError, word for word."""
    params = init_rnn_params("gru", INPUT_SIZE, HIDDEN_SIZE)
    x = np.zeros((SEQ_LEN, BATCH, INPUT_SIZE), np.float32)
    bad_calls = [
        dict(x=x[..., :2]), dict(h0=np.zeros((1, 2, HIDDEN_SIZE), np.float32)), dict(lengths=[7, 1, 1, 1]),
        dict(c0=np.zeros((1, BATCH, HIDDEN_SIZE), np.float32)), dict(params={**params, "weight_hr_l0": x[0]}),
        dict(x=x.astype(np.int32)), dict(num_layers=2),
    ]
    for bad in bad_calls:
        arguments = {"x": x, "params": params, "cell": "gru", **bad}
        with pytest.raises(ValueError) as fast_error:
            rnn_forward(**arguments)
        with pytest.raises(ValueError) as reference_error:
            reference.rnn_forward(**arguments)
        assert str(fast_error.value) == str(reference_error.value)
