"""Re-record tests/golden/torch_shapes.json from torch.nn.LSTM itself (run by hand).

    python tests/golden/record_shapes.py

For every case the real module is built and called: the shapes of input, output, hn and cn are
what torch returned, h0/c0 are the shapes torch accepted as initial state (it raises on any
other), the parameters are its state_dict in order, and the MACs are torchinfo's count where
torchinfo is installed. tests/test_shapes.py compares the shape engine against this file, so the
plain test command checks against real torch output even where torch is not installed.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

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
    result = {
        "shapes": {
            "input": list(x.shape),
            "output": list(output.shape),
            "h0": list(h0.shape),
            "c0": list(c0.shape),
            "hn": list(hn.shape),
            "cn": list(cn.shape),
        },
        "params": [[name, list(p.shape)] for name, p in lstm.state_dict().items()],
        "num_params": sum(p.numel() for p in lstm.parameters()),
    }
    try:
        import torchinfo
    except ImportError:
        return result
    if not data["unbatched"]:  # torchinfo counts unbatched RNNs by (seq_len × features); see README
        summary = torchinfo.summary(lstm, input_data=[x], verbose=0)
        result["macs"] = summary.total_mult_adds
    return result


def main() -> None:
    import torch

    records = [{"case": case, "torch": observe(case)} for case in cases()]
    OUT.write_text(json.dumps({"torch": torch.__version__, "records": records}, indent=1) + "\n")
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
