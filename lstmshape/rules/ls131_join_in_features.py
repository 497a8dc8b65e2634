"""A Linear in a join has in_features other than the features that reach it.

The first step of a join gets the block before's output: num_directions × H_out features (a
BiLSTM of hidden_size 320 gives 640); each later step gets what the step before hands on. An
nn.Linear with other in_features stops with `mat1 and mat2 shapes cannot be multiplied`. Leave
in_features out to have it derived.

Failing example::

    lstm:
      - {input_size: 80, hidden_size: 320, bidirectional: true}
      - join: {linear: {in_features: 320, out_features: 320}}
        hidden_size: 320

Passing example::

    lstm:
      - {input_size: 80, hidden_size: 320, bidirectional: true}
      - join: {linear: {in_features: 640, out_features: 320}}
        hidden_size: 320
"""

from .. import codes
from .joins_and_decoder import joins, step_name
from ..frameworks.context import features, n

CODE = codes.JOIN_IN_FEATURES
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for k, before, block, join, steps in joins(context):
        for i, (layer, step) in enumerate(zip(join, steps)):
            if layer.kind != "linear" or layer.in_features is None or layer.in_features == step.features_in:
                continue
            reaching = (f"lstm[{k - 1}]'s output has {features(before)}" if i == 0 else
                        f"{step_name(join[i - 1].parts)} hands it {n(step.features_in)} features")
            hint = ""
            if i == 0 and before.bidirectional and layer.in_features == before.h_out:
                hint = f": a bidirectional {before.kind.torch} doubles the feature size"
            yield context.problem(
                layer.parts + ("linear", "in_features"), ID, SEVERITY,
                f"{step_name(layer.parts)}.linear.in_features is {n(layer.in_features)} but {reaching}{hint}; "
                f"nn.Linear({n(layer.in_features)}, {n(layer.out_features)}) on it raises 'mat1 and mat2 shapes "
                f"cannot be multiplied'",
            )
