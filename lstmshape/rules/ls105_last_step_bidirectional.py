"""The head is fed the last time step of a bidirectional LSTM's output.

output[:, -1] (or output[-1]) holds the forward direction after the whole sequence, but the
backward direction after one step only: the backward final state sits at time step 0. Use
cat(hn[-2], hn[-1]) (input: hn_concat) for a summary of the sequence in both directions.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, bidirectional: true}
    head:
      - linear: {in_features: 40, out_features: 3, input: last_step}

Passing example::

    lstm: {input_size: 10, hidden_size: 20, bidirectional: true}
    head:
      - linear: {in_features: 40, out_features: 3, input: hn_concat}
"""

from .. import codes

CODE = codes.LAST_STEP_BIDIRECTIONAL
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    head = context.config.head
    if not head or head[0].kind != "linear" or head[0].input != "last_step":
        return
    block = context.blocks[-1]
    if block.bidirectional:
        step = "output[:, -1]" if block.batch_first and not context.data.unbatched else "output[-1]"
        yield context.problem(
            head[0].parts + ("linear", "input"), ID, SEVERITY,
            f"input last_step ({step}) of a bidirectional {block.kind.torch}: its backward half has seen one time step "
            "only (the backward final state is at time step 0); use input: hn_concat",
        )
