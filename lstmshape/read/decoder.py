"""The `decoder` section of a torch config: a seq2seq decoder LSTM whose initial state is the
encoder's final one (the encoder is `lstm`, or the last block of a stack).

    decoder:
      lstm: {input_size: 300, hidden_size: 1024, num_layers: 2}   # nn.LSTM's arguments
      bridge: concat     # what the code does to (hn, cn) first: concat | sum | linear: {...} | tanh,
                         # or a list of these in order; omitted: passed as they are
      seq_len: 20        # the decoder's own steps (target length); default T

Reading only: whether the encoder's state fits the decoder is decided by rules LS132, LS136–LS139.
"""

from __future__ import annotations

from dataclasses import replace

from ..codes import MISSING_KEY, WRONG_STRUCTURE
from ..settings import Config, Decoder, Key, TorchLSTM
from .head import BRIDGE_STEPS, DECODER_KEYS, read_steps
from .reader import INVALID, Reader
from ..frameworks.torch import LSTM_KEYS
from .torch import cross_checks, directions, read_cell, totals
from .values import kind_of


def read_decoder(reader: Reader, data: dict, config: Config | None) -> Config | None:
    """`config` with its decoder (None when the config or the decoder section has errors)."""
    body = data["decoder"]
    if not isinstance(body, dict):
        reader.problem(("decoder",), WRONG_STRUCTURE, f"'decoder' is {kind_of(body)}; expected a mapping with 'lstm' "
                       "(the decoder's nn.LSTM arguments) and optionally 'bridge' and 'seq_len'")
        return None
    reader.unknown_keys(("decoder",), body, DECODER_KEYS)
    ok = all(key in DECODER_KEYS for key in body)
    at = ("decoder", "lstm")
    if "lstm" not in body:
        reader.problem(("decoder",), MISSING_KEY, "'decoder' needs 'lstm': the decoder's nn.LSTM arguments "
                       "(input_size is its own: the target embeddings, not the encoder's output)", key=True)
        return None
    lstm = reader.section("lstm", body, LSTM_KEYS, at=("decoder",))
    bridge = read_steps(reader, ("decoder", "bridge"), body["bridge"], BRIDGE_STEPS) if "bridge" in body else ()
    seq_len = "T"
    if "seq_len" in body:
        seq_len = reader.check_value(("decoder", "seq_len"), Key("seq_len", "dim"), body["seq_len"])
        ok = seq_len is not INVALID and ok
    if lstm is None:
        return None
    ok = directions(reader, lstm, at) is not None and ok
    ok = read_cell(reader, lstm, at) and totals(reader, lstm, at) and ok
    cross_checks(reader, lstm, at)
    if not ok or bridge is None or config is None or "input_size" not in lstm or "hidden_size" not in lstm:
        return None
    return replace(config, decoder=Decoder(TorchLSTM(**lstm), bridge, seq_len))
