"""A value of the wrong type: e.g. 20.0 or '1e3' where an integer is needed.

torch.nn.LSTM accepts `hidden_size=20.0` in its constructor and fails much later, deep inside the
forward pass; YAML reads `1e3` as a string. Sizes must be integers, flags booleans.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20.0

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
"""

from .. import codes

CODE = codes.WRONG_TYPE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
