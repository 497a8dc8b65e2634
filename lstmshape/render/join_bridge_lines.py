"""The model around the LSTM in words for a table: the join between two blocks of a stack and
the bridge from an encoder's final state to its decoder."""

from __future__ import annotations

from ..settings import Config
from ..shapes.joins import bridge_steps, join_steps
from .result_text import shape_text


def join_line(config: Config, results: list, k: int) -> str:
    """`join lstm[0] → lstm[1]: (8, 50, 640) → nn.Linear(640, 320) → tanh → (8, 50, 320)`."""
    steps = join_steps(config.blocks[k - 1], config.joins[k])
    chain = " → ".join(step.code for step in steps)
    return (f"join lstm[{k - 1}] → lstm[{k}]: {shape_text(results[k - 1]['output'].shape)} → {chain} → "
            f"{shape_text(results[k]['input'].shape)}")


def bridge_line(config: Config, encoder) -> str:
    """`bridge lstm → decoder: hn (4, 16, 512) → concat → (2, 16, 1024) = decoder h0`."""
    name = f"lstm[{len(config.blocks) - 1}]" if config.listed else "lstm"
    batch = () if config.data.unbatched else (config.data.batch_size,)
    hn = encoder["hn"].shape
    parts = [f"bridge {name} → decoder: hn {shape_text(hn)}"]
    for kind, state, code in bridge_steps(config.blocks[-1], config.decoder.bridge, *batch):
        parts.append(f"{code} → {shape_text((state.rows, *batch, state.h))}")
    return " → ".join(parts) + " = decoder h0" + ("" if config.decoder.bridge else " (passed as it is)")
