"""batch_input_shape's batch differs from data.batch_size; Keras checks it only when stateful.

`keras.Input(batch_shape=(32, ...))` declares a batch of 32, but a layer that is not stateful
runs on any batch size: Keras does not compare the batch axis, so a model declared for 32 runs on
16 without a word. The config says two different things; lstmshape's shapes use data.batch_size.
Make them agree, or write null for the batch.

Failing example::

    framework: keras
    lstm:
      units: 32
      batch_input_shape: [32, 10, 64]
    data:
      batch_size: 16

Passing example::

    framework: keras
    lstm:
      units: 32
      batch_input_shape: [null, 10, 64]
    data:
      batch_size: 16
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.BATCH_SHAPE_UNCHECKED
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_keras(context):
    for k, block in enumerate(context.blocks):
        shape = block.declared_input
        batch, data_batch = (shape[0] if shape is not None else None), context.data.batch_size
        if not block.arguments.stateful and isinstance(batch, int) and isinstance(data_batch, int) and batch != data_batch:
            parts = context.origin(k, "batch_input_shape")
            yield context.problem(
                parts + (0,), ID, SEVERITY,
                f"{parts[-1]} declares batch {n(batch)} but data.batch_size is {n(data_batch)}: Keras does not "
                f"check the batch axis of a layer that is not stateful, so the model runs on {n(data_batch)} "
                f"(the shapes here use {n(data_batch)}); make them agree, or write null for the batch",
            )
