"""A value outside what torch.nn.LSTM accepts.

Sizes are positive, dropout is in [0, 1], num_directions is 1 or 2, proj_size is smaller than
hidden_size, a head layer's `input` is one of output, last_step, hn_last, hn_concat.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      proj_size: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      proj_size: 8
"""

from .. import codes

CODE = codes.OUT_OF_RANGE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
