"""The head's final output does not have the shape of the targets the loss gets (`expect.target`).

`expect.target` is the shape of the targets the training code hands the loss with the model's
output; it is held against what the head returns (without a head: the tensor head[0] would be
fed, the LSTM's output). The classic (keras#11554): an LSTM without `return_sequences` and a
Dense give `(64, 1)`, one value per sequence, while the targets are per step, `(64, 20, 1)`;
Keras and torch's MSELoss broadcast such shapes into a wrong loss or fail far from the cause.
Class-index targets (CrossEntropyLoss, sparse categorical crossentropy) are the output's shape
without its class axis, and are accepted when that axis has more than one class; so is Keras's
`(N, 1)` form of them. Sizes compare
as in `expect`: a symbol (N, L) equals only the same symbol. The problem is placed at
`expect.target`; its subject is the last head layer (the picture marks that box), or the
`expect.target` entry when there is no head.

Failing example::

    lstm: {input_size: 10, hidden_size: 20, batch_first: true}
    data: {batch_size: 64, seq_len: 20}
    head:
      - linear: {in_features: 20, out_features: 1, input: hn_last}
    expect:
      target: [64, 20, 1]

Passing example::

    lstm: {input_size: 10, hidden_size: 20, batch_first: true}
    data: {batch_size: 64, seq_len: 20}
    head:
      - linear: {in_features: 20, out_features: 1}
    expect:
      target: [64, 20, 1]

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    data: {batch_size: 64, seq_len: 20}
    head:
      - dense: {units: 1}
    expect:
      target: [64, 20, 1]

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, return_sequences: true}
    data: {batch_size: 64, seq_len: 20}
    head:
      - dense: {units: 1, input: output}   # Dense on every step, on purpose
    expect:
      target: [64, 20, 1]

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 64, seq_len: 20}
    head:
      - gemm: {input: Y_h, reshape: [0, -1], transpose: [1, 0, 2], in_features: 20, out_features: 1}
    expect:
      target: [64, 3]

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20}
    data: {batch_size: 64, seq_len: 20}
    head:
      - gemm: {input: Y_h, reshape: [0, -1], transpose: [1, 0, 2], in_features: 20, out_features: 1}
    expect:
      target: [64, 1]
"""

from .. import codes
from ..frameworks.base import TARGET
from ..frameworks.context import listed, n, shape
from ..frameworks.head import same

CODE = codes.TARGET_SHAPE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity

def final_output(context) -> tuple | None:
    """The dimensions the loss gets from the model: the head's output, or without a head the
    tensor head[0] would be fed; None when the head walk stopped (another rule says why)."""
    if context.config.head:
        out = context.head_output
        return out or None
    fed = context.head_source(context.default_input)
    return None if fed is None else fed[0]


def dropped(longer: tuple, shorter: tuple) -> int | None:
    """The axis of `longer` whose removal gives `shorter` (sizes compared as `expect` compares), if any."""
    for i in range(len(longer)):
        rest = longer[:i] + longer[i + 1:]
        if all(same(a, b) for a, b in zip(rest, shorter)):
            return i
    return None


def cause(context, target: tuple, sizes: tuple) -> str:
    """The likely cause of a target shape other than the output's."""
    steps = context.data.seq_len
    if len(target) == len(sizes) + 1:
        axis = dropped(target, sizes)
        if axis is not None and same(target[axis], steps):
            return (f"the targets are per step (axis {axis}: seq_len {n(steps)}) but the output is one per sequence: "
                    + context.framework.per_step_output)
        if axis == len(target) - 1 and same(target[axis], 1):
            return "the targets have a trailing feature axis of 1 the output lacks: squeeze the targets (or unsqueeze the output)"
    if len(sizes) == len(target) + 1:
        axis = dropped(sizes, target)
        if axis is not None and same(sizes[axis], steps):
            return (f"the output is per step (axis {axis}: seq_len {n(steps)}) but the targets are one per sequence: "
                    "feed the head the last step or hn (Keras: return_sequences: false)")
        if axis == len(sizes) - 1 and same(sizes[axis], 1):
            return ("the output has a trailing feature axis of 1 the targets lack: squeeze it (torch's MSELoss "
                    "broadcasts (N, 1) against (N,) to (N, N) with only a warning)")
    if len(sizes) == len(target) and all(same(a, b) for a, b in zip(sizes[:-1], target[:-1])):
        return (f"the output has {n(sizes[-1])} features but the targets {n(target[-1])}: the last layer's "
                f"{context.framework.out_key} should be {n(target[-1])}")
    return "the loss compares the two element by element"


def fits(target: tuple, sizes: tuple, keras: bool) -> bool:
    def equal(a, b):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if equal(target, sizes):
        return True
    if not sizes or same(sizes[-1], 1):  # one value per position: (N, 1) against (N,) broadcasts, no classes
        return False
    # class indices, without the class axis (Keras also takes them as (N, 1))
    return equal(target, sizes[:-1]) or keras and equal(target, sizes[:-1] + (1,))


def judge(context, keras: bool = False):
    entries = list(context.expects((TARGET,)))
    if not entries:
        return
    out = final_output(context)
    if out is None:
        return
    sizes = tuple(d.size for d in out)
    head = context.config.head
    what = f"the head's output (head[{len(head) - 1}])" if head else f"the LSTM's {context.default_input}"
    for _, _, target, parts in entries:
        if fits(target, sizes, keras):
            continue
        subject = ("head", len(head) - 1) if head else None
        yield context.problem(parts, ID, SEVERITY, f"expect.target is {listed(target)} but "
                              f"{what} is {shape(sizes)}: {cause(context, target, sizes)}", subject=subject)


def check(context):
    yield from judge(context)


def check_keras(context):
    yield from judge(context, keras=True)


def check_onnx(context):
    yield from judge(context)
