"""lstmshape.settings: what a config says as frozen data, and the few sizes derived from it —
each cell's gate rows held against torch's own weights."""

from __future__ import annotations

import dataclasses

import pytest

from lstmshape.settings import (CELLS, DataConfig, Decoder, HeadLayer, KerasArguments, KerasLSTM, OnnxLSTM,
                                TorchLSTM, joined_features)


@pytest.mark.oracle
def test_each_cells_gate_rows_are_torchs(torch):
    for name, module in (("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU), ("rnn", torch.nn.RNN)):
        layer = module(3, 5)
        assert layer.weight_ih_l0.shape[0] == CELLS[name].gates * 5, name
        assert TorchLSTM(3, 5, cell=name).gates == CELLS[name].gates
        assert TorchLSTM(3, 5, cell=name).has_cell_state == (name == "lstm")
        assert CELLS[name].torch == module.__name__


def test_directions_and_the_features_of_h():
    assert TorchLSTM(3, 8).num_directions == 1 and TorchLSTM(3, 8, bidirectional=True).num_directions == 2
    assert TorchLSTM(3, 8).h_out == 8 and TorchLSTM(3, 8, proj_size=2).h_out == 2
    assert OnnxLSTM(3, 8, direction="bidirectional").num_directions == 2
    assert OnnxLSTM(3, 8, direction="reverse").num_directions == 1


@pytest.mark.parametrize("bidirectional, merge_mode, features", [
    (False, "concat", 8), (True, "concat", 16), (True, "sum", 8), (True, "ave", 8), (True, None, 8),
])
def test_a_keras_layers_output_features_follow_its_merge_mode(bidirectional, merge_mode, features):
    assert KerasLSTM(3, 8, bidirectional=bidirectional, merge_mode=merge_mode).out_features == features


def test_the_declared_keras_input_adds_an_open_batch_to_input_shape():
    assert KerasLSTM(3, 8).declared_input is None
    assert KerasLSTM(3, 8, arguments=KerasArguments(input_shape=(10, 3))).declared_input == (None, 10, 3)
    assert KerasLSTM(3, 8, arguments=KerasArguments(input_shape=(10, 3), batch_input_shape=(4, 10, 3))
                     ).declared_input == (4, 10, 3)


def test_a_join_hands_on_directions_times_h_halved_by_sum_set_by_linear():
    before = TorchLSTM(3, 8, bidirectional=True, proj_size=5)
    assert joined_features(before, ()) == 10
    assert joined_features(before, (HeadLayer("sum"),)) == 5
    assert joined_features(before, (HeadLayer("linear", 10, 7), HeadLayer("tanh"))) == 7


def test_omitted_sizes_stay_symbolic_and_settings_are_frozen():
    assert (DataConfig().batch_size, DataConfig().seq_len, DataConfig().lengths) == ("N", "L", None)
    assert Decoder(TorchLSTM(3, 4)) == (TorchLSTM(3, 4), (), "T")
    with pytest.raises(dataclasses.FrozenInstanceError):
        TorchLSTM(3, 4).hidden_size = 5
