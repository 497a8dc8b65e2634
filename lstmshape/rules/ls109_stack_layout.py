"""Stacked blocks disagree on batch_first, so a block reads the one before it transposed.

nn.LSTM checks only the last dimension of its input: a block with batch_first: false fed the
(batch, seq, features) output of a batch_first block reads batch as time and time as batch,
without any error. Transpose between the blocks (and say so here by making them agree), or use
one layout throughout.

Failing example::

    lstm:
      - {input_size: 10, hidden_size: 20, batch_first: true}
      - {hidden_size: 8}

Passing example::

    lstm:
      - {input_size: 10, hidden_size: 20, batch_first: true}
      - {hidden_size: 8, batch_first: true}
"""

from .. import codes

CODE = codes.STACK_LAYOUT
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    if context.data.unbatched:
        return
    blocks = context.blocks
    for k in range(1, len(blocks)):
        if blocks[k].batch_first != blocks[k - 1].batch_first:
            before = "(batch, seq, features)" if blocks[k - 1].batch_first else "(seq, batch, features)"
            reads = "(batch, seq, features)" if blocks[k].batch_first else "(seq, batch, features)"
            at = context.origin(k, "batch_first")
            yield context.problem(
                at, ID, SEVERITY,
                f"lstm[{k}] has batch_first {str(blocks[k].batch_first).lower()} but lstm[{k - 1}] has "
                f"{str(blocks[k - 1].batch_first).lower()}: lstm[{k - 1}]'s output is {before} and lstm[{k}] "
                f"reads it as {reads}; torch checks only the feature size, so batch and time are swapped silently",
            )
