"""batch_first with batch_size equal to seq_len: a transposed input passes silently.

nn.LSTM checks only the feature size of its input. When batch equals seq_len, an input in the
other layout ((seq, batch, F) given to a batch_first LSTM, e.g. straight from a sequence-first
pipeline) has the right shape, and torch runs it reading time as batch without any error.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, batch_first: true}
    data: {batch_size: 16, seq_len: 16}

Passing example::

    lstm: {input_size: 10, hidden_size: 20, batch_first: true}
    data: {batch_size: 16, seq_len: 50}
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.SILENT_INPUT_TRANSPOSE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data, block = context.data, context.blocks[0]
    if data.unbatched or not block.batch_first:
        return
    if isinstance(data.batch_size, int) and isinstance(data.seq_len, int) and data.batch_size == data.seq_len:
        yield context.problem(
            context.data_parts("seq_len"), ID, SEVERITY,
            f"seq_len {n(data.seq_len)} equals batch_size {n(data.batch_size)} with batch_first: true: an input "
            f"in (seq, batch, features) layout has the same shape as (batch, seq, features), and torch accepts "
            "it silently, swapping time and batch",
        )
