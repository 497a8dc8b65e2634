"""An activation or recurrent_activation that keras.activations does not know.

Keras looks activation names up case-sensitively (`keras.activations.get`): `Tanh`, `ReLU` or
`hardsigmoid` raise "Could not interpret activation function identifier". The message names the
close match (`tanh`, `relu`, `hard_sigmoid`); null is the linear activation. A non-default
activation changes no shape, but torch.nn.LSTM has fixed tanh and sigmoid, so `infer --as torch`
refuses it (LS201).

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      activation: ReLU

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      activation: relu
"""

from .. import codes

CODE = codes.UNKNOWN_ACTIVATION
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
