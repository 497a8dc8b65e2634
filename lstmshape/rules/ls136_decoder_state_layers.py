"""The encoder's final state has another number of rows than the decoder's h0/c0 needs.

A `decoder` is an nn.LSTM whose (h0, c0) is the encoder's final (hn, cn) (the `lstm` section, or
the last block of a stack), after the `bridge` steps the code applies. hn has num_directions ×
num_layers rows; the decoder needs its own num_directions × num_layers. A bidirectional encoder
feeding a unidirectional decoder must merge the directions first: `hn.view(num_layers, 2, N, H)`
then `torch.cat((h[:, 0], h[:, 1]), dim=-1)` (bridge: concat; the decoder's hidden_size is 2·H)
or `.sum(1)` (bridge: sum). The message gives the exact shapes.

Failing example::

    lstm: {input_size: 256, hidden_size: 512, num_layers: 2, bidirectional: true}
    data: {batch_size: 16, seq_len: 40}
    decoder:
      lstm: {input_size: 300, hidden_size: 512, num_layers: 2}

Passing example::

    lstm: {input_size: 256, hidden_size: 512, num_layers: 2, bidirectional: true}
    data: {batch_size: 16, seq_len: 40}
    decoder:
      lstm: {input_size: 300, hidden_size: 1024, num_layers: 2}
      bridge: concat
"""

from .. import codes
from .joins_and_decoder import batch, decoder_origin, encoder_name, handover, state_text
from ..frameworks.context import n

CODE = codes.DECODER_STATE_LAYERS
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    handed = handover(context)
    if handed is None:
        return
    encoder, dec, state, steps = handed
    need = dec.num_directions * dec.num_layers
    if state.rows == need:
        return
    where = "after the bridge " if steps else ""
    head = (f"{encoder_name(context)}'s final hn is {state_text(context, state.rows, state.h)} {where}"
            f"({encoder.num_directions if state.directions == 2 else 1} direction"
            f"{'s' if state.directions == 2 else ''} × num_layers {n(encoder.num_layers)}), but decoder.lstm's h0 "
            f"must be {state_text(context, need, dec.h_out)} (num_directions {dec.num_directions} × num_layers "
            f"{n(dec.num_layers)})")
    fixes = []
    layers, h = encoder.num_layers, state.h
    if state.directions == 2 and dec.num_directions == 1:
        fixes.append(f"merge the directions: hn.view({n(layers)}, 2{batch(context)}, {n(h)}), then "
                     f"torch.cat((h[:, 0], h[:, 1]), dim=-1) → {state_text(context, layers, 2 * h)} (bridge: concat, "
                     f"decoder hidden_size {n(2 * h)}) or .sum(1) → {state_text(context, layers, h)} (bridge: sum)")
        rows = layers
    else:
        rows = state.rows
    if rows != need:
        fixes.append(f"{'then ' if fixes else ''}match num_layers: give the decoder num_layers "
                     f"{n(rows // dec.num_directions) if rows % dec.num_directions == 0 else n(rows)}"
                     + (f", or pass the last {n(need)} rows (hn[-{n(need)}:], cn[-{n(need)}:])" if rows > need else ""))
    yield context.problem(decoder_origin(context, "num_layers"), ID, SEVERITY, f"{head}; {'; '.join(fixes)}",
                          subject=("bridge",))  # the state handed over, not a decoder setting
