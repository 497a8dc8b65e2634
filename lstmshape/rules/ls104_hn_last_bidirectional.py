"""The head is fed hn[-1] of a bidirectional LSTM: the backward direction only.

hn's rows are layer × num_directions + direction, so for a bidirectional LSTM hn[-1] is the
backward direction of the last layer, and the forward direction's summary of the sequence is
dropped. Feed torch.cat((hn[-2], hn[-1]), dim=-1) (input: hn_concat) unless that is intended.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, bidirectional: true}
    head:
      - linear: {in_features: 20, out_features: 3, input: hn_last}

Passing example::

    lstm: {input_size: 10, hidden_size: 20, bidirectional: true}
    head:
      - linear: {in_features: 40, out_features: 3, input: hn_concat}
"""

from .. import codes

CODE = codes.HN_LAST_BIDIRECTIONAL
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    head = context.config.head
    if not head or head[0].kind != "linear" or head[0].input != "hn_last":
        return
    block = context.blocks[-1]
    if block.bidirectional:
        yield context.problem(
            head[0].parts + ("linear", "input"), ID, SEVERITY,
            f"input hn_last (hn[-1]) of a bidirectional {block.kind.torch} is the backward direction of the last layer "
            "only; the forward final state is hn[-2]: use input: hn_concat for cat(hn[-2], hn[-1])",
        )
