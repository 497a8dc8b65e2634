"""`expect.output` has hidden_size features where the LSTM gives num_directions × H_out.

A bidirectional LSTM concatenates both directions at every time step, doubling the features;
with proj_size, each direction gives proj_size features, not hidden_size.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, bidirectional: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      output: [5, 32, 20]

Passing example::

    lstm: {input_size: 10, hidden_size: 20, bidirectional: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      output: [5, 32, 40]
"""

from .. import codes
from ..frameworks.context import features, n

CODE = codes.OUTPUT_FEATURES
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for m in context.expect_mismatches:
        if m.kind != "output-features":
            continue
        block = context.blocks[m.block]
        if block.proj_size and m.expected[-1] == block.hidden_size:
            hint = "with proj_size each direction gives proj_size features, not hidden_size"
        else:
            hint = f"a bidirectional {block.kind.torch} doubles the feature size"
        yield context.problem(
            m.parts + (len(m.expected) - 1,), ID, SEVERITY,
            f"{m.label}'s last dimension is {n(m.expected[-1])} but output has {features(block)}: {hint}",
        )
