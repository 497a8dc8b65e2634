"""benchmarks/bench_forward.py --quick, end to end, as it is run by hand: a child process from
the clone. Every row (LSTM, GRU, RNN) and every column, "today" and "before" included, on tiny
inputs: the script's code, not its figures. "before" is the package at an older commit checked
out from git into a temporary directory and run in a process of its own; where the clone lacks
that commit (a shallow one) the run must say so and leave the column empty."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

from conftest import require
from helpers import REPO

SCRIPT = REPO / "benchmarks" / "bench_forward.py"
# The table's columns; each value is right-aligned under its label (its last character under the label's).
LABELS = ["cell", "input,hidden,seq,batch", "chosen", "step GEMM", "1st call s", "ours ms", "floor ms", "ours/floor",
          "goal", "ours/ref", "ours/today", "ours/torch", "ours/ort", "ours/before", "ort ms", "max err", "peak MiB"]
NUMBERS = LABELS[4:8] + LABELS[9:]


def needs(*modules):
    """Skip (or fail, where oracles are required) unless each module is installed, without
    importing it here: the benchmark imports them in its own process."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            require(module)


def in_clone(commit):
    return subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=REPO,
                          capture_output=True).returncode == 0


def columns(header, row):
    """A table row's values by label, cut where the header's labels end."""
    values, start = {}, 0
    for label in LABELS:
        end = header.index(label, start) + len(label)
        values[label], start = row[start:end].strip(), end
    values["rest"] = row[start:].strip()
    return values


def test_quick_run_has_every_row_and_column_and_leaves_no_temporary_file(tmp_path):
    needs("torch", "onnxruntime", "numba")
    env = {name: value for name, value in os.environ.items() if name != "LSTMSHAPE_FORWARD"}  # ours as a user gets it
    result = subprocess.run([sys.executable, str(SCRIPT), "--quick"], cwd=REPO, env={**env, "TMPDIR": str(tmp_path)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    said = {line.split(":", 1)[0]: line for line in lines if ":" in line}

    # what the figures depend on, before them
    assert said["CPU"].split(":", 1)[1].strip()
    assert any(f"({simd})" in said["CPU flags"] for simd in ("AVX-512", "AVX2", "no AVX2")), said["CPU flags"]
    assert "kernel" in said["BLAS running (threadpoolctl)"]
    assert said["BLAS built (numpy.show_config)"].split(":", 1)[1].strip()
    assert said["docs/performance.md section"].startswith("docs/performance.md section: ### ")

    header = next(line for line in lines if line.lstrip().startswith("cell "))
    rows = [columns(header, line) for line in lines if line.split()[:1] in (["lstm"], ["gru"], ["rnn_tanh"])]
    assert [row["cell"] for row in rows] == ["lstm", "gru", "rnn_tanh"]
    before = {"lstm": "ba20c23", "gru": "1161972", "rnn_tanh": "1161972"}
    for row in rows:
        present = {"ours/today": in_clone("176a326"), "ours/before": in_clone(before[row["cell"]])}
        for label in NUMBERS:
            if present.get(label, True):
                assert float(row[label]) >= 0, (label, row)
            else:
                assert row[label] == "-", (label, row)
        # every forward that ran, before's in its own process included, on the same inputs and weights
        assert float(row["max err"]) < 1e-5, row
        packed = row["chosen"].endswith("+packed")  # then the kernel, core:tile (skylakex:16x4)
        assert (":" in row["step GEMM"]) if packed else row["step GEMM"] == "np.matmul", row
        assert ("before " in row["rest"]) == present["ours/before"], row["rest"]
        assert ("today " in row["rest"]) == present["ours/today"], row["rest"]
    if in_clone("176a326"):  # in a process of its own, as "before"
        assert ("'today' is the fast path (the faster of its default and its compiled cell) at commit 176a326, "
                "checked out into a temporary directory and run in a child process") in result.stdout
    else:
        assert "'today' is left empty: commit 176a326 is not in this clone" in result.stdout
    for cell, commit in before.items():
        if not in_clone(commit):
            assert f"'before' ({cell}) is left empty: commit {commit} is not in this clone" in result.stdout
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith("lstmshape-")]
