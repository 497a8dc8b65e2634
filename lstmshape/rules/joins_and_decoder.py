"""Shared by the rules of the model around the LSTM (LS130–LS139): how joins and bridges are named
in messages, and where a decoder's settings were written."""

from __future__ import annotations

from ..problems import json_path
from ..shapes.joins import bridge_steps, bridged_state, join_steps
from ..frameworks.context import RuleContext, n


def step_name(parts: tuple) -> str:
    """`lstm[1].join[0]`: a join or bridge step as the config writes it."""
    return json_path(parts)[2:]


def joins(context: RuleContext):
    """(k, block before, block, join layers, steps) for every block of a stack that has a join."""
    for k, join in enumerate(context.config.joins):
        if join:
            yield k, context.blocks[k - 1], context.blocks[k], join, join_steps(context.blocks[k - 1], join)


def decoder_origin(context: RuleContext, key: str) -> tuple:
    return context.config.origins.get(("decoder", "lstm", key), ("decoder", "lstm"))


def encoder_name(context: RuleContext) -> str:
    k = len(context.blocks) - 1
    return context.block_name(k)


def batch(context: RuleContext) -> str:
    return "" if context.data.unbatched else f", {n(context.data.batch_size)}"


def state_text(context: RuleContext, rows, features) -> str:
    return f"({n(rows)}{batch(context)}, {n(features)})"


def handover(context: RuleContext) -> tuple | None:
    """(encoder, decoder LSTM, the decoder's h0/c0 as the bridge hands them on, the bridge's
    steps) for the decoder rules; None for a config without a decoder."""
    decoder = context.config.decoder
    if decoder is None:
        return None
    encoder = context.blocks[-1]
    return encoder, decoder.lstm, bridged_state(encoder, decoder.bridge), bridge_steps(encoder, decoder.bridge)
