"""A framework setting that has no effect with the other settings given.

Keras's `merge_mode` is an argument of `keras.layers.Bidirectional`: on a unidirectional LSTM it
does nothing, and a reader of the config would think the output is merged.

Failing example::

    framework: keras
    lstm:
      input_dim: 10
      units: 20
      merge_mode: sum

Passing example::

    framework: keras
    lstm:
      input_dim: 10
      units: 20
      bidirectional: true
      merge_mode: sum
"""

from .. import codes

CODE = codes.NO_EFFECT
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
