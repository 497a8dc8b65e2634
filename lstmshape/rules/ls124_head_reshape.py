"""A head's reshape or transpose cannot apply to the tensor it is given (ONNX Reshape rules).

An ONNX head layer may transpose and reshape what it is fed before the MatMul/Gemm:
`transpose` is a permutation of the axes (ONNX Transpose's perm) and `reshape` follows ONNX
Reshape: 0 copies the input dimension at that position, -1 (at most one) is inferred from the
element count, any other entry (a size or a symbol such as N) is taken as written; the element
counts must agree.

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional}
    data: {batch_size: 32, seq_len: 5}
    head:
      - gemm: {input: Y_h, transpose: [1, 0, 2], reshape: [32, 20], in_features: 20, out_features: 3}

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional}
    data: {batch_size: 32, seq_len: 5}
    head:
      - gemm: {input: Y_h, transpose: [1, 0, 2], reshape: [32, -1], in_features: 40, out_features: 3}
"""

from .. import codes

CODE = codes.HEAD_RESHAPE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_framework(context):
    for step in context.head_steps:
        if step.error == "reshape":
            yield context.problem(step.layer.parts + (step.layer.kind, step.op), ID, SEVERITY,
                                  f"head[{step.index}]: {step.why}")


check_keras = check_onnx = check_framework
