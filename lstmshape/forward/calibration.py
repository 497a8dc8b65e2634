"""Which way the fast path runs a call, chosen by timing the ways on this machine.

A forward can run with NumPy's ufuncs or the compiled cell, in one thread or split into batch
parts or directions, with np.matmul or weights packed for OpenBLAS's micro-kernel; or as the
reference does. Which is fastest depends on the CPU (an AVX-512 NumPy's exp beats the compiled
cell where an AVX2 one loses to it), the BLAS kernel and the shapes, so no constant measured on
one machine can say. Instead the first call of each shape (its sizes, dtype, batch, the BLAS
thread limit, what was asked for, and its length: up to CALIBRATION_STEPS exactly, past them the
power of two it rounds up to, `length_class`) times every candidate on its own first steps, as
it runs call after call (those on one BLAS thread apart from those on BLAS's threads, once the
process is quiet: `settled`), and extrapolates to that length (`fastest`), the reference first
among them; another candidate displaces
the reference only where it beats it by a clear margin (MARGIN) both in the rounds' paired
ratios and in its best run, so a candidate that only looked faster in a noisy minute is not
chosen. The winner is kept for the process (so the same call gives the same bits however often
it runs) and in the user's cache directory, keyed by the CPU and the library versions, so the
next process need not time it again (`Choices`).

Variants are named by their parts joined with "+": a cell (reference, numpy, compiled), the
threads (serial, parts, directions) and the step's GEMMs (packed, unpacked), e.g.
"compiled+parts+packed". LSTMSHAPE_FORWARD (or `implementation=`) names any subset of those
parts, or "auto": what it names is forced and the rest is timed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import NamedTuple

__all__ = ["CALIBRATION_SECONDS", "CALIBRATION_STEPS", "MARGIN", "MIN_ROUNDS", "PARTS", "ROUNDS", "SETTLE_SECONDS",
           "Choices", "Request", "Variant", "cache_directory", "fastest", "length_class", "machine", "request",
           "settled", "timed"]

# The variant's parts, each the options of one choice; a request names at most one of each.
PARTS = {
    "cell": ("reference", "numpy", "compiled"),
    "threads": ("serial", "parts", "directions"),
    "packing": ("unpacked", "packed"),
}
# The timing budget of one calibration, after each candidate's warm-up runs: the candidates
# run ROUNDS times each (MIN_ROUNDS where a step is slow) on as many of the call's first steps (at
# most CALIBRATION_STEPS) as fit in it, and on one step, from which each candidate's time for the
# call's length (its length_class) is extrapolated (see `fastest`). Medians of interleaved runs: a burst of
# load slows one run, not the verdict.
CALIBRATION_SECONDS = 1.0
CALIBRATION_STEPS = 16
ROUNDS = 5
MIN_ROUNDS = 3
# A candidate displaces the first one (the reference, under "auto") only where it takes at most
# this share of its time, both by the median of their ratios round by round and by their best
# runs. On an oversubscribed machine, a variant waiting on BLAS's two threads each step takes 1x
# to 50x its idle time at random (a GEMM waits for both threads to be scheduled): two such
# variants then differ by chance, not by code, and the margin keeps that chance from choosing.
MARGIN = 0.9
# Before the candidates that limit BLAS to one thread are timed, the process waits (at most this
# long) until no other thread of it runs: see `settled`.
SETTLE_SECONDS = 0.25
_MAX_CACHED = 1000  # shapes in one cache file; past that, choices are kept for the process only
_MAX_CACHE_BYTES = 2**20


class Variant(NamedTuple):
    """One way to run a forward."""

    cell: str  # reference, numpy or compiled
    threads: str = "serial"  # serial (BLAS's own threads), parts (of the batch), directions
    packed: bool = False  # the step's GEMMs on weights packed once (single-threaded BLAS only)

    @property
    def blas_threaded(self) -> bool:
        """Whether its GEMMs run on BLAS's own threads (the reference and the serial variants;
        the others limit BLAS to one thread and run threads of their own)."""
        return self.cell == "reference" or self.threads == "serial"

    @property
    def name(self) -> str:
        if self.cell == "reference":
            return "reference"
        return "+".join([self.cell, self.threads] + (["packed"] if self.packed else []))

    @classmethod
    def parse(cls, name: str) -> Variant | None:
        """The variant a name names in full (as .name spells it), or None. Packed weights serve
        the compiled cell in single-threaded BLAS only: there is no other packed variant."""
        wanted = Request.parse(name)
        if wanted is None or wanted.cell is None or (wanted.cell != "reference" and wanted.threads is None):
            return None
        variant = cls(wanted.cell, wanted.threads or "serial", wanted.packing == "packed")
        if variant.packed and (variant.cell != "compiled" or variant.threads == "serial"):
            return None
        return variant if variant.name == name else None


class Request(NamedTuple):
    """What a caller forced (None: to be timed)."""

    cell: str | None = None
    threads: str | None = None
    packing: str | None = None

    @property
    def name(self) -> str:
        return "+".join(part for part in self if part) or "auto"

    @classmethod
    def parse(cls, text: str) -> Request | None:
        """"auto" or parts joined by "+", at most one of each choice; None if not that."""
        if text == "auto":
            return cls()
        forced = {}
        for part in text.split("+"):
            choice = next((choice for choice, options in PARTS.items() if part in options), None)
            if choice is None or choice in forced:
                return None
            forced[choice] = part
        if forced.get("cell") == "reference" and len(forced) > 1:
            return None
        return cls(**forced)


def request(requested: str | None, environment: str | None, variable: str) -> Request:
    """The request of `implementation=` if given, else of the environment variable, else auto. A
    value that is not one is a ValueError; the environment's value is not repeated in it."""
    text = requested or environment or "auto"
    wanted = _parsed(text) if isinstance(text, str) else None
    if wanted is None:
        origin = "implementation" if requested else variable
        options = " | ".join("/".join(options) for options in PARTS.values())
        raise ValueError(f"{origin} must be auto or parts joined by '+', at most one of each: {options} "
                         "(reference alone)")
    return wanted


@lru_cache(maxsize=64)
def _parsed(text: str) -> Request | None:
    """Request.parse, once per text: every forward asks."""
    return Request.parse(text)


def length_class(seq_len: int) -> int:
    """The length a call of seq_len steps is calibrated for: seq_len itself up to CALIBRATION_STEPS,
    past them the power of two it rounds up to. A run's fixed cost (weights packed, threads handed
    their work) is paid once per call, so it weighs 6x less in a call of 100 steps than in one of
    16: a calibration extrapolates to the call's length, and calls of one class share the choice
    (within a class the length differs at most 2x)."""
    if seq_len <= CALIBRATION_STEPS:
        return seq_len
    return 1 << (seq_len - 1).bit_length()


def timed(variant: Variant, steps: int, run: Callable[[], object]) -> float:
    """Seconds run() takes: the clock `fastest` reads (tests give it a fake one)."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def settled(limit: float = SETTLE_SECONDS, probe: float = 0.01,
            cpu_seconds: Callable[[], float] = time.process_time) -> None:
    """Wait until no other thread of this process is running, at most `limit` seconds.

    After a multi-threaded GEMM, BLAS's worker threads spin on for a while in case more work
    comes (OpenBLAS: 2**28 clock ticks, about 0.1 s, OPENBLAS_THREAD_TIMEOUT; OpenMP runtimes
    likewise), each taking a CPU. A batch-part variant timed in that window shares the CPUs with
    them and looked up to twice as slow on a 2-CPU machine as it runs call after call, where
    nothing spins (its GEMMs all run on one BLAS thread). Quiet: the process's CPU time grows by
    at most a quarter of the wall time of a probe during which this thread sleeps. The probe is
    10 ms: the kernel adds other threads' CPU time up at its clock ticks (4 ms here), so a 2 ms
    probe read a spinning thread as 0 % and 190 % by turns. Two quiet probes in a row: on a
    loaded machine a spinning thread can wait out one probe for a CPU. `cpu_seconds` is the
    process's CPU clock (tests give a fake one).
    """
    deadline, quiet = time.perf_counter() + limit, 0
    while quiet < 2 and time.perf_counter() < deadline:
        wall, cpu = time.perf_counter(), cpu_seconds()
        time.sleep(probe)
        quiet = quiet + 1 if cpu_seconds() - cpu <= 0.25 * (time.perf_counter() - wall) else 0


def fastest(candidates: Sequence[Variant], run: Callable[[Variant, int], object], max_steps: int,
            timer: Callable[[Variant, int, Callable[[], object]], float] = timed,
            budget: float = CALIBRATION_SECONDS, rounds: int = ROUNDS, margin: float = MARGIN,
            length: int | None = None, settle: Callable[[], object] = settled) -> Variant:
    """The candidate to run: the first (the baseline: the reference, under "auto"), unless others
    beat it by `margin`; then, of those, the one with the least median ratio to the baseline (on a
    tie the earlier). run(variant, steps) runs the call's first steps (at most max_steps); timer
    times one such run; `length` (default max_steps) is the number of steps the verdict is for.

    A run costs a fixed part (the weights reordered or packed, the threads handed their work:
    milliseconds at 512 units, which would decide a one-step race) and a part per step, so where
    a timed run has fewer steps than `length`, each round times each candidate on one step too and
    its time for `length` steps is extrapolated from the two. Each candidate first runs one step
    (a warm-up: caches, first-call costs), then one step and two, whose times split its run into
    those two parts; they set the rounds (ROUNDS, or MIN_ROUNDS where a step is slow: a median of
    three still ignores one slowed run) and the steps a timed run takes (2 to max_steps) to stay
    within `budget` seconds. (Counting each warm-up's whole time as a step's, as before, gave
    calls of 512 units 3 or 4 steps of a budget they then used a third of, and an extrapolation
    to 128 steps from them that chose three different variants in eight processes.) Where not even
    three rounds of one step and two of each fit, each round runs one step of each (the fixed part
    is then small beside a step).

    The candidates are timed in two groups, each in the state it runs in call after call: first
    those that limit BLAS to one thread (batch parts, directions), once settle() has waited for
    the process to be quiet (`settled`: BLAS's own threads spin on after a multi-threaded GEMM
    and took a CPU from the parts of a variant timed then), then those on BLAS's own threads
    (whose first GEMMs would wake them). Each group runs one round untimed, then its rounds,
    each round interleaving the group's candidates in an order rotated round by round, so a
    round's runs share the machine's load of that moment. Timed in one interleaved order, on a
    2-CPU VM, the batch-part variants looked 1.5-2x slower than they run call after call, and the
    calibration chose a serial variant that took 1.1-1.3x their time (docs: performance).

    A candidate beats the baseline where the median over rounds of its time over the baseline's in
    the same round is at most `margin`, and so is its time from its best runs over the baseline's:
    the first judges under the load of the calibration, the second the code itself (load only
    slows a run, so a burst that slowed the baseline in most rounds does not lower a candidate's
    best run).
    """
    length = max_steps if length is None else length

    def timed_run(variant, steps):
        return timer(variant, steps, lambda: run(variant, steps))

    def each(steps):
        return [timed_run(variant, steps) for variant in candidates]

    each(1)  # first-call costs: caches, buffers
    one, two = each(1), (each(2) if max_steps > 1 else [])
    per_step = [max(b - a, 0.0) for a, b in zip(one, two)]
    fixed = [max(a - step, 0.0) for a, step in zip(one, per_step)]

    def round_seconds(steps):  # a run of one step and one of `steps` of each candidate
        return max(sum(2 * f + (steps + 1) * step for f, step in zip(fixed, per_step)), 1e-9)

    if max_steps == 1 or MIN_ROUNDS * round_seconds(2) > budget:
        steps, rounds = 1, max(MIN_ROUNDS, min(rounds, int(budget / max(sum(one), 1e-9))))
    else:
        rounds = max(MIN_ROUNDS, min(rounds, int(budget / round_seconds(2))))
        steps = next(n for n in range(max_steps, 1, -1) if n == 2 or rounds * round_seconds(n) <= budget)
    timed_steps = [steps] if steps == length or steps == 1 else [1, steps]
    times = {(variant, n): [] for variant in candidates for n in timed_steps}
    alone = [variant for variant in candidates if not variant.blas_threaded]
    threaded = [variant for variant in candidates if variant.blas_threaded]
    for group in filter(None, (alone, threaded)):
        if group is alone:
            settle()
        for variant in group:  # a round untimed: the group's steady state (threads awake)
            run(variant, steps)
        for round_ in range(rounds):
            for variant in group[round_ % len(group):] + group[: round_ % len(group)]:
                for n in timed_steps:
                    times[variant, n].append(max(timed_run(variant, n), 1e-12))

    def estimate(variant, k):
        """The time of `length` steps from round k's runs (k=None: from the best runs)."""
        pick = min if k is None else (lambda values: values[k])
        whole = pick(times[variant, steps])
        if len(timed_steps) == 1:
            return whole
        per_step = max(0.0, whole - pick(times[variant, 1])) / (steps - 1)
        return whole + (length - steps) * per_step

    def ratio(variant):
        return median(estimate(variant, k) / estimate(candidates[0], k) for k in range(rounds))

    safe = [variant for variant in candidates[1:]
            if ratio(variant) <= margin and estimate(variant, None) <= margin * estimate(candidates[0], None)]
    return min(safe, key=lambda variant: (ratio(variant), candidates.index(variant)), default=candidates[0])


def cache_directory() -> Path:
    """lstmshape's directory in the user's cache: $XDG_CACHE_HOME or ~/.cache (Linux and other
    Unix), ~/Library/Caches (macOS), %LOCALAPPDATA% (Windows)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = xdg if os.path.isabs(xdg) else str(Path.home() / ".cache")
    return Path(base) / "lstmshape"


def machine() -> dict[str, str]:
    """What a calibration holds for: the CPU, the Python, and the versions of numpy, numba,
    threadpoolctl's view of the BLAS (library, version, kernel) and lstmshape."""
    from importlib import metadata

    from threadpoolctl import threadpool_info

    def version(package):
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "none"

    blas = [f"{pool.get('internal_api')} {pool.get('version')} {pool.get('architecture')}"
            for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return {"cpu": _cpu_model(), "machine": platform.machine(), "cpus": str(os.cpu_count()),
            "python": platform.python_version(), "numpy": version("numpy"), "numba": version("numba"),
            "blas": "; ".join(blas) or "none", "lstmshape": version("lstmshape")}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class Choices:
    """The variant chosen for each shape key: in this process (never changed once chosen) and in
    a cache file per machine (see `machine`) under `directory`, read and written as JSON."""

    def __init__(self, directory: Callable[[], Path] = cache_directory,
                 describe: Callable[[], dict] = machine) -> None:
        self._directory, self._describe = directory, describe
        self._chosen: dict[Hashable, tuple[str, Variant]] = {}  # key: (its name, the variant)
        self._lock = threading.Lock()
        self._machine: dict | None = None

    def chosen(self) -> dict[str, str]:
        """Each shape key's variant chosen in this process, by the key's name."""
        return {name: variant.name for name, variant in self._chosen.values()}

    def choose(self, key: Hashable, candidates: Callable[[], list[Variant]],
               calibrate: Callable[[list[Variant]], Variant],
               usable: Callable[[Variant], bool]) -> Variant:
        """The variant for `key`: as chosen before in this process, else as cached for this machine
        under str(key) (if `usable` still), else calibrate(candidates()) (or the only candidate),
        then kept. A key is named only when it is first seen: every forward asks."""
        chosen = self._chosen.get(key)
        if chosen is not None:
            return chosen[1]
        with self._lock:
            if key in self._chosen:
                return self._chosen[key][1]
            options, text = candidates(), str(key)
            if len(options) == 1:
                chosen = options[0]
            else:
                cached = Variant.parse(self._read().get(text, ""))
                chosen = cached if cached in options and usable(cached) else calibrate(options)
                if chosen != cached:
                    self._write(text, chosen)
            self._chosen[key] = text, chosen
            return chosen

    def _path(self) -> Path:
        if self._machine is None:
            self._machine = self._describe()
        digest = hashlib.sha256(json.dumps(self._machine, sort_keys=True).encode()).hexdigest()[:16]
        return self._directory() / f"forward-{digest}.json"

    def _read(self) -> dict[str, str]:
        """The cached choices, or none where the file is missing, unreadable, too large or not
        this module's (a cache is never trusted to be well formed)."""
        try:
            path = self._path()
            if path.stat().st_size > _MAX_CACHE_BYTES:
                return {}
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, dict):
            return {}
        return {key: value for key, value in choices.items() if isinstance(key, str) and isinstance(value, str)}

    def _write(self, key: str, variant: Variant) -> None:
        """Add a choice to the cache file, replaced whole (a reader never sees half a file); where
        it cannot be written, the choice stays this process's."""
        choices = self._read()
        if len(choices) >= _MAX_CACHED:
            return
        choices[key] = variant.name
        try:
            path = self._path()
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"machine": self._machine, "choices": choices}, indent=1, sort_keys=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".forward-",
                                             suffix=".tmp", delete=False) as temporary:
                temporary.write(text)
        except OSError:
            return
        try:
            os.replace(temporary.name, path)
        except OSError:
            Path(temporary.name).unlink(missing_ok=True)
