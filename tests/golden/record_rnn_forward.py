"""Record torch.nn.GRU and nn.RNN outputs and shapes as golden files, so rnn_forward and the
GRU/RNN shape engine are checked even without torch.

Run by hand from the repo root when the cases change: python tests/golden/record_rnn_forward.py
Each case is one .npz in tests/golden/rnn_forward/ holding the config, the state_dict (as
"param.<name>"), the inputs (x, and h0/lengths where given) and torch's output and hn.
"""

from __future__ import annotations

from pathlib import Path

import torch
from recording import record_cases, save_case
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT_DIR = Path(__file__).parent / "rnn_forward"
INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH = 3, 4, 5, 3
LENGTHS = [3, 5, 1]

# name: (mode, dtype, num_layers, bidirectional, bias, batch_first, input kind, given h0)
CASES = {
    "gru_f64_one_layer": ("gru", "float64", 1, False, True, False, "batched", False),
    "gru_f32_bidirectional_2_layers_h0": ("gru", "float32", 2, True, True, False, "batched", True),
    "gru_f64_batch_first_lengths_bidir": ("gru", "float64", 2, True, True, True, "lengths", True),
    "gru_f64_no_bias_unbatched": ("gru", "float64", 2, True, False, False, "unbatched", True),
    "gru_f32_everything": ("gru", "float32", 3, True, True, True, "lengths", True),
    "rnn_tanh_f64_bidirectional_h0": ("rnn_tanh", "float64", 2, True, True, False, "batched", True),
    "rnn_tanh_f32_lengths": ("rnn_tanh", "float32", 1, False, True, True, "lengths", False),
    "rnn_relu_f64_no_bias_3_layers": ("rnn_relu", "float64", 3, False, False, True, "batched", True),
    "rnn_relu_f32_unbatched_bidir": ("rnn_relu", "float32", 2, True, True, False, "unbatched", False),
}


def module(mode, input_size, hidden_size, num_layers, bias, batch_first, bidirectional):
    """The torch module a lstmshape cell mode names."""
    if mode == "gru":
        return torch.nn.GRU(input_size, hidden_size, num_layers, bias=bias, batch_first=batch_first,
                            bidirectional=bidirectional)
    return torch.nn.RNN(input_size, hidden_size, num_layers, nonlinearity=mode[4:], bias=bias,
                        batch_first=batch_first, bidirectional=bidirectional)


def run(net, x, h0, lengths, batch_first):
    """torch's output and hn, through pack_padded_sequence/pad_packed_sequence when lengths are given."""
    with torch.no_grad():
        if lengths is None:
            return net(x, h0)
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        output, hn = net(packed, h0)
        seq_len = x.shape[1 if batch_first else 0]
        output, _ = pad_packed_sequence(output, batch_first=batch_first, total_length=seq_len)
        return output, hn


def record(name, mode, dtype, num_layers, bidirectional, bias, batch_first, kind, given):
    torch_dtype = getattr(torch, dtype)
    torch.manual_seed(sum(map(ord, name)))
    net = module(mode, INPUT_SIZE, HIDDEN_SIZE, num_layers, bias, batch_first, bidirectional).to(torch_dtype)
    rows = num_layers * (2 if bidirectional else 1)
    if kind == "unbatched":
        x, state_batch = torch.randn(SEQ_LEN, INPUT_SIZE, dtype=torch_dtype), ()
    else:
        x_shape = (BATCH, SEQ_LEN) if batch_first else (SEQ_LEN, BATCH)
        x, state_batch = torch.randn(*x_shape, INPUT_SIZE, dtype=torch_dtype), (BATCH,)
    arrays = {"x": x}
    h0 = torch.randn(rows, *state_batch, HIDDEN_SIZE, dtype=torch_dtype) if given else None
    if given:
        arrays["h0"] = h0
    lengths = LENGTHS if kind == "lengths" else None
    if lengths:
        arrays["lengths"] = torch.tensor(lengths)
    output, hn = run(net, x, h0, lengths, batch_first)
    arrays.update(output=output, hn=hn)
    arrays.update({f"param.{key}": value for key, value in net.state_dict().items()})
    config = dict(mode=mode, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first,
                  num_params=sum(p.numel() for p in net.parameters()))
    save_case(OUT_DIR, name, arrays, config)


def main():
    record_cases(OUT_DIR, CASES, record)


if __name__ == "__main__":
    main()
