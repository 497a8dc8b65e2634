"""A block's input_size differs from the features the join before it hands on.

A block of a stack may say what the code puts between it and the block before (`join`): a Linear
projection (ESPnet's RNNP encoder: after each BiLSTM layer a Linear from 2·cdim to hdim, then the
next layer), the two directions summed (deepspeech.pytorch's BatchRNN:
`x.view(T, N, 2, -1).sum(2)`), activations and dropout, alone or as a list in order. The block's
input_size is then what the join produces: leave it out to have it derived; a written one that
disagrees is this error, naming the join.

Failing example::

    lstm:
      - {input_size: 80, hidden_size: 320, bidirectional: true}
      - join: {linear: {in_features: 640, out_features: 320}}
        input_size: 640
        hidden_size: 320

Passing example::

    lstm:
      - {input_size: 80, hidden_size: 320, bidirectional: true}
      - join: [{linear: {in_features: 640, out_features: 320}}, tanh]
        input_size: 320
        hidden_size: 320
"""

from .. import codes
from .joins_and_decoder import joins, step_name
from ..frameworks.context import n

CODE = codes.JOIN_INPUT_SIZE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for k, before, block, join, steps in joins(context):
        want = steps[-1].features_out
        if block.input_size == want or not context.given(k, "input_size"):
            continue
        chain = " → ".join(s.code for s in steps if s.features_in != s.features_out or s.kind == "linear")
        yield context.problem(
            context.origin(k, "input_size"), ID, SEVERITY,
            f"lstm[{k}].input_size is {n(block.input_size)} but its join ({step_name(join[0].parts[:3])}: "
            f"{chain or 'features unchanged'}) hands it {n(want)} features of lstm[{k - 1}]'s "
            f"{n(steps[0].features_in)}; set input_size {n(want)} or leave it out",
            subject=("join", k),  # what hands the block the wrong size, where the picture marks it
        )
