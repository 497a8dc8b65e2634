"""The traps `infer --explain` states, each for the config's own numbers."""

from __future__ import annotations

from lstmshape import DataConfig, TorchLSTM
from lstmshape.explain import traps
from lstmshape.frameworks.torch import infer_lstm


def traps_for(**kw):
    data = kw.pop("data", DataConfig(32, 5))
    return "\n".join(traps(infer_lstm(TorchLSTM(10, 20, **kw), data)))


def test_bidirectional_head_and_final_state():
    text = traps_for(bidirectional=True, num_layers=2)
    assert "in_features = num_directions × H_out = 40, not hidden_size 20" in text
    assert "torch.cat((hn[-2], hn[-1]), dim=-1)" in text and "output[-1] is not" in text
    assert "row = layer × 2 + direction" in text


def test_batch_first_state_and_silent_transpose():
    text = traps_for(batch_first=True)
    assert "h0/c0/hn/cn stay (num_directions × num_layers, batch, H) = (1, 32, 20)" in text
    assert "accepts it silently" not in text
    assert "accepts it silently" in traps_for(batch_first=True, num_layers=4, bidirectional=True, data=DataConfig(8, 5))
    assert "output[:, -1] is not" in traps_for(batch_first=True, bidirectional=True)


def test_projection_and_unbatched():
    assert "c0/cn keep hidden_size 20" in traps_for(proj_size=5)
    assert "in_features = num_directions × H_out = 5, not hidden_size 20" in traps_for(proj_size=5)
    text = traps_for(data=DataConfig(unbatched=True), batch_first=True)
    assert "h0/c0 must be 2-D too, (1, 20)" in text and "stay" not in text


def test_plain_lstm_has_no_layer_or_direction_traps():
    text = traps_for()
    assert "layer-major" not in text and "Bidirectional" not in text
    assert "in_features = 20 (its output features)" in text
