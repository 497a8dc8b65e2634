"""The head is fed cat(hn[-2], hn[-1]) from a unidirectional LSTM.

torch.cat((hn[-2], hn[-1]), dim=-1) joins the forward and backward final states of a
bidirectional LSTM's last layer. For a unidirectional LSTM, hn[-2] is the previous layer's state
(silently joining two layers) or, with one layer, an IndexError. Feed hn[-1] (input: hn_last).

Failing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2}
    head:
      - linear: {in_features: 40, out_features: 3, input: hn_concat}

Passing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2}
    head:
      - linear: {in_features: 20, out_features: 3, input: hn_last}
"""

from .. import codes

CODE = codes.HN_CONCAT_UNIDIRECTIONAL
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    head = context.config.head
    if not head or head[0].kind != "linear" or head[0].input != "hn_concat":
        return
    block = context.blocks[-1]
    if block.bidirectional:
        return
    if block.num_layers == 1:
        what = "hn has one row (1 layer × 1 direction), so hn[-2] raises IndexError"
    else:
        what = (f"hn[-2] is layer {block.num_layers - 2}'s final state, so the concatenation silently "
                "joins two layers")
    yield context.problem(
        head[0].parts + ("linear", "input"), ID, SEVERITY,
        f"input hn_concat (cat(hn[-2], hn[-1])) needs a bidirectional {block.kind.torch}, but this one is "
        f"unidirectional: {what}; use input: hn_last",
    )
