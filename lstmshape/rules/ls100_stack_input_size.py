"""A stacked block's input_size differs from the output features of the block before it.

With `lstm` given as a list of blocks (separate nn.LSTM modules called one after the other), block
k+1 reads block k's output, which has num_directions × H_out features (H_out is proj_size when
projecting, else hidden_size). Leave input_size out of blocks after the first to have it derived.

Failing example::

    lstm:
      - {input_size: 10, hidden_size: 20, bidirectional: true}
      - {input_size: 20, hidden_size: 8}

Passing example::

    lstm:
      - {input_size: 10, hidden_size: 20, bidirectional: true}
      - {input_size: 40, hidden_size: 8}
"""

from .. import codes
from .context import features

CODE = codes.STACK_INPUT_SIZE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    blocks = context.blocks
    for k in range(1, len(blocks)):
        if context.config.joins and context.config.joins[k]:
            continue  # a block after a join reads what the join hands on: LS130
        before, block = blocks[k - 1], blocks[k]
        want = before.num_directions * before.h_out
        if block.input_size != want:
            hint = ""
            if before.bidirectional and block.input_size == before.h_out:
                hint = f": a bidirectional {before.kind.torch} doubles the feature size"
            elif before.proj_size and block.input_size == before.hidden_size:
                hint = ": with proj_size the output has proj_size features, not hidden_size"
            yield context.problem(
                context.origin(k, "input_size"), ID, SEVERITY,
                f"lstm[{k}].input_size is {block.input_size} but lstm[{k - 1}]'s output has "
                f"{features(before)}{hint}",
            )
