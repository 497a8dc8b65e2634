"""A Keras LSTM is given 2-D input: it needs (batch, seq_len, features), 'expected ndim=3'.

Keras raises `Input 0 of layer "lstm" is incompatible with the layer: expected ndim=3, found
ndim=2` when 2-D data (batch, features) reaches a recurrent layer: there is no time axis. Give
every sample a time axis (`x.reshape(batch, seq_len, features)`, or `x[:, None, :]` for one step)
and say so in `expect.input`.

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 15, units: 20}
    data: {batch_size: 32, seq_len: 1}
    expect:
      input: [32, 15]

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 15, units: 20}
    data: {batch_size: 32, seq_len: 1}
    expect:
      input: [32, 1, 15]
"""

from .. import codes
from ..frameworks.context import listed, shape

CODE = codes.KERAS_INPUT_NDIM
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_keras(context):
    for m in context.expect_mismatches:
        if m.kind == "keras-input-ndim":
            yield context.problem(
                m.parts, ID, SEVERITY,
                f"{m.label} is {listed(m.expected)} but a Keras recurrent layer needs (batch, seq_len, features) {shape(m.tensor.shape)}: Keras raises 'expected ndim=3, found "
                "ndim=2'; 2-D data has no time axis: reshape it to (batch, seq_len, features), e.g. x[:, None, :] "
                "for one time step")
