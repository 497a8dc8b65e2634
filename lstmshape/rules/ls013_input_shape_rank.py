"""A Keras input_shape / batch_input_shape does not give the layer (batch, timesteps, features).

keras.layers.LSTM (GRU, SimpleRNN) reads a 3-D input. `input_shape` (as in Keras 2's
`LSTM(32, input_shape=(10, 64))`, or `keras.Input(shape=(10, 64))`) leaves the batch out: Keras adds
it. So `input_shape: [15]`, a sequence with no time axis, reaches the layer 2-D and Keras raises
"expected ndim=3, found ndim=2": reshape the data to (batch, 15, 1) (15 steps of one feature) or
(batch, 1, 15) (one step of 15 features). A 3-element input_shape that includes the batch reaches
it 4-D; `batch_input_shape` (Keras 3: `keras.Input(batch_shape=...)`) is the one that starts with
the batch. The features (last size) must be known: Keras builds the kernel from them. Give one
of the two keys, not both.

Failing example::

    framework: keras
    lstm:
      units: 32
      input_shape: [15]

Passing example::

    framework: keras
    lstm:
      units: 32
      input_shape: [15, 1]
"""

from .. import codes

CODE = codes.INPUT_SHAPE_RANK
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
