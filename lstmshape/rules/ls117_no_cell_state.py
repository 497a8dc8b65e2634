"""`expect` gives c0 or cn for a GRU or RNN, which has no cell state.

nn.GRU and nn.RNN keep h alone: they take `h0` (not `(h0, c0)`) and return `output, hn`. Code
ported from an LSTM that still builds c0 or unpacks `output, (hn, cn)` fails at run time
(`too many values to unpack`, or a tuple passed where torch wants a tensor). Only an LSTM
(`cell: lstm`, the default) has c0 and cn.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, cell: gru}
    data: {batch_size: 4, seq_len: 5}
    expect:
      h0: [1, 4, 20]
      c0: [1, 4, 20]

Passing example::

    lstm: {input_size: 10, hidden_size: 20, cell: gru}
    data: {batch_size: 4, seq_len: 5}
    expect:
      h0: [1, 4, 20]
      hn: [1, 4, 20]
"""

from .. import codes

CODE = codes.NO_CELL_STATE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for k, name, _, parts in context.expects(("c0", "cn")):
        block = context.blocks[k]
        if block.has_cell_state:
            continue
        module = block.kind.torch
        yield context.problem(parts, ID, SEVERITY,
                              f"expect.{name}: nn.{module} has no cell state ({context.block_name(k)} cell: {block.cell}); "
                              f"it takes h0 alone and returns output, hn", key=True)
