"""lstm_forward against its GEMM floor, its reference, torch.nn.LSTM, onnxruntime and older code.

Run by hand from a clone (the older code comes from its git history): python
benchmarks/bench_forward.py [ROUNDS] (figures and how to read them: docs/performance.md). All
candidates run float32 with the same number of threads, in alternating rounds, so a busy machine
slows all alike; each figure is the median over rounds of the median of REPEAT timeit repeats.
"ours" is lstm_forward / rnn_forward as a user gets it (implementation "auto": the variant its
calibration chose on this machine, named in the table with the step GEMM it runs, the
calibration paid by a first call before timing, whose time is shown). "today" (the fast path at
TODAY) and "before" (the package at an older commit) are each checked out from git into a
temporary directory and run in a child process of its own (forward_at_commit.py) on the same
inputs and weights, timed in the same rounds; where a commit is not in the clone (a shallow
clone) the run says so and leaves that column empty. The output starts with what the figures depend on: the CPU (model, AVX2 / AVX-512),
numpy's BLAS (as threadpoolctl sees it running and as numpy.show_config says it was built) and
the packed kernel; docs/performance.md has a section per CPU.

--quick runs every row's code once on tiny inputs (one round, one call per timing, no pauses):
a smoke test of the whole script (tests/benchmarks/test_bench_forward.py), not figures. With
--parts [CELL ...] it instead times, for each cell, one thread against batch parts
(implementation "<cell>+serial" against "<cell>+parts"); with --directions a bidirectional
forward's directions in one thread against two; with --gemm one step's h @ W_hh^T by np.matmul
against the packed product (fast._step_products). The calibration cache goes to a temporary
directory, so every run calibrates afresh; every temporary directory is removed at the end.
"""

from __future__ import annotations

import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import timeit
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import ThreadpoolController, threadpool_info

from lstmshape import forward
from lstmshape.forward import calibration, fast, rnn_forward

REPO = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "forward_at_commit.py"  # runs an older commit in a child process
# numba's cache of the older trees' compiled code, kept between runs as numba keeps today's in
# lstmshape/forward/__pycache__ (git ignores both): see restore_numba_cache.
NUMBA_CACHE = Path(__file__).resolve().parent / "__pycache__" / "numba-at-commit"
QUICK = "--quick" in sys.argv
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
if QUICK:  # every cell once, tiny, every candidate and column: the script's code, not figures
    CASES = [("lstm", 10, 20, 5, 3, None), ("gru", 10, 20, 5, 3, None), ("rnn_tanh", 10, 20, 5, 3, "-")]
ROUNDS = int(next((arg for arg in sys.argv[1:] if arg.isdigit()), 1 if QUICK else 7))
REPEAT = 1 if QUICK else 3  # timeit repeats per round and candidate
# The commits whose forward is "before": the LSTM's the last one before issue #15 touched
# forward.py; the GRU's and RNN's the last one before issue #15 reached rnn_forward.
BEFORE = {"lstm": "ba20c23", "gru": "1161972", "rnn_tanh": "1161972"}
# "today": the fast path as it was before issue #30 item 2 (thresholds measured on one CPU), run
# as its default ("auto") and with its compiled cell; the faster of the two is the figure.
TODAY = "176a326"
# OpenBLAS's idle workers spin about 0.1 s after a multi-threaded call and torch's OpenMP
# workers spin too; a pause between candidates lets each start on a quiet machine.
PAUSE_SECONDS = 0.0 if QUICK else 0.2
# The CPU flags a GEMM's speed depends on (/proc/cpuinfo's names), printed when present.
SIMD_FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni",
              "avx512_bf16", "avx512_fp16", "amx_tile", "asimd", "sve")


def cpu_flags():
    """The first processor's flags in /proc/cpuinfo (Linux; "flags" on x86, "Features" on
    ARM), or None where there is no such file."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def numpy_build():
    """numpy.show_config's BLAS (as numpy was built: its name, version and OpenBLAS's build
    configuration) and the SIMD extensions numpy's own dispatch found on this CPU."""
    try:
        config = np.show_config(mode="dicts")
    except TypeError:  # numpy < 2 prints it only
        return "numpy.show_config gives no summary before numpy 2", []
    blas = config.get("Build Dependencies", {}).get("blas", {})
    built = " ".join(str(blas.get(key)) for key in ("name", "version") if blas.get(key)) or "unknown"
    if blas.get("openblas configuration"):
        built += f" ({blas['openblas configuration']})"
    return built, list(config.get("SIMD Extensions", {}).get("found", []))


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


def machine_report():
    """What the figures depend on, printed before them: the CPU (model, vector extensions), the
    BLAS as threadpoolctl sees it running and as numpy was built, and the heading of this
    machine's section in docs/performance.md. Returns numpy's BLAS thread count."""
    threads, blas = blas_report()
    cpu = calibration.machine()["cpu"]  # the model the calibration's cache is kept for
    flags, (built, found) = cpu_flags(), numpy_build()
    if flags is None:
        vector = "AVX-512" if "AVX512F" in found else "AVX2" if "AVX2" in found or "X86_V3" in found else "no AVX2"
        flag_text = "(no /proc/cpuinfo)"
    else:
        vector = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
        flag_text = " ".join(flag for flag in SIMD_FLAGS if flag in flags) or "none of " + " ".join(SIMD_FLAGS)
    pool = next((pool for pool in threadpool_info() if pool["user_api"] == "blas"), {})
    library = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(pool.get("internal_api"), "no BLAS")
    print(f"CPU: {cpu}, {os.cpu_count()} CPUs ({platform.machine()}), {platform.system()} {platform.release()}")
    print(f"CPU flags: {flag_text} ({vector}); numpy's SIMD dispatch found: {' '.join(found) or '-'}")
    print(f"BLAS running (threadpoolctl): {blas}")
    print(f"BLAS built (numpy.show_config): {built}")
    print(f"docs/performance.md section: ### {cpu} ({vector}), {library} `{pool.get('architecture')}` kernel")
    return threads


def checkout(commit, root):
    """The package as it was at `commit`, extracted from git (`git archive`) into root/commit,
    so that root/commit/lstmshape is that commit's package; (tree, None), or (None, why not)
    where the commit is not in this clone (a shallow one, or none: no git history here)."""
    try:
        found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
                               cwd=REPO, capture_output=True, text=True)
        if found.returncode:
            shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=REPO,
                                     capture_output=True, text=True).stdout.strip() == "true"
            return None, (f"commit {commit} is not in this clone" + (
                " (a shallow clone: `git fetch --unshallow` brings the history)" if shallow else
                f" ({found.stderr.strip() or 'not found'})"))
        archive = subprocess.run(["git", "archive", commit, "lstmshape"], cwd=REPO, check=True,
                                 capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        return None, f"commit {commit} could not be read from git ({error})"
    tree = root / commit
    tree.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree, None


class ForwardAtCommit:
    """The forward of an older commit's package (a tree from `checkout`), in a child process of
    its own (forward_at_commit.py), so that its `lstmshape` and today's never meet: "before" and
    "today". load(x, params, cell) gives it a row's very inputs and weights; then, called, it
    returns what its lstm_forward / rnn_forward returned there, and seconds(number) times it there
    as median_seconds times the others here; either with an `implementation` its forward takes.
    One process per commit serves every row."""

    def __init__(self, tree):
        self.tree, self.blas_threads, self.cell = tree, None, None
        self.process = subprocess.Popen([sys.executable, str(WORKER), str(tree)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=tree)

    def ready(self):
        """Wait until the child has imported the old package (it does so while this one works)."""
        if self.blas_threads is None:
            _, threads, self.module = self._answer().split(" ", 2)
            self.blas_threads = int(threads)
        return self

    def _answer(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"forward_at_commit.py ended (exit status {self.process.wait()}); its error is above")
        return line.strip()

    def _ask(self, request):
        self.ready()
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        return self._answer()

    def load(self, x, params, cell):
        inputs = self.tree.parent / f"{self.tree.name}-inputs.npz"
        np.savez(inputs, x=x, **{f"param:{name}": value for name, value in params.items()})
        self._ask(f"load {inputs} {cell}")
        self.cell = cell
        return self

    def seconds(self, number, implementation=""):
        return float(self._ask(f"time {number} {REPEAT} {PAUSE_SECONDS} {implementation}".rstrip()))

    def __call__(self, implementation=""):
        answer = self.tree.parent / f"{self.tree.name}-answer.npz"
        self._ask(f"run {answer} {implementation}".rstrip())
        with np.load(answer) as data:
            output, state = data["output"], (data["state0"], data["state1"]) if self.cell == "lstm" else data["state0"]
        return output, state

    def close(self):
        try:
            self.process.stdin.close()  # its end of input: it returns
        except OSError:  # it has ended already
            pass
        self.process.wait(timeout=60)


def restore_numba_cache(tree, commit):
    """Put back numba's cache of an older tree's compiled functions (kept by keep_numba_cache), so
    that a run compiles an old commit's cells once per machine, not once per run. numba's own
    index checks each source file's stamp (git archive gives it the commit's time) and version."""
    saved = NUMBA_CACHE / commit
    for path in saved.rglob("*.nb[ic]"):
        target = tree / path.relative_to(saved)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def keep_numba_cache(tree, commit):
    """Keep numba's cache files of an older tree (its __pycache__ directories) in NUMBA_CACHE,
    each file replaced whole (two runs at once never read half a file)."""
    for path in tree.rglob("__pycache__/*.nb[ic]"):
        target = NUMBA_CACHE / commit / path.relative_to(tree)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}")
            shutil.copy2(path, temporary)
            os.replace(temporary, target)
        except OSError:  # a read-only clone: the next run compiles again
            return


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


def packed_kernel():
    """The OpenBLAS kernel the packed variants run (packed_gemm.Kernel: core and tile), as
    fast.py loaded it with its compiled cells, or None (none known here, or not loaded)."""
    if fast._pack_weight is None:
        return None
    kernel = fast._pack_weight.keywords["kernel"]
    return f"{kernel.name}:{kernel.unroll_rows}x{kernel.unroll_sequences}"


def step_gemm(variant):
    """What a variant's recurrent steps multiply with: the packed kernel where it packs its
    weights, else np.matmul (the reference's too)."""
    return (variant.endswith("+packed") and packed_kernel()) or "np.matmul"


def bench_case(cell, threads, input_size, hidden_size, seq_len, batch, today, before):
    """One row: the median seconds of each candidate (None for "today" or "before" where their
    commit is missing), the largest error against torch, ours' tracemalloc peak, the variant the
    calibration chose and its first call's seconds. before: a ForwardAtCommit, or None."""
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
    for older in (today, before):  # the old packages' processes, on these very inputs and weights
        if older is not None:
            older.load(x, params, cell)

    def run_torch():
        with torch.no_grad():
            return net(x_torch)

    def run(**implementation):  # this package's forward for this cell
        if cell == "lstm":
            return forward.lstm_forward(x, params, **implementation)
        return forward.rnn_forward(x, params, cell, **implementation)

    start = time.perf_counter()
    run()  # the first call of this shape calibrates
    first_call = time.perf_counter() - start
    # as fast.py keys its choice: the request is "auto" unless LSTMSHAPE_FORWARD forces one (printed above)
    wanted = calibration.request(None, os.environ.get(forward.FORWARD_ENV), forward.FORWARD_ENV).name
    variant = next((name for key, name in fast.chosen_variants().items() if key.startswith(f"{cell} ")
                    and f" batch={batch} " in key and f"hidden={hidden_size} " in key
                    and key.endswith(f"request={wanted}")), wanted)  # "reference" forced: no choice made
    candidates = {
        "ours": run,
        "reference": lambda: run(implementation="reference"),
        "today": today,
        "today compiled": lambda: today("compiled"),
        "before": before,
        "torch": run_torch,
        "onnxruntime": onnxruntime_session(net, x, threads),
        "floor": gemm_floor(net, x),
    }
    if today is None:
        del candidates["today"], candidates["today compiled"]
    if before is None:
        del candidates["before"]
    want_output, want_state = run_torch()
    want_state = want_state[1] if cell == "lstm" else want_state  # cn, or GRU's / RNN's hn
    error = 0.0
    for name in ("ours", "reference", "today", "before", "onnxruntime"):
        if name not in candidates:
            continue
        output, state, *cell_state = candidates[name]()
        if name == "onnxruntime":  # output, hn (and cn) as torch's exporter names them
            state = cell_state[0] if cell == "lstm" else state
        else:
            state = state[1] if cell == "lstm" else state
        error = max(error, np.abs(output - want_output.numpy()).max(),
                    np.abs(state - want_state.numpy()).max())
    number = 1 if QUICK else max(1, timeit.Timer(candidates["ours"]).autorange()[0] // 2)
    timers = {name: lambda number, function=function: median_seconds(function, number)
              for name, function in candidates.items()}
    if today is not None:  # timed in their own processes, in the same rounds
        timers["today"], timers["today compiled"] = today.seconds, lambda number: today.seconds(number, "compiled")
    if before is not None:
        timers["before"] = before.seconds
    times = {name: [] for name in timers}
    for _ in range(ROUNDS):
        for name, seconds in timers.items():
            times[name].append(seconds(number))
    tracemalloc.start()
    candidates["ours"]()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    median = {name: None for name in ("today", "today compiled", "before")}
    median.update({name: float(np.median(values)) for name, values in times.items()})
    return median, error, peak, variant, first_call


def ratio(ours, other, width, digits=2):
    """ours / other, right-aligned in `width`, or "-" where other did not run."""
    return f"{'-':>{width}}" if other is None else f"{ours / other:{width}.{digits}f}"


def main():
    with tempfile.TemporaryDirectory(prefix="lstmshape-bench-") as root:
        root, olders = Path(root), {}
        try:
            run_cases(root, olders)
        finally:
            for older in olders.values():
                older.close()
            for tree in [*root.glob("today/*"), *root.glob("before/*")]:
                if tree.is_dir():
                    keep_numba_cache(tree, tree.name)


def run_cases(root, olders):
    """Every row, "today" and "before" from the older commits' processes in `olders` (by commit:
    started here, closed by the caller)."""
    threads = machine_report()
    missing = {}
    for commit in dict.fromkeys([TODAY] + [BEFORE[cell] for cell, *_ in CASES]):  # first: they import while this one does
        tree, missing[commit] = checkout(commit, root / ("today" if commit == TODAY else "before"))
        if tree is not None:
            restore_numba_cache(tree, commit)
            olders[commit] = ForwardAtCommit(tree)
    torch.set_num_threads(threads)
    os.environ["XDG_CACHE_HOME"] = str(root / "cache")  # calibrate afresh
    print("load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    import onnxruntime

    print(f"python {platform.python_version()}; numpy {np.__version__}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; onnxruntime {onnxruntime.__version__}, {threads} intra-op threads")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "LSTMSHAPE_FORWARD"):
        print(f"{name}={os.environ.get(name, '(unset)')}")
    if forward.load_compiled_cell():
        import numba

        kernel = packed_kernel()
        print(f"compiled cell: numba {numba.__version__}; packed weights: "
              + (f"OpenBLAS kernel {kernel} (self-test passed)" if kernel else "no OpenBLAS kernel known here"))
    else:
        print("compiled cell: numba is not installed")
    print(f"{ROUNDS} round{'s' * (ROUNDS != 1)}{' (--quick: tiny inputs, one call per timing: not figures)' * QUICK}")
    columns = [("'today'", TODAY)] + [(f"'before' ({cell})", BEFORE[cell])
                                       for cell in dict.fromkeys(cell for cell, *_ in CASES)]
    for column, commit in columns:
        if commit in olders:
            try:
                older = olders[commit].ready()
            except RuntimeError as error:  # the old package did not import: said above, on stderr
                missing[commit] = str(error)
                olders.pop(commit).close()
        if commit not in olders:
            print(f"{column} is left empty: {missing[commit]}")
            continue
        what = "the fast path (the faster of its default and its compiled cell)" if commit == TODAY else "the package"
        print(f"{column} is {what} at commit {commit}, checked out into a temporary directory and "
              f"run in a child process on the same inputs ({older.blas_threads} BLAS threads there)")
    today = olders.get(TODAY)
    print("'step GEMM' is what ours' recurrent steps multiply with: the packed OpenBLAS kernel (core:tile) "
          "or np.matmul\n")

    header = (
        f"{'cell':>8} {'input,hidden,seq,batch':>22} {'chosen':>22} {'step GEMM':>14} {'1st call s':>10} "
        f"{'ours ms':>9} {'floor ms':>9} {'ours/floor':>10} {'goal':>6} {'ours/ref':>8} {'ours/today':>10} "
        f"{'ours/torch':>10} {'ours/ort':>8} {'ours/before':>11} {'ort ms':>8} {'max err':>8} {'peak MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for cell, input_size, hidden_size, seq_len, batch, goal in CASES:
        median, error, peak, variant, first_call = bench_case(cell, threads, input_size, hidden_size, seq_len,
                                                              batch, today, olders.get(BEFORE[cell]))
        ours = median["ours"]
        today_best = None if today is None else min(median["today"], median["today compiled"])
        to_floor, to_reference = ours / median["floor"], ours / median["reference"]
        if goal is None:  # the tiny case: no slower than today
            goal_text, met = "<=1x t", today_best is None or ours <= today_best
        elif goal == "-":  # no goal: reported
            goal_text, met = "-", True
        else:
            goal_text, met = f"<={goal}", to_floor <= goal
        met = met and to_reference <= 1.0
        size = f"{input_size},{hidden_size},{seq_len},{batch}"
        today_text = "no today" if today is None else (
            f"today {median['today'] * 1e3:.3f} / compiled {median['today compiled'] * 1e3:.3f} ms")
        before_text = "no before" if median["before"] is None else f"before {median['before'] * 1e3:.3f} ms"
        print(
            f"{cell:>8} {size:>22} {variant:>22} {step_gemm(variant):>14} {first_call:10.2f} {ours * 1e3:9.3f} "
            f"{median['floor'] * 1e3:9.3f} {to_floor:10.2f} {goal_text:>6} {to_reference:8.2f} "
            f"{ratio(ours, today_best, 10)} {ours / median['torch']:10.2f} {ours / median['onnxruntime']:8.2f} "
            f"{ratio(ours, median['before'], 11)} {median['onnxruntime'] * 1e3:8.3f} {error:8.1e} "
            f"{peak / 2**20:8.2f}  {'ok' if met else 'MISS'}  ({today_text}, {before_text}, "
            f"reference {median['reference'] * 1e3:.3f} ms, torch {median['torch'] * 1e3:.3f} ms)", flush=True
        )
    print("\nload average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def sweep_cells():
    """A sweep's header (CPU, BLAS, load) and the cells it times, as implementation= names them."""
    cells = ["numpy"]
    if forward.load_compiled_cell():
        cells = ["compiled", *cells]
    machine_report()
    print(f"compiled rows may pack their weights: {packed_kernel() or 'no (no kernel known here)'}")
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

    machine_report()
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
