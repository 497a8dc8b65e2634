"""The ONNX node takes sequence_lens but data.lengths does not say them.

With `sequence_lens: true` the node reads one length per batch element, each in 1..seq_len, and
lstmshape checks those rules (LS106, LS107) against `data.lengths`. Without `lengths` nothing
checks them: give the lengths the code feeds (or drop sequence_lens if every sequence is full).

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 3, seq_len: 5}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}
"""

from .. import codes

CODE = codes.SEQUENCE_LENS_WITHOUT_LENGTHS
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_onnx(context):
    if context.data.lengths is not None:
        return
    for k, block in enumerate(context.blocks):
        if not block.sequence_lens:
            continue
        yield context.problem(
            context.origin(k, "sequence_lens"), ID, SEVERITY,
            "sequence_lens: true but data.lengths is not given: the node reads one length per batch element, "
            "each in 1..seq_len, and nothing checks them; give data.lengths")
