"""What the forward passes accept (lstmshape.forward.inputs): torch's state_dict layout from
init_params, and the checks on params, x, h0/c0 and lengths, with the config in each message."""

from __future__ import annotations

import numpy as np
import pytest

from lstmshape.forward import init_params, lstm_forward, param_shapes

INPUT_SIZE, HIDDEN_SIZE = 3, 5


@pytest.mark.oracle
@pytest.mark.parametrize("num_layers, bidirectional, proj_size, bias", [
    (1, False, 0, True), (2, True, 0, True), (3, True, 2, False), (2, False, 3, True),
])
def test_init_params_has_torch_names_order_and_shapes(
    torch, num_layers, bidirectional, proj_size, bias
):
    lstm = torch.nn.LSTM(INPUT_SIZE, HIDDEN_SIZE, num_layers, bias=bias,
                         bidirectional=bidirectional, proj_size=proj_size)
    params = init_params(INPUT_SIZE, HIDDEN_SIZE, num_layers, bidirectional, proj_size, bias)
    want = {name: tuple(value.shape) for name, value in lstm.state_dict().items()}
    assert list(params) == list(want)
    assert {name: value.shape for name, value in params.items()} == want
    lstm.load_state_dict({name: torch.from_numpy(value) for name, value in params.items()})


def test_init_params_draws_torch_distribution_reproducibly():
    params = init_params(10, 25, num_layers=2, dtype=np.float64, seed=3)
    values = np.concatenate([value.ravel() for value in params.values()])
    assert np.abs(values).max() <= 1 / np.sqrt(25)
    assert np.abs(values).max() > 0.95 / np.sqrt(25)
    again = init_params(10, 25, num_layers=2, dtype=np.float64, seed=3)
    assert all(np.array_equal(params[name], again[name]) for name in params)
    assert all(value.dtype == np.float32 for value in init_params(10, 25).values())
    no_bias = {"weight_ih_l0": (100, 10), "weight_hh_l0": (100, 25)}
    assert param_shapes(10, 25, bias=False) == no_bias


# --- the threaded path: batch parts in threads with single-threaded BLAS ------------------------


# --- errors -------------------------------------------------------------------------------------

PARAMS = init_params(10, 20, num_layers=2, bidirectional=True)
X = np.zeros((5, 4, 10), np.float32)


def run(x=X, params=PARAMS, **kwargs):
    kwargs = {"num_layers": 2, "bidirectional": True, **kwargs}
    return lstm_forward(x, params, **kwargs)


def with_changes(drop=(), **replace):
    params = {name: value for name, value in PARAMS.items() if name not in drop}
    params.update(replace)
    return params


@pytest.mark.parametrize("params, message", [
    (with_changes(weight_hh_l0=np.zeros((80, 21))),
     r"weight_hh_l0: expected shape \(80, 20\), got \(80, 21\)"),
    (with_changes(weight_ih_l1_reverse=np.zeros((80, 20))),
     r"weight_ih_l1_reverse: expected shape \(80, 40\), got \(80, 20\)"),
    (with_changes(bias_ih_l1=np.zeros((80, 1))),
     r"bias_ih_l1: expected shape \(80,\), got \(80, 1\)"),
    (with_changes(drop=["bias_hh_l0_reverse"]),
     r"missing tensor bias_hh_l0_reverse \(expected shape \(80,\)\)"),
    (with_changes(drop=["weight_hh_l1"]),
     r"missing tensor weight_hh_l1 \(expected shape \(80, 20\)\)"),
    (with_changes(drop=["weight_ih_l0"]), r"missing tensor weight_ih_l0"),
    (with_changes(weight_ih_l0=np.zeros((81, 10))),
     r"weight_ih_l0: expected shape \(4\*hidden_size, input_size\), got \(81, 10\)"),
    (with_changes(weight_hr_l0=np.zeros((5, 20))),
     r"unexpected tensor weight_hr_l0 \(shape \(5, 20\)\)"),
    (with_changes(weight_ih_l2=np.zeros((80, 40))), r"unexpected tensor weight_ih_l2"),
])
def test_rejects_mismatched_params(params, message):
    with pytest.raises(ValueError, match=message):
        run(params=params)


def test_reports_every_param_problem_with_the_config():
    params = with_changes(drop=["bias_ih_l0"], weight_hh_l1=np.zeros((80, 3)))
    with pytest.raises(ValueError, match="num_layers=2, bidirectional=True") as error:
        run(params=params)
    assert "missing tensor bias_ih_l0" in str(error.value)
    assert "weight_hh_l1: expected shape (80, 20), got (80, 3)" in str(error.value)


def test_rejects_params_for_fewer_layers_than_asked():
    message = r"missing tensor weight_ih_l2 \(expected shape \(80, 40\)\)"
    with pytest.raises(ValueError, match=message):
        run(num_layers=3)


def test_rejects_bad_proj_size():
    message = r"proj_size must be 0 or in \[1, hidden_size=20\), got 20"
    with pytest.raises(ValueError, match=message):
        run(proj_size=20)


@pytest.mark.parametrize("x, message", [
    (np.zeros((5, 4, 12), np.float32),
     r"expected 10 input features .* got 12 \(x shape \(5, 4, 12\)\)"),
    (np.zeros((5, 12), np.float32), r"expected 10 input features .* got 12"),
    (np.zeros((2, 5, 4, 10), np.float32), r"2-D \(unbatched\) or 3-D \(batched\), got shape"),
    (np.zeros((5, 4, 10), np.int64), r"float32 or float64, got int64"),
])
def test_rejects_bad_x(x, message):
    with pytest.raises(ValueError, match=message):
        run(x=x)


@pytest.mark.parametrize("x, kwargs, message", [
    (X, {"h0": np.zeros((4, 2, 20))}, r"Expected h0 shape \(4, 4, 20\), got \(4, 2, 20\)"),
    (X, {"c0": np.zeros((4, 4, 21))}, r"Expected c0 shape \(4, 4, 20\), got \(4, 4, 21\)"),
    (X, {"h0": np.zeros((4, 20))}, r"Expected h0 shape \(4, 4, 20\), got \(4, 20\)"),
    (X[:, 0], {"h0": np.zeros((4, 1, 20))}, r"Expected h0 shape \(4, 20\), got \(4, 1, 20\)"),
    (X, {"proj_size": 5, "params": init_params(10, 20, 2, True, proj_size=5),
         "h0": np.zeros((4, 4, 20))}, r"Expected h0 shape \(4, 4, 5\), got \(4, 4, 20\)"),
])
def test_rejects_bad_initial_state(x, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(x=x, **kwargs)


@pytest.mark.parametrize("x, lengths, message", [
    (X, [5, 0, 3, 1], r"every length must be in \[1, seq_len=5\], got \[5, 0, 3, 1\]"),
    (X, [5, 6, 3, 1], r"every length must be in \[1, seq_len=5\], got \[5, 6, 3, 1\]"),
    (X, [5, 3, 1], r"one length per sequence \(4\), got shape \(3,\)"),
    (X, [[5, 3, 1, 1]], r"one length per sequence \(4\), got shape \(1, 4\)"),
    (X, [5.0, 3.0, 1.0, 1.0], r"lengths must be integers, got dtype float64"),
    (X[:, 0], [5], r"lengths needs batched \(3-D\) input"),
])
def test_rejects_bad_lengths(x, lengths, message):
    with pytest.raises(ValueError, match=message):
        run(x=x, lengths=lengths)
