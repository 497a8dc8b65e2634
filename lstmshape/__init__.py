"""lstmshape: the tensor shapes of LSTM networks, from a YAML config, worked out and explained.

```python
from lstmshape import load_config, infer
results = infer(load_config("configs/bilstm.yaml"))
results[0].shapes["hn"]   # (4, 32, 20)
```
"""

from .read import ConfigError, load_config
from .settings import Config, DataConfig, KerasLSTM, OnnxLSTM, TorchLSTM
from .frameworks import infer
from .frameworks.torch import TorchShapes

__all__ = ["Config", "ConfigError", "DataConfig", "KerasLSTM", "OnnxLSTM", "TorchLSTM", "TorchShapes", "infer",
           "load_config"]
__version__ = "0.1.0"
