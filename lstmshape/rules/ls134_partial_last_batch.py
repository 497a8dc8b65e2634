"""h0/c0 are built for batch_size, but the last batch of each epoch is smaller.

With `data.dataset_size` given and the DataLoader's `drop_last: false` (its default), an epoch
ends with a batch of dataset_size mod batch_size sequences. States built once for the full batch
(an `expect` h0/c0 whose batch dimension is batch_size: `self.h0 = torch.zeros(L, 32, H)`) then
no longer fit: torch.nn.LSTM raises `Expected hidden[0] size (2, 8, 20), got [2, 32, 20]` on the
last batch of the first epoch, after every full batch has trained. Fix: build h0/c0 from the
batch in hand (`x.size(1)`, or `x.size(0)` with batch_first), or `drop_last: true`. No problem
when dataset_size is a multiple of batch_size.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2}
    data: {batch_size: 32, seq_len: 5, dataset_size: 1000}
    expect:
      h0: [2, 32, 20]

Passing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2}
    data: {batch_size: 32, seq_len: 5, dataset_size: 1000, drop_last: true}
    expect:
      h0: [2, 32, 20]
"""

from .. import codes
from ..frameworks.context import listed, n, shape

CODE = codes.PARTIAL_LAST_BATCH
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def last_batch(data) -> tuple[int, int] | None:
    """(number of batches per epoch, sequences in the last) when the last batch is partial."""
    size, batch = data.dataset_size, data.batch_size
    if size is None or data.drop_last or data.unbatched or not isinstance(batch, int) or size % batch == 0:
        return None
    return -(-size // batch), size % batch


def check(context):
    data = context.data
    found = last_batch(data)
    if found is None:
        return
    batches, rest = found
    seen = set()
    for k, name, expected, parts in context.expects(("h0", "c0")):
        if k in seen or len(expected) != 3 or expected[1] != data.batch_size or type(expected[1]) is not int:
            continue
        inferred = context.inferences[k][name].shape
        if tuple(expected) != tuple(inferred):
            continue  # a wrong shape is LS110's (or LS111's) to report
        seen.add(k)
        index = 0 if name == "h0" else 1
        partial = (expected[0], rest, expected[2])
        which = ("the only batch" if batches == 1 else f"batch {n(batches)} of each epoch (the last, after "
                 f"{n(batches - 1)} full batch{'es' if batches > 2 else ''})")
        axis = "x.size(0)" if context.blocks[k].batch_first else "x.size(1)"
        label = f"expect[{k}].{name}" if parts[1:2] == (k,) else f"expect.{name}"
        yield context.problem(
            parts + (1,), ID, SEVERITY,
            f"{label} {listed(expected)} is built for batch_size {n(data.batch_size)}, but with dataset_size "
            f"{n(data.dataset_size)} and drop_last false, {which} has {n(data.dataset_size)} mod "
            f"{n(data.batch_size)} = {n(rest)} sequences: torch raises 'Expected hidden[{index}] size "
            f"{shape(partial)}, got {listed(expected)}' on it"
            f"{', at the end of the first epoch' if batches > 1 else ''}; "
            f"build {name} from the batch ({axis}), or set drop_last: true",
        )
