"""`expect.output` has seq_len time steps, but a packed batch comes back with max(lengths).

pad_packed_sequence pads only to the longest sequence in the batch: with data.lengths all shorter
than seq_len, the output has max(lengths) time steps unless the code passes total_length=seq_len.
Write max(lengths) in `expect.output` (or make sure total_length is passed).

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 3, seq_len: 8, lengths: [5, 3, 2]}
    expect:
      output: [8, 3, 20]

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 3, seq_len: 8, lengths: [5, 3, 2]}
    expect:
      output: [5, 3, 20]
"""

from .. import codes
from ..frameworks.context import n
from ..frameworks.head import same

CODE = codes.PACKED_OUTPUT_LENGTH
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data = context.data
    if not data.lengths or not isinstance(data.seq_len, int) or max(data.lengths) >= data.seq_len:
        return
    wrong = {(m.block, m.name) for m in context.expect_mismatches}
    for k, name, expected, parts in context.expects(("output",)):
        axis = context.time_axis(k)
        if (k, name) in wrong or axis >= len(expected) or not same(expected[axis], data.seq_len):
            continue
        yield context.problem(
            parts + (axis,), ID, SEVERITY,
            f"expect.output has {n(data.seq_len)} time steps (seq_len) but pad_packed_sequence returns "
            f"max(lengths) = {n(max(data.lengths))} unless called with total_length={n(data.seq_len)}",
        )
