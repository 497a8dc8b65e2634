"""A sequence length in data.lengths is not in 1..seq_len.

pack_padded_sequence refuses a length of 0, and a length beyond the padded seq_len points past
the end of the tensor. The same holds for a Keras mask's lengths and for the ONNX node's
`sequence_lens` (each in 1..seq_len).

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    data:
      batch_size: 3
      seq_len: 5
      lengths: [6, 3, 2]

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    data:
      batch_size: 3
      seq_len: 6
      lengths: [6, 3, 2]

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    data: {batch_size: 3, seq_len: 5, lengths: [6, 3, 2]}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    data: {batch_size: 3, seq_len: 6, lengths: [6, 3, 2]}

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 3, seq_len: 5, lengths: [6, 3, 2]}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 3, seq_len: 6, lengths: [6, 3, 2]}
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.LENGTHS_RANGE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data = context.data
    if data.lengths is None or not isinstance(data.seq_len, int):
        return
    at = context.data_parts("lengths")
    for i, length in enumerate(data.lengths):
        if length > data.seq_len:
            yield context.problem(
                at + (i,), ID, SEVERITY,
                f"lengths[{i}] is {n(length)} but seq_len is {n(data.seq_len)}: a sequence cannot be longer "
                "than the padded batch",
            )


check_keras = check_onnx = check  # the same range for a mask and for sequence_lens
