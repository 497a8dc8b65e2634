"""The ONNX node's 4-D Y is read as a 3-D sequence output (torch's output).

The ONNX LSTM node's Y is (seq, num_directions, batch, hidden_size) with layout 0 and (batch, seq,
num_directions, hidden_size) with layout 1: the directions are an axis of their own. torch's
(seq, batch, num_directions × hidden_size) output is what exporters make of it with a Transpose
and a Reshape (torch.onnx emits Squeeze(axes=[1]) for one direction): expect the 4-D Y, and write
the glue where the code reads a 3-D sequence.

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional}
    data: {batch_size: 32, seq_len: 5}
    expect:
      Y: [5, 32, 40]

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional}
    data: {batch_size: 32, seq_len: 5}
    expect:
      Y: [5, 2, 32, 20]
"""

from .. import codes
from ..frameworks.context import listed, shape

CODE = codes.ONNX_Y_RANK
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_onnx(context):
    for m in context.expect_mismatches:
        if m.kind == "onnx-y-rank":
            block = context.blocks[m.block]
            axes = "(seq, num_directions, batch, hidden_size)" if block.layout == 0 else \
                "(batch, seq, num_directions, hidden_size)"
            yield context.problem(
                m.parts, ID, SEVERITY,
                f"{m.label} is {listed(m.expected)} but Y is 4-D {shape(m.tensor.shape)}, {axes} with layout "
                f"{block.layout}: a 3-D sequence is torch's output, which exporters make of Y with "
                f"{context.glue(m.block)}")
