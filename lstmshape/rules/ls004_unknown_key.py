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

ID = "LS004"
NAME = "unknown-key"
SUMMARY = "A key lstmshape does not know: usually a typo."
SEVERITY = "error"
check = None
