"""Re-record tests/golden/torch_shapes.json from torch.nn.LSTM itself (run by hand).

    python tests/golden/record_shapes.py

For every case the real module is built and called: the shapes of input, output, hn and cn are
what torch returned, h0/c0 are the shapes torch accepted as initial state (it raises on any
other), the parameters are its state_dict in order, and the MACs are torchinfo's count where
torchinfo is installed. tests/frameworks/test_torch.py compares the shape engine against this file, so the
plain test command checks against real torch output even where torch is not installed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from recording import observation, write_shapes

OUT = Path(__file__).with_name("torch_shapes.json")


def cases() -> list[dict]:
    """A grid over every flag, with sizes that keep every dimension distinct."""
    out = []
    grid = itertools.product((False, True), (False, True), (1, 2, 3), (0, 3), (True, False), (False, True))
    for batch_first, bidirectional, num_layers, proj_size, bias, unbatched in grid:
        out.append(
            {
                "lstm": {
                    "input_size": 5,
                    "hidden_size": 7,
                    "num_layers": num_layers,
                    "bidirectional": bidirectional,
                    "batch_first": batch_first,
                    "proj_size": proj_size,
                    "bias": bias,
                },
                "data": {"batch_size": 2, "seq_len": 11, "unbatched": unbatched},
            }
        )
    return out


def observe(case: dict) -> dict:
    """Build and run the real torch.nn.LSTM for one case; return what torch produced."""
    import torch

    lstm_kw, data = case["lstm"], case["data"]
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(**lstm_kw)
    d = 2 if lstm_kw["bidirectional"] else 1
    rows = d * lstm_kw["num_layers"]
    h_out = lstm_kw["proj_size"] or lstm_kw["hidden_size"]
    seq, batch = data["seq_len"], data["batch_size"]
    if data["unbatched"]:
        x = torch.zeros(seq, lstm_kw["input_size"])
        h0, c0 = torch.zeros(rows, h_out), torch.zeros(rows, lstm_kw["hidden_size"])
    else:
        x = torch.zeros(*((batch, seq) if lstm_kw["batch_first"] else (seq, batch)), lstm_kw["input_size"])
        h0, c0 = torch.zeros(rows, batch, h_out), torch.zeros(rows, batch, lstm_kw["hidden_size"])
    with torch.no_grad():
        output, (hn, cn) = lstm(x, (h0, c0))  # raises if torch wants other h0/c0 shapes
    shapes = {"input": x.shape, "output": output.shape, "h0": h0.shape, "c0": c0.shape, "hn": hn.shape,
              "cn": cn.shape}
    return observation(lstm, x, shapes, data["unbatched"])


def main() -> None:
    write_shapes(OUT, cases(), observe)


if __name__ == "__main__":
    main()
