"""A stacked block's input_size differs from the output features of the block before it.

With `lstm` given as a list of blocks (separate nn.LSTM modules called one after the other), block
k+1 reads block k's output, which has num_directions × H_out features (H_out is proj_size when
projecting, else hidden_size). Leave input_size out of blocks after the first to have it derived.

Failing example::

    lstm:
      - {input_size: 10, hidden_size: 20, bidirectional: true}
      - {input_size: 20, hidden_size: 8}

Passing example::

    lstm:
      - {input_size: 10, hidden_size: 20, bidirectional: true}
      - {input_size: 40, hidden_size: 8}

Keras and ONNX stacks (`framework: keras | onnx` with `lstm` as a list) follow the same rule in
their own terms: a Keras block's `input_dim` is the block before's merged output features
(`Bidirectional` concat: 2 × units; sum, mul, ave: units), an ONNX block's `input_size` is
num_directions × hidden_size of the block before's last node (its 4-D Y reshaped to 3-D). Keras
refuses a mismatch when it builds the layer, the ONNX checker when it infers shapes.

Failing example (keras)::

    framework: keras
    lstm:
      - {input_dim: 10, units: 20, bidirectional: true, return_sequences: true}
      - {input_dim: 20, units: 8}

Passing example (keras)::

    framework: keras
    lstm:
      - {input_dim: 10, units: 20, bidirectional: true, merge_mode: sum, return_sequences: true}
      - {input_dim: 20, units: 8}

Failing example (onnx)::

    framework: onnx
    lstm:
      - {input_size: 10, hidden_size: 20, direction: bidirectional}
      - {input_size: 20, hidden_size: 8}

Passing example (onnx)::

    framework: onnx
    lstm:
      - {input_size: 10, hidden_size: 20, direction: bidirectional}
      - {hidden_size: 8}
"""

from .. import codes
from ..frameworks.context import features, n

CODE = codes.STACK_INPUT_SIZE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    blocks = context.blocks
    for k in range(1, len(blocks)):
        if context.config.joins and context.config.joins[k]:
            continue  # a block after a join reads what the join hands on: LS130
        before, block = blocks[k - 1], blocks[k]
        want = before.num_directions * before.h_out
        if block.input_size != want:
            hint = ""
            if before.bidirectional and block.input_size == before.h_out:
                hint = f": a bidirectional {before.kind.torch} doubles the feature size"
            elif before.proj_size and block.input_size == before.hidden_size:
                hint = ": with proj_size the output has proj_size features, not hidden_size"
            yield context.problem(
                context.origin(k, "input_size"), ID, SEVERITY,
                f"lstm[{k}].input_size is {block.input_size} but lstm[{k - 1}]'s output has "
                f"{features(before)}{hint}",
            )


def keras_handover(before) -> str:
    """How a Keras block's output features come about."""
    if not before.bidirectional:
        return f"units {n(before.units)}"
    if before.merge_mode == "concat":
        return f"Bidirectional concat: 2 × units {n(before.units)}"
    return f"Bidirectional merge_mode {before.merge_mode!r} keeps units {n(before.units)}"


def onnx_handover(before) -> str:
    """How an ONNX block's output features come about."""
    return (f"num_directions {before.num_directions} × hidden_size {n(before.hidden_size)}: its last node's "
            "Y reshaped to 3-D")


def stack_inputs(context, handover):
    """A keras or onnx stack: each block's input size against what the block before hands on."""
    blocks, framework = context.blocks, context.framework
    key = framework.input_key
    for k in range(1, len(blocks)):
        before, block = blocks[k - 1], blocks[k]
        want, got = framework.handed_on(before), getattr(block, key)
        if got != want:
            yield context.problem(
                context.origin(k, key), ID, SEVERITY,
                f"lstm[{k}].{key} is {n(got)} but lstm[{k - 1}]'s output has {n(want)} features ({handover(before)})",
            )


def check_keras(context):
    yield from stack_inputs(context, keras_handover)


def check_onnx(context):
    yield from stack_inputs(context, onnx_handover)
