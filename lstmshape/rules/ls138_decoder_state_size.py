"""The encoder's final state has other features than the decoder's h0/c0 needs.

The decoder's h0 has H_out features (proj_size, else hidden_size) and its c0 hidden_size: the
encoder's hn/cn after the bridge must have the same. Concatenating the two directions
(bridge: concat) doubles them; a Linear bridge (`linear: {in_features, out_features}`, often
followed by tanh) maps them to any size. torch raises `Expected hidden[0] size (...), got [...]`.

Failing example::

    lstm: {input_size: 256, hidden_size: 512, bidirectional: true}
    decoder:
      lstm: {input_size: 300, hidden_size: 512}
      bridge: concat

Passing example::

    lstm: {input_size: 256, hidden_size: 512, bidirectional: true}
    decoder:
      lstm: {input_size: 300, hidden_size: 512}
      bridge: [concat, {linear: {in_features: 1024, out_features: 512}}, tanh]
"""

from .. import codes
from .joins_and_decoder import decoder_origin, encoder_name, handover
from ..frameworks.context import n

CODE = codes.DECODER_STATE_SIZE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    handed = handover(context)
    if handed is None:
        return
    encoder, dec, state, steps = handed
    if state.h != dec.h_out:  # h first: torch checks hidden[0] first, and c differs for the same reason
        initial, final, got, need, name = "h0", "hn", state.h, dec.h_out, "proj_size" if dec.proj_size else "hidden_size"
    elif encoder.has_cell_state and dec.has_cell_state and state.c != dec.hidden_size:
        initial, final, got, need, name = "c0", "cn", state.c, dec.hidden_size, "hidden_size"
    else:
        return
    after = " after the bridge" if steps else ""
    yield context.problem(
        decoder_origin(context, name), ID, SEVERITY,
        f"{encoder_name(context)}'s {final} has {n(got)} features{after} but decoder.lstm's {initial} needs "
        f"{n(need)} ({name} {n(need)}): set decoder {name} {n(got)}, or map the state with a Linear bridge "
        f"(bridge: [..., {{linear: {{in_features: {n(got)}, out_features: {n(need)}}}}}, tanh])",
        subject=("bridge",),  # the state handed over
    )
