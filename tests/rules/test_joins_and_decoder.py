"""lstmshape.rules.joins_and_decoder, what the rules of the model around the LSTM (LS130–LS139)
share: the joins of a stack, the encoder's state as the bridge hands it to the decoder, and how
both are named in messages. (The rules themselves are tested by their docstring examples.)"""

from __future__ import annotations

from helpers import REPO
from lstmshape.read import parse_text, read_config
from lstmshape.rules import context_for
from lstmshape.rules.joins_and_decoder import (decoder_origin, encoder_name, handover, joins, state_text,
                                               step_name)


def context(name: str):
    config, problems = read_config(REPO / "examples" / name)
    assert problems == []
    return context_for(config)


def test_a_step_is_named_as_the_config_writes_it():
    assert step_name(("lstm", 1, "join", 0)) == "lstm[1].join[0]"
    assert step_name(("decoder", "bridge", 2)) == "decoder.bridge[2]"


def test_every_block_with_a_join_is_walked_with_the_block_before_it():
    walked = list(joins(context("around_rnnp.yaml")))  # ESPnet's RNNP: Linear(640, 320), tanh before blocks 1, 2
    assert [k for k, *_ in walked] == [1, 2]
    for k, before, block, layers, steps in walked:
        assert (before.hidden_size, before.bidirectional, block.input_size) == (320, True, 320)
        assert [layer.parts for layer in layers] == [("lstm", k, "join", 0), ("lstm", k, "join", 1)]
        assert [(s.kind, s.features_in, s.features_out) for s in steps] == [("linear", 640, 320), ("tanh", 320, 320)]
    config, _ = parse_text("lstm:\n  - {input_size: 3, hidden_size: 4}\n  - {hidden_size: 5}\n", "plain.yaml")
    assert list(joins(context_for(config))) == []


def test_the_handover_is_the_encoders_state_after_the_bridge():
    encoder, decoder, state, steps = handover(context("around_seq2seq_bridge.yaml"))
    # hn of a 2-layer BiLSTM: (4, N, 512); concat → (2, N, 1024); Linear(1024, 512); tanh
    assert (encoder.num_layers, encoder.bidirectional, decoder.input_size) == (2, True, 300)
    assert [(kind, s.rows, s.h) for kind, s, _ in steps] == [("concat", 2, 1024), ("linear", 2, 512), ("tanh", 2, 512)]
    assert (state.rows, state.h, state.c) == (2, 512, 512)
    assert handover(context("around_rnnp.yaml")) is None


def test_the_decoder_and_encoder_are_named_where_they_are_written():
    seq2seq = context("around_seq2seq.yaml")
    assert decoder_origin(seq2seq, "hidden_size") == ("decoder", "lstm", "hidden_size")
    assert decoder_origin(seq2seq, "proj_size") == ("decoder", "lstm")  # not written: the section
    assert encoder_name(seq2seq) == "lstm"
    assert encoder_name(context("around_rnnp.yaml")) == "lstm[2]"
    assert state_text(seq2seq, 4, 512) == "(4, 64, 512)"
