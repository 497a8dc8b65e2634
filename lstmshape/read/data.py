"""The `data` section: the input the LSTM is called with (shared by every framework)."""

from __future__ import annotations

from ..settings import DataConfig
from .reader import Reader
from .values import Key

DATA_KEYS = (
    Key("batch_size", "dim"),
    # every name of the glossary: seq_len = time_step = sequence_length = node_num = number of frames
    Key("seq_len", "dim", ("time_step", "time_steps", "timesteps", "sequence_length", "seq_length", "num_frames",
                           "frames", "n_frames", "number_of_frames", "node_num", "num_nodes")),
    Key("unbatched", "bool"),
    Key("lengths", "lengths"),
    Key("enforce_sorted", "bool"),  # pack_padded_sequence's
    Key("dataset_size", "positive_int"),  # sequences per epoch, for the DataLoader's last batch
    Key("drop_last", "bool"),  # the DataLoader's
)


def read_data(reader: Reader, data: dict) -> dict | None:
    """The checked `data` values ({} when the section is absent, None when it is not a mapping)."""
    return reader.section("data", data, DATA_KEYS) if "data" in data else {}


def data_config(values: dict) -> DataConfig:
    """The checked `data` section as a DataConfig (lengths as a tuple: the config stays hashable)."""
    if "lengths" in values:
        values = {**values, "lengths": tuple(values["lengths"])}
    return DataConfig(**values)
