"""The `data` section: the input the LSTM is called with (shared by every framework)."""

from __future__ import annotations

from ..settings import NO_STATE, STATE_NAMES, DataConfig, Key
from .reader import Reader
from .values import state_names

DATA_KEYS = (
    Key("batch_size", "dim",
        doc="The batch dimension: a positive integer or a symbol such as B (default N)."),
    # every name of the glossary: seq_len = time_step = sequence_length = node_num = number of frames
    Key("seq_len", "dim", ("time_step", "time_steps", "timesteps", "sequence_length", "seq_length", "num_frames",
                           "frames", "n_frames", "number_of_frames", "node_num", "num_nodes"),
        doc="The sequence length: a positive integer or a symbol such as T (default L)."),
    Key("unbatched", "bool",
        doc="PyTorch's unbatched 2-D input: no batch dimension anywhere (default false)."),
    Key("lengths", "lengths",
        doc="A packed batch: one length per sequence, each in 1..seq_len."),
    Key("enforce_sorted", "bool",
        doc="pack_padded_sequence's enforce_sorted."),
    Key("dataset_size", "positive_int",
        doc="Sequences per epoch, for the DataLoader's last batch."),
    Key("drop_last", "bool",
        doc="The DataLoader's drop_last (default false)."),
    Key("state", "state", ("initial_state", "hidden_state", "hx"),
        doc="The initial state the code passes: none, one tensor (h0: `lstm(x, h0)`) or a list "
            "([h0, c0]: `lstm(x, (h0, c0))`; Keras initial_state=[h, c])."),
)


def read_data(reader: Reader, data: dict) -> dict | None:
    """The checked `data` values ({} when the section is absent, None when it is not a mapping)."""
    return reader.section("data", data, DATA_KEYS) if "data" in data else {}


def data_config(values: dict) -> DataConfig:
    """The checked `data` section as a DataConfig (lengths as a tuple: the config stays hashable)."""
    if "lengths" in values:
        values = {**values, "lengths": tuple(values["lengths"])}
    if "state" in values:
        values = {**values, "state": canonical_state(state_names(values["state"]))}
    return DataConfig(**values)


def canonical_state(names: str | tuple) -> str | tuple:
    """data.state in the canonical names: "none", "h0" or a tuple such as ("h0", "c0")."""
    if names == NO_STATE:
        return NO_STATE
    if isinstance(names, tuple):
        return tuple(STATE_NAMES[n] for n in names)
    return STATE_NAMES[names]
