"""A key and its alias are both given, with different values.

Aliases (feature_size for input_size, num_units for hidden_size, num_directions for
bidirectional, time_step for seq_len, ...) name the same setting; two different values for it
leave the reader guessing which one the code uses.

Failing example::

    lstm:
      input_size: 10
      feature_size: 12
      hidden_size: 20

Passing example::

    lstm:
      feature_size: 12
      hidden_size: 20
"""

from .. import codes

CODE = codes.CONFLICTING_ALIAS
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
