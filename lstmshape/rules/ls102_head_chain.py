"""A head Linear layer's in_features differs from the out_features of the Linear before it.

Shape-preserving layers in between (relu, tanh, dropout, ...) pass the features through.

Failing example::

    lstm: {input_size: 10, hidden_size: 20}
    head:
      - linear: {in_features: 20, out_features: 64}
      - relu
      - linear: {in_features: 32, out_features: 3}

Passing example::

    lstm: {input_size: 10, hidden_size: 20}
    head:
      - linear: {in_features: 20, out_features: 64}
      - relu
      - linear: {in_features: 64, out_features: 3}
"""

from .. import codes
from .context import n

CODE = codes.HEAD_CHAIN
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    head = context.config.head
    before = None
    for index, layer in enumerate(head):
        if layer.kind != "linear":
            continue
        if before is not None and layer.in_features != before[1].out_features:
            between = "" if before[0] == index - 1 else "; the layers between keep the feature size"
            yield context.problem(
                layer.parts + ("linear", "in_features"), ID, SEVERITY,
                f"head[{index}].in_features is {n(layer.in_features)} but head[{before[0]}] produces "
                f"{n(before[1].out_features)} features (its out_features{between})",
            )
        before = (index, layer)
