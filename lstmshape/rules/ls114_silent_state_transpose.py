"""batch_size equals num_directions × num_layers: a transposed h0/c0 passes silently.

The states are (D*num_layers, batch, H). When batch equals D*num_layers, an h0 built the other
way round (batch-first, as batch_first: true tempts one to) has exactly the right shape: torch
accepts it and mixes up batch rows and layers without an error. Reported for batch_first LSTMs
and wherever `expect` names a state. Build states as (D*num_layers, batch, H), or change the
batch size in tests so that the two differ.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2, batch_first: true}
    data: {batch_size: 2, seq_len: 5}

Passing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2, batch_first: true}
    data: {batch_size: 8, seq_len: 5}
"""

from .. import codes
from ..frameworks.context import n
from ..frameworks.context import states as state_names
from ..frameworks.torch import STATES

CODE = codes.SILENT_STATE_TRANSPOSE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data = context.data
    if data.unbatched or not isinstance(data.batch_size, int):
        return
    states = {k for k, *_ in context.expects(STATES)}
    for k, block in enumerate(context.blocks):
        rows = block.num_directions * block.num_layers
        if data.batch_size != rows or not (block.batch_first or k in states):
            continue
        yield context.problem(
            context.data_parts("batch_size"), ID, SEVERITY,
            f"batch_size {n(data.batch_size)} equals num_directions {block.num_directions} × num_layers "
            f"{n(block.num_layers)}{' of ' + context.block_name(k) if context.stacked else ''}: an {state_names(block, final=False)} built "
            f"batch-first (batch, {n(rows)}, H) has the same shape as the right ({n(rows)}, batch, H), and torch "
            "accepts it silently, mixing batch rows with layers",
        )
        return
