"""A head layer is given a tensor of a rank it cannot take (Gemm needs 2-D, pooling 3-D).

ONNX Gemm multiplies a 2-D A (M, K) by B (K, N): Y (4-D) and Y_h (3-D) need a reshape first
(MatMul takes any rank and works on the last axis). Keras's GlobalAveragePooling1D and
GlobalMaxPooling1D pool the time axis of a (batch, seq_len, features) sequence: without
`return_sequences: true` there is no time axis, and Keras raises 'expected ndim=3, found ndim=2'.

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 32, seq_len: 5}
    head:
      - gemm: {input: Y_h, in_features: 20, out_features: 3}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 32, seq_len: 5}
    head:
      - gemm: {input: Y_h, reshape: [32, 20], in_features: 20, out_features: 3}

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    head:
      - global_average_pooling1d
      - dense: {units: 3}

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, return_sequences: true}
    head:
      - global_average_pooling1d
      - dense: {units: 3}
"""

from .. import codes

CODE = codes.HEAD_RANK
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_framework(context):
    for step in context.head_steps:
        if step.error == "rank":
            where = step.layer.parts + ((step.layer.kind,) if step.layer.kind in context.weighted else ())
            yield context.problem(where, ID, SEVERITY, f"head[{step.index}]: {step.why}", key=step.layer.kind in
                                  context.weighted)


check_keras = check_onnx = check_framework
