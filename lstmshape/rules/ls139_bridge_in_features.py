"""A Linear in a decoder's bridge has in_features other than the state's features.

The bridge's first step gets the encoder's final hn (H_out features, per direction); `concat`
doubles them; each Linear maps them to its out_features. A Linear whose in_features differ raises
`mat1 and mat2 shapes cannot be multiplied`. Leave in_features out to have it derived.

Failing example::

    lstm: {input_size: 256, hidden_size: 512, bidirectional: true}
    decoder:
      lstm: {input_size: 300, hidden_size: 512}
      bridge: [concat, {linear: {in_features: 512, out_features: 512}}]

Passing example::

    lstm: {input_size: 256, hidden_size: 512, bidirectional: true}
    decoder:
      lstm: {input_size: 300, hidden_size: 512}
      bridge: [concat, {linear: {in_features: 1024, out_features: 512}}]
"""

from .. import codes
from ..shapes.joins import bridge_steps
from .joins_and_decoder import encoder_name, step_name
from ..frameworks.context import n

CODE = codes.BRIDGE_IN_FEATURES
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def check(context):
    decoder = context.config.decoder
    if decoder is None:
        return
    encoder = context.blocks[-1]
    features = encoder.h_out
    for layer, (kind, state, _) in zip(decoder.bridge, bridge_steps(encoder, decoder.bridge)):
        if kind == "linear" and layer.in_features is not None and layer.in_features != features:
            yield context.problem(
                layer.parts + ("linear", "in_features"), ID, SEVERITY,
                f"{step_name(layer.parts)}.linear.in_features is {n(layer.in_features)} but the state reaching it "
                f"has {n(features)} features ({encoder_name(context)}'s hn{' after concat' if features != encoder.h_out else ''}); "
                f"nn.Linear({n(layer.in_features)}, {n(layer.out_features)}) raises 'mat1 and mat2 shapes cannot be "
                "multiplied'",
            )
        features = state.h
