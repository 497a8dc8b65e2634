"""A stateful Keras layer without one fixed batch size.

`stateful=True` keeps h (and c) between calls as variables of shape (batch, units), created when
the layer is built: Keras needs the batch size then, and raises "When using `stateful=True` in a
RNN, the batch size must be static" for a symbolic one. Give data.batch_size (lstmshape then shows
`keras.Input(batch_shape=(32, ...))`) or batch_input_shape with a batch. Every later batch must
have that size ("the batch size of the input sequences must be the same as the batch size of the
initial state"), so a batch_input_shape batch that differs from data.batch_size is an error too.

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      stateful: true

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      stateful: true
    data:
      batch_size: 16
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.STATEFUL_BATCH
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_keras(context):
    shape = context.blocks[0].declared_input  # a stack's input is declared on its first block only
    batch = shape[0] if shape is not None else None
    mismatch_said = False
    for k, block in enumerate(context.blocks):
        if not block.arguments.stateful:
            continue
        data_batch = context.data.batch_size
        if batch is None and not isinstance(data_batch, int):
            states = "h and c" if block.has_cell_state else "h"
            yield context.problem(
                context.origin(k, "stateful"), ID, SEVERITY,
                f"stateful true needs one fixed batch size, and the batch here is {data_batch}: Keras builds {states} "
                f"as (batch, units) variables and raises \"When using `stateful=True` in a RNN, the batch size must "
                f"be static\"; give data.batch_size, or batch_input_shape [batch, timesteps, features]",
            )
        elif batch is not None and isinstance(data_batch, int) and batch != data_batch and not mismatch_said:
            mismatch_said = True
            parts = context.origin(0, "batch_input_shape")
            yield context.problem(
                parts + (0,), ID, SEVERITY,
                f"{parts[-1]} builds the stateful layer's states for batch {n(batch)} but data.batch_size is "
                f"{n(data_batch)}: Keras raises \"the batch size of the input sequences must be the same as the "
                f"batch size of the initial state\"",
            )
