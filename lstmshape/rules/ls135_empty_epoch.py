"""drop_last is true and dataset_size is smaller than batch_size: the DataLoader yields no batch.

`DataLoader(dataset, batch_size, drop_last=True)` drops the partial last batch; when the whole
dataset is smaller than one batch, that is every batch: the loop body never runs, no step trains
and no error is raised. Fix: a smaller batch_size, or drop_last: false.

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 64, seq_len: 5, dataset_size: 50, drop_last: true}

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 32, seq_len: 5, dataset_size: 50, drop_last: true}
"""

from .. import codes
from ..frameworks.context import n

CODE = codes.EMPTY_EPOCH
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    data = context.data
    if (data.drop_last and data.dataset_size is not None and isinstance(data.batch_size, int)
            and not data.unbatched and data.dataset_size < data.batch_size):
        yield context.problem(
            context.data_parts("dataset_size"), ID, SEVERITY,
            f"dataset_size {n(data.dataset_size)} is smaller than batch_size {n(data.batch_size)} and drop_last is "
            "true: the DataLoader drops the only (partial) batch, so an epoch has no batch at all; "
            f"use batch_size ≤ {n(data.dataset_size)} or drop_last: false",
        )
