"""lstmshape: the tensor shapes of LSTM networks, from a YAML config, worked out and explained.

    from lstmshape import load_config, infer
    results = infer(load_config("configs/bilstm.yaml"))
    results[0].shapes["hn"]   # (4, 32, 20)
"""

from .config import Config, ConfigError, DataConfig, LSTMConfig, load_config
from .shapes import Inference, infer

__all__ = ["Config", "ConfigError", "DataConfig", "Inference", "LSTMConfig", "infer", "load_config"]
__version__ = "0.1.0"
