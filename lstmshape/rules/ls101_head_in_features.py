"""The first head layer's in_features differs from the feature size of the LSTM tensor fed to it.

`head[0].linear.input` says what the code feeds the Linear layer: `output` (the default, every
time step: num_directions × H_out features), `last_step` (output[:, -1] or output[-1]: the same
features), `hn_last` (hn[-1]: H_out features, one direction of the last layer) or `hn_concat`
(torch.cat((hn[-2], hn[-1]), dim=-1): 2 × H_out features). H_out is proj_size when projecting,
else hidden_size. With a stack, the head is fed by the last block.

Keras: a `dense` written with `input_dim` must match the last axis of what reaches it (`input:`
output, state_h, forward_h, ... on head[0]; `output` by default): (batch, units) without
return_sequences, (batch, seq_len, units) with it (2 × units for a concatenated Bidirectional).
ONNX: a `gemm` or `matmul`'s `in_features` (K) must match the last axis of Y, Y_h or Y_c after the
`transpose` and `reshape` written on it.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectional: true
    head:
      - linear: {in_features: 20, out_features: 3}

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectional: true
    head:
      - linear: {in_features: 40, out_features: 3}

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, bidirectional: true}
    head:
      - dense: {units: 3, input_dim: 20}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, bidirectional: true}
    head:
      - dense: {units: 3, input_dim: 40}

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional, layout: 1}
    data: {batch_size: 32, seq_len: 5}
    head:
      - gemm: {input: Y_h, reshape: [0, -1], in_features: 20, out_features: 3}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional, layout: 1}
    data: {batch_size: 32, seq_len: 5}
    head:
      - gemm: {input: Y_h, reshape: [0, -1], in_features: 40, out_features: 3}
"""

from .. import codes
from ..frameworks.context import n, shape

CODE = codes.HEAD_IN_FEATURES
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    steps = context.head_steps
    step = next((step for step in steps if step.layer.kind == "linear"), None)
    if step is None:
        return
    first = step.layer
    source = steps[0].layer.input if steps[0].layer.kind == "linear" else "output"
    block = context.blocks[-1]
    if source == "hn_concat" and not block.bidirectional:
        return  # LS103
    want, why = step.fed[-1].size, steps[0].explained  # the layers before it keep the features
    if first.in_features == want:
        return
    hint = ""
    if source in ("output", "last_step", "hn_concat") and block.bidirectional and first.in_features == want // 2:
        hint = f": a bidirectional {block.kind.torch} doubles the feature size"
    elif block.proj_size and first.in_features in (block.hidden_size, block.num_directions * block.hidden_size):
        hint = ": with proj_size the LSTM's h and output have proj_size features, not hidden_size"
    elif source == "hn_last" and block.bidirectional and first.in_features == 2 * block.h_out:
        hint = ": hn[-1] is only the backward direction; feed cat(hn[-2], hn[-1]) (input: hn_concat) for both"
    where = first.parts[1]
    yield context.problem(
        first.parts + ("linear", "in_features"), ID, SEVERITY,
        f"head[{where}].in_features is {n(first.in_features)} but {why}{hint}",
    )


def check_framework(context):
    """Keras and ONNX: the first Dense / Gemm / MatMul against the last axis of what reaches it."""
    first = next((step for step in context.head_steps if step.layer.kind in context.weighted), None)
    if first is None or first.error or first.layer.in_features is None:
        return
    last = first.fed[-1]
    if type(last.size) is int and last.size == first.layer.in_features:
        return
    layer = first.layer
    yield context.problem(
        layer.parts + (layer.kind, context.in_key), ID, SEVERITY,
        f"head[{first.index}].{context.in_key} is {n(layer.in_features)} but it is fed {first.source} "
        f"{shape(d.size for d in first.fed)}, whose last axis is {last.why}")


check_keras = check_onnx = check_framework
