"""Record torch.nn.LSTM outputs as golden files, so lstm_forward is checked even without torch.

Run by hand from the repo root when the cases change: python tests/golden/record_forward.py
Each case is one .npz in tests/golden/forward/ holding the config, the state_dict (as
"param.<name>"), the inputs (x, and h0/c0/lengths where given) and torch's output, hn and cn.
"""

from __future__ import annotations

from pathlib import Path

import torch
from recording import record_cases, save_case
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT_DIR = Path(__file__).parent / "forward"
INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH = 3, 4, 5, 3
LENGTHS = [3, 5, 1]

# name: (dtype, num_layers, bidirectional, proj_size, bias, batch_first, input kind, given h0/c0)
# input kind: "batched", "unbatched" or "lengths" (batched with variable lengths).
CASES = {
    "f64_one_layer": ("float64", 1, False, 0, True, False, "batched", False),
    "f32_one_layer": ("float32", 1, False, 0, True, False, "batched", False),
    "f64_bidirectional_2_layers_h0": ("float64", 2, True, 0, True, False, "batched", True),
    "f32_bidirectional_2_layers_h0": ("float32", 2, True, 0, True, False, "batched", True),
    "f64_projection_3_layers_bidir": ("float64", 3, True, 2, True, False, "batched", False),
    "f32_projection_bidirectional_h0": ("float32", 2, True, 3, True, False, "batched", True),
    "f64_no_bias": ("float64", 2, False, 0, False, False, "batched", True),
    "f32_no_bias_projection": ("float32", 1, False, 2, False, False, "batched", False),
    "f64_batch_first_bidirectional": ("float64", 2, True, 0, True, True, "batched", True),
    "f32_batch_first_lengths": ("float32", 1, False, 0, True, True, "lengths", False),
    "f64_lengths_bidirectional_2_layers_h0": ("float64", 2, True, 0, True, False, "lengths", True),
    "f32_lengths_projection_bidirectional": ("float32", 2, True, 2, True, False, "lengths", True),
    "f64_unbatched_bidirectional_h0": ("float64", 2, True, 0, True, False, "unbatched", True),
    "f32_unbatched_projection": ("float32", 1, False, 3, True, True, "unbatched", False),
    "f64_everything": ("float64", 3, True, 2, False, True, "lengths", True),
    "f32_everything": ("float32", 3, True, 2, True, True, "lengths", True),
}


def record(name, dtype, num_layers, bidirectional, proj_size, bias, batch_first, kind, given):
    torch_dtype = getattr(torch, dtype)
    torch.manual_seed(sum(map(ord, name)))
    lstm = torch.nn.LSTM(
        INPUT_SIZE, HIDDEN_SIZE, num_layers, bias=bias, batch_first=batch_first,
        bidirectional=bidirectional, proj_size=proj_size,
    ).to(torch_dtype)
    num_directions = 2 if bidirectional else 1
    if kind == "unbatched":
        x = torch.randn(SEQ_LEN, INPUT_SIZE, dtype=torch_dtype)
        state_batch = ()
    else:
        x_shape = (BATCH, SEQ_LEN) if batch_first else (SEQ_LEN, BATCH)
        x = torch.randn(*x_shape, INPUT_SIZE, dtype=torch_dtype)
        state_batch = (BATCH,)
    arrays = {"x": x}
    hx = None
    if given:
        rows = num_layers * num_directions
        hx = (
            torch.randn(rows, *state_batch, proj_size or HIDDEN_SIZE, dtype=torch_dtype),
            torch.randn(rows, *state_batch, HIDDEN_SIZE, dtype=torch_dtype),
        )
        arrays["h0"], arrays["c0"] = hx
    with torch.no_grad():
        if kind == "lengths":
            arrays["lengths"] = torch.tensor(LENGTHS)
            packed = pack_padded_sequence(
                x, arrays["lengths"], batch_first=batch_first, enforce_sorted=False
            )
            output, (hn, cn) = lstm(packed, hx)
            output, _ = pad_packed_sequence(output, batch_first=batch_first, total_length=SEQ_LEN)
        else:
            output, (hn, cn) = lstm(x, hx)
    arrays.update(output=output, hn=hn, cn=cn)
    arrays.update({f"param.{key}": value for key, value in lstm.state_dict().items()})
    config = dict(
        num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first,
        proj_size=proj_size,
    )
    save_case(OUT_DIR, name, arrays, config)


def main():
    record_cases(OUT_DIR, CASES, record)


if __name__ == "__main__":
    main()
