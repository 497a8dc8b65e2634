"""A head Linear layer's in_features differs from the out_features of the Linear before it.

Shape-preserving layers in between (relu, tanh, dropout, ...) pass the features through. The same
holds for a Keras `dense` written with `input_dim` after another Dense, and an ONNX `gemm`/`matmul`
after another one (in_features against the features that reach it, after any reshape).

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

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    head:
      - dense: {units: 64}
      - dense: {units: 3, input_dim: 32}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    head:
      - dense: {units: 64}
      - dense: {units: 3, input_dim: 64}

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, layout: 1}
    head:
      - gemm: {input: Y_h, reshape: [0, -1], in_features: 20, out_features: 64}
      - relu
      - gemm: {in_features: 32, out_features: 3}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, layout: 1}
    head:
      - gemm: {input: Y_h, reshape: [0, -1], in_features: 20, out_features: 64}
      - relu
      - gemm: {in_features: 64, out_features: 3}
"""

from .. import codes
from ..frameworks.context import n, shape

CODE = codes.HEAD_CHAIN
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    linears = [step for step in context.head_steps if step.layer.kind == "linear"]
    for before, step in zip(linears, linears[1:]):
        layer = step.layer
        if layer.in_features != step.fed[-1].size:  # what head[before]'s out_features made of it
            between = "" if before.index == step.index - 1 else "; the layers between keep the feature size"
            yield context.problem(
                layer.parts + ("linear", "in_features"), ID, SEVERITY,
                f"head[{step.index}].in_features is {n(layer.in_features)} but head[{before.index}] produces "
                f"{n(before.layer.out_features)} features (its out_features{between})",
            )


def check_framework(context):
    """Keras and ONNX: every later Dense / Gemm / MatMul against the features that reach it."""
    weighted = [step for step in context.head_steps if step.layer.kind in context.weighted and not step.error]
    for step in weighted[1:]:
        layer, last = step.layer, step.fed[-1]
        if layer.in_features is None or (type(last.size) is int and last.size == layer.in_features):
            continue
        yield context.problem(
            layer.parts + (layer.kind, context.in_key), ID, SEVERITY,
            f"head[{step.index}].{context.in_key} is {n(layer.in_features)} but it is fed {step.source} "
            f"{shape(d.size for d in step.fed)}: {n(last.size)} features ({last.why})")


check_keras = check_onnx = check_framework
