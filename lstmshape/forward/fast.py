"""The fast NumPy forward pass of torch.nn.LSTM, nn.GRU and nn.RNN: the reference's answers, sooner.

lstmshape.forward.reference says what the answer is; this module computes the same answer (to
float32 or float64 rounding, tested against the reference and torch on every setting) with
threads, reordered weights, a compiled cell and packed GEMMs. Which of those a call uses is timed
on the machine that runs it, once per shape of call (calibration.py, see _chosen), and is then
a function of the call (its shapes, dtype, `implementation=` and LSTMSHAPE_FORWARD) and that
calibration: never of what else the process ran, so a call repeated gives the same bits.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from itertools import accumulate
from typing import NamedTuple

import numpy as np

from . import calibration, reference
from .inputs import cell_mode, check_lstm_call, check_rnn_call

__all__ = ["FORWARD_ENV", "chosen_variants", "load_compiled_cell", "lstm_forward", "rnn_forward"]

# implementation= (or, when it is not given, this environment variable) forces what runs a call,
# in whole or in part (calibration.Request: "auto", "numpy", "compiled+parts", "reference", ...);
# whatever it leaves open is chosen by timing (calibration.py, see _chosen).
FORWARD_ENV = "LSTMSHAPE_FORWARD"
_THREADING = None  # (threadpoolctl controller, worker pool), made by the first threaded forward
_THREADING_MADE = threading.Lock()
_ONE_THREADED_FORWARD = threading.Lock()  # the BLAS thread limit is process-wide
# The compiled float32 cells (compiled_cell.py, need numba: pip install "lstmshape[fast]").
# Loading them costs about 0.6 s (numba's import, then the loops compiled or read from numba's
# cache); a calibration that may pick them loads them to time them.
_compiled_cell = None  # None: not loaded yet; False: numba is not installed; else {mode: loop}
# Loaded with the compiled cells: packs a float32 weight once for OpenBLAS's own micro-kernel
# (packed_gemm.py), or None where that kernel is not known or not loaded; see _step_products.
_pack_weight = None
_CELL_LOADING = threading.Lock()
# The variant chosen for each shape of call, in this process and in the user's cache directory;
# _TIMER times one calibration run (calibration.timed; tests give a fake clock).
_CHOICES = calibration.Choices()
_TIMER = calibration.timed


def lstm_forward(
    x,
    params,
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
    proj_size: int = 0,
    h0=None,
    c0=None,
    lengths=None,
    implementation: str | None = None,
):
    """Run nn.LSTM's forward (inference: no dropout) on x with the state_dict-named `params`.

    x is (seq_len, batch, input_size), (batch, seq_len, input_size) with batch_first, or unbatched
    (seq_len, input_size). Returns output, (hn, cn) shaped exactly as torch returns them.
    `lengths` gives each sequence's length, as pack_padded_sequence(enforce_sorted=False) then
    pad_packed_sequence(total_length=seq_len) would: output past a length is zero and hn/cn are
    taken at each sequence's last valid step. Computes in x's dtype (float32 or float64).
    How it runs (cell, threads, packed weights, or the reference) is what `implementation`
    (default: the LSTMSHAPE_FORWARD environment variable, else "auto") forces, and otherwise what
    ran fastest for this shape of call on this machine (see _chosen).
    """
    wanted = _request(implementation)
    if wanted.cell == "reference":
        return reference.lstm_forward(x, params, num_layers, bidirectional, batch_first, proj_size, h0, c0, lengths)
    call = check_lstm_call(x, params, num_layers, bidirectional, batch_first, proj_size, h0, c0, lengths)

    def prepare(negated):
        return [[_gate_params(params, f"_l{layer}" + ("_reverse" if direction else ""), call.hidden_size,
                              call.bias, proj_size, call.x.dtype, negated)
                 for direction in range(2 if bidirectional else 1)]
                for layer in range(num_layers)]

    def run_reference(part):
        output, (hn, cn) = reference.lstm_forward(part.x, params, num_layers, bidirectional, part.batch_first,
                                                  proj_size, part.hn, part.cn, part.lengths)
        return output, hn, cn

    output, hn, cn = _chosen("lstm", call, prepare, run_reference, wanted, (num_layers, bidirectional, proj_size))
    if call.unbatched:
        return output[:, 0], (hn[:, 0], cn[:, 0])
    return output, (hn, cn)


def chosen_variants() -> dict[str, str]:
    """The variant (calibration.Variant's name) each shape of call has run as in this process,
    by its key (see _chosen): what the calibration chose, or the cache held, or was forced."""
    return _CHOICES.chosen()


def _request(requested):
    """What the call forces: `implementation`, else LSTMSHAPE_FORWARD, else nothing ("auto")."""
    return calibration.request(requested, os.environ.get(FORWARD_ENV), FORWARD_ENV)


def _chosen(mode, call, prepare, run_reference, wanted, structure):
    """Run a checked call (inputs.Call) of any cell as the variant chosen for its shape: output,
    hn and cn (None for GRU and RNN), batched. This module's one strategy choice.

    The candidates are every variant `wanted` allows that can run this call (calibration.Variant:
    the reference; NumPy's cell or, for float32 where numba is installed, the compiled one; one
    thread, batch parts or directions in threads; packed weights where OpenBLAS's kernel is known).
    The first call of a shape (the key below: not x's values; seq_len by its
    calibration.length_class) times them on its own first steps, extrapolated to that length
    (calibration.fastest: the reference, first, unless another beats it by calibration.MARGIN) and
    keeps the choice for the process and in the cache (calibration.Choices): the same call always
    runs the same code, to the bit.
    """
    num_layers, bidirectional, proj_size = structure
    num_directions = 2 if bidirectional else 1
    x, batch_first = call.x, call.batch_first
    seq_len, batch = (x.shape[1], x.shape[0]) if batch_first else x.shape[:2]
    blas = _blas_threads()
    steps, length = min(seq_len, calibration.CALIBRATION_STEPS), calibration.length_class(seq_len)
    key = _ShapeKey(mode, x.dtype, call.input_size, call.hidden_size, proj_size, num_layers, num_directions,
                    call.bias, batch, length, call.lengths is not None, blas, wanted)
    float32 = x.dtype == np.float32

    def usable(variant):
        return variant.cell != "compiled" or load_compiled_cell()

    def candidates():
        compiled = float32 and wanted.cell in (None, "compiled") and load_compiled_cell()
        if wanted.cell == "compiled" and float32 and not compiled:
            raise ImportError('implementation "compiled" needs numba: pip install "lstmshape[fast]"')
        threads = ["serial"] + ["parts"] * (batch > 1 and blas > 1) + ["directions"] * (bidirectional and blas > 1)
        if wanted.threads is not None:  # forced where it can apply, else one thread
            threads = [wanted.threads if wanted.threads in threads else "serial"]
        options = [calibration.Variant("reference")] * (wanted == calibration.Request())
        for cell in ["numpy"] * (not compiled or wanted.cell is None) + ["compiled"] * bool(compiled):
            for thread in threads:
                packings = [False] + [True] * (cell == "compiled" and thread != "serial" and _pack_weight is not None)
                if wanted.packing is not None:  # likewise: packed only where it can be
                    packings = [wanted.packing == "packed" and packings[-1]]
                options += [calibration.Variant(cell, thread, packed) for packed in packings]
        return options

    def run(variant, steps=None):
        part = call if steps is None else _first_steps(call, steps)
        if variant.cell == "reference":
            return run_reference(part)
        return _forward(mode, prepare, part, variant)

    def calibrate(options):
        return calibration.fastest(options, run, steps, _TIMER, length=length)

    return run(_CHOICES.choose(key, candidates, calibrate, usable))


class _ShapeKey(NamedTuple):
    """What a calibrated choice holds for (see _chosen); str() is its name in the cache file and
    in chosen_variants."""

    mode: str
    dtype: np.dtype
    input_size: int
    hidden_size: int
    proj_size: int
    layers: int
    directions: int
    bias: bool
    batch: int
    length: int  # calibration.length_class of seq_len
    lengths: bool  # whether lengths were given
    blas_threads: int
    request: calibration.Request

    def __str__(self):
        return (f"{self.mode} {self.dtype} input={self.input_size} hidden={self.hidden_size} proj={self.proj_size} "
                f"layers={self.layers} directions={self.directions} bias={int(self.bias)} batch={self.batch} "
                f"steps={self.length} lengths={int(self.lengths)} blas_threads={self.blas_threads} "
                f"request={self.request.name}")


def _first_steps(call, steps):
    """The call cut to its first `steps` steps (lengths cut to match), with its own copies of
    the state a forward writes into: what a calibration times."""
    x = call.x[:, :steps] if call.batch_first else call.x[:steps]
    lengths = None if call.lengths is None else np.minimum(call.lengths, steps)
    return call._replace(x=x, hn=call.hn.copy(), cn=None if call.cn is None else call.cn.copy(), lengths=lengths)


def _forward(mode, prepare, call, variant):
    """Run the layers prepare(negated) makes (see _gate_params: negated for NumPy's cell, torch's
    order for the compiled one) of any cell over a checked call (inputs.Call) as `variant` says,
    `mode` named as torch names it (lower-case: lstm, gru, rnn_tanh, rnn_relu): the part every
    cell shares. Sorts variable lengths, and returns output, hn and cn (None for GRU and RNN),
    batched.

    Batch parts ("parts"): the columns of a batch never interact, so each part runs every layer
    and direction over its own columns, start to end, with no barrier per step; its GEMMs run
    single-threaded (the BLAS limit is set to 1 while parts run), so the gate arithmetic, which
    runs on one core, runs on every core too. One part per BLAS thread (a user's BLAS limit is
    respected), never more than the batch's sequences. "directions": a bidirectional layer's two
    directions in two threads (single-threaded BLAS, one barrier per layer).
    """
    x, hn, cn, lengths, batch_first, bias = call.x, call.hn, call.cn, call.lengths, call.batch_first, call.bias
    cell = None
    if variant.cell == "compiled" and x.dtype == np.float32 and load_compiled_cell():
        cell = _compiled_cell[mode]
    layers = prepare(cell is None)
    num_directions, out_size = len(layers[0]), hn.shape[-1]
    if batch_first:
        batch, seq_len = x.shape[:2]
    else:
        seq_len, batch = x.shape[:2]
    parts = min(_blas_threads(), batch) if variant.threads == "parts" else 1
    split_directions = variant.threads == "directions" and num_directions == 2 and _blas_threads() > 1
    if cell is not None:
        layers = _step_products(layers, variant.packed and (parts > 1 or split_directions))
    # Part k runs batch columns [starts[k], starts[k + 1]) of x, hn, cn and output.
    starts = list(accumulate((len(range(k, batch, parts)) for k in range(parts)), initial=0))
    order = None
    if lengths is not None:
        # Sort by length like pack_padded_sequence, so the sequences still running at any step
        # are a prefix of each part, and deal them out in turn so the parts carry equal work.
        by_length = np.argsort(-lengths, kind="stable")
        order = np.concatenate([by_length[k::parts] for k in range(parts)])
        x = x[order] if batch_first else x[:, order]
        hn, lengths = hn[:, order], lengths[order]
        cn = None if cn is None else cn[:, order]

    new_output = np.empty if lengths is None else np.zeros  # zeros past each sequence's end
    shape = (batch, seq_len) if batch_first else (seq_len, batch)
    output = new_output(shape + (num_directions * out_size,), x.dtype)
    x_by_step = x.swapaxes(0, 1) if batch_first else x
    output_by_step = output.swapaxes(0, 1) if batch_first else output

    def run_part(k):
        columns = slice(starts[k], starts[k + 1])
        _run_layers(
            mode,
            layers,
            x_by_step[:, columns],
            hn[:, columns],
            None if cn is None else cn[:, columns],
            output_by_step[:, columns],
            None if lengths is None else lengths[columns],
            bias,
            cell,
            split_directions,
        )

    _run_parts(run_part, parts)

    if order is not None:
        unsort = np.argsort(order)
        output = output[unsort] if batch_first else output[:, unsort]
        hn = hn[:, unsort]
        cn = None if cn is None else cn[:, unsort]
    return output, hn, cn


def load_compiled_cell() -> bool:
    """Load the compiled float32 cells now (about 0.6 s) rather than in the first call that runs
    them; False if numba is not installed. Which variant a call runs does not change (see _chosen)."""
    if _compiled_cell is None:  # once loaded, no lock: every compiled call asks
        with _CELL_LOADING:
            if _compiled_cell is None:
                _load_compiled_cell()
    return bool(_compiled_cell)


def _load_compiled_cell():
    """Import the compiled cells and run each once, and find and self-test the packed GEMM's
    kernel, so that compiling them (or reading numba's cache) happens here and not inside a batch
    part's thread. Called with _CELL_LOADING held; the cells are published last, so a call that
    finds them finds the packing too."""
    global _compiled_cell, _pack_weight
    try:  # numba: imported by a call that may run the compiled cells only
        from .compiled_cell import ready_cells
        cells = ready_cells()
    except ImportError:  # numba is not installed, or does not support this numpy
        _compiled_cell = False
        return
    from .packed_gemm import ready_packing  # the same numba the cells just imported
    _pack_weight = ready_packing()
    _compiled_cell = cells


def _step_products(layers, packed):
    """Each direction's (w_ih, W_hh's product, extra) for the batch-major runners, the LSTM's W_hr
    made a product too: a product called as product(h, out) writes h @ W^T into out.

    np.matmul re-packs the whole weight at every step (0.23 ms of a 1.03 ms step at I512 H512,
    32 sequences, on an AVX2 EPYC). Where a forward's GEMMs run on one BLAS thread anyway (batch
    parts, or directions in two threads), a "packed" variant packs the weights once for OpenBLAS's
    own micro-kernel (packed_gemm.py), where that kernel is known and passed its self-test.
    """
    pack = _pack_weight if packed and _pack_weight else _blas_product
    return [[(w_ih, pack(w_hh), pack(extra) if extra is not None and extra.ndim == 2 else extra)
             for w_ih, w_hh, extra in directions]
            for directions in layers]


def _blas_product(weight):
    """h @ weight.T by np.matmul, which reads weight's transposed view as it lies."""
    transposed = weight.T

    def product(h, out):
        np.matmul(h, transposed, out=out)

    return product


def _threading():
    """The threadpoolctl controller of the loaded BLAS and the pool of persistent worker threads.

    Made once: scanning the loaded libraries takes milliseconds, and a fresh thread runs its first
    small GEMMs several times slower than a thread that has run GEMMs before.
    """
    global _THREADING
    if _THREADING is not None:  # once made, no lock: every forward asks
        return _THREADING
    with _THREADING_MADE:
        if _THREADING is None:
            from concurrent.futures import ThreadPoolExecutor

            from threadpoolctl import ThreadpoolController

            controller = ThreadpoolController().select(user_api="blas")
            _THREADING = controller, ThreadPoolExecutor(
                max_workers=max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="lstm_forward"
            )
        return _THREADING


def _blas_threads():
    """The loaded BLAS libraries' thread limit, as it is now (a user may change it between calls)."""
    controller, _ = _threading()
    return min([lib.get_num_threads() for lib in controller.lib_controllers], default=1)


def _run_parts(run_part, parts):
    """Call run_part(k) for each part k, in parallel threads with single-threaded BLAS if parts > 1.

    threadpoolctl's limit is process-wide, so one threaded forward runs at a time (a lock), and
    the limit is restored when all parts have ended, even when one raised.
    """
    if parts == 1:
        run_part(0)
        return
    from concurrent.futures import wait

    controller, executor = _threading()
    with _ONE_THREADED_FORWARD, controller.limit(limits=1):
        futures = [executor.submit(run_part, k) for k in range(1, parts)]
        try:
            run_part(0)
        finally:
            wait(futures)
        for future in futures:
            future.result()


def _run_layers(mode, layers, x, hn, cn, output, lengths, bias, cell, split_directions=False):
    """Run every layer and direction over one part of the batch, writing output, hn and cn
    (None for GRU and RNN).

    x and output are time-major views, (seq_len, batch, features). Each layer's input projection
    is one GEMM over all steps, with the bias folded in as a column of ones in the input. The
    layout follows the cell. NumPy's ufuncs run fastest on contiguous blocks, so for them state,
    gates and projection are feature-major, (features, batch) and (gates, seq_len, batch): each
    gate is a block of rows. The compiled cell runs each sequence's hidden units as one vector
    loop and must find step t's projection in one run of memory (feature-major, its rows lie
    seq_len * batch apart, and the loop waited on a thousand cache misses a step): for it all is
    batch-major, (batch, features) and (seq_len, batch, gates), like torch's own tensors.
    """
    seq_len, batch, input_size = x.shape
    num_directions = len(layers[0])
    batch_sizes = None
    if lengths is not None:
        batch_sizes = (lengths[None, :] > np.arange(seq_len)[:, None]).sum(axis=1)
    steps = (range(seq_len), range(seq_len - 1, -1, -1))
    layer_input = np.empty((seq_len, batch, input_size + bias), x.dtype)
    layer_input[..., :input_size] = x
    gates_size = layers[0][0][0].shape[0]
    batch_major = cell is not None
    run = _RUNNERS[mode][batch_major]
    layout = _batch_major if batch_major else np.transpose  # hn[row] <-> the runner's state
    shape = (seq_len, batch, gates_size) if batch_major else (gates_size, seq_len, batch)
    # one projection buffer per direction running at once
    buffers = [np.empty(shape, x.dtype) for _ in range(num_directions if split_directions else 1)]
    for layer, directions in enumerate(layers):
        if layer == len(layers) - 1:
            layer_output = output
        else:
            width = num_directions * hn.shape[-1]
            new = np.empty if lengths is None else np.zeros
            layer_output = new((seq_len, batch, width + bias), x.dtype)
        if bias:
            layer_input[..., -1] = 1
        inputs = layer_input.reshape(seq_len * batch, -1)

        def run_direction(direction):
            w_ih, w_hh, extra = directions[direction]
            projected = buffers[direction % len(buffers)]
            row = layer * num_directions + direction
            out_size = hn.shape[-1]
            direction_output = layer_output[..., direction * out_size : (direction + 1) * out_size]
            if batch_major:
                np.matmul(inputs, w_ih.T, out=projected.reshape(seq_len * batch, gates_size))
            else:
                np.matmul(w_ih, inputs.T, out=projected.reshape(gates_size, seq_len * batch))
            h = layout(hn[row]).copy()
            c = None if cn is None else layout(cn[row]).copy()
            with np.errstate(over="ignore"):  # exp overflowing to inf is how a gate saturates
                run(projected, w_hh, extra, h, c, direction_output, steps[direction], batch_sizes, cell)
            hn[row] = layout(h)
            if cn is not None:
                cn[row] = layout(c)

        if split_directions:
            _run_parts(run_direction, num_directions)
        else:
            for direction in range(num_directions):
                run_direction(direction)
        layer_input = layer_output


def _batch_major(state):
    return state


def _active_steps(steps, batch, batch_sizes):
    """(t, n, resized) for each step t that n > 0 sequences take (the first n: they are sorted by
    length); resized when n differs from the step before, so views on n columns are remade."""
    active = None
    for t in steps:
        n = batch if batch_sizes is None else batch_sizes[t]
        if n:
            yield t, n, n != active
            active = n


def _run_direction(projected, w_hh, w_hr, h, c, output, steps, batch_sizes, cell=None):
    """Run one LSTM direction of one layer over time, updating the state h, c in place.

    State and gates are feature-major, (features, batch): W_hh @ h is then the fastest BLAS shape
    and each gate is a contiguous block of rows. Gate rows are stored i, f, o, g with the sigmoid
    rows negated (see _gate_params), so sigmoid(z) = 1 / (1 + exp(-z)) takes one exp over the
    three sigmoid gates: NumPy's exp is two to three times faster than its tanh on AVX2. Per step:
    one matmul plus in-place ops on fixed buffers. With batch_sizes, only the first batch_sizes[t]
    (sorted) sequences take step t; the rest keep their state, which is how hn/cn end at each
    sequence's last valid step. Every runner takes the same arguments (see _RUNNERS); NumPy's
    take no compiled cell.
    """
    hidden_size, batch = c.shape
    gates_buffer = np.empty(4 * hidden_size * batch, h.dtype)
    cell_buffer = np.empty(hidden_size * batch, h.dtype)
    for t, n, resized in _active_steps(steps, batch, batch_sizes):
        if resized:
            h_n, c_n = h[:, :n], c[:, :n]
            gates = gates_buffer[: 4 * hidden_size * n].reshape(4 * hidden_size, n)
            tanh_c = cell_buffer[: hidden_size * n].reshape(hidden_size, n)
            sigmoid_gates = gates[: 3 * hidden_size]
            i, f, o, g = (gates[k * hidden_size : (k + 1) * hidden_size] for k in range(4))
        np.matmul(w_hh, h_n, out=gates)
        gates += projected[:, t, :n]
        np.exp(sigmoid_gates, out=sigmoid_gates)
        sigmoid_gates += 1
        np.reciprocal(sigmoid_gates, out=sigmoid_gates)
        np.tanh(g, out=g)
        c_n *= f
        i *= g
        c_n += i
        np.tanh(c_n, out=tanh_c)
        if w_hr is None:
            np.multiply(o, tanh_c, out=h_n)
        else:
            tanh_c *= o
            np.matmul(w_hr, tanh_c, out=h_n)
        output[t, :n] = h_n.T


def _run_compiled_direction(projected, hh_product, hr_product, h, c, output, steps, batch_sizes, cell):
    """_run_direction with the compiled cell, batch-major: h (batch, out), c (batch, hidden_size),
    projected (seq_len, batch, gates). Per step: h @ W_hh^T, the cell, then W_hr's projection when
    there is one (both products as _step_products makes them)."""
    batch, hidden_size = c.shape
    gates_buffer = np.empty(batch * 4 * hidden_size, h.dtype)
    gated_buffer = np.empty(batch * hidden_size, h.dtype)
    for t, n, resized in _active_steps(steps, batch, batch_sizes):
        if resized:
            h_n = h[:n]
            gates = gates_buffer[: n * 4 * hidden_size].reshape(n, 4 * hidden_size)
            # o * tanh(c) is h itself, or what W_hr projects into h
            gated = h if hr_product is None else gated_buffer[: n * hidden_size].reshape(n, hidden_size)
        hh_product(h_n, gates)
        cell(gates, projected, t, c, gated)
        if hr_product is not None:
            hr_product(gated, h_n)
        output[t, :n] = h_n


def _gate_params(params, suffix, hidden_size, bias, proj_size, dtype, negated):
    """W_ih (with the summed bias as its last column), W_hh and W_hr (or None) of one direction.

    For NumPy's cell (`negated`), gate rows are reordered i, f, o, g and the sigmoid rows negated
    (see _run_direction), which is exact: the sigmoid gates' pre-activations are exactly -z. The
    compiled cell takes torch's order and W_hh as it is (negating as it reads, as exact): at ten
    hidden units, reordering took a sixth of a whole call.
    """
    w_ih = np.asarray(params["weight_ih" + suffix], dtype)
    w_hh = np.asarray(params["weight_hh" + suffix], dtype)
    w_hr = np.asarray(params["weight_hr" + suffix], dtype) if proj_size else None
    input_size = w_ih.shape[1]
    ih_bias = np.empty((4 * hidden_size, input_size + bias), dtype)
    summed = None
    if bias:
        summed = np.asarray(params["bias_ih" + suffix], dtype) + np.asarray(params["bias_hh" + suffix], dtype)
    if not negated:
        ih_bias[:, :input_size] = w_ih
        if bias:
            ih_bias[:, input_size] = summed
        return ih_bias, w_hh, w_hr
    _reorder_gates(w_ih, ih_bias[:, :input_size], hidden_size)
    if bias:
        _reorder_gates(summed[:, None], ih_bias[:, input_size:], hidden_size)
    scaled_hh = np.empty_like(w_hh)
    _reorder_gates(w_hh, scaled_hh, hidden_size)
    return ih_bias, scaled_hh, w_hr


def _reorder_gates(gate_rows, out, hidden_size):
    """Write torch's i, f, g, o rows into out as -i, -f, -o, g."""
    two, three = 2 * hidden_size, 3 * hidden_size
    np.negative(gate_rows[:two], out=out[:two])
    np.negative(gate_rows[three:], out=out[two:three])
    out[three:] = gate_rows[two:three]


# --- GRU and vanilla RNN (nn.GRU, nn.RNN) -----------------------------------------------------
# The same state_dict layout with 3 (GRU: r, z, n) or 1 (RNN) gate blocks instead of 4, and no
# cell state. Kept apart from the LSTM's tuned loop above: a cell here is a few array expressions.

def rnn_forward(
    x,
    params,
    cell: str = "lstm",
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
    h0=None,
    c0=None,
    lengths=None,
    implementation: str | None = None,
):
    """Run nn.LSTM's, nn.GRU's or nn.RNN's forward (inference) on x with state_dict-named `params`.

    `cell` is "lstm", "gru", "rnn_tanh" or "rnn_relu" (torch's `mode`, lower-case). Returns
    output, hn for GRU and RNN, and output, (hn, cn) for the LSTM, as torch does; x, h0, lengths
    and implementation are taken as by `lstm_forward` (to which cell="lstm" goes, proj_size read
    from weight_hr_l0). GRU computes n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), as torch does.
    """
    kind, nonlinearity = cell_mode(cell)
    if kind == "lstm":
        proj_size = np.shape(params["weight_hr_l0"])[0] if "weight_hr_l0" in params else 0
        return lstm_forward(x, params, num_layers, bidirectional, batch_first, proj_size, h0=h0, c0=c0,
                            lengths=lengths, implementation=implementation)
    wanted = _request(implementation)
    if wanted.cell == "reference":
        return reference.rnn_forward(x, params, cell, num_layers, bidirectional, batch_first, h0, c0, lengths)
    call = check_rnn_call(x, params, kind, num_layers, bidirectional, batch_first, h0, c0, lengths)

    def prepare(negated):
        return [[_rnn_gate_params(params, f"_l{layer}" + ("_reverse" if direction else ""), kind, call.hidden_size,
                                  call.bias, call.x.dtype, negated)
                 for direction in range(2 if bidirectional else 1)]
                for layer in range(num_layers)]

    def run_reference(part):
        output, hn = reference.rnn_forward(part.x, params, cell, num_layers, bidirectional, part.batch_first,
                                           part.hn, None, part.lengths)
        return output, hn, None

    mode = "gru" if kind == "gru" else f"rnn_{nonlinearity}"
    output, hn, _ = _chosen(mode, call, prepare, run_reference, wanted, (num_layers, bidirectional, 0))
    if call.unbatched:
        return output[:, 0], hn[:, 0]
    return output, hn


def _rnn_gate_params(params, suffix, kind, hidden_size, bias, dtype, negated):
    """W_ih (with the folded biases as its last column), W_hh and GRU's b_hn (None for RNN).

    GRU's rows r, z take both their biases in the projection, and for NumPy's cell (`negated`)
    are negated (as the LSTM's sigmoid gates, see _gate_params); b_hn stays apart, since the
    reset gate scales W_hn h + b_hn. An RNN's two biases simply add.
    """
    w_ih = np.asarray(params["weight_ih" + suffix], dtype)
    w_hh = np.asarray(params["weight_hh" + suffix], dtype)
    input_size = w_ih.shape[1]
    ih_bias = np.empty((w_ih.shape[0], input_size + bias), dtype)
    ih_bias[:, :input_size] = w_ih
    hh_bias = np.zeros(hidden_size, dtype) if kind == "gru" and not bias else None
    if bias:
        b_ih = np.asarray(params["bias_ih" + suffix], dtype)
        b_hh = np.asarray(params["bias_hh" + suffix], dtype)
        summed = 2 * hidden_size if kind == "gru" else len(b_ih)  # GRU's b_in has no b_hh beside it
        np.add(b_ih[:summed], b_hh[:summed], out=ih_bias[:summed, input_size])
        if kind == "gru":
            ih_bias[summed:, input_size] = b_ih[summed:]
            hh_bias = b_hh[summed:]  # read only
    if kind == "gru" and negated:
        ih_bias[: 2 * hidden_size] *= -1
        w_hh = np.concatenate([-w_hh[: 2 * hidden_size], w_hh[2 * hidden_size :]])
    return ih_bias, w_hh, hh_bias


def _run_gru_direction(projected, w_hh, hh_bias, h, c, output, steps, batch_sizes, cell=None):
    """_run_direction for nn.GRU, feature-major: per step W_hh @ h, then r and z from one exp
    over the negated rows, n = tanh(projected_n + r * (W_hn h + b_hn)) and h' = n + z * (h - n)."""
    hidden_size, batch = h.shape
    gates_buffer = np.empty(3 * hidden_size * batch, h.dtype)
    hh_bias = hh_bias[:, None]
    for t, n, resized in _active_steps(steps, batch, batch_sizes):
        if resized:
            h_n = h[:, :n]
            gates = gates_buffer[: 3 * hidden_size * n].reshape(3 * hidden_size, n)
            rz, new = gates[: 2 * hidden_size], gates[2 * hidden_size :]
            r, z = rz[:hidden_size], rz[hidden_size:]
        np.matmul(w_hh, h_n, out=gates)
        rz += projected[: 2 * hidden_size, t, :n]
        np.exp(rz, out=rz)
        rz += 1
        np.reciprocal(rz, out=rz)
        new += hh_bias
        new *= r
        new += projected[2 * hidden_size :, t, :n]
        np.tanh(new, out=new)
        h_n -= new
        h_n *= z
        h_n += new
        output[t, :n] = h_n.T


def _run_rnn_direction(activation, projected, w_hh, extra, h, c, output, steps, batch_sizes, cell=None):
    """_run_direction for nn.RNN, feature-major: h' = activation(W_hh @ h + projected)."""
    hidden_size, batch = h.shape
    gates_buffer = np.empty(hidden_size * batch, h.dtype)
    for t, n, resized in _active_steps(steps, batch, batch_sizes):
        if resized:
            h_n = h[:, :n]
            gates = gates_buffer[: hidden_size * n].reshape(hidden_size, n)
        np.matmul(w_hh, h_n, out=gates)
        gates += projected[:, t, :n]
        activation(gates, h_n)
        output[t, :n] = h_n.T


def _relu(values, out):
    np.maximum(values, 0, out=out)  # NaN stays NaN, as in torch's relu


def _run_compiled_hidden_direction(projected, hh_product, hh_bias, h, c, output, steps, batch_sizes, cell):
    """_run_compiled_direction for GRU and RNN (no cell state), batch-major: per step h @ W_hh^T,
    then the cell updates h in place (GRU's also takes b_hn)."""
    batch, gates_size = h.shape[0], projected.shape[-1]
    gates_buffer = np.empty(batch * gates_size, h.dtype)
    bias = () if hh_bias is None else (hh_bias,)
    for t, n, resized in _active_steps(steps, batch, batch_sizes):
        if resized:
            h_n = h[:n]
            gates = gates_buffer[: n * gates_size].reshape(n, gates_size)
        hh_product(h_n, gates)
        cell(gates, projected, t, *bias, h_n)
        output[t, :n] = h_n


# Each mode's direction runners: (NumPy's ufuncs, feature-major; the compiled cell, batch-major).
_RUNNERS = {
    "lstm": (_run_direction, _run_compiled_direction),
    "gru": (_run_gru_direction, _run_compiled_hidden_direction),
    "rnn_tanh": (partial(_run_rnn_direction, np.tanh), _run_compiled_hidden_direction),
    "rnn_relu": (partial(_run_rnn_direction, _relu), _run_compiled_hidden_direction),
}
