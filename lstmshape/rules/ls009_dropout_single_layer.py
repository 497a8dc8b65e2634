"""dropout > 0 with num_layers == 1 has no effect (torch warns).

torch.nn.LSTM applies dropout to the outputs of every layer except the last, so with one layer
there is nothing to drop: the setting is silently useless (torch only warns once, at
construction). Put a `dropout` layer in the head instead, or stack more layers. Every block of
a stack is its own nn.LSTM, so each is checked, at its own `dropout`. Reported when the config is
read, so `lstmshape infer` shows it too.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      dropout: 0.3

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      num_layers: 2
      dropout: 0.3
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.DROPOUT_SINGLE_LAYER
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
STAGE = "config"


def check(context):
    for k, block in enumerate(context.blocks):
        if block.dropout > 0 and block.num_layers == 1:
            yield context.problem(
                context.origin(k, "dropout"), ID, SEVERITY,
                f"dropout {block.dropout} has no effect with num_layers {n(block.num_layers)}: torch applies "
                "dropout between stacked layers only (and warns)",
            )
