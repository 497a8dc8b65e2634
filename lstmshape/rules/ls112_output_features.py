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

from . import features, n
from ._expect import mismatches

ID = "LS112"
NAME = "output-features"
SUMMARY = "`expect.output` has hidden_size features where the LSTM gives num_directions × H_out."
SEVERITY = "error"


def check(model):
    for m in mismatches(model):
        if m.kind != "output-features":
            continue
        block = model.blocks[m.block]
        if block.proj_size and m.expected[-1] == block.hidden_size:
            hint = "with proj_size each direction gives proj_size features, not hidden_size"
        else:
            hint = "a bidirectional LSTM doubles the feature size"
        yield model.problem(
            m.parts + (len(m.expected) - 1,), ID, SEVERITY,
            f"{m.label}'s last dimension is {n(m.expected[-1])} but output has {features(block)}: {hint}",
        )
