"""lstm_forward against its GEMM floor, its reference, torch.nn.LSTM, onnxruntime and older code.

Run by hand: python benchmarks/bench_forward.py [ROUNDS] (figures and how to read them:
docs/performance.md). All candidates run float32 in one process with the same number of
threads, in alternating rounds, so a busy machine slows all alike; each figure is the median over
rounds of the median of REPEAT timeit repeats. "ours" is lstm_forward / rnn_forward as a user
gets it (implementation "auto": the variant its calibration chose on this machine, named in the
table, the calibration paid by a first call before timing, whose time is shown). With --parts
[CELL ...] it instead times, for each cell, one thread against batch parts (implementation
"<cell>+serial" against "<cell>+parts"); with --directions a bidirectional forward's directions
in one thread against two; with --gemm one step's h @ W_hh^T by np.matmul against the packed
product (fast._step_products). The calibration cache goes to a temporary directory, so every run
calibrates afresh.
"""

from __future__ import annotations

import io
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
import timeit
import tracemalloc
import types
import warnings
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import ThreadpoolController, threadpool_info

from lstmshape import forward
from lstmshape.forward import fast, rnn_forward

# (cell, input_size, hidden_size, seq_len, batch, goal: ours / GEMM floor); one unidirectional
# layer. The GRU and RNN have no goal of their own: their rows show what the LSTM's strategy
# (batch parts, the compiled cell) does for them.
CASES = [
    ("lstm", 10, 20, 5, 3, None),
    ("lstm", 128, 256, 100, 32, 1.5),
    ("lstm", 512, 512, 100, 64, 1.2),
    ("gru", 10, 20, 5, 3, None),
    ("gru", 128, 256, 100, 32, "-"),
    ("gru", 512, 512, 100, 64, "-"),
    ("rnn_tanh", 128, 256, 100, 32, "-"),
]
ROUNDS = int(next((arg for arg in sys.argv[1:] if arg.isdigit()), 7))
REPEAT = 3  # timeit repeats per round and candidate
# The commits whose forward is "before": the LSTM's the last one before issue #15 touched
# forward.py; the GRU's and RNN's the last one before issue #15 reached rnn_forward.
BEFORE = {"lstm": "ba20c23", "gru": "1161972", "rnn_tanh": "1161972"}
# "today": the fast path as it was before issue #30 item 2 (thresholds measured on one CPU), run
# as its default ("auto") and with its compiled cell; the faster of the two is the figure.
TODAY = "176a326"
# OpenBLAS's idle workers spin about 0.1 s after a multi-threaded call and torch's OpenMP
# workers spin too; a pause between candidates lets each start on a quiet machine.
PAUSE_SECONDS = 0.2


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_report():
    """numpy's BLAS library, kernel and thread count, as threadpoolctl reports them."""
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    if not blas:
        return 1, "no BLAS found by threadpoolctl"
    pool = blas[0]
    return pool["num_threads"], (
        f"{pool['internal_api']} {pool.get('version')}, kernel {pool.get('architecture')}, "
        f"{pool['num_threads']} threads ({os.path.basename(pool['filepath'])})"
    )


def forward_before(commit):
    """forward.py as it was at a commit, loaded from git into a module of its own."""
    repo = Path(__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "show", f"{commit}:lstmshape/forward.py"],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout
    module = types.ModuleType(f"lstmshape.forward_{commit}")
    module.__package__ = "lstmshape"  # its relative imports (.config, .shapes) resolve as before
    exec(compile(source, f"{commit}:lstmshape/forward.py", "exec"), module.__dict__)
    # its param_shapes imported lstmshape.config, gone since; today's shape engine gives the same names
    module.param_shapes = forward.param_shapes
    if hasattr(module, "_COMPILED_CELLS"):  # the compiled cells have moved into lstmshape.forward since
        module._COMPILED_CELLS = "lstmshape.forward.compiled_cell:ready_cells"
    return module


def forward_today(commit=TODAY):
    """lstmshape.forward as it was at a commit: the package taken from git into a temporary
    directory as `lstmshape_<commit>` (its imports are relative; its compiled cell and packing
    are pointed at its own copies)."""
    repo = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "archive", commit, "lstmshape"], cwd=repo, check=True,
                             capture_output=True).stdout
    root = Path(tempfile.mkdtemp(prefix="lstmshape-today-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    name = f"lstmshape_{commit}"
    (root / "lstmshape").rename(root / name)
    sys.path.insert(0, str(root))
    import importlib

    module = importlib.import_module(f"{name}.forward.fast")
    module._COMPILED_CELLS = f"{name}.forward.compiled_cell:ready_cells"
    module._PACKING = f"{name}.forward.packed_gemm:ready_packing"
    return module


def onnxruntime_session(net, x, threads):
    """The module exported by torch.onnx.export (the TorchScript exporter: the dynamo exporter,
    torch's default, needs onnxscript) and run by onnxruntime on the CPU with `threads` intra-op
    threads: run() returns output and the final state(s) as numpy arrays."""
    import onnxruntime

    buffer = io.BytesIO()
    outputs = ["output", "hn", "cn"] if isinstance(net, torch.nn.LSTM) else ["output", "hn"]
    with torch.no_grad(), warnings.catch_warnings():  # the legacy exporter's deprecation and batch notes
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (torch.from_numpy(x),), buffer, dynamo=False, input_names=["x"], output_names=outputs)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])
    return lambda: session.run(None, {"x": x})


def gemm_floor(net, x):
    """The two GEMMs any NumPy LSTM must pay: the input projection of all steps as one GEMM, then
    seq_len recurrent W_hh @ h, feature-major, same dtype and BLAS threads, no gate work."""
    seq_len, batch, input_size = x.shape
    w_ih = net.weight_ih_l0.detach().numpy()
    w_hh = net.weight_hh_l0.detach().numpy()
    inputs = x.reshape(seq_len * batch, input_size).T
    projected = np.empty((w_ih.shape[0], seq_len * batch), x.dtype)
    h = np.random.default_rng(1).standard_normal((w_hh.shape[1], batch), dtype=x.dtype)
    gates = np.empty((w_hh.shape[0], batch), x.dtype)

    def run():
        np.matmul(w_ih, inputs, out=projected)
        for _ in range(seq_len):
            np.matmul(w_hh, h, out=gates)

    return run


def median_seconds(function, number):
    time.sleep(PAUSE_SECONDS)
    function()
    return float(np.median(timeit.repeat(function, number=number, repeat=REPEAT)) / number)


def bench_case(cell, threads, input_size, hidden_size, seq_len, batch, today):
    torch.manual_seed(0)
    if cell == "lstm":
        net = torch.nn.LSTM(input_size, hidden_size).eval()
    elif cell == "gru":
        net = torch.nn.GRU(input_size, hidden_size).eval()
    else:
        net = torch.nn.RNN(input_size, hidden_size, nonlinearity=cell[4:]).eval()
    params = {name: value.numpy() for name, value in net.state_dict().items()}
    x = np.random.default_rng(0).standard_normal((seq_len, batch, input_size), dtype=np.float32)
    x_torch = torch.from_numpy(x)
    before = forward_before(BEFORE[cell])

    def run_torch():
        with torch.no_grad():
            return net(x_torch)

    def run(module, **implementation):  # a forward module's entry point for this cell, now or at a commit
        if cell == "lstm":
            return module.lstm_forward(x, params, **implementation)
        return module.rnn_forward(x, params, cell, **implementation)

    start = time.perf_counter()
    run(forward)  # the first call of this shape calibrates
    first_call = time.perf_counter() - start
    chosen = fast.chosen_variants()
    variant = next(name for key, name in chosen.items() if key.startswith(f"{cell} ") and f" batch={batch} " in key
                   and f"hidden={hidden_size} " in key and key.endswith("request=auto"))
    candidates = {
        "ours": lambda: run(forward),
        "reference": lambda: run(forward, implementation="reference"),
        "today": lambda: run(today),
        "today compiled": lambda: run(today, implementation="compiled"),
        "before": lambda: run(before),
        "torch": run_torch,
        "onnxruntime": onnxruntime_session(net, x, threads),
        "floor": gemm_floor(net, x),
    }
    want_output, want_state = run_torch()
    want_state = want_state[1] if cell == "lstm" else want_state  # cn, or GRU's / RNN's hn
    error = 0.0
    for name in ("ours", "reference", "today", "before", "onnxruntime"):
        output, state, *cell_state = candidates[name]()
        if name == "onnxruntime":  # output, hn (and cn) as torch's exporter names them
            state = cell_state[0] if cell == "lstm" else state
        else:
            state = state[1] if cell == "lstm" else state
        error = max(error, np.abs(output - want_output.numpy()).max(),
                    np.abs(state - want_state.numpy()).max())
    number = max(1, timeit.Timer(candidates["ours"]).autorange()[0] // 2)
    times = {name: [] for name in candidates}
    for _ in range(ROUNDS):
        for name, function in candidates.items():
            times[name].append(median_seconds(function, number))
    tracemalloc.start()
    candidates["ours"]()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {name: float(np.median(values)) for name, values in times.items()}, error, peak, variant, first_call


def main():
    threads, blas = blas_report()
    torch.set_num_threads(threads)
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="lstmshape-bench-cache-")  # calibrate afresh
    print(f"CPU: {cpu_name()}, {os.cpu_count()} CPUs ({platform.machine()})")
    print("load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"numpy {np.__version__}, BLAS: {blas}")
    import onnxruntime

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; onnxruntime {onnxruntime.__version__}, "
          f"{threads} intra-op threads")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LSTMSHAPE_FORWARD"):
        print(f"{name}={os.environ.get(name, '(unset)')}")
    if forward.load_compiled_cell():
        import numba

        from lstmshape.forward.packed_gemm import find_kernel

        kernel = find_kernel()
        print(f"compiled cell: numba {numba.__version__}; packed weights: OpenBLAS kernel "
              f"{kernel.name if kernel else 'none known here'}")
    else:
        print("compiled cell: numba is not installed")
    today = forward_today()
    print(f"{ROUNDS} rounds; 'today' is the fast path at commit {TODAY} (the faster of its default and its "
          f"compiled cell), 'before' the forward at commit " + ", ".join(
              f"{commit} ({cell})" for cell, commit in BEFORE.items()) + "\n")

    header = (
        f"{'cell':>8} {'input,hidden,seq,batch':>22} {'chosen':>22} {'1st call s':>10} {'ours ms':>9} "
        f"{'floor ms':>9} {'ours/floor':>10} {'goal':>6} {'ours/ref':>8} {'ours/today':>10} {'ours/torch':>10} "
        f"{'ours/ort':>8} {'ours/before':>11} {'ort ms':>8} {'max err':>8} {'peak MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for cell, input_size, hidden_size, seq_len, batch, goal in CASES:
        median, error, peak, variant, first_call = bench_case(cell, threads, input_size, hidden_size, seq_len,
                                                              batch, today)
        ours = median["ours"]
        today_best = min(median["today"], median["today compiled"])
        to_floor, to_reference, to_torch, to_ort, to_before = (
            ours / median[name] for name in ("floor", "reference", "torch", "onnxruntime", "before"))
        to_today = ours / today_best
        if goal is None:  # the tiny case: no slower than today
            goal_text, met = "<=1x t", to_today <= 1.0
        elif goal == "-":  # no goal: reported
            goal_text, met = "-", True
        else:
            goal_text, met = f"<={goal}", to_floor <= goal
        met = met and to_reference <= 1.0
        size = f"{input_size},{hidden_size},{seq_len},{batch}"
        print(
            f"{cell:>8} {size:>22} {variant:>22} {first_call:10.2f} {ours * 1e3:9.3f} {median['floor'] * 1e3:9.3f} "
            f"{to_floor:10.2f} {goal_text:>6} {to_reference:8.2f} {to_today:10.2f} {to_torch:10.2f} {to_ort:8.2f} "
            f"{to_before:11.2f} {median['onnxruntime'] * 1e3:8.3f} {error:8.1e} {peak / 2**20:8.2f}  "
            f"{'ok' if met else 'MISS'}  (today {median['today'] * 1e3:.3f} / compiled "
            f"{median['today compiled'] * 1e3:.3f} ms, reference {median['reference'] * 1e3:.3f} ms, "
            f"torch {median['torch'] * 1e3:.3f} ms)", flush=True
        )
    print("\nload average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def sweep_cells():
    """A sweep's header (CPU, BLAS, load) and the cells it times, as implementation= names them."""
    cells = ["numpy"]
    if forward.load_compiled_cell():
        cells = ["compiled", *cells]
    print(f"CPU: {cpu_name()}; {blas_report()[1]}")
    print(f"compiled rows may pack their weights: {fast._pack_weight is not None}")
    print("load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return cells


def one_thread_against_two(run, number, threads):
    """Median seconds a forward takes in one thread and with `threads` (parts or directions),
    (one, two), in ROUNDS alternating rounds of `number` forwards in a row; run(threads) runs one."""
    times = {"serial": [], threads: []}
    for _ in range(ROUNDS):
        for name in times:
            times[name].append(median_seconds(lambda name=name: run(name), number))
    return tuple(float(np.median(values)) for values in times.values())


def parts_sweep():
    """One thread against batch parts (each single-threaded BLAS), with each cell: what the
    calibration weighs, in work and in sequences per part (LSTM, GRU and RNN rows, input = hidden)."""
    cells = sweep_cells()
    print(f"\n{'mode':>8} {'hidden=input,batch,seq':>22} {'MACs/part':>13} {'seqs/part':>9} {'cell':>8} "
          f"{'1 part us':>10} {'2 parts us':>10} {'2 / 1':>6}")
    rng = np.random.default_rng(0)
    sizes = [("lstm", 32, 32, 20), ("lstm", 64, 32, 20), ("lstm", 128, 32, 20), ("lstm", 128, 32, 50),
             ("lstm", 128, 16, 50), ("lstm", 256, 8, 50), ("lstm", 256, 16, 50), ("lstm", 256, 32, 50),
             ("lstm", 512, 8, 50), ("lstm", 512, 16, 50), ("lstm", 512, 32, 50),
             ("gru", 64, 32, 20), ("gru", 128, 32, 50), ("gru", 256, 32, 50), ("gru", 512, 32, 50),
             ("rnn_tanh", 128, 32, 20), ("rnn_tanh", 256, 32, 50), ("rnn_tanh", 512, 32, 50)]
    modes = [arg for arg in sys.argv[1:] if arg in forward.CELL_MODES] or forward.CELL_MODES
    for mode, hidden_size, batch, seq_len in (size for size in sizes if size[0] in modes):
        params = forward.init_rnn_params(mode, hidden_size, hidden_size)
        x = rng.standard_normal((seq_len, batch, hidden_size), dtype=np.float32)
        gates = {"lstm": 4, "gru": 3}.get(mode, 1) * hidden_size
        macs = seq_len * batch * gates * 2 * hidden_size  # W_ih and W_hh, every sequence and step
        number = max(5, int(1e9 // macs))  # forwards in a row, as a loop runs them
        for name in cells:
            packing = "+packed" if name == "compiled" and fast._pack_weight is not None else ""
            one, two = one_thread_against_two(
                lambda threads: rnn_forward(x, params, mode, implementation=f"{name}+{threads}" + packing * (
                    threads != "serial")), number, "parts")
            print(f"{mode:>8} {f'{hidden_size},{batch},{seq_len}':>22} {macs / 2:13,.0f} {batch // 2:9} "
                  f"{name:>8} {one * 1e6:10.0f} {two * 1e6:10.0f} {two / one:6.2f}", flush=True)
    print("\nload average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def directions_sweep():
    """A bidirectional forward with its two directions in one thread (BLAS's own threads) against
    two, with each cell (input = hidden for the LSTM; the GRU and RNN rows take 80 features)."""
    cells = sweep_cells()
    print(f"\n{'mode':>8} {'input,hidden,batch,seq,layers':>29} {'MACs/dir':>13} {'W_hh MiB':>8} {'cell':>8} "
          f"{'1 thread us':>11} {'2 threads us':>12} {'2 / 1':>6}")
    rng = np.random.default_rng(0)
    sizes = [("lstm", 64, 16, 50, 2), ("lstm", 128, 4, 100, 2), ("lstm", 128, 16, 100, 2),
             ("lstm", 256, 1, 100, 1), ("lstm", 256, 8, 100, 2), ("lstm", 512, 4, 50, 2), ("lstm", 512, 16, 50, 2),
             ("lstm", 1024, 8, 20, 1), ("gru", 128, 4, 100, 2), ("gru", 256, 8, 100, 2), ("rnn_tanh", 256, 8, 100, 2)]
    for mode, hidden_size, batch, seq_len, num_layers in sizes:
        input_size = hidden_size if mode == "lstm" else 80
        params = forward.init_rnn_params(mode, input_size, hidden_size, num_layers, bidirectional=True)
        x = rng.standard_normal((seq_len, batch, input_size), dtype=np.float32)
        gates = {"lstm": 4, "gru": 3}.get(mode, 1) * hidden_size
        macs = seq_len * batch * gates * (  # a direction's: every layer's W_ih and W_hh
            input_size + hidden_size + (num_layers - 1) * 3 * hidden_size)
        number = max(5, int(1e9 // (2 * macs)))  # forwards in a row, as a loop runs them
        for name in cells:
            packing = "+packed" if name == "compiled" and fast._pack_weight is not None else ""
            one, two = one_thread_against_two(
                lambda threads: rnn_forward(x, params, mode, num_layers, bidirectional=True,
                                            implementation=f"{name}+{threads}" + packing * (threads != "serial")),
                number, "directions")
            size = f"{input_size},{hidden_size},{batch},{seq_len},{num_layers}"
            print(f"{mode:>8} {size:>29} {macs:13,} {gates * hidden_size * 4 / 2**20:8.1f} {name:>8} "
                  f"{one * 1e6:11.0f} {two * 1e6:12.0f} {two / one:6.2f}", flush=True)
    print("\nload average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def gemm_sweep():
    """One step's h @ W_hh^T (W_hh 4·hidden × hidden, float32) by np.matmul against the packed
    product fast._step_products makes (lstmshape.forward.packed_gemm), single-threaded BLAS as in batch
    parts, in one thread and in two threads at once (each its own h and output, one shared
    weight), by hidden size and sequences."""
    from concurrent.futures import ThreadPoolExecutor

    from lstmshape.forward.packed_gemm import PackedWeight, find_kernel

    print(f"CPU: {cpu_name()}; {blas_report()[1]}")
    print("load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    kernel = find_kernel()
    if kernel is None:
        print("packed_gemm knows no kernel of this machine's OpenBLAS: forward uses np.matmul")
        return
    print(f"kernel: {kernel.name}; {ROUNDS} rounds, medians\n")
    print(f"{'hidden':>6} {'seqs':>4} {'matmul us':>10} {'packed us':>10} {'packed/matmul':>13}  "
          f"{'2 threads: matmul us':>20} {'packed us':>10} {'packed/matmul':>13}")
    rng = np.random.default_rng(0)
    pool = ThreadPoolExecutor(max_workers=1)
    with ThreadpoolController().select(user_api="blas").limit(limits=1):
        for hidden_size in (20, 64, 128, 256, 512, 1024):
            weight = rng.standard_normal((4 * hidden_size, hidden_size), dtype=np.float32)
            packed = PackedWeight(weight, kernel)
            for sequences in (1, 3, 8, 16, 32, 64):
                hs = [rng.standard_normal((sequences, hidden_size), dtype=np.float32) for _ in range(2)]
                outs = [np.empty((sequences, 4 * hidden_size), np.float32) for _ in range(2)]
                steps = max(1, int(2e8 // (sequences * weight.size)))
                products = {
                    "matmul": lambda k: [np.matmul(hs[k], weight.T, out=outs[k]) for _ in range(steps)],
                    "packed": lambda k: [packed(hs[k], outs[k]) for _ in range(steps)],
                }

                def in_threads(product, threads):
                    if threads == 1:
                        return lambda: product(0)
                    return lambda: (pool.submit(product, 1), product(0))[0].result()

                times = {(name, threads): [] for name in products for threads in (1, 2)}
                for _ in range(ROUNDS):
                    for name, threads in times:
                        run = in_threads(products[name], threads)
                        run()
                        times[name, threads].append(min(timeit.repeat(run, number=1, repeat=REPEAT)) / steps)
                us = {key: float(np.median(values)) * 1e6 for key, values in times.items()}
                print(f"{hidden_size:6} {sequences:4} {us['matmul', 1]:10.1f} {us['packed', 1]:10.1f} "
                      f"{us['packed', 1] / us['matmul', 1]:13.2f}  {us['matmul', 2]:20.1f} "
                      f"{us['packed', 2]:10.1f} {us['packed', 2] / us['matmul', 2]:13.2f}", flush=True)
    print("\nload average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    if "--gemm" in sys.argv:
        gemm_sweep()
    elif "--parts" in sys.argv:
        parts_sweep()
    elif "--directions" in sys.argv:
        directions_sweep()
    else:
        main()
