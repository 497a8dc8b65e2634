"""data.batch_size is given with unbatched: true, where the input has no batch axis.

Unbatched input is 2-D (seq_len, input_size) and h0/c0 are 2-D (num_directions × num_layers,
hidden_size): no tensor has a batch axis, so the batch size is never used. A reader of the
config would expect it to appear in the shapes. Drop it, or drop `unbatched` to run a batch.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
    data:
      unbatched: true
      batch_size: 32

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
    data:
      unbatched: true
      seq_len: 5
"""

from .. import codes

CODE = codes.UNUSED_BATCH_SIZE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
STAGE = "config"


def check(context):
    if context.data.unbatched and context.given_data("batch_size"):
        yield context.problem(context.data_parts("batch_size"), ID, SEVERITY,
                              f"batch_size {context.data.batch_size} is unused: unbatched input has no batch axis "
                              "(input is (seq_len, input_size), h0/c0 are (num_directions × num_layers, hidden_size))")
