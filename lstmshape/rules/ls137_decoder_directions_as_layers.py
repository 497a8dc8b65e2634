"""The encoder's state fits the decoder's rows, but directions land on layers.

hn's rows are layer-major: (layer 0 forward, layer 0 backward, layer 1 forward, ...). A
bidirectional encoder of 1 layer and a unidirectional decoder of 2 layers both have 2 rows, so
torch runs without a word, but the encoder's backward direction initialises the decoder's second
layer. The same happens the other way round (layers landing on a bidirectional decoder's
directions). Merge the directions in the bridge (concat or sum) and give both the same num_layers.

Failing example::

    lstm: {input_size: 256, hidden_size: 512, bidirectional: true}
    decoder:
      lstm: {input_size: 300, hidden_size: 512, num_layers: 2}

Passing example::

    lstm: {input_size: 256, hidden_size: 512, bidirectional: true}
    decoder:
      lstm: {input_size: 300, hidden_size: 512}
      bridge: sum
"""

from .. import codes
from .joins_and_decoder import decoder_origin, encoder_name, handover, state_text
from ..frameworks.context import n

CODE = codes.DECODER_DIRECTIONS_AS_LAYERS
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    handed = handover(context)
    if handed is None:
        return
    encoder, dec, state, _ = handed
    if state.rows != dec.num_directions * dec.num_layers or state.directions == dec.num_directions:
        return
    if state.directions == 2:
        what = (f"its rows are (layer, direction) pairs of a bidirectional encoder, which the unidirectional "
                f"decoder reads as its {n(dec.num_layers)} layers: the encoder's backward direction initialises "
                f"decoder layer 1; merge the directions (bridge: concat or sum) and give the decoder num_layers "
                f"{n(encoder.num_layers)}")
    else:
        what = (f"its rows are {n(state.rows)} layers of one direction, which the bidirectional decoder reads as "
                f"(layer, direction) pairs: encoder layer 1 initialises decoder layer 0's backward direction; "
                f"give both the same num_layers and directions")
    yield context.problem(
        decoder_origin(context, "num_layers" if context.config.origins.get(("decoder", "lstm", "num_layers"))
                       else "bidirectional"), ID, SEVERITY,
        f"{encoder_name(context)}'s final hn {state_text(context, state.rows, state.h)} fits decoder.lstm's h0 by "
        f"shape, but {what}", subject=("bridge",),  # the state handed over
    )
