"""A key lstmshape does not know: usually a typo.

An unknown key would be ignored by a training script too, silently: `bidirectinal: true` leaves
the LSTM unidirectional. The message suggests the closest known key.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectinal: true

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectional: true
"""

from .. import codes

CODE = codes.UNKNOWN_KEY
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
