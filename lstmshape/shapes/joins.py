"""The layers real code puts between and around its LSTMs, as shape arithmetic: the join between
two blocks of a stack (a Linear projection as in ESPnet's RNNP encoder, or the two directions
summed as in deepspeech.pytorch's BatchRNN) and the bridge that turns an encoder's final state
(hn, cn) into a decoder's initial state (h0, c0).

Pure like the rest of `shapes`: sizes stay exact integers, nothing is allocated. A step whose own
sizes disagree is not refused here (the rules in `lstmshape.rules` say so); the sizes that flow on
are the ones the step produces.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from ..settings import TorchLSTM
from ..frameworks.torch import TorchShapes, infer_lstm


class Step(NamedTuple):
    """One step of a join or bridge: features in and out, and the torch code it stands for."""

    kind: str
    features_in: int
    features_out: int
    code: str


def join_steps(before: TorchLSTM, layers: tuple) -> list[Step]:
    """What each layer of a join does to the feature size of `before`'s output (num_directions ×
    H_out features, (seq_len, N, features) as seq-first)."""
    features = before.num_directions * before.h_out
    out = []
    for layer in layers:
        if layer.kind == "sum":  # deepspeech.pytorch: x.view(T, N, 2, -1).sum(2)
            after = features // 2
            out.append(Step("sum", features, after, f"x.view(T, N, 2, {after}).sum(2)"))
        elif layer.kind == "linear":
            after = layer.out_features
            out.append(Step("linear", features, after, f"nn.Linear({layer.in_features or features}, {after})"))
        else:
            after = features
            out.append(Step(layer.kind, features, after, layer.kind))
        features = after
    return out


class State(NamedTuple):
    """A (rows, batch, features) state as the bridge passes it on: h and c separately."""

    rows: int
    h: int
    c: int
    directions: int  # directions still folded into the rows (2 until concat or sum merges them)


def final_state(encoder: TorchLSTM) -> State:
    """The encoder's (hn, cn) as returned: D·num_layers rows, H_out and hidden_size features."""
    return State(encoder.num_directions * encoder.num_layers, encoder.h_out, encoder.hidden_size,
                 encoder.num_directions)


def bridge_steps(encoder: TorchLSTM, layers: tuple, batch="N") -> list[tuple[str, State, str]]:
    """(kind, state after the step, torch code) for each bridge layer, from the encoder's final
    state: hn (D·num_layers, N, H_out) and cn (D·num_layers, N, hidden_size); `batch` names N in
    the code."""
    state = final_state(encoder)
    layers_n = encoder.num_layers
    out = []
    for layer in layers:
        if layer.kind in ("concat", "sum") and state.directions == 2:
            if layer.kind == "concat":
                state = State(layers_n, 2 * state.h, 2 * state.c, 1)
                code = f"hn.view({layers_n}, 2, {batch}, {state.h // 2}) → torch.cat((h[:, 0], h[:, 1]), dim=-1)"
            else:
                state = State(layers_n, state.h, state.c, 1)
                code = f"hn.view({layers_n}, 2, {batch}, {state.h}).sum(1)"
        elif layer.kind == "linear":
            state = State(state.rows, layer.out_features, layer.out_features, state.directions)
            code = f"nn.Linear({layer.in_features or state.h}, {layer.out_features})"
        else:
            code = layer.kind
        out.append((layer.kind, state, code))
    return out


def bridged_state(encoder: TorchLSTM, layers: tuple) -> State:
    """The state the decoder is given as (h0, c0)."""
    steps = bridge_steps(encoder, layers)
    return steps[-1][1] if steps else final_state(encoder)


def infer_decoder(config) -> TorchShapes | None:
    """The decoder's shapes: its own input (seq_len steps of its input_size), the batch of `data`."""
    if config.decoder is None:
        return None
    data = replace(config.data, seq_len=config.decoder.seq_len, lengths=None)
    return infer_lstm(config.decoder.lstm, data)


def around_json(config) -> dict:
    """The joins and the decoder as data (`infer --format json` adds it under `around`)."""
    out: dict = {}
    blocks = config.blocks
    if config.joins:
        out["joins"] = [{"block": k, "steps": [step._asdict() for step in join_steps(blocks[k - 1], join)]}
                        for k, join in enumerate(config.joins) if join]
    if config.decoder is not None:
        encoder = blocks[-1]
        batch = 1 if config.data.unbatched else config.data.batch_size
        start = final_state(encoder)
        out["bridge"] = {"from": {"rows": start.rows, "h": start.h, "c": start.c},
                         "steps": [{"kind": kind, "rows": s.rows, "h": s.h, "c": s.c, "code": code}
                                   for kind, s, code in bridge_steps(encoder, config.decoder.bridge, batch)]}
    return out
