"""A stateful Bidirectional layer with return_state, which Keras 3 fails to build.

`Bidirectional(LSTM(units, stateful=True, return_state=True))` raises in Keras 3 (3.15) as soon as
it is called: `Bidirectional.compute_mask` fails with "TypeError: unsupported operand type(s) for
*: 'generator' and 'int'", on symbolic and on real inputs alike. The same layer without
return_state runs, and so does a non-stateful one with return_state. A stateful layer keeps its
final states anyway (`layer.forward_layer.states`, `layer.backward_layer.states`): read them there,
or drop stateful. tests/frameworks/test_keras.py checks this against the installed Keras, so a Keras
that fixes it fails that test and this rule goes.

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      bidirectional: true
      stateful: true
      return_state: true
    data:
      batch_size: 16

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      bidirectional: true
      stateful: true
    data:
      batch_size: 16
"""

from .. import codes

CODE = codes.STATEFUL_BIDIRECTIONAL_STATE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_keras(context):
    for k, block in enumerate(context.blocks):
        if block.arguments.stateful and block.bidirectional and block.return_state:
            yield context.problem(
                context.origin(k, "return_state"), ID, SEVERITY,
                "return_state with stateful and bidirectional: Keras 3 fails to build this layer "
                "(Bidirectional.compute_mask raises \"TypeError: unsupported operand type(s) for *: 'generator' "
                "and 'int'\"); a stateful layer keeps its final states in forward_layer.states and "
                "backward_layer.states, so drop return_state (or stateful)",
            )
