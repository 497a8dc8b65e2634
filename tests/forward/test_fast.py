"""lstm_forward against torch.nn.LSTM: live on every feature combination, and offline on goldens.

The golden cases (tests/golden/forward, made by tests/golden/record_forward.py) keep the
accuracy check running where torch is not installed.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from helpers import (
    assert_an_error_restores_the_blas_limit,
    blas_controller,
    blas_threads,
    cells_for,
    force,
    packed_products_per_step,
    use_cell,
)
from lstmshape.forward import init_params, lstm_forward
from helpers import assert_golden_close

TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
GOLDEN_DIR = Path(__file__).parent.parent / "golden" / "forward"
INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH = 3, 5, 6, 4
LENGTHS = [4, 6, 1, 6]  # unsorted, with both extremes


def assert_matches(ours, expected):
    """Compare (output, (hn, cn)) tuples in shape, dtype and value, at the dtype's tolerance."""
    (output, (hn, cn)), (want_output, (want_hn, want_cn)) = ours, expected
    pairs = {"output": (output, want_output), "hn": (hn, want_hn), "cn": (cn, want_cn)}
    for name, (got, want) in pairs.items():
        assert got.shape == want.shape, f"{name} shape"
        assert got.dtype == want.dtype, f"{name} dtype"
        error = np.max(np.abs(got - want), initial=0.0)
        assert error <= TOLERANCE[got.dtype], f"{name}: max |ours - torch| = {error:.3g}"


def torch_forward(torch, lstm, x, h0, c0, lengths, batch_first):
    """torch's result, through pack_padded_sequence/pad_packed_sequence when lengths are given."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    x = torch.from_numpy(x)
    hx = None if h0 is None else (torch.from_numpy(h0), torch.from_numpy(c0))
    with torch.no_grad():
        if lengths is None:
            output, (hn, cn) = lstm(x, hx)
        else:
            packed = pack_padded_sequence(
                x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
            )
            output, (hn, cn) = lstm(packed, hx)
            seq_len = x.shape[1 if batch_first else 0]
            output, _ = pad_packed_sequence(output, batch_first=batch_first, total_length=seq_len)
    return output.numpy(), (hn.numpy(), cn.numpy())


def torch_lstm(torch, seed, dtype, num_layers, bidirectional, proj_size, batch_first=False, bias=True):
    """torch.nn.LSTM with these settings, its weights drawn after torch.manual_seed(seed), in `dtype`,
    and its state_dict as NumPy arrays."""
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(
        INPUT_SIZE, HIDDEN_SIZE, num_layers, bias=bias, batch_first=batch_first,
        bidirectional=bidirectional, proj_size=proj_size,
    )
    if dtype is np.float64:
        lstm = lstm.double()
    return lstm, {name: value.numpy() for name, value in lstm.state_dict().items()}


@functools.cache
def seeded_lstm(torch, dtype, batch_first, bidirectional, num_layers, proj_size, bias):
    """The seeded torch.nn.LSTM of one setting and its state_dict as read-only NumPy arrays, built
    once for the cases that share them (each input kind, with and without a given state, each
    cell): seeding torch and building the module cost more than both forwards."""
    lstm, params = torch_lstm(torch, num_layers * 100 + proj_size * 10 + bidirectional, dtype, num_layers,
                              bidirectional, proj_size, batch_first, bias)
    for value in params.values():
        value.flags.writeable = False
    return lstm, params


COMBINATIONS = [
    combo
    for combo in itertools.product(
        (np.float32, np.float64),  # dtype
        (False, True),  # batch_first
        (False, True),  # bidirectional
        (1, 2, 3),  # num_layers
        (0, 2),  # proj_size
        (True, False),  # bias
        ("batched", "unbatched", "lengths"),  # input kind
        (False, True),  # given h0/c0
    )
]


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize(
    "cell, dtype, batch_first, bidirectional, num_layers, proj_size, bias, kind, given_state",
    cells_for(COMBINATIONS),
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_matches_torch(
    torch, request, cell, dtype, batch_first, bidirectional, num_layers, proj_size, bias, kind,
    given_state,
):
    steps = use_cell(request, cell)
    lstm, weights = seeded_lstm(torch, dtype, batch_first, bidirectional, num_layers, proj_size, bias)
    params = dict(weights)
    rng = np.random.default_rng(7)
    if kind == "unbatched":
        x_shape, state_batch = (SEQ_LEN, INPUT_SIZE), ()
    else:
        x_shape = (BATCH, SEQ_LEN, INPUT_SIZE) if batch_first else (SEQ_LEN, BATCH, INPUT_SIZE)
        state_batch = (BATCH,)
    x = rng.standard_normal(x_shape).astype(dtype)
    h0 = c0 = None
    if given_state:
        rows = num_layers * (2 if bidirectional else 1)
        h0 = rng.standard_normal((rows, *state_batch, proj_size or HIDDEN_SIZE)).astype(dtype)
        c0 = rng.standard_normal((rows, *state_batch, HIDDEN_SIZE)).astype(dtype)
    lengths = LENGTHS if kind == "lengths" else None

    ours = lstm_forward(
        x, params, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first,
        proj_size=proj_size, h0=h0, c0=c0, lengths=lengths,
    )
    assert_matches(ours, torch_forward(torch, lstm, x, h0, c0, lengths, batch_first))
    if steps is not None:  # every layer, direction and step (some sequence is running at each)
        assert len(steps) == num_layers * (2 if bidirectional else 1) * SEQ_LEN


GOLDEN_CASES = sorted(GOLDEN_DIR.glob("*.npz"))


def test_golden_cases_are_present():
    assert len(GOLDEN_CASES) >= 12, "run python tests/golden/record_forward.py"


GOLDEN_CELL_CASES = cells_for(
    [(np.float32 if path.stem.startswith("f32") else np.float64, path) for path in GOLDEN_CASES])


def golden_id(value):
    return getattr(value, "stem", getattr(value, "__name__", value))


@pytest.mark.parametrize("cell, dtype, path", GOLDEN_CELL_CASES, ids=golden_id)
def test_matches_golden(request, cell, dtype, path):
    steps = use_cell(request, cell)
    with np.load(path, allow_pickle=False) as case:
        data = dict(case)
    params = {key.removeprefix("param."): v for key, v in data.items() if key.startswith("param.")}
    ours = lstm_forward(
        data["x"], params, num_layers=int(data["num_layers"]),
        bidirectional=bool(data["bidirectional"]), batch_first=bool(data["batch_first"]),
        proj_size=int(data["proj_size"]), h0=data.get("h0"), c0=data.get("c0"),
        lengths=data.get("lengths"),
    )
    depth = data["x"].shape[1 if data["batch_first"] and data["x"].ndim == 3 else 0] * int(data["num_layers"])
    for name, got in zip(("output", "hn", "cn"), (ours[0], *ours[1])):
        assert_golden_close(got, data[name], name, depth)
    assert data["x"].dtype == dtype
    assert steps is None or len(steps) > 0, "the compiled cell ran"


def test_lengths_equal_running_each_sequence_alone():
    params = init_params(INPUT_SIZE, HIDDEN_SIZE, 2, bidirectional=True, dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((SEQ_LEN, BATCH, INPUT_SIZE))
    output, (hn, cn) = lstm_forward(x, params, num_layers=2, bidirectional=True, lengths=LENGTHS)
    for b, length in enumerate(LENGTHS):
        alone, (alone_hn, alone_cn) = lstm_forward(x[:length, b], params, 2, True)
        np.testing.assert_allclose(output[:length, b], alone, rtol=0, atol=1e-14)
        assert not output[length:, b].any()
        np.testing.assert_allclose(hn[:, b], alone_hn, rtol=0, atol=1e-14)
        np.testing.assert_allclose(cn[:, b], alone_cn, rtol=0, atol=1e-14)


def torch_case(torch, dtype, num_layers, bidirectional, proj_size, batch, seq_len, given_state,
               batch_first=False, bias=True):
    """A seeded torch LSTM, its params as numpy, and x (with h0, c0 when given_state)."""
    lstm, params = torch_lstm(torch, batch * 10 + num_layers, dtype, num_layers, bidirectional, proj_size,
                              batch_first, bias)
    rng = np.random.default_rng(batch)
    shape = (batch, seq_len) if batch_first else (seq_len, batch)
    x = rng.standard_normal(shape + (INPUT_SIZE,)).astype(dtype)
    h0 = c0 = None
    if given_state:
        rows = num_layers * (2 if bidirectional else 1)
        h0 = rng.standard_normal((rows, batch, proj_size or HIDDEN_SIZE)).astype(dtype)
        c0 = rng.standard_normal((rows, batch, HIDDEN_SIZE)).astype(dtype)
    return lstm, params, x, h0, c0


THREADED_CASES = [
    # batch, lengths (None: all seq_len), seq_len
    (2, None, 6),
    (5, None, 6),  # odd: parts of 3 and 2
    (33, None, 4),
    (5, [6, 2, 5, 1, 3], 6),  # unsorted lengths, dealt out sorted
    (3, [6, 1, 1], 6),  # the second part is empty from step 1 on (from the reverse end, till 1)
    (2, [1, 6], 6),  # one column per part, one of them done after a step
    (4, [2, 1, 2, 1], 6),  # both parts empty for the last four steps
]


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("batch, lengths, seq_len", THREADED_CASES)
@pytest.mark.parametrize("cell, dtype, num_layers, bidirectional, proj_size, batch_first", cells_for([
    (np.float32, 1, False, 0, False),
    (np.float64, 2, True, 0, True),
    (np.float32, 3, True, 2, False),
    (np.float64, 2, False, 3, True),
]), ids=["numpy-f32-1", "compiled-f32-1", "numpy-f64-2-bidir-batch_first", "numpy-f32-3-bidir-proj",
         "compiled-f32-3-bidir-proj", "numpy-f64-2-proj-batch_first"])
def test_two_parts_match_torch(
    torch, request, two_parts, batch, lengths, seq_len, cell, dtype, num_layers, bidirectional,
    proj_size, batch_first,
):
    steps = use_cell(request, cell)
    lstm, params, x, h0, c0 = torch_case(
        torch, dtype, num_layers, bidirectional, proj_size, batch, seq_len, given_state=True,
        batch_first=batch_first,
    )
    ours = lstm_forward(
        x, params, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first,
        proj_size=proj_size, h0=h0, c0=c0, lengths=lengths,
    )
    assert_matches(ours, torch_forward(torch, lstm, x, h0, c0, lengths, batch_first))
    assert len({thread for thread, _ in two_parts}) == 2, "two parts in two threads"
    assert [limit for _, limit in two_parts] == [1, 1], "each part runs single-threaded BLAS"
    assert steps is None or {thread for thread, _ in two_parts} == set(steps)
    # single-threaded BLAS: every step's W_hh (and W_hr) product on weights packed once
    assert packed_products_per_step(request, cell) in (None, 2 if proj_size else 1)


@pytest.mark.parametrize("cell, dtype, path", GOLDEN_CELL_CASES, ids=golden_id)
def test_two_parts_match_golden(request, two_parts, cell, dtype, path):
    test_matches_golden(request, cell, dtype, path)
    parts = 1 if "unbatched" in path.stem else 2
    assert len({thread for thread, _ in two_parts}) == parts
    if cell == "compiled":  # the compiled cell runs inside each part's thread
        assert len(set(request.getfixturevalue("compiled_cell"))) == parts


@pytest.mark.oracle
def test_batch_of_one_runs_in_one_part(torch, two_parts):
    lstm, params, x, h0, c0 = torch_case(torch, np.float32, 2, True, 0, 1, 6, given_state=True)
    ours = lstm_forward(x, params, num_layers=2, bidirectional=True, h0=h0, c0=c0, lengths=[4])
    assert_matches(ours, torch_forward(torch, lstm, x, h0, c0, [4], False))
    assert [thread for thread, _ in two_parts] == [threading.get_ident()]
    assert [limit for _, limit in two_parts] == [blas_threads()], "BLAS limit left alone"


def test_one_part_keeps_blas_threads_for_its_gemms(compiled_cell, packed_steps, parts_seen):
    """Without batch parts or split directions, np.matmul runs each step's GEMM on BLAS's own
    threads: nothing is packed for the single-threaded kernel."""
    lstm_forward(np.ones((5, 3, 10), np.float32), init_params(10, 20))
    assert len(compiled_cell) == 5 and packed_steps == []
    assert parts_seen == [(threading.get_ident(), blas_threads())]


def test_large_batch_runs_one_part_per_blas_thread(monkeypatch, parts_seen):
    force(monkeypatch, "parts")
    expected_parts = min(2, blas_threads())
    x = np.random.default_rng(0).standard_normal((20, 32, 64), dtype=np.float32)
    single = lstm_forward(x, init_params(64, 128))
    assert len({thread for thread, _ in parts_seen}) == expected_parts
    assert {limit for _, limit in parts_seen} == {1 if expected_parts > 1 else blas_threads()}
    with blas_controller().limit(limits=1):  # a user's BLAS limit is respected
        parts_seen.clear()
        assert_matches(lstm_forward(x, init_params(64, 128)), single)
        assert len(parts_seen) == 1


@pytest.mark.parametrize("failing", ["the calling thread", "a worker thread"])
def test_an_error_in_a_part_restores_the_blas_limit(monkeypatch, two_parts, failing):
    from lstmshape.forward import fast as forward

    run_layers = forward._run_layers
    caller = threading.get_ident()

    def fail_in_one_part(*args):
        if (threading.get_ident() == caller) == (failing == "the calling thread"):
            raise RuntimeError(f"failed in {failing}")
        return run_layers(*args)

    assert_an_error_restores_the_blas_limit(monkeypatch, "_run_layers", fail_in_one_part, f"failed in {failing}")


# --- the two directions of a bidirectional layer in two threads --------------------------------

DIRECTION_CASES = [  # batch, lengths, seq_len
    (5, None, 6),
    (1, None, 6),  # one sequence
    (5, [6, 2, 5, 1, 3], 6),  # unsorted lengths
    (3, [6, 1, 1], 6),  # the reverse direction starts at each sequence's own end
]


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("batch, lengths, seq_len", DIRECTION_CASES)
@pytest.mark.parametrize("cell, dtype, num_layers, proj_size, batch_first", cells_for([
    (np.float32, 1, 0, False),
    (np.float64, 2, 0, True),
    (np.float32, 3, 2, False),
]), ids=["numpy-f32-1", "compiled-f32-1", "numpy-f64-2-batch_first", "numpy-f32-3-proj", "compiled-f32-3-proj"])
def test_two_directions_in_two_threads_match_torch(
    torch, request, two_directions, batch, lengths, seq_len, cell, dtype, num_layers, proj_size, batch_first,
):
    steps = use_cell(request, cell)
    lstm, params, x, h0, c0 = torch_case(torch, dtype, num_layers, True, proj_size, batch, seq_len,
                                         given_state=True, batch_first=batch_first)
    ours = lstm_forward(x, params, num_layers=num_layers, bidirectional=True, batch_first=batch_first,
                        proj_size=proj_size, h0=h0, c0=c0, lengths=lengths)
    assert_matches(ours, torch_forward(torch, lstm, x, h0, c0, lengths, batch_first))
    assert len(two_directions) == 2 * num_layers, "every layer's two directions ran"
    threads = {len({thread for thread, _ in two_directions[k : k + 2]}) for k in range(0, 2 * num_layers, 2)}
    assert threads == {2}, "each layer's directions in two threads"
    assert {limit for _, limit in two_directions} == {1}, "each direction runs single-threaded BLAS"
    assert steps is None or len(set(steps)) == 2
    assert packed_products_per_step(request, cell) in (None, 2 if proj_size else 1)


@pytest.mark.parametrize("failing", ["forward", "reverse"])
def test_an_error_in_a_direction_restores_the_blas_limit(monkeypatch, two_directions, failing):
    from lstmshape.forward import fast as forward

    active_steps = forward._active_steps  # two_directions' spy

    def fail_in_one_direction(steps, *args):
        if (steps[0] == 0) == (failing == "forward"):
            raise RuntimeError(f"failed in the {failing} direction")
        return active_steps(steps, *args)

    assert_an_error_restores_the_blas_limit(monkeypatch, "_active_steps", fail_in_one_direction,
                                            f"failed in the {failing} direction")
    assert len({thread for thread, _ in two_directions}) == 2, "the directions ran in two threads"


# --- which calls run the compiled cell ---------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("cell", ["numpy", "compiled"])
def test_a_nan_in_the_input_spreads_as_in_torch(torch, request, cell):
    use_cell(request, cell)
    lstm, params, x, h0, c0 = torch_case(torch, np.float32, 2, True, 0, 4, 6, given_state=True)
    x[2, 1, 0] = np.nan
    (output, (hn, cn)), (want, (want_hn, want_cn)) = (
        lstm_forward(x, params, num_layers=2, bidirectional=True, h0=h0, c0=c0),
        torch_forward(torch, lstm, x, h0, c0, None, False),
    )
    for got, expected in ((output, want), (hn, want_hn), (cn, want_cn)):
        assert np.array_equal(np.isnan(got), np.isnan(expected))
        assert np.isnan(got[:, 1]).any() and not np.isnan(got[:, [0, 2, 3]]).any()
        assert np.nanmax(np.abs(got - expected)) <= TOLERANCE[got.dtype]


@pytest.fixture
def fresh_process(monkeypatch):
    """The fast path as in a process that has not loaded the compiled cell."""
    monkeypatch.setattr("lstmshape.forward.fast._compiled_cell", None)


def tiered_case(dtype=np.float32, seq_len=5):
    """x (seq_len steps of 3 sequences of 10 features) and params of hidden size 20."""
    x = np.random.default_rng(seq_len).standard_normal((seq_len, 3, 10)).astype(dtype)
    return x, init_params(10, 20, dtype=dtype)


def spy_on_compiled_lstm_cell(monkeypatch):
    """The steps the loaded compiled LSTM cell runs from now on."""
    from lstmshape.forward import fast as forward

    steps, kernel = [], forward._compiled_cell["lstm"]
    monkeypatch.setitem(forward._compiled_cell, "lstm", lambda *args: steps.append(args) or kernel(*args))
    return steps


def test_the_same_call_gives_the_same_bits_after_2e8_gate_values():
    """In a fresh process with the [fast] extra: a small call, then forwards of 2e8 gate values in
    all (more than the 1.5e8 after which the process used to switch every float32 call to the
    compiled cell), then the small call again: the same bits."""
    code = """
import numpy as np
from lstmshape.forward import init_params, lstm_forward, rnn_forward, init_rnn_params
rng = np.random.default_rng(0)
x = rng.standard_normal((20, 4, 16)).astype(np.float32)
params, gru = init_params(16, 32, 2, True), init_rnn_params("gru", 16, 32)
def bits():
    output, (hn, cn) = lstm_forward(x, params, 2, True)
    return [output.tobytes(), hn.tobytes(), cn.tobytes(), rnn_forward(x, gru, "gru")[0].tobytes()]
before = bits()
work = rng.standard_normal((512, 2048, 4)).astype(np.float32)  # 512 * 2048 * 16 * 2 gate values a call
small = init_params(4, 4, 1, True)
for _ in range(6):  # 2.0e8 gate values in all
    lstm_forward(work, small, 1, True)
print(bits() == before)
"""
    env = {key: value for key, value in os.environ.items() if key != "LSTMSHAPE_FORWARD"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.split() == ["True"], result.stdout + result.stderr


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_compiled_can_be_asked_for_any_call(numba, fresh_process, monkeypatch, how):
    from lstmshape.forward import fast as forward

    assert forward.load_compiled_cell() is True
    steps = spy_on_compiled_lstm_cell(monkeypatch)
    x, params = tiered_case(seq_len=2)
    want = lstm_forward(x, params)
    assert steps == []
    if how == "environment":
        monkeypatch.setenv("LSTMSHAPE_FORWARD", "compiled+serial")
        got = lstm_forward(x, params)
    else:
        got = lstm_forward(x, params, implementation="compiled+serial")
    assert len(steps) == 2
    assert_matches(got, want)
    assert lstm_forward(x, params, implementation="numpy")[0].tobytes() == want[0].tobytes()
    assert len(steps) == 2, "an explicit implementation wins over LSTMSHAPE_FORWARD"


def test_reference_can_be_asked_for(monkeypatch):
    from lstmshape.forward import reference

    x, params = tiered_case()
    want = reference.lstm_forward(x, params, lengths=[5, 2, 4])
    got = lstm_forward(x, params, lengths=[5, 2, 4], implementation="reference")
    assert all(np.array_equal(a, b) for a, b in zip((got[0], *got[1]), (want[0], *want[1])))
    monkeypatch.setenv("LSTMSHAPE_FORWARD", "reference")
    assert np.array_equal(lstm_forward(x, params, lengths=[5, 2, 4])[0], want[0])


def test_an_unknown_implementation_is_refused_without_echoing_the_environment(monkeypatch):
    x, params = tiered_case()
    options = re.escape(": reference/numpy/compiled | serial/parts/directions | unpacked/packed (reference alone)")
    with pytest.raises(ValueError, match=f"^implementation must be auto or parts joined by '\\+', at most one of "
                                         f"each{options}$"):
        lstm_forward(x, params, implementation="fastest")
    monkeypatch.setenv("LSTMSHAPE_FORWARD", "s3cr3t-value")
    with pytest.raises(ValueError, match=f"^LSTMSHAPE_FORWARD must be auto or parts joined by '\\+', at most one of "
                                         f"each{options}$"):
        lstm_forward(x, params)


def test_load_compiled_cell_loads_it_without_changing_any_answer(numba, fresh_process, monkeypatch):
    from lstmshape.forward import fast as forward

    x, params = tiered_case(seq_len=4)
    want = lstm_forward(x, params)
    assert forward.load_compiled_cell() is True
    steps = spy_on_compiled_lstm_cell(monkeypatch)
    assert lstm_forward(x, params)[0].tobytes() == want[0].tobytes() and steps == []


def test_without_numba_every_forward_runs_numpys_cell(fresh_process, monkeypatch):
    from lstmshape.forward import fast as forward

    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    monkeypatch.delitem(sys.modules, "lstmshape.forward.compiled_cell", raising=False)
    x, params = tiered_case()
    want = lstm_forward(x, params)
    assert forward.load_compiled_cell() is False
    for _ in range(3):
        assert_matches(lstm_forward(x, params), want)
    assert forward._compiled_cell is False
    with pytest.raises(ImportError, match="needs numba"):
        lstm_forward(x, params, implementation="compiled")


def test_a_one_off_verify_never_imports_numba():
    """`infer --verify` runs a forward within its budget: far below what loading numba would
    pay back, so the CLI starts no slower for having the [fast] extra."""
    code = ("import sys\nfrom lstmshape.cli import dispatch\n"
            "code = dispatch(['infer', 'configs/bilstm.yaml', '--verify', '--matrix'])\n"
            "print(code, 'numba' in sys.modules)")
    root = Path(__file__).parent.parent.parent
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.stdout.strip().splitlines()[-1] == "0 False", result.stdout + result.stderr


def test_the_compiled_cell_loads_where_numba_can_write_no_cache(numba):
    """numba refuses cache=True when it finds no writable cache directory (a read-only install,
    no home): the cells are then compiled in the process instead of the import failing."""
    code = ("import numpy as np\nfrom lstmshape import forward\n"
            "x = np.random.default_rng(0).standard_normal((5, 3, 10)).astype(np.float32)\n"
            "params = forward.init_params(10, 20)\n"
            "want = forward.lstm_forward(x, params)[0]\n"
            "got = forward.lstm_forward(x, params, implementation='compiled')[0]\n"
            "print(forward.load_compiled_cell(), np.abs(got - want).max() < 1e-6)")
    # only numba's user-provided locator, and no directory given to it: no cache anywhere
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    env["NUMBA_CACHE_LOCATOR_CLASSES"] = "UserProvidedCacheLocator"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.split() == ["True", "True"], result.stdout + result.stderr

