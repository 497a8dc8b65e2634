"""Where the reader lived before 0.2; these names keep working for one release.

New code imports from `lstmshape.read` (reading a file), `lstmshape.settings` (the data it
yields) and `lstmshape.check` (`load`: reading plus the rules about the settings alone, LS009,
which the reader here used to run itself).
"""

from __future__ import annotations

from .check import judged
from .check import load as read_config
from .problems import Problem
from .read import ConfigError, data_config, load_config, parse_config as read_only_parse_config
from .read import parse_text as read_only_parse_text
from .read.data import DATA_KEYS
from .read.torch import LSTM_KEYS
from .read.values import MAX_SIZE, SYMBOL, Key
from .settings import Config, DataConfig, Dim, LSTMConfig, TorchLSTM
from .yamlload import YamlDoc

SECTIONS = {"lstm": LSTM_KEYS, "data": DATA_KEYS}


def parse_config(doc: YamlDoc) -> tuple[Config | None, list[Problem]]:
    """Reading plus LS009, as before 0.2."""
    return judged(*read_only_parse_config(doc))


def parse_text(text: str | bytes, name: str = "<string>") -> tuple[Config | None, list[Problem]]:
    """Reading plus LS009, as before 0.2."""
    return judged(*read_only_parse_text(text, name))


__all__ = ["Config", "ConfigError", "DATA_KEYS", "DataConfig", "Dim", "Key", "LSTMConfig", "LSTM_KEYS", "MAX_SIZE",
           "SECTIONS", "SYMBOL", "TorchLSTM", "data_config", "load_config", "parse_config", "parse_text",
           "read_config"]
