"""An h0/c0/hn/cn shape in `expect` is written batch-first: (batch, D*num_layers, H).

batch_first: true changes the layout of input and output only. The states h0, c0, hn and cn
always put num_directions × num_layers first: (D*num_layers, batch, H). torch raises "Expected
hidden[0] size ..." for a batch-first h0, unless batch happens to equal D*num_layers (LS114).
A GRU or RNN (`cell: gru | rnn`) has h0 and hn only, laid out the same way; the message then
names those.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2, batch_first: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      h0: [32, 2, 20]

Passing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2, batch_first: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      h0: [2, 32, 20]
"""

from .. import codes
from ..frameworks.context import listed, n, shape, states

CODE = codes.STATE_BATCH_FIRST
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for m in context.expect_mismatches:
        if m.kind != "state-batch-first":
            continue
        block = context.blocks[m.block]
        rows = m.tensor.shape[0]
        cause = ("batch_first: true changes input and output only" if block.batch_first
                 else "states are never batch-first")
        yield context.problem(
            m.parts, ID, SEVERITY,
            f"{m.label} is {listed(m.expected)}, written batch-first, but {m.name} is {shape(m.tensor.shape)}: "
            f"{cause}; {states(block)} are always (num_directions × num_layers = {n(rows)}, batch, features)",
        )
