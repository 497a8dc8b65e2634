"""data.lengths is given but the ONNX node has no sequence_lens input.

Without the optional `sequence_lens` input the ONNX LSTM node runs every sequence of the batch for
all seq_len steps: Y_h and Y_c are the states after the padding, not after each sequence's last
step. Set `sequence_lens: true` in `lstm` and feed the lengths as the int32 (batch,) input.

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, sequence_lens: true}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}
"""

from .. import codes

CODE = codes.LENGTHS_WITHOUT_SEQUENCE_LENS
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_onnx(context):
    if context.data.lengths is None:
        return
    for k, block in enumerate(context.blocks):  # every block of a stack takes the lengths
        if block.sequence_lens:
            continue
        yield context.problem(
            context.data_parts("lengths"), ID, SEVERITY,
            f"data.lengths is given but the node has no sequence_lens input ({context.block_name(k)}.sequence_lens "
            "is false): it runs "
            "every sequence for all seq_len steps, so Y_h/Y_c are the states after the padding; set "
            "sequence_lens: true and feed the lengths as the int32 (batch,) input", key=True)
