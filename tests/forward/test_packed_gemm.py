"""lstmshape.forward.packed_gemm: h @ W^T on a weight packed once, by OpenBLAS's own sgemm micro-kernel.

The product is tested with OpenBLAS's Haswell kernel on any x86-64 machine (helpers.
haswell_packing); which kernel this machine's forward would use is tested apart.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from helpers import haswell_packing

pytestmark = pytest.mark.usefixtures("numba")


@pytest.fixture(scope="module")
def pack():
    return haswell_packing()


def within_float32_rounding(got, h, weight):
    """|got - h @ W^T| within the float32 rounding a depth-long sum of products may carry,
    element by element: depth * eps * (|h| @ |W|^T) (Higham's gamma_depth bound)."""
    h64, weight64 = h.astype(np.float64), weight.astype(np.float64)
    bound = weight.shape[1] * np.finfo(np.float32).eps * (np.abs(h64) @ np.abs(weight64).T)
    return np.all(np.abs(got - h64 @ weight64.T) <= bound + 1e-30)


@pytest.mark.parametrize("rows", [1, 3, 4, 7, 8, 9, 37, 80, 1027])
@pytest.mark.parametrize("depth", [1, 5, 255, 256, 257, 600])
@pytest.mark.parametrize("sequences", [2, 3, 4, 5, 13, 33])
def test_product_matches_float64_over_every_partial_tile(pack, rows, depth, sequences):
    """Rows and sequences left over by the kernel's 8 × 4 tile (panels of 4, 2, 1), depths
    across the 256-deep cache blocks and rows across the 256-row ones."""
    rng = np.random.default_rng(rows * depth + sequences)
    weight = rng.standard_normal((rows, depth), dtype=np.float32)
    h = rng.standard_normal((sequences, depth), dtype=np.float32)
    out = np.full((sequences, rows), np.nan, np.float32)  # every element must be written
    pack(weight)(h, out)
    assert within_float32_rounding(out, h, weight)


def test_product_writes_into_rows_of_a_wider_buffer(pack):
    """out may be the first columns of a wider array (its rows further apart than `rows`): the
    columns past it stay as they were."""
    rng = np.random.default_rng(1)
    weight = rng.standard_normal((20, 30), dtype=np.float32)
    h = rng.standard_normal((6, 30), dtype=np.float32)
    wide = np.full((6, 25), 7.0, np.float32)
    pack(weight)(h, wide[:, :20])
    assert within_float32_rounding(wide[:, :20], h, weight)
    assert np.all(wide[:, 20:] == 7.0)


def test_product_takes_a_prefix_of_the_state_as_the_forward_passes_it(pack):
    """The runners pass h[:n] and a gates block of n rows as the sequences still running shrink."""
    rng = np.random.default_rng(2)
    weight = rng.standard_normal((16, 12), dtype=np.float32)
    product = pack(weight)
    h = rng.standard_normal((9, 12), dtype=np.float32)
    gates = np.empty(9 * 16, np.float32)
    for n in (9, 5, 2):
        out = gates[: n * 16].reshape(n, 16)
        product(h[:n], out)
        assert within_float32_rounding(out, h[:n], weight)


def test_nan_and_inf_spread_as_in_np_matmul(pack):
    weight = np.random.default_rng(3).standard_normal((10, 8), dtype=np.float32)
    h = np.ones((4, 8), np.float32)
    h[1, 2], h[3, 0] = np.nan, np.inf
    out = np.empty((4, 10), np.float32)
    pack(weight)(h, out)
    want = np.matmul(h, weight.T)
    assert np.array_equal(np.isnan(out), np.isnan(want)) and np.array_equal(np.isinf(out), np.isinf(want))
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()


def test_one_sequence_runs_np_matmul(pack, monkeypatch):
    """For one sequence BLAS's GEMV packs nothing and beat the kernel: it runs np.matmul."""
    from lstmshape.forward import packed_gemm

    def no_kernel(*args):
        raise AssertionError("the kernel ran")

    weight = np.random.default_rng(4).standard_normal((12, 6), dtype=np.float32)
    product = pack(weight)
    monkeypatch.setattr(packed_gemm, "_product", no_kernel)
    h = np.random.default_rng(5).standard_normal((2, 6), dtype=np.float32)
    out = np.empty((1, 12), np.float32)
    product(h[:1], out)
    assert np.array_equal(out, np.matmul(h[:1], weight.T))
    with pytest.raises(AssertionError, match="the kernel ran"):
        product(h, np.empty((2, 12), np.float32))


def test_threads_share_one_packed_weight(pack):
    """Batch parts call one packed weight from two threads at once."""
    rng = np.random.default_rng(6)
    weight = rng.standard_normal((256, 128), dtype=np.float32)
    product = pack(weight)
    hs = [rng.standard_normal((16, 128), dtype=np.float32) for _ in range(2)]
    outs = [np.empty((16, 256), np.float32) for _ in range(2)]
    go = threading.Barrier(2)

    def run(k):
        go.wait()
        for _ in range(200):
            product(hs[k], outs[k])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(within_float32_rounding(out, h, weight) for out, h in zip(outs, hs))


def openblas_libraries():
    from threadpoolctl import threadpool_info

    return [library for library in threadpool_info() if library["internal_api"] == "openblas"]


@pytest.mark.parametrize("tile", [(4, 4), (8, 2), (16, 4)])
def test_the_self_test_refuses_a_kernel_packed_for_the_wrong_tile(monkeypatch, tile):
    """A kernel fed panels of the wrong width computes garbage; the self-test must catch it."""
    from lstmshape.forward import packed_gemm

    libraries = [{**library, "architecture": "Haswell"} for library in openblas_libraries()]
    assert packed_gemm.find_kernel(libraries) is not None
    monkeypatch.setitem(packed_gemm.KERNELS, "haswell", tile)
    assert packed_gemm.find_kernel(libraries) is None


def avx512_cpu():
    try:
        return " avx512f " in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


@pytest.mark.parametrize("tile", [(16, 4), (8, 4), (16, 8), (32, 4), (16, 2)])
def test_the_skylakex_kernel_passes_its_self_test_at_its_own_tile_only(monkeypatch, tile):
    """OpenBLAS's SkylakeX sgemm kernel (16 rows by panels of 4 sequences) under the same
    self-test as Haswell's, on a CPU that can run it (AVX-512) and an OpenBLAS that has it."""
    from lstmshape.forward import packed_gemm

    if not avx512_cpu():
        pytest.skip("this CPU has no AVX-512: the SkylakeX kernel cannot run here")
    libraries = [{**library, "architecture": "SkylakeX"} for library in openblas_libraries()]
    if not libraries:
        pytest.skip("numpy's BLAS is not OpenBLAS")
    monkeypatch.setitem(packed_gemm.KERNELS, "skylakex", tile)
    kernel = packed_gemm.find_kernel(libraries)
    assert (kernel is not None) == (tile == (16, 4))


@pytest.mark.parametrize("library", [
    {"internal_api": "mkl", "architecture": "Haswell", "filepath": "libmkl_rt.so"},
    {"internal_api": "openblas", "architecture": "Zen", "filepath": "libopenblas.so"},
    {"internal_api": "openblas", "architecture": "Haswell", "filepath": "/nonexistent/libopenblas.so"},
    {"internal_api": "openblas", "architecture": None, "filepath": "libopenblas.so"},
])
def test_no_known_kernel_means_no_packing(library):
    from lstmshape.forward.packed_gemm import find_kernel

    assert find_kernel([library]) is None


def test_this_machine_finds_the_kernel_its_openblas_runs():
    """fast.py packs weights exactly where numpy's OpenBLAS runs a core in KERNELS."""
    from lstmshape.forward.packed_gemm import KERNELS, find_kernel, ready_packing

    known = [library for library in openblas_libraries()
             if str(library.get("architecture")).lower() in KERNELS]
    kernel = find_kernel()
    assert (kernel is not None) == bool(known)
    assert (ready_packing() is not None) == bool(known)
    if kernel is not None:
        assert kernel.name == str(known[0]["architecture"]).lower()


def test_the_forward_loads_packing_with_the_compiled_cells(monkeypatch):
    from lstmshape.forward import fast as forward
    from lstmshape.forward.packed_gemm import find_kernel

    monkeypatch.setattr(forward, "_compiled_cell", None)
    assert forward.load_compiled_cell() is True
    assert (forward._pack_weight is not None) == (find_kernel() is not None)


@pytest.mark.parametrize("h, out, message", [
    (np.ones((3, 7), np.float32), np.empty((3, 20), np.float32),
     r"h must be a float32 array \(n, 30\), got float32 \(3, 7\)"),
    (np.ones((3, 31), np.float32), np.empty((3, 20), np.float32), r"h must be .* got float32 \(3, 31\)"),
    (np.ones((3, 30)), np.empty((3, 20), np.float32), r"h must be .* got float64 \(3, 30\)"),
    (np.ones(30, np.float32), np.empty((1, 20), np.float32), r"h must be .* got float32 \(30,\)"),
    ([[1.0] * 30] * 3, np.empty((3, 20), np.float32), r"h must be .* got list"),
    (np.ones((3, 30), np.float32), np.empty((3, 20)),
     r"out must be a float32 array \(3, 20\) for h of 3 rows, got float64"),
    (np.ones((1, 30), np.float32), np.empty((1, 20)), r"out must be .* got float64 \(1, 20\)"),
    (np.ones((3, 30), np.float32), np.empty((3, 19), np.float32), r"out must be .* got float32 \(3, 19\)"),
    (np.ones((3, 30), np.float32), np.empty((4, 20), np.float32), r"out must be .* got float32 \(4, 20\)"),
    (np.ones((3, 30), np.float32), np.empty((20, 3), np.float32).T, r"out's rows must each be contiguous"),
    (np.ones((3, 30), np.float32), np.empty((3, 40), np.float32)[:, ::2], r"out's rows must each be contiguous"),
    (np.ones((3, 30), np.float32), np.empty((3, 20), np.float32)[::-1], r"out's rows must each be contiguous"),
    (np.ones((3, 30), np.float32), np.broadcast_to(np.empty(20, np.float32), (3, 20)),
     r"out's rows must each be contiguous and writeable"),
])
def test_a_call_the_kernel_cannot_run_is_refused(pack, h, out, message):
    """The kernel reads h and writes out through raw pointers: a wrong depth, dtype or layout
    would read past h or write float32 bits over other memory, so it is a ValueError instead."""
    weight = np.random.default_rng(7).standard_normal((20, 30), dtype=np.float32)
    with pytest.raises(ValueError, match="PackedWeight: " + message):
        pack(weight)(h, out)
