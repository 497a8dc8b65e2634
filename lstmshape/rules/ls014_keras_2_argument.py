"""A Keras 2 argument that Keras 3's layer refuses (time_major).

Keras 2's recurrent layers took `time_major=True` for (timesteps, batch, features) input. Keras 3
has no time-major layout: `keras.layers.LSTM(4, time_major=True)` (or `False`) raises
"Unrecognized keyword arguments passed to LSTM". The input is always (batch, timesteps,
features): remove the key, and transpose time-major data before the layer with
`keras.ops.transpose(x, (1, 0, 2))`.

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      time_major: true

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
"""

from .. import codes

CODE = codes.KERAS_2_ARGUMENT
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
