"""Re-record tests/golden/rnn_shapes.json from torch.nn.GRU and nn.RNN themselves (run by hand).

    python tests/golden/record_rnn_shapes.py

As record_shapes.py does for nn.LSTM: the real module is built and called; output and hn are what
torch returned, h0 the shape it accepted, the parameters its state_dict in order, and the MACs
torchinfo's count. tests/frameworks/test_torch.py compares the shape engine against this file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from recording import observation, write_shapes

OUT = Path(__file__).with_name("rnn_shapes.json")


def cases() -> list[dict]:
    """A grid over cell and every flag, with sizes that keep every dimension distinct."""
    grid = itertools.product(("gru", "rnn"), (False, True), (False, True), (1, 2, 3), (True, False), (False, True))
    return [
        {
            "lstm": {"input_size": 5, "hidden_size": 7, "num_layers": num_layers, "bidirectional": bidirectional,
                     "batch_first": batch_first, "bias": bias, "cell": cell},
            "data": {"batch_size": 2, "seq_len": 11, "unbatched": unbatched},
        }
        for cell, batch_first, bidirectional, num_layers, bias, unbatched in grid
    ]


def observe(case: dict) -> dict:
    """Build and run the real torch.nn.GRU or nn.RNN for one case; return what torch produced."""
    import torch

    kw, data = dict(case["lstm"]), case["data"]
    cell = kw.pop("cell")
    kw.pop("nonlinearity", None)  # the same shapes for tanh and relu
    torch.manual_seed(0)
    net = torch.nn.GRU(**kw) if cell == "gru" else torch.nn.RNN(**kw)
    rows = (2 if kw["bidirectional"] else 1) * kw["num_layers"]
    seq, batch = data["seq_len"], data["batch_size"]
    if data["unbatched"]:
        x, h0 = torch.zeros(seq, kw["input_size"]), torch.zeros(rows, kw["hidden_size"])
    else:
        x = torch.zeros(*((batch, seq) if kw["batch_first"] else (seq, batch)), kw["input_size"])
        h0 = torch.zeros(rows, batch, kw["hidden_size"])
    with torch.no_grad():
        output, hn = net(x, h0)  # raises if torch wants another h0 shape
    shapes = {"input": x.shape, "output": output.shape, "h0": h0.shape, "hn": hn.shape}
    return observation(net, x, shapes, data["unbatched"])


def main() -> None:
    write_shapes(OUT, cases(), observe)


if __name__ == "__main__":
    main()
