"""The NumPy forward pass of torch.nn.LSTM, nn.GRU and nn.RNN, exact to rounding error.

Inferring shapes proves little unless a network with those shapes actually runs. This package
runs one with torch's exact semantics (state_dict names, gate orders, two bias vectors,
projections, bidirectional layers, packed variable-length batches), so configs can be checked
and torch's weights run without torch installed:

- reference.py: the answer, as torch documents it, in plain NumPy (`infer --verify` runs it);
- fast.py: the same answer sooner (threads, a compiled cell, packed GEMMs), tested against it;
  `lstm_forward` and `rnn_forward` here are its; calibration.py times which of those runs a
  shape of call fastest on this machine and keeps the answer (the reference, unless another
  beats it by a clear margin);
- inputs.py: what both accept (torch's state_dict layout, x, h0/c0, lengths) and seeded weights.
"""

from .fast import FORWARD_ENV, load_compiled_cell, lstm_forward, rnn_forward
from .inputs import CELL_MODES, init_params, init_rnn_params, param_shapes, rnn_param_shapes

__all__ = ["CELL_MODES", "FORWARD_ENV", "init_params", "init_rnn_params", "load_compiled_cell", "lstm_forward", "param_shapes", "rnn_forward", "rnn_param_shapes"]
