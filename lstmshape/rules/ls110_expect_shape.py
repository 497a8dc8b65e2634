"""A shape in `expect` differs from the shape the LSTM (torch, Keras or ONNX) produces or requires.

`expect` holds the shapes the surrounding code assumes: input (what it feeds the LSTM), output,
h0 and c0 (the initial state it passes), hn and cn (what it reads back). Dimensions are integers
or symbols (N, L, B, ...: equal only to the same symbol in `data`). For a stack, give one mapping
per block. The message names every differing dimension and how the right size is derived. The
common traps have their own codes: LS111 (state written batch-first), LS112 (output with
hidden_size features), LS113 (proj_size on the wrong state).

Keras configs use Keras's names: `input` (always (batch, seq_len, input_dim)), `output` ((batch,
units) without return_sequences, (batch, seq_len, units) with it, 2 × units for a concatenated
Bidirectional), `state_h`, `state_c` (each (batch, units): no layer or direction axis), and for a
Bidirectional with return_state `forward_h`, `forward_c`, `backward_h`, `backward_c` (merge_mode
null: `forward_output`, `backward_output`). ONNX configs use the node's: `X`, `Y` (4-D: seq,
num_directions, batch, hidden_size), `Y_h`, `Y_c`, `initial_h`, `initial_c` ((num_directions,
batch, hidden_size)) and `sequence_lens` ((batch,)); layout 1 moves batch first in all of them.
With num_layers > 1 in one block, `input`/`X` are the first layer's, outputs the last layer's, and
`initial_h`/`initial_c` every node's (all have the same shape).

Failing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2, bidirectional: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      h0: [2, 32, 20]

Passing example::

    lstm: {input_size: 10, hidden_size: 20, num_layers: 2, bidirectional: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      h0: [4, 32, 20]

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, bidirectional: true, return_sequences: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      output: [32, 5, 20]

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, bidirectional: true, return_sequences: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      output: [32, 5, 40]

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional, layout: 0}
    data: {batch_size: 32, seq_len: 5}
    expect:
      Y_h: [32, 2, 20]

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, direction: bidirectional, layout: 0}
    data: {batch_size: 32, seq_len: 5}
    expect:
      Y_h: [2, 32, 20]
"""

from .. import codes
from ..frameworks.context import listed, n, shape
from ..frameworks.head import same

CODE = codes.EXPECT_SHAPE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    for m in context.expect_mismatches:
        if m.kind != "shape":
            continue
        inferred = m.tensor.shape
        head = f"{m.label} is {listed(m.expected)} but {m.name} is {shape(inferred)}"
        if len(m.expected) != len(inferred):
            meanings = ", ".join(d.meaning for d in m.tensor.dims)
            extra = ""
            if context.data.unbatched:
                extra = "; data is unbatched, so there is no batch dimension"
            elif len(m.expected) == len(inferred) - 1:
                extra = "; a 2-D state or input is unbatched input, which torch reads without a batch dimension"
            yield context.problem(m.parts, ID, SEVERITY,
                                f"{head}: {m.name} has {len(inferred)} dimensions ({meanings}), not "
                                f"{len(m.expected)}{extra}")
            continue
        diffs = [
            f"dimension {i} ({dim.meaning}) is {n(e)}, should be {dim.why}"
            for i, (e, dim) in enumerate(zip(m.expected, m.tensor.dims)) if not same(e, dim.size)
        ]
        at = m.parts
        if len(diffs) == 1:
            at = m.parts + (next(i for i, (e, d) in enumerate(zip(m.expected, inferred)) if not same(e, d)),)
        yield context.problem(at, ID, SEVERITY, f"{head}: {'; '.join(diffs)}")


def check_framework(context):
    """Keras and ONNX: every expect entry of its framework's names that differs (the traps with
    codes of their own, LS118–LS120, aside)."""
    for m in context.expect_mismatches:
        if m.kind != "shape":
            continue
        inferred = m.tensor.shape
        head = f"{m.label} is {listed(m.expected)} but {m.name} is {shape(inferred)}"
        if len(m.expected) != len(inferred):
            meanings = ", ".join(d.meaning for d in m.tensor.dims)
            yield context.problem(m.parts, ID, SEVERITY, f"{head}: {m.name} has {len(inferred)} dimensions "
                                  f"({meanings}), not {len(m.expected)}{m.hint}")
            continue
        diffs = [f"dimension {i} ({dim.meaning}) is {n(e)}, should be {dim.why}"
                 for i, (e, dim) in enumerate(zip(m.expected, m.tensor.dims)) if not same(e, dim.size)]
        at = m.parts
        if len(diffs) == 1:
            at = m.parts + (next(i for i, (e, d) in enumerate(zip(m.expected, inferred)) if not same(e, d)),)
        yield context.problem(at, ID, SEVERITY, f"{head}: {'; '.join(diffs)}{m.hint}")


check_keras = check_onnx = check_framework
