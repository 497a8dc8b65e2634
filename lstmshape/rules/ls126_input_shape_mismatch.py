"""A Keras input_shape / batch_input_shape disagrees with input_dim or data.seq_len.

The declared input is what `keras.Input(shape=...)` (or `batch_shape=...`) builds the model for:
its features must be input_dim (the kernel is built from them), and a concrete time axis must be
data.seq_len, else the functional model refuses the batch ("expected shape=(None, 10, 64), found
shape=(32, 12, 64)"). Write null in input_shape for sequences of any length. (A keras.Sequential
whose first layer got input_shape does not check the time axis; a keras.Model does.)

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      input_shape: [10, 64]
    data:
      seq_len: 12

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      input_shape: [null, 64]
    data:
      seq_len: 12
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.INPUT_SHAPE_MISMATCH
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def declared(context, k: int, block) -> tuple[tuple, str, int]:
    """Where block k's declared input was written, the key as written, and the index of its time axis."""
    key = "batch_input_shape" if block.arguments.batch_input_shape is not None else "input_shape"
    parts = context.origin(k, key)
    return parts, str(parts[-1]), 1 if key == "batch_input_shape" else 0


def written(dims) -> str:
    return "[" + ", ".join("null" if d is None else n(d) for d in dims) + "]"


def check_keras(context):
    for k, block in enumerate(context.blocks):
        shape = block.declared_input
        if shape is None:
            continue
        parts, key, time = declared(context, k, block)
        given = block.arguments.batch_input_shape if block.arguments.batch_input_shape is not None else block.arguments.input_shape
        if shape[2] != block.input_dim:
            yield context.problem(
                parts + (time + 1,), ID, SEVERITY,
                f"{key} {written(given)} gives {n(shape[2])} features but input_dim is {n(block.input_dim)}: the "
                f"model is built for {n(shape[2])} (the kernel's first axis) and refuses a batch of "
                f"{n(block.input_dim)} features",
            )
        seq_len = context.data.seq_len
        if isinstance(shape[1], int) and isinstance(seq_len, int) and shape[1] != seq_len:
            yield context.problem(
                parts + (time,), ID, SEVERITY,
                f"{key} {written(given)} fixes {n(shape[1])} time steps but data.seq_len is {n(seq_len)}: "
                f"keras.Model refuses the batch (\"expected shape=({'None' if shape[0] is None else n(shape[0])}, "
                f"{n(shape[1])}, {n(shape[2])}), found "
                f"shape=(…, {n(seq_len)}, {n(shape[2])})\"); write null for sequences of any length",
            )
