"""data.lengths does not give one length per sequence of the batch.

`lengths` is what the code passes to pack_padded_sequence: one length per sequence, so as many as
batch_size (when batch_size is a number). Unsorted lengths are fine with enforce_sorted=False;
with batch_first: true, pass batch_first=True to pack_padded_sequence and pad_packed_sequence
too. Packing needs a batch: unbatched input has no lengths. In a Keras config `lengths` are the
sequence lengths the mask gives (keras.layers.Masking or `mask=`); in an ONNX config, the node's
int32 `sequence_lens` input (with `sequence_lens: true`): the same count and range rules hold.

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    data:
      batch_size: 4
      seq_len: 5
      lengths: [5, 3, 2]

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    data:
      batch_size: 3
      seq_len: 5
      lengths: [5, 2, 3]

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    data: {batch_size: 4, seq_len: 5, lengths: [5, 3, 2]}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 4, seq_len: 5, lengths: [5, 3, 2]}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.LENGTHS_COUNT
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data = context.data
    if data.lengths is None:
        return
    at = context.data_parts("lengths")
    if data.unbatched:
        yield context.problem(at, ID, SEVERITY, "lengths describe a packed batch, but data is unbatched "
                            "(one sequence, no batch dimension): drop lengths or unbatched")
    elif isinstance(data.batch_size, int) and len(data.lengths) != data.batch_size:
        yield context.problem(
            at, ID, SEVERITY,
            f"lengths has {len(data.lengths)} entries but batch_size is {n(data.batch_size)}: "
            f"{context.lengths_user} needs one length per sequence in the batch",
        )


check_keras = check_onnx = check  # the same count, said in the framework's terms (context.lengths_user)
