"""A required key (input_size, hidden_size) is absent.

`lstm` needs input_size and hidden_size (a stack's blocks after the first take input_size from the
block before); a head `linear` layer needs in_features and out_features.

Failing example::

    lstm:
      hidden_size: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
"""

from .. import codes

CODE = codes.MISSING_KEY
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
