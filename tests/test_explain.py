"""Tests of lstmshape.explain: the traps `infer --explain` states, in the config's own numbers.

torch.nn.LSTM settings through infer_lstm: bidirectional heads and final states, batch_first
states and the silent transpose, projection and unbatched input, and a plain LSTM with no layer or
direction trap. Keras configs (configs/keras_stateful.yaml, configs/keras_bilstm.yaml and inline
ones): what the shape-free arguments rule out (cuDNN, a stateful batch), and that no shape changes.
"""

from __future__ import annotations

from helpers import REPO
from lstmshape import TorchLSTM
from lstmshape.explain import traps
from lstmshape.frameworks import infer
from lstmshape.frameworks.torch import infer_lstm
from lstmshape.read import parse_text, read_config
from lstmshape.settings import DataConfig


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


def test_explain_says_what_the_shape_free_arguments_change():
    from lstmshape.explain import traps

    config, _ = read_config(str(REPO / "configs" / "keras_stateful.yaml"))
    (result,) = infer(config)
    text = "\n".join(traps(result))
    assert "recurrent_dropout 0.1 rules it out" in text and "cuDNN" in text
    assert "(16, 50) variables" in text and "every batch must have 16 rows" in text
    assert "change no shape" in text
    config, _ = read_config(str(REPO / "configs" / "keras_bilstm.yaml"))
    assert not any("cuDNN" in t or "stateful" in t for t in traps(infer(config)[0]))
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, use_bias: false, unroll: true}\n")
    assert "here unroll True, use_bias False rule it out" in "\n".join(traps(infer(config)[0]))
    config, _ = parse_text("framework: keras\nlstm: {input_dim: 3, units: 4, use_bias: false}\n")
    assert "here use_bias False rules it out" in "\n".join(traps(infer(config)[0]))
