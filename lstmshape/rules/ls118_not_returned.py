"""`expect` or the head names a tensor the configured Keras layer or ONNX node does not return.

Each name exists only with the settings that make the layer return it, and the message names the
setting: Keras's `state_h`/`state_c` need `return_state: true`; a Bidirectional returns
`forward_h`, `forward_c`, `backward_h`, `backward_c` instead; `forward_output`/`backward_output`
need `merge_mode: null`; a GRU or SimpleRNN has no `state_c`. ONNX's `Y_c`/`initial_c` exist only
for the LSTM operator (not GRU, RNN), and `sequence_lens` only with `sequence_lens: true`. A name
of another framework (`h0` in a Keras config) is LS004, which says what this framework calls it.

Failing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20}
    data: {batch_size: 32, seq_len: 5}
    expect:
      state_h: [32, 20]

Passing example (Keras)::

    framework: keras
    lstm: {input_dim: 10, units: 20, return_state: true}
    data: {batch_size: 32, seq_len: 5}
    expect:
      state_h: [32, 20]

Failing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, cell: gru}
    data: {batch_size: 32, seq_len: 5}
    expect:
      Y_c: [1, 32, 20]

Passing example (ONNX)::

    framework: onnx
    lstm: {input_size: 10, hidden_size: 20, cell: gru}
    data: {batch_size: 32, seq_len: 5}
    expect:
      Y_h: [1, 32, 20]
"""

from .. import codes

CODE = codes.NOT_RETURNED
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check_framework(context):
    for m in context.expect_mismatches:
        if m.kind == "not-returned":
            yield context.problem(m.parts, ID, SEVERITY, f"{m.label}: {m.name} does not exist with these settings: {m.hint}",
                                  key=True)
    for step in context.head_steps:
        if step.error == "not-returned":
            layer = step.layer
            yield context.problem(layer.parts + (layer.kind, "input"), ID, SEVERITY,
                                  f"head[0] is fed {step.source}, which does not exist with these settings: {step.why}")


check_keras = check_onnx = check_framework
