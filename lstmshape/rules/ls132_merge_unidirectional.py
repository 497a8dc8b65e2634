"""A join or bridge merges two directions (sum, concat) of a unidirectional LSTM.

`sum` in a join is deepspeech.pytorch's `x.view(T, N, 2, -1).sum(2)`: it adds the forward and
backward halves of a bidirectional output. On a unidirectional output there is one direction:
the view splits hidden_size in two and adds the halves, which is no model anyone means. In a
decoder's bridge, `concat` and `sum` merge the directions of the encoder's hn/cn
(`hn.view(num_layers, 2, N, H)`), which a unidirectional encoder does not have.

Failing example::

    lstm:
      - {input_size: 80, hidden_size: 320}
      - join: sum
        hidden_size: 160

Passing example::

    lstm:
      - {input_size: 80, hidden_size: 320, bidirectional: true}
      - join: sum
        hidden_size: 160
"""

from .. import codes
from .joins_and_decoder import encoder_name, handover, joins, step_name
from ..frameworks.context import n

CODE = codes.MERGE_UNIDIRECTIONAL
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for k, before, block, join, steps in joins(context):
        for layer in join:
            if layer.kind == "sum" and not before.bidirectional:
                yield context.problem(
                    layer.parts, ID, SEVERITY,
                    f"{step_name(layer.parts)} sums the two directions, but lstm[{k - 1}] is unidirectional: "
                    f"x.view(T, N, 2, -1).sum(2) would add the two halves of its {n(before.h_out)} features; "
                    f"drop the sum (lstm[{k}] then reads {n(before.h_out)} features) or make lstm[{k - 1}] "
                    "bidirectional",
                )
                break
    handed = handover(context)
    if handed is None:
        return
    encoder, _, _, steps = handed
    directions = encoder.num_directions
    for layer, (kind, state, _) in zip(context.config.decoder.bridge, steps):
        if kind in ("concat", "sum"):
            if directions == 1:
                yield context.problem(
                    layer.parts, ID, SEVERITY,
                    f"{step_name(layer.parts)}: {kind} merges the two directions of the encoder's hn/cn, but "
                    f"{encoder_name(context)} is unidirectional (its state has one direction per layer); "
                    f"drop '{kind}'",
                )
                return
            directions = 1
