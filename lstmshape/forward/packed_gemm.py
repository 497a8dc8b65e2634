"""A step's h @ W^T on a weight packed once per forward, run by OpenBLAS's own sgemm micro-kernel.

Every np.matmul first copies both operands into the blocked layout its micro-kernel reads
("packing"). In a recurrent step the weight (W_hh, 4·hidden × hidden) is by far the larger
operand and is the same at every step: at I512 H512 with 32 sequences, packing its 4 MiB took
0.23 ms of a 1.03 ms single-threaded step, every step. Here the weight is packed once, in that
same layout, and each step packs only h (32 × 512) and calls the micro-kernel numpy's OpenBLAS
itself runs, once per 256 × 256 block of weight rows and depth (GotoBLAS's loop).
Measured single-threaded, alone and two threads at once as batch parts run: 0.41–0.85 of
np.matmul's time for 3 to 32 sequences at hidden 64 to 1024, 0.76–0.94 for 64 sequences
(bench_forward.py --gemm, docs/performance.md). One sequence stays with np.matmul, whose
GEMV packs nothing and was faster (the kernel's one-column tiles took 1.3–2.2× as long).

The kernel is an internal symbol of OpenBLAS (exported, not a documented API), so it is used
only where this module knows its layout (KERNELS, measured), and only after a self-test on the
running machine has matched a float64 product on shapes with every partial tile (find_kernel);
anywhere else fast.py keeps np.matmul. float32 only, like the compiled cell it serves.
"""

from __future__ import annotations

import ctypes
from functools import partial
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .compiled_cell import compiled

__all__ = ["KERNELS", "Kernel", "PackedWeight", "find_kernel", "ready_packing"]

# OpenBLAS core name (as openblas_get_corename and threadpoolctl report it) -> the sgemm
# micro-kernel's tile, (weight rows, sequences): its packed panels are that many rows wide.
# Haswell's kernel (sgemm_kernel_8x4_haswell) also runs Broadwell and, in numpy's DYNAMIC_ARCH
# builds, AMD Zen. SkylakeX's (sgemm_kernel_16x4_skylakex_3.c, AVX-512) has the same signature
# and reads the same layout with 16-row panels: it walks the rows in 16s, then one panel each of
# 8, 4, 2 and 1 (what _pack writes), and the sequences in panels of 4 (then 2, 1), up to six
# panels at once. Whether a core's kernel is worth calling is not decided here: fast.py's
# calibration times the packed product against np.matmul on the machine that runs it.
KERNELS = {"haswell": (8, 4), "skylakex": (16, 4)}
# GotoBLAS's cache blocks: a block of BLOCK_ROWS weight rows by BLOCK_DEPTH of depth (256 KiB)
# stays in L2 while the kernel sweeps the step's sequences (a 12-sequence panel in L1).
# 128–512 rows and 128–512 depth were all within 10 % of this here.
BLOCK_ROWS = 256
BLOCK_DEPTH = 256


class Kernel(NamedTuple):
    """An OpenBLAS sgemm micro-kernel: C += alpha * A B on packed A (rows) and B (sequences),
    C column-major. address is the C function's, for the compiled loop to call."""

    name: str
    address: int
    unroll_rows: int
    unroll_sequences: int


@intrinsic
def _call(typingctx, address, m, n, k, alpha, a, b, c, ldc):
    """kernel(m, n, k, alpha, a, b, c, ldc), OpenBLAS's GEMM_KERNEL signature, called through
    its address (an argument, not a constant, so numba can cache the loop that calls it)."""

    def codegen(context, builder, signature, args):
        i64, f32 = ir.IntType(64), ir.FloatType()
        pointer = f32.as_pointer()
        function = ir.FunctionType(ir.IntType(32), [i64, i64, i64, f32, pointer, pointer, pointer, i64])
        callee = builder.inttoptr(args[0], function.as_pointer())
        a, b, c = (builder.inttoptr(value, pointer) for value in args[5:8])
        return builder.call(callee, [args[1], args[2], args[3], args[4], a, b, c, args[8]])

    return types.int32(address, m, n, k, alpha, a, b, c, ldc), codegen


@compiled
def _pack(matrix, unroll, out):
    """Write matrix (rows, depth) into out as OpenBLAS's GEMM copy routines lay it out: per depth
    block of BLOCK_DEPTH, panels of `unroll` rows (the last ones unroll/2, unroll/4, ... 1 wide),
    each panel depth-major."""
    rows, depth = matrix.shape
    at = 0
    for start in range(0, depth, BLOCK_DEPTH):
        block = min(BLOCK_DEPTH, depth - start)
        row, width = 0, unroll
        while row < rows:
            while rows - row < width:
                width //= 2
            for j in range(width):  # read along the row (twice as fast as down the panel)
                source = matrix[row + j, start : start + block]
                for k in range(block):
                    out[at + k * width + j] = source[k]
            at += block * width
            row += width


@compiled
def _product(address, unroll_sequences, packed, rows, h, out):
    """out (n, rows) = h (n, depth) @ W^T, W packed by _pack: GotoBLAS's loop over depth blocks
    and row blocks, each a kernel call that adds into out (read by the kernel as the column-major
    rows × n matrix it is, its rows out.strides[0] apart)."""
    n, depth = h.shape
    h_packed = np.empty(n * depth, np.float32)
    _pack(h, unroll_sequences, h_packed)
    out[:] = 0
    ldc = out.strides[0] // 4
    for start in range(0, depth, BLOCK_DEPTH):
        block = min(BLOCK_DEPTH, depth - start)
        for row in range(0, rows, BLOCK_ROWS):
            _call(address, min(BLOCK_ROWS, rows - row), n, block, np.float32(1.0),
                  packed.ctypes.data + 4 * (start * rows + row * block),
                  h_packed.ctypes.data + 4 * start * n,
                  out.ctypes.data + 4 * row, ldc)


class PackedWeight:
    """A float32 weight (rows, depth) packed once; calling it with h (n, depth) and out (n, rows)
    writes h @ weight.T into out, as np.matmul(h, weight.T, out=out) does (out's rows may lie
    further apart, as in a wider buffer; each row must be contiguous). Safe to call from several
    threads at once (each call packs h into its own buffer)."""

    __slots__ = ("kernel", "packed", "weight")

    def __init__(self, weight, kernel: Kernel):
        self.weight = np.ascontiguousarray(weight, np.float32)
        self.kernel = kernel
        self.packed = np.empty(self.weight.size, np.float32)
        _pack(self.weight, kernel.unroll_rows, self.packed)

    def __call__(self, h, out):
        self._check(h, out)
        if len(h) < 2:  # one sequence: BLAS's GEMV packs nothing, and beat the kernel here
            np.matmul(h, self.weight.T, out=out)
        else:
            _product(self.kernel.address, self.kernel.unroll_sequences, self.packed, len(self.weight), h, out)

    def _check(self, h, out):
        """The kernel reads h and writes out through raw pointers, trusting their layout: anything
        else would read past h or write float32 bits into other memory, so it is refused here."""
        rows, depth = self.weight.shape
        if not (isinstance(h, np.ndarray) and h.dtype == np.float32 and h.ndim == 2 and h.shape[1] == depth):
            raise ValueError(f"PackedWeight: h must be a float32 array (n, {depth}), got {_described(h)}")
        n = len(h)
        if not (isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (n, rows)):
            raise ValueError(f"PackedWeight: out must be a float32 array ({n}, {rows}) for h of {n} rows, "
                             f"got {_described(out)}")
        if n and not (out.flags.writeable and out.strides[1] == 4 and out.strides[0] >= 4 * rows):
            raise ValueError(f"PackedWeight: out's rows must each be contiguous and writeable, in rows at least "
                             f"{rows} values apart (strides {out.strides}, writeable {out.flags.writeable})")


def _described(array) -> str:
    if not isinstance(array, np.ndarray):
        return type(array).__name__
    return f"{array.dtype} {array.shape}"


def find_kernel(libraries=None) -> Kernel | None:
    """The sgemm micro-kernel of a loaded OpenBLAS whose core is in KERNELS and which passes the
    self-test, or None. libraries: threadpoolctl's threadpool_info() (the default) or a list
    like it."""
    if libraries is None:
        from threadpoolctl import threadpool_info

        libraries = threadpool_info()
    for library in libraries:
        core = str(library.get("architecture") or "").lower()
        if library.get("internal_api") != "openblas" or core not in KERNELS:
            continue
        try:
            function = getattr(ctypes.CDLL(library["filepath"]), f"sgemm_kernel_{core.upper()}")
        except (OSError, AttributeError):  # not loadable, or a build without per-core kernels
            continue
        kernel = Kernel(core, ctypes.cast(function, ctypes.c_void_p).value, *KERNELS[core])
        if _passes_self_test(kernel):
            return kernel
    return None


def _passes_self_test(kernel: Kernel) -> bool:
    """Does the kernel, fed this module's packing, match a float64 product? 47 rows (full panels
    of 16 or 8, then one each of every narrower width: 8, 4, 2, 1), 300 of depth (two depth
    blocks), 23 sequences (more panels of 4 than a 24-wide sweep reads at once, then 2 and 1; a
    kernel reading panels of 8 would read these wrong)."""
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((47, 300), dtype=np.float32)
    h = rng.standard_normal((23, 300), dtype=np.float32)
    out = np.empty((23, 47), np.float32)
    PackedWeight(weight, kernel)(h, out)
    want = h.astype(np.float64) @ weight.T.astype(np.float64)
    return bool(np.abs(out - want).max() < 1e-3)


def ready_packing(libraries=None):
    """A function packing a weight into a PackedWeight for the kernel find_kernel(libraries)
    finds (compiled, or read from numba's cache, by its self-test), or None where it finds none."""
    kernel = find_kernel(libraries)
    return None if kernel is None else partial(PackedWeight, kernel=kernel)
