"""rnn_forward(cell="gru") against torch.nn.GRU, at the sizes of bench_forward.py (the LSTM's).

Run by hand: python benchmarks/bench_gru_forward.py (figures: README.md, "The NumPy forward pass").
Kept apart from bench_forward.py, which belongs to the LSTM's forward. Both run float32 in one
process with the same number of threads; the timings alternate between the two, so a busy machine
slows both alike. Times are medians of timeit.repeat runs.
"""

from __future__ import annotations

import os
import platform
import timeit

import numpy as np
import torch

from lstmshape.forward import rnn_forward

# (input_size, hidden_size, seq_len, batch): bench_forward.py's cases; one unidirectional layer.
CASES = [(10, 20, 5, 3), (128, 256, 100, 32), (512, 512, 100, 64)]
ROUNDS = 5  # alternating rounds; each times numpy then torch
REPEAT = 3  # timeit repeats per round


def median_seconds(function, number):
    return float(np.median(timeit.repeat(function, number=number, repeat=REPEAT)) / number)


def bench_case(input_size, hidden_size, seq_len, batch):
    torch.manual_seed(0)
    gru = torch.nn.GRU(input_size, hidden_size).eval()
    params = {name: value.numpy() for name, value in gru.state_dict().items()}
    x = np.random.default_rng(0).standard_normal((seq_len, batch, input_size), dtype=np.float32)
    x_torch = torch.from_numpy(x)

    def run_numpy():
        return rnn_forward(x, params, "gru")

    def run_torch():
        with torch.no_grad():
            return gru(x_torch)

    (output, hn), (want_output, want_hn) = run_numpy(), run_torch()
    error = max(np.abs(output - want_output.numpy()).max(), np.abs(hn - want_hn.numpy()).max())
    number = max(1, timeit.Timer(run_numpy).autorange()[0] // 2)
    numpy_times, torch_times = [], []
    for _ in range(ROUNDS):
        numpy_times.append(median_seconds(run_numpy, number))
        torch_times.append(median_seconds(run_torch, number))
    return float(np.median(numpy_times)), float(np.median(torch_times)), error


def main():
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print("load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} torch threads\n")
    header = f"{'input,hidden,seq,batch':>24} {'numpy ms':>10} {'torch ms':>10} {'ratio':>6} {'max err':>8}"
    print(header)
    print("-" * len(header))
    for input_size, hidden_size, seq_len, batch in CASES:
        numpy_s, torch_s, error = bench_case(input_size, hidden_size, seq_len, batch)
        size = f"{input_size},{hidden_size},{seq_len},{batch}"
        print(f"{size:>24} {numpy_s * 1e3:10.3f} {torch_s * 1e3:10.3f} {numpy_s / torch_s:6.2f} {error:8.1e}")
    print("load average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
