"""A Keras Dense is fed the 3-D sequence output: it applies per time step.

With `return_sequences: true` the layer returns (batch, seq_len, features), and keras.layers.Dense
works on the last axis only: `Dense(3)` gives (batch, seq_len, 3), one prediction per time step,
not one per sequence. That is right for a tagger and a bug for a classifier. For one prediction
per sequence set `return_sequences: false` (the last step), or put `flatten` or
`global_average_pooling1d` before the Dense; for one per step, write `input: output` on head[0]
to say so.

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, return_sequences: true}
    head:
      - dense: {units: 3}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, return_sequences: true}
    head:
      - global_average_pooling1d
      - dense: {units: 3}
"""

from .. import codes
from ..frameworks.context import shape

CODE = codes.DENSE_PER_TIME_STEP
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_keras(context):
    steps = context.head_steps
    if not steps or ("head", 0, "input") in context.config.origins:  # input: output written: per step is meant
        return
    for step in steps:
        if step.layer.kind == "dense" and not step.error:
            if len(step.fed) == 3:
                fed = shape(d.size for d in step.fed)
                out = shape([d.size for d in step.fed[:-1]] + [step.layer.out_features])
                yield context.problem(
                    step.layer.parts + ("dense",), ID, SEVERITY,
                    f"head[{step.index}] Dense is fed {step.source} {fed}, a sequence (return_sequences: true): it "
                    f"applies per time step and returns {out}; for one prediction per sequence set return_sequences: "
                    "false or pool first (global_average_pooling1d, flatten); write input: output on head[0] if "
                    "per-step is meant", key=True)
            return
