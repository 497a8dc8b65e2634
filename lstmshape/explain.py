"""The shape traps that apply to one LSTM: what `infer --explain` warns a reader about.

Each trap is a real, common bug (the kind that ends in "Expected hidden[0] size ...") stated for
this config's own numbers, so the reader can copy the fix.
"""

from __future__ import annotations

from .shapes import Inference


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def traps(result: Inference) -> list[str]:
    lstm, data = result.lstm, result.data
    d, h_out = lstm.num_directions, lstm.h_out
    hn = result["hn"].shape
    out = []
    features = d * h_out
    if d == 2 or lstm.proj_size:
        out.append(
            f"A Linear layer after this LSTM needs in_features = num_directions × H_out = {features}, "
            f"not hidden_size {lstm.hidden_size}."
        )
    else:
        out.append(f"A Linear layer after this LSTM needs in_features = {features} (its output features).")
    if data.unbatched:
        out.append(
            f"Unbatched input is 2-D: h0/c0 must be 2-D too, {_shape(hn)}; batch_first has no effect."
        )
    elif lstm.batch_first:
        out.append(
            "batch_first=True changes input and output only: h0/c0/hn/cn stay "
            f"(num_directions × num_layers, batch, H) = {_shape(hn)}, never batch-first."
        )
        if hn[0] == hn[1]:
            out.append(
                f"batch {hn[1]} equals num_directions × num_layers {hn[0]}: an h0 built batch-first "
                "has the right shape and torch accepts it silently, mixing up batch rows and layers."
            )
    if lstm.num_layers > 1 or d == 2:
        last = f"hn[-{d}:]" if d == 2 else "hn[-1]"
        out.append(
            f"hn rows are layer-major: row = layer × {d} + direction; the last layer's state is {last}; "
            f"hn.view(num_layers={lstm.num_layers}, num_directions={d}, ...) separates them."
        )
    if d == 2:
        step = "output[:, -1]" if lstm.batch_first and not data.unbatched else "output[-1]"
        out.append(
            f"Bidirectional: the final state is torch.cat((hn[-2], hn[-1]), dim=-1) ({features} features). "
            f"{step} is not: its second half is the backward direction after one step only "
            f"(the backward final state sits at time step 0)."
        )
    if lstm.proj_size:
        out.append(
            f"proj_size {lstm.proj_size}: h0/hn have {lstm.proj_size} features but c0/cn keep "
            f"hidden_size {lstm.hidden_size}; weight_hh is (4 × hidden_size, proj_size)."
        )
    out.append("hn/cn do not depend on seq_len; output does not depend on num_layers.")
    return out
