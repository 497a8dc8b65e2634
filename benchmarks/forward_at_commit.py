"""The forward pass of an older lstmshape, run in a process of its own for bench_forward.py.

bench_forward.py starts this file as a child, `python forward_at_commit.py TREE`, where TREE
holds the package as it was at a commit (`git archive COMMIT lstmshape`, extracted). TREE goes
first on sys.path, so `lstmshape` in this process is that commit's package, whole, with none of
today's: the old code imports what existed then (its registry, its shapes) and nothing is
patched. The child says "ready BLAS_THREADS MODULE_PATH" once it has imported it, then answers
its parent's requests, one line each on stdin and on stdout (anything the old code prints goes
to stderr), until its input ends:

    load INPUTS CELL          -> x and the weights from INPUTS (.npz: "x", and each weight as
                                 "param:" + its state_dict name), for CELL's forward (lstm, gru,
                                 rnn_tanh or rnn_relu); "ok"
    time NUMBER REPEAT PAUSE [IMPLEMENTATION]
                              -> after PAUSE seconds and one call, the median over REPEAT timeit
                                 repeats of NUMBER calls, per call, in seconds
    run PATH [IMPLEMENTATION] -> one call's output and final state(s) saved to PATH (.npz:
                                 output, state0 and, for the LSTM, state1); "ok"

IMPLEMENTATION, where given, is passed to the forward as `implementation=` (a commit whose
forward takes one); without it the forward runs as that commit ran it by default.
"""

from __future__ import annotations

import os
import sys
import time
import timeit
from pathlib import Path


def main() -> None:
    tree = str(Path(sys.argv[1]).resolve())
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # file descriptor 1 (and so print) is stderr from here on: stdout carries answers only
    sys.stdout = sys.stderr
    sys.path.insert(0, tree)
    import numpy as np
    from threadpoolctl import threadpool_info

    import lstmshape.forward as forward

    where = Path(forward.__file__).resolve()
    if not where.is_relative_to(tree):
        raise SystemExit(f"forward_at_commit.py: lstmshape.forward came from {where}, not from {tree}")
    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    print(f"ready {blas[0] if blas else 1} {where}", file=reply)
    x = params = cell = None  # what the last "load" gave

    def run(*implementation):
        chosen = {"implementation": implementation[0]} if implementation else {}
        if cell == "lstm":
            return forward.lstm_forward(x, params, **chosen)
        return forward.rnn_forward(x, params, cell, **chosen)

    for line in sys.stdin:
        command, *args = line.split()
        if command == "load":
            with np.load(args[0]) as data:
                x = data["x"]
                params = {name.removeprefix("param:"): data[name] for name in data.files if name.startswith("param:")}
            cell = args[1]
            print("ok", file=reply)
        elif command == "time":
            number, repeat, pause, implementation = int(args[0]), int(args[1]), float(args[2]), args[3:]
            time.sleep(pause)
            run(*implementation)
            seconds = float(np.median(timeit.repeat(lambda: run(*implementation), number=number,
                                                    repeat=repeat))) / number
            print(repr(seconds), file=reply)
        elif command == "run":
            output, state = run(*args[1:])
            states = state if cell == "lstm" else (state,)  # (hn, cn), or a GRU's / RNN's hn
            np.savez(args[0], output=output, **{f"state{k}": value for k, value in enumerate(states)})
            print("ok", file=reply)
        else:
            raise SystemExit(f"forward_at_commit.py: unknown request {line!r}")


if __name__ == "__main__":
    main()
