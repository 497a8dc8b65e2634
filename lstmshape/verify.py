"""`infer --verify`: run the NumPy LSTM (GRU, RNN) and compare every tensor it produces with the inference.

It runs lstmshape.forward.reference, the forward pass written as torch documents it (the fast path
is tested against it), so what --verify proves can be read in one module.

The shape engine is arithmetic; this runs the arithmetic's claim. Parameters are seeded random
(drawn as torch draws them), the input and initial state are built to the inferred shapes, and
the shapes the forward pass accepts and returns are compared with the inferred ones. Symbolic
dimensions run at small concrete sizes; a config whose run would cost more than a budget runs at
a reduced batch and seq_len (every feature dimension kept) unless `full` is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .forward import inputs, reference
from .shapes.core import DEEPEST_BLOCKS, DEEPEST_RUN
from .frameworks.torch import TorchShapes, infer_lstm

MAC_BUDGET = 200_000_000  # about a tenth of a second of NumPy on this class of machine
# Sequential cell steps (num_layers × directions × seq_len): each is a Python-level step of the
# reference, tens of microseconds whatever its size, so 1,000 layers of hidden 1 over 5,000 steps
# cost minutes under any MAC budget. 20,000 steps is about half a second.
STEP_BUDGET = 20_000
PARAM_BYTES_BUDGET = 256 << 20  # random weights drawn for an untrusted config (a few real LSTMs' worth)
FULL_PARAM_BYTES_BUDGET = 2 << 30  # ... and with --full, where the user asked for the whole model
SYMBOL_SIZES = {"batch_size": 3, "seq_len": 7}  # small, and unlike any default feature size
REDUCED_SIZES = {"batch_size": 2, "seq_len": 3}


@dataclass(frozen=True)
class Verification:
    """What running the forward pass showed for one inference."""

    verified: bool
    observed: dict  # tensor or parameter name → shape actually seen
    mismatches: tuple[str, ...]  # names whose observed shape differs from the inferred one
    run_at: dict  # the concrete batch_size/seq_len used, where they differ from the config
    note: str = ""  # why the run was reduced, or why it could not run


def run_sizes(result: TorchShapes, full: bool) -> tuple[TorchShapes, dict, str]:
    """The inference to run: symbols made concrete and, over budget, batch and seq_len reduced."""
    data = result.data
    sizes = {name: getattr(data, name) for name in SYMBOL_SIZES if not (data.unbatched and name == "batch_size")}
    run_at = {name: SYMBOL_SIZES[name] for name, size in sizes.items() if isinstance(size, str)}
    note = f"symbolic dimensions run at {_sizes(run_at)}" if run_at else ""
    concrete = replace(data, **run_at)
    runnable = infer_lstm(result.lstm, concrete)
    if not full and (runnable.macs.coefficient > MAC_BUDGET or steps(result.lstm, concrete) > STEP_BUDGET):
        run_at = dict(REDUCED_SIZES)
        runnable = infer_lstm(result.lstm, replace(data, **run_at))
        note = f"too large to run at full size in an instant: run at {_sizes(run_at)} (--full to run all of it)"
    return runnable, run_at, note


def steps(lstm, data) -> int:
    """The sequential cell steps of one forward pass: what its time grows with, beside its MACs."""
    return lstm.num_layers * (2 if lstm.bidirectional else 1) * (data.seq_len if isinstance(data.seq_len, int) else 1)


def verify(result: TorchShapes, full: bool = False, seed: int = 0, params: dict | None = None) -> Verification:
    """Run the forward pass with `params` (a checkpoint's real weights) or seeded random ones; a
    stack deeper or longer than any real network is not run (it would take minutes, layer by layer)."""
    lstm = result.lstm
    if lstm.num_layers > DEEPEST_RUN:
        return Verification(False, {}, (), {}, f"not run: num_layers {lstm.num_layers:,} is deeper than any real "
                                               f"network (the forward pass runs up to {DEEPEST_RUN:,} layers)")
    if (result.block or 0) >= DEEPEST_BLOCKS:
        return Verification(False, {}, (), {}, f"not run: block {result.block} of a stack longer than any real "
                                               f"network (the forward pass runs its first {DEEPEST_BLOCKS} blocks)")
    runnable, run_at, note = run_sizes(result, full)
    if params is None:
        budget = FULL_PARAM_BYTES_BUDGET if full else PARAM_BYTES_BUDGET
        if 4 * runnable.num_params > budget:
            why = (f"not run: its {runnable.num_params:,} parameters need more than {budget >> 20:,} MiB of random "
                   "weights" + ("" if full else " (--full raises the bound to 2 GiB)"))
            return Verification(False, {}, (), run_at, why)
        params = inputs.init_rnn_params(lstm.cell, lstm.input_size, lstm.hidden_size, lstm.num_layers,
                                        lstm.bidirectional, lstm.bias, lstm.proj_size, np.float32, seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(runnable["input"].shape).astype(np.float32)
    h0 = np.zeros(runnable["h0"].shape, np.float32)
    c0 = np.zeros(runnable["c0"].shape, np.float32) if lstm.has_cell_state else None
    mode = f"rnn_{lstm.nonlinearity}" if lstm.cell == "rnn" else lstm.cell
    try:
        ran = reference.rnn_forward(x, params, mode, lstm.num_layers, lstm.bidirectional, lstm.batch_first,
                                    h0=h0, c0=c0)
    except ValueError as exc:  # the forward pass refused a tensor built to the inferred shape
        return Verification(False, {}, ("forward",), run_at, f"the forward pass refused it: {exc}")
    observed = {"input": x.shape, "output": ran[0].shape, "h0": h0.shape}
    if lstm.has_cell_state:
        _, (hn, cn) = ran
        observed |= {"c0": c0.shape, "hn": hn.shape, "cn": cn.shape}
    else:
        observed["hn"] = ran[1].shape
    observed |= {name: tuple(p.shape) for name, p in params.items()}
    expected = {t.name: t.shape for t in runnable.tensors + runnable.params}
    mismatches = tuple(n for n in expected.keys() | observed.keys() if expected.get(n) != observed.get(n))
    return Verification(not mismatches, observed, tuple(sorted(mismatches)), run_at, note)


def _sizes(run_at: dict) -> str:
    return ", ".join(f"{name}={size}" for name, size in run_at.items())
