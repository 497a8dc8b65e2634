"""The head is fed the last time step of a padded, variable-length batch.

With data.lengths, the sequences shorter than seq_len end in padding: output[:, -1] (after
pad_packed_sequence) is zeros for them, not their last real step. Feed hn[-1] (input: hn_last),
which a packed sequence gives at each sequence's own end, or gather output at lengths - 1.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, batch_first: true}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}
    head:
      - linear: {in_features: 20, out_features: 3, input: last_step}

Passing example::

    lstm: {input_size: 10, hidden_size: 20, batch_first: true}
    data: {batch_size: 3, seq_len: 5, lengths: [5, 3, 2]}
    head:
      - linear: {in_features: 20, out_features: 3, input: hn_last}
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.LAST_STEP_PADDING
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    head, data = context.config.head, context.data
    if not head or head[0].kind != "linear" or head[0].input != "last_step" or data.lengths is None:
        return
    longest = max(data.lengths)
    short = [length for length in data.lengths if length < longest]
    if not short:
        return
    shown = ", ".join(n(x) for x in short[:5]) + (", ..." if len(short) > 5 else "")
    yield context.problem(
        head[0].parts + ("linear", "input"), ID, SEVERITY,
        f"input last_step with variable lengths: the sequences of length {shown} end before step "
        f"{n(longest)}, so their last step is padding; use input: hn_last (hn[-1] is taken at each "
        "sequence's own end) or gather output at lengths - 1",
    )
