"""lstmshape.forward's public API: the fast forward passes and what they accept, one import away."""

from __future__ import annotations

import numpy as np

import lstmshape.forward as forward
from lstmshape.forward import fast, inputs


def test_exports_the_fast_passes_and_their_inputs():
    assert sorted(forward.__all__) == ["CELL_MODES", "FORWARD_ENV", "init_params", "init_rnn_params",
                                       "load_compiled_cell", "lstm_forward", "param_shapes", "rnn_forward",
                                       "rnn_param_shapes"]
    for name in ("FORWARD_ENV", "load_compiled_cell", "lstm_forward", "rnn_forward"):
        assert getattr(forward, name) is getattr(fast, name), name
    for name in ("CELL_MODES", "init_params", "init_rnn_params", "param_shapes", "rnn_param_shapes"):
        assert getattr(forward, name) is getattr(inputs, name), name


def test_the_exported_pass_runs_on_the_exported_weights():
    params = forward.init_params(3, 5, num_layers=2)
    output, (hn, cn) = forward.lstm_forward(np.zeros((4, 2, 3), np.float32), params, num_layers=2)
    assert (output.shape, hn.shape, cn.shape) == ((4, 2, 5), (2, 2, 5), (2, 2, 5))
    gru = forward.init_rnn_params("gru", 3, 5)
    assert {name: value.shape for name, value in gru.items()} == forward.rnn_param_shapes("gru", 3, 5)
