"""proj_size on the wrong state: c0/cn keep hidden_size, h0/hn have proj_size features.

With proj_size > 0 (LSTMP), h is projected: h0, hn and output carry proj_size features per
direction, while the cell state c0/cn keeps hidden_size. An LSTM's rule only: nn.GRU and nn.RNN
have neither a projection (proj_size with them is LS008) nor a cell state (LS117).

Failing example::

    lstm: {input_size: 80, hidden_size: 64, proj_size: 16}
    data: {batch_size: 4, seq_len: 100}
    expect:
      c0: [1, 4, 16]

Passing example::

    lstm: {input_size: 80, hidden_size: 64, proj_size: 16}
    data: {batch_size: 4, seq_len: 100}
    expect:
      c0: [1, 4, 64]
      h0: [1, 4, 16]
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.PROJ_SIZE_CONFUSION
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for m in context.expect_mismatches:
        if m.kind != "proj-size":
            continue
        block = context.blocks[m.block]
        if m.name in ("c0", "cn"):
            what = (f"is proj_size {n(block.proj_size)} but the cell state {m.name} keeps hidden_size "
                    f"{n(block.hidden_size)}: only h is projected")
        else:
            what = (f"is hidden_size {n(block.hidden_size)} but {m.name} has proj_size {n(block.proj_size)} "
                    "features: h is projected, only c keeps hidden_size")
        yield context.problem(m.parts + (len(m.expected) - 1,), ID, SEVERITY,
                            f"{m.label}'s last dimension {what}")
