"""`lstmshape inspect` on a large safetensors checkpoint: time and peak memory (run by hand).

    python benchmarks/bench_inspect.py [SIZE_GIB]   # default 1

Writes, in a temporary directory that is removed afterwards, a real safetensors file of about
SIZE_GIB GiB (an Embedding, a 2-layer nn.LSTM(4096, 4096) under `encoder.rnn.`, a Linear; every
byte written to disk, no sparse holes), then measures, side by side in one run:

- `lstmshape inspect FILE --format json` as a user runs it (the console script, a new process each
  time): wall time and the process's peak RSS, median of 5 runs;
- `lstmshape.checkpoint.read_checkpoint(FILE)` in this process: time and tracemalloc's peak;
- `lstmshape --version` (the start-up every command pays: Python, typer), the same way;
- for contrast, `safetensors.numpy.load_file(FILE)` in a new process (what reading the tensors
  themselves costs): wall time and peak RSS.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

RUNS = 5
CHUNK = 64 << 20


def tensors(size_gib: float) -> dict[str, tuple[int, ...]]:
    """An embedding, a 2-layer LSTM sized to fill `size_gib`, and a head, float32."""
    hidden = max(8, int((size_gib * (1 << 30) / 4 / 2 / 8) ** 0.5) // 8 * 8)  # 2 layers × 8 H² floats
    out = {"embed.weight": (1000, hidden)}
    for layer in range(2):
        out |= {f"encoder.rnn.weight_ih_l{layer}": (4 * hidden, hidden),
                f"encoder.rnn.weight_hh_l{layer}": (4 * hidden, hidden),
                f"encoder.rnn.bias_ih_l{layer}": (4 * hidden,), f"encoder.rnn.bias_hh_l{layer}": (4 * hidden,)}
    return out | {"head.weight": (10, hidden), "head.bias": (10,)}


def write_safetensors(path: Path, shapes: dict[str, tuple[int, ...]]) -> int:
    """The safetensors layout (8-byte header length, JSON header, data), data streamed to disk."""
    header, offset = {}, 0
    for name, shape in shapes.items():
        size = 4
        for dim in shape:
            size *= dim
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    block = os.urandom(1 << 20) * (CHUNK >> 20)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        left = offset
        while left:
            step = min(left, CHUNK)
            f.write(block[:step])
            left -= step
    return 8 + len(raw) + offset


def child(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one new process."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the JSON is not the point here
        os.execvp(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    size_gib = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    script = shutil.which("lstmshape") or str(Path(sys.executable).with_name("lstmshape"))
    directory = Path(tempfile.mkdtemp(prefix="lstmshape-bench-"))
    try:
        path = directory / "checkpoint.safetensors"
        nbytes = write_safetensors(path, tensors(size_gib))
        print(f"file: {nbytes / (1 << 30):.2f} GiB safetensors, {len(tensors(size_gib))} tensors")
        quiet = [script, "inspect", str(path), "--format", "json"]
        with open(os.devnull, "w") as devnull:
            subprocess.run(quiet, stdout=devnull, check=True)  # warm the imports' file cache once
        cli, start_up, load, inproc, peaks = [], [], [], [], []
        from lstmshape.checkpoint import read_checkpoint

        for _ in range(RUNS):  # alternate, so a busy moment slows all three alike
            cli.append(child(quiet))
            start_up.append(child([script, "--version"]))
            load.append(child([sys.executable, "-c",
                               f"from safetensors.numpy import load_file; load_file({str(path)!r})"]))
            tracemalloc.start()
            start = time.perf_counter()
            (lstm,) = read_checkpoint(str(path)).lstms
            inproc.append(time.perf_counter() - start)
            peaks.append(tracemalloc.get_traced_memory()[1] / (1 << 20))
            tracemalloc.stop()
        print(f"found: {lstm.prefix} {lstm.config} ({lstm.num_params:,} parameters)")
        med = statistics.median
        print(f"lstmshape inspect (process):   {med(t for t, _ in cli) * 1000:8.1f} ms   peak RSS "
              f"{med(m for _, m in cli):7.1f} MiB")
        print(f"lstmshape --version (process): {med(t for t, _ in start_up) * 1000:8.1f} ms   peak RSS "
              f"{med(m for _, m in start_up):7.1f} MiB")
        print(f"read_checkpoint (in process):  {med(inproc) * 1000:8.2f} ms   tracemalloc peak {med(peaks):.2f} MiB")
        print(f"safetensors load_file (process): {med(t for t, _ in load) * 1000:6.1f} ms   peak RSS "
              f"{med(m for _, m in load):7.1f} MiB")
    finally:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
