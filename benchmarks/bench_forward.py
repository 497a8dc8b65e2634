"""lstm_forward against torch.nn.LSTM: wall time, matmul-roof share and peak memory.

Run by hand: python benchmarks/bench_forward.py (figures and how to read them: README.md here).
Both run float32 in one process with the same number of threads; the timings alternate between
the two, so a busy machine slows both alike. Times are medians of timeit.repeat runs.
"""

from __future__ import annotations

import os
import platform
import timeit
import tracemalloc

import numpy as np
import torch

from lstmshape.forward import lstm_forward

try:
    from threadpoolctl import threadpool_info
except ImportError:
    threadpool_info = None

# (input_size, hidden_size, seq_len, batch, target ratio numpy / torch); one unidirectional layer.
CASES = [
    (10, 20, 5, 3, 1.0),
    (128, 256, 100, 32, 1.2),
    (512, 512, 100, 64, 1.1),
]
ROOF_TARGET = 0.55  # share of the matmul roof the largest case must reach
ROUNDS = 5  # alternating rounds; each times numpy then torch
REPEAT = 3  # timeit repeats per round


def blas_report():
    """numpy's BLAS library, kernel and thread count (threadpoolctl when installed)."""
    if threadpool_info is None:
        return None, "threadpoolctl not installed: BLAS kernel and threads unknown"
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    if not blas:
        return None, "no BLAS found by threadpoolctl"
    pool = blas[0]
    description = (
        f"{pool['internal_api']} {pool.get('version')}, kernel {pool.get('architecture')}, "
        f"{pool['num_threads']} threads ({os.path.basename(pool['filepath'])})"
    )
    return pool["num_threads"], description


def lstm_flops(input_size, hidden_size, seq_len, batch):
    """FLOPs of one LSTM layer by torch's formulas.

    Per step and sequence: the two mat-vecs (2 * 4H * (input_size + H)), adding b_ih, b_hh and
    the two products (3 * 4H), the activations (4H: sigmoid and tanh count one FLOP each), the cell
    update f*c + i*g (3H), tanh(c) (H) and o * tanh(c) (H).
    """
    h = hidden_size
    per_step = 8 * h * (input_size + h) + 12 * h + 4 * h + 5 * h
    return per_step * seq_len * batch


def median_seconds(function, number):
    return float(np.median(timeit.repeat(function, number=number, repeat=REPEAT)) / number)


def matmul_roof():
    """Measured float32 GFLOP/s of a large a @ b: the most any matmul-bound code here can reach.

    Best of the repeats, not median: a busy moment must not lower the roof and flatter us.
    """
    size = 2048
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    a @ b
    seconds = min(timeit.repeat(lambda: a @ b, number=3, repeat=9)) / 3
    return 2 * size**3 / seconds / 1e9


def bench_case(input_size, hidden_size, seq_len, batch):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(input_size, hidden_size).eval()
    params = {name: value.numpy() for name, value in lstm.state_dict().items()}
    x = np.random.default_rng(0).standard_normal((seq_len, batch, input_size), dtype=np.float32)
    x_torch = torch.from_numpy(x)

    def run_numpy():
        return lstm_forward(x, params)

    def run_torch():
        with torch.no_grad():
            return lstm(x_torch)

    ours, want = run_numpy(), run_torch()
    (output, (_, cn)), (want_output, (_, want_cn)) = ours, want
    error = max(np.abs(output - want_output.numpy()).max(), np.abs(cn - want_cn.numpy()).max())
    number = max(1, timeit.Timer(run_numpy).autorange()[0] // 2)
    numpy_times, torch_times = [], []
    for _ in range(ROUNDS):
        numpy_times.append(median_seconds(run_numpy, number))
        torch_times.append(median_seconds(run_torch, number))

    tracemalloc.start()
    run_numpy()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    output_bytes = seq_len * batch * hidden_size * 4
    projection_bytes = seq_len * batch * 4 * hidden_size * 4
    return float(np.median(numpy_times)), float(np.median(torch_times)), error, peak, (
        output_bytes + projection_bytes
    )


def main():
    threads, blas = blas_report()
    if threads:
        torch.set_num_threads(threads)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print("load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"numpy {np.__version__}, BLAS: {blas}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{name}={os.environ.get(name, '(unset)')}")
    roof = matmul_roof()
    print(f"matmul roof (float32 2048x2048 a @ b): {roof:.1f} GFLOP/s\n")

    header = (
        f"{'input,hidden,seq,batch':>24} {'numpy ms':>10} {'torch ms':>10} {'ratio':>6} "
        f"{'target':>6} {'GFLOP/s':>8} {'% roof':>7} {'max err':>8} {'peak MiB':>9} "
        f"{'out+proj MiB':>12}"
    )
    print(header)
    print("-" * len(header))
    for input_size, hidden_size, seq_len, batch, target in CASES:
        numpy_s, torch_s, error, peak, baseline = bench_case(
            input_size, hidden_size, seq_len, batch
        )
        gflops = lstm_flops(input_size, hidden_size, seq_len, batch) / numpy_s / 1e9
        size = f"{input_size},{hidden_size},{seq_len},{batch}"
        ratio = numpy_s / torch_s
        met = "ok" if ratio <= target else "MISS"
        print(
            f"{size:>24} {numpy_s * 1e3:10.3f} {torch_s * 1e3:10.3f} {ratio:6.2f} "
            f"{'<=' + str(target):>6} {gflops:8.1f} {100 * gflops / roof:6.1f}% {error:8.1e} "
            f"{peak / 2**20:9.2f} {baseline / 2**20:12.2f}  {met}"
        )
    print(f"\nroof target for the largest case: >= {ROOF_TARGET:.0%} of the matmul roof")
    print("load average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
