"""data.enforce_sorted is true but data.lengths is not sorted in decreasing order.

`torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=True)` (the default) raises
`RuntimeError: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True.
You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this
requirement if you do not need ONNX exportability.` Fix: sort the batch by length, longest
first (a collate_fn that sorts), or pass enforce_sorted=False (torch then sorts and unsorts for
you). Write `enforce_sorted` in `data` as the code passes it; unsaid, it is not checked. Equal
lengths side by side are sorted: torch wants them non-increasing, so `[7, 4, 4]` packs.

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    data:
      batch_size: 3
      seq_len: 5
      lengths: [5, 2, 3]
      enforce_sorted: true

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    data:
      batch_size: 3
      seq_len: 5
      lengths: [5, 3, 3]
      enforce_sorted: true
"""

from .. import codes
from ..frameworks.context import listed, n

CODE = codes.LENGTHS_UNSORTED
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data = context.data
    if not data.enforce_sorted or not data.lengths:
        return
    lengths = data.lengths
    first = next((i for i in range(1, len(lengths)) if lengths[i] > lengths[i - 1]), None)
    if first is None:
        return
    shown = listed(lengths[:8]) if len(lengths) <= 8 else listed(lengths[:8])[:-1] + ", …]"
    yield context.problem(
        context.data_parts("lengths"), ID, SEVERITY,
        f"lengths {shown} is not sorted in decreasing order (lengths[{first}] = {n(lengths[first])} > "
        f"lengths[{first - 1}] = {n(lengths[first - 1])}) but enforce_sorted is true: pack_padded_sequence raises "
        "'`lengths` array must be sorted in decreasing order when `enforce_sorted` is True'; sort the batch "
        "longest first, or pass enforce_sorted=False",
    )
