"""lstmshape.forward.calibration, and the fast path choosing by it.

The decisions are tested with a fake clock (a timer that runs the real forward but reports the
seconds a test scripts), so every verdict is deterministic; one real calibration runs too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import REPO, force, run
from lstmshape.forward import calibration, fast, init_params, init_rnn_params, lstm_forward, reference, rnn_forward
from lstmshape.forward.calibration import Choices, Request, Variant, fastest

ALL_NAMES = ["reference", "numpy+serial", "numpy+parts", "numpy+directions", "compiled+serial", "compiled+parts",
             "compiled+parts+packed", "compiled+directions", "compiled+directions+packed"]


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_variant_is_named_as_it_parses(name):
    variant = Variant.parse(name)
    assert variant is not None and variant.name == name
    forced = Request.parse(name)
    assert (forced.cell, forced.threads or "serial", forced.packing == "packed") == variant


@pytest.mark.parametrize("name", ["", "auto", "numpy", "parts", "numpy+packed+parts", "compiled+serial+packed",
                                  "reference+serial", "numpy+numpy+serial", "NUMPY+serial", "numpy+serial+"])
def test_a_name_that_is_not_one_variant_in_full_parses_to_none(name):
    assert Variant.parse(name) is None


@pytest.mark.parametrize("text, forced", [
    ("auto", Request()),
    ("numpy", Request(cell="numpy")),
    ("parts", Request(threads="parts")),
    ("packed+compiled", Request(cell="compiled", packing="packed")),
    ("compiled+directions+unpacked", Request("compiled", "directions", "unpacked")),
    ("reference", Request(cell="reference")),
])
def test_a_request_forces_what_it_names(text, forced):
    assert calibration.request(None, text, "LSTMSHAPE_FORWARD") == forced
    assert calibration.request(text, "numpy", "LSTMSHAPE_FORWARD") == forced, "the argument wins"


@pytest.mark.parametrize("text", ["fastest", "numpy+compiled", "parts+directions", "reference+parts", "auto+numpy",
                                  "numpy,parts", "numpy++serial", "numpy+", "\x1b[31m"])
def test_a_request_that_is_not_one_is_refused_without_echoing_it(text):
    with pytest.raises(ValueError) as raised:
        calibration.request(None, text, "LSTMSHAPE_FORWARD")
    assert str(raised.value).startswith("LSTMSHAPE_FORWARD must be auto or parts joined by '+'")
    assert text not in str(raised.value)
    with pytest.raises(ValueError, match="^implementation must be"):
        calibration.request(text, None, "LSTMSHAPE_FORWARD")


# --- fastest, with a fake clock ------------------------------------------------------------------

CANDIDATES = [Variant("reference"), Variant("numpy"), Variant("numpy", "parts"), Variant("compiled", "parts", True)]


WARM_UPS = [1, 1, 2]  # the steps of each candidate's runs before the rounds (see fastest)


def scripted(per_step, outliers=(), rounds=None, fixed=None):
    """A fake timer: each run takes per_step[variant name] seconds a step (plus fixed[name]
    seconds a run), except the runs in `outliers` ((name, index of that variant's timed run)),
    which take 100 times as long, and the timed runs `rounds` scripts ({name: seconds a step in
    each timed run}); it records every run (name, steps, whether a warm-up), and runs what it is
    given (so the code timed really runs)."""
    runs = []

    def timer(variant, steps, run):
        run()
        previous = [name for name, _, _ in runs if name == variant.name]
        warm, index = len(previous) < len(WARM_UPS), len(previous) - len(WARM_UPS)  # index: of the timed runs
        runs.append((variant.name, steps, warm))
        seconds = per_step[variant.name] * steps
        if not warm and variant.name in (rounds or {}):
            seconds = rounds[variant.name][index] * steps
        seconds += (fixed or {}).get(variant.name, 0.0)
        return seconds * 100 if not warm and (variant.name, index) in outliers else seconds

    timer.runs = runs
    return timer


def test_fastest_takes_the_least_median_over_rounds_despite_outliers():
    timer = scripted({"reference": 3e-3, "numpy+serial": 2e-3, "numpy+parts": 1e-3, "compiled+parts+packed": 1.2e-3},
                     outliers=[("numpy+parts", 0), ("numpy+parts", 3)])
    ran = []
    assert fastest(CANDIDATES, lambda variant, steps: ran.append((variant, steps)), 16, timer).name == "numpy+parts"
    timed = [run for run in timer.runs if not run[2]]
    assert len(timed) == calibration.ROUNDS * len(CANDIDATES)
    assert len(timer.runs) == (calibration.ROUNDS + len(WARM_UPS)) * len(CANDIDATES)
    assert len(ran) == len(timer.runs) + len(CANDIDATES), "every run really ran, and one round untimed"


def test_fastest_picks_the_reference_where_it_is_fastest():
    timer = scripted({"reference": 0.9e-3, "numpy+serial": 1e-3, "numpy+parts": 1e-3, "compiled+parts+packed": 1e-3})
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer) == Variant("reference")


def test_a_tie_goes_to_the_earlier_candidate():
    timer = scripted(dict.fromkeys(["reference", "numpy+serial", "numpy+parts", "compiled+parts+packed"], 1e-3))
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer) == Variant("reference")


def test_a_candidate_within_the_margin_of_the_reference_does_not_displace_it():
    # 5 % faster in every round: within the noise the margin allows for, so the reference runs
    just_faster = 0.95e-3
    timer = scripted({"reference": 1e-3, "numpy+serial": just_faster, "numpy+parts": 1.1e-3,
                      "compiled+parts+packed": 2e-3})
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer) == Variant("reference")
    # at the margin, it does
    timer = scripted({"reference": 1e-3, "numpy+serial": calibration.MARGIN * 1e-3, "numpy+parts": 1.1e-3,
                      "compiled+parts+packed": 2e-3})
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer).name == "numpy+serial"


def test_a_noisy_faster_looking_candidate_does_not_displace_the_reference():
    # the load rose during the calibration: by median time (the old rule) numpy+serial looked a
    # third faster than the reference (2 ms against 3 ms a step), but round by round it was slower
    # in most, and its best run is twice the reference's
    timer = scripted(dict.fromkeys(["reference", "numpy+serial", "numpy+parts", "compiled+parts+packed"], 1e-3),
                     rounds={"reference": [1e-3, 1e-3, 3e-3, 3e-3, 3e-3],
                             "numpy+serial": [2e-3, 2e-3, 2e-3, 3.3e-3, 3.3e-3],
                             "numpy+parts": [4e-3] * 5, "compiled+parts+packed": [4e-3] * 5})
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer) == Variant("reference")


def test_a_reference_slowed_by_a_burst_of_load_in_most_rounds_is_not_displaced_by_a_peer():
    # the reference ran during a burst in three rounds of five: by median time (the old rule) the
    # candidate, no faster, won; its best run is no better than the reference's, so it does not
    timer = scripted({"reference": 1e-3, "numpy+serial": 1e-3, "numpy+parts": 2e-3, "compiled+parts+packed": 2e-3},
                     outliers=[("reference", 0), ("reference", 2), ("reference", 4)])
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer) == Variant("reference")


def test_of_the_candidates_beyond_the_margin_the_least_median_ratio_wins():
    # both beat the reference clearly; numpy+parts has the better best run, compiled+parts+packed
    # the better ratio in most rounds: the ratio decides
    timer = scripted(dict.fromkeys(["reference", "numpy+serial", "numpy+parts", "compiled+parts+packed"], 1e-3),
                     rounds={"numpy+serial": [0.99e-3] * 5,
                             "numpy+parts": [0.2e-3, 0.6e-3, 0.6e-3, 0.6e-3, 0.2e-3],
                             "compiled+parts+packed": [0.5e-3] * 5})
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer).name == "compiled+parts+packed"


def test_without_the_reference_the_first_candidate_is_the_baseline():
    # a request such as "numpy" times numpy+serial first: a threaded variant must beat it clearly
    numpy_only = CANDIDATES[1:3]
    timer = scripted({"reference": 1e-3, "numpy+serial": 1e-3, "numpy+parts": 0.95e-3, "compiled+parts+packed": 1e-3})
    assert fastest(numpy_only, lambda variant, steps: None, 16, timer) == Variant("numpy")
    timer = scripted({"reference": 1e-3, "numpy+serial": 1e-3, "numpy+parts": 0.5e-3, "compiled+parts+packed": 1e-3})
    assert fastest(numpy_only, lambda variant, steps: None, 16, timer) == Variant("numpy", "parts")


def test_each_group_is_timed_in_rounds_of_rotated_orders_after_a_round_untimed():
    # first the variants that limit BLAS to one thread, once the process is quiet (settle), then
    # those on BLAS's own threads; each group's rounds interleave its candidates, rotated
    candidates = CANDIDATES + [Variant("compiled")]
    timer = scripted(dict.fromkeys([variant.name for variant in candidates], 1e-3))
    events = []

    def run(variant, steps):
        events.append((variant.name, steps))

    fastest(candidates, run, 16, timer, settle=lambda: events.append("settled"))
    alone, threaded = ["numpy+parts", "compiled+parts+packed"], ["reference", "numpy+serial", "compiled+serial"]
    warm_ups = [(variant.name, steps) for steps in WARM_UPS for variant in candidates]
    assert events[: len(warm_ups)] == warm_ups
    events = events[len(warm_ups) :]
    assert events.index("settled") == 0 and events.count("settled") == 1
    events = [name for name, steps in events[1:] if steps == 16]
    for group in (alone, threaded):
        block, events = events[: len(group) * (calibration.ROUNDS + 1)], events[len(group) * (calibration.ROUNDS + 1) :]
        untimed, *rounds = [block[k : k + len(group)] for k in range(0, len(block), len(group))]
        assert untimed == group
        assert all(sorted(order) == sorted(group) for order in rounds)
        assert [order[0] for order in rounds] == [group[k % len(group)] for k in range(calibration.ROUNDS)]
    assert events == []


def busy_clock(busy_probes):
    """A fake CPU clock of the process: other threads run through the first `busy_probes` probes
    (its CPU time grows by 10 s a probe: busy however long a loaded machine makes a 10 ms sleep),
    then none; each probe reads it twice."""
    reads = []

    def cpu_seconds():
        reads.append(None)
        probe = (len(reads) - 1) // 2
        return 10.0 * min(probe, busy_probes) + (10.0 if len(reads) % 2 == 0 and probe < busy_probes else 0.0)

    cpu_seconds.probes = lambda: len(reads) // 2
    return cpu_seconds


@pytest.mark.parametrize("busy_probes", [0, 1, 4])
def test_settled_waits_for_two_quiet_probes_in_a_row(busy_probes):
    clock = busy_clock(busy_probes)
    calibration.settled(limit=5.0, cpu_seconds=clock)
    assert clock.probes() == busy_probes + 2


def test_settled_returns_at_its_limit_while_another_thread_runs():
    spinning = threading.Event()

    def spin():
        while not spinning.is_set():
            pass

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        start = time.perf_counter()
        calibration.settled(limit=0.1)
        assert time.perf_counter() - start < 2.0
    finally:
        spinning.set()
        thread.join()


def test_without_variants_on_one_blas_thread_nothing_waits():
    timer = scripted(dict.fromkeys(["reference", "numpy+serial"], 1e-3))
    waits = []
    fastest(CANDIDATES[:2], lambda variant, steps: None, 16, timer, settle=lambda: waits.append(1))
    assert waits == []


def test_a_verdict_of_three_rounds_ignores_one_slowed_run():
    timer = scripted({"reference": 1.0, "numpy+serial": 0.9, "numpy+parts": 0.5, "compiled+parts+packed": 0.8},
                     outliers=[("numpy+parts", 1)])
    assert fastest(CANDIDATES, lambda variant, steps: None, 16, timer).name == "numpy+parts"
    assert sum(1 for _, _, warm in timer.runs if not warm) == calibration.MIN_ROUNDS * len(CANDIDATES)


@pytest.mark.parametrize("per_step, max_steps, want_lengths, want_rounds", [
    (1e-4, 16, [16], 5),  # a cheap call: all its first 16 steps
    (1e-4, 5, [5], 5),  # a short call: all of it
    (5e-3, 16, [1, 9], 5),  # 4 candidates x 5 rounds x (9 + 1) steps x 5 ms = 1 s
    (25e-3, 16, [1, 2], 3),  # 3 rounds of 2 + 1 steps of each (0.1 s a step) fit
    (30e-3, 16, [1], 5),  # they do not: one step a run, as many rounds as fit
    (1.0, 16, [1], 3),  # a step longer than the budget: one step a run, and 3 rounds
    (1e-4, 1, [1], 5),  # a one-step call
])
def test_the_timed_rounds_keep_within_the_budget(per_step, max_steps, want_lengths, want_rounds):
    timer = scripted(dict.fromkeys(["reference", "numpy+serial", "numpy+parts", "compiled+parts+packed"], per_step))
    fastest(CANDIDATES, lambda variant, steps: None, max_steps, timer)
    warm_ups = [steps for steps in (WARM_UPS if max_steps > 1 else [1, 1]) for _ in CANDIDATES]
    runs = [steps for _, steps, _ in timer.runs]
    timed = runs[len(warm_ups) :]
    assert runs[: len(warm_ups)] == warm_ups
    assert timed == want_lengths * want_rounds * len(CANDIDATES)
    if want_rounds > calibration.MIN_ROUNDS or len(want_lengths) > 1:
        assert sum(timed) * per_step <= calibration.CALIBRATION_SECONDS * (1 + 1e-9)


def test_a_fixed_cost_per_run_is_weighed_as_a_call_of_the_calibrated_steps_pays_it():
    # numpy+parts pays 12 ms a run (weights reordered, threads handed work) and 1 ms a step, the
    # reference 2 ms a step: 28 ms against 32 ms on the call's 16 steps, all of which the budget
    # allows (its warm-ups split a run into its fixed part and its steps): numpy+parts wins by
    # more than the margin
    both = CANDIDATES[0:3:2]
    timer = scripted({"reference": 2e-3, "numpy+parts": 1e-3}, fixed={"numpy+parts": 12e-3})
    assert fastest(both, lambda variant, steps: None, 16, timer) == Variant("numpy", "parts")
    assert {steps for _, steps, warm in timer.runs if not warm} == {16}
    # and where the call has 12 steps, equal (24 ms each), the reference stays
    timer = scripted({"reference": 2e-3, "numpy+parts": 1e-3}, fixed={"numpy+parts": 12e-3})
    assert fastest(both, lambda variant, steps: None, 12, timer) == Variant("reference")


def test_a_fixed_cost_per_run_is_weighed_over_the_length_of_the_call():
    # numpy+parts pays 30 ms a run and 1 ms a step, the reference 2 ms a step: over a call of 16
    # steps, 46 ms against 32 ms; over one of 128 steps, 158 ms against 256 ms. Each candidate is
    # timed on one step and on the call's first 16, and the verdict is for the call's length
    both = CANDIDATES[0:3:2]
    timer = scripted({"reference": 2e-3, "numpy+parts": 1e-3}, fixed={"numpy+parts": 30e-3})
    assert fastest(both, lambda variant, steps: None, 16, timer) == Variant("reference")
    timer = scripted({"reference": 2e-3, "numpy+parts": 1e-3}, fixed={"numpy+parts": 30e-3})
    assert fastest(both, lambda variant, steps: None, 16, timer, length=128) == Variant("numpy", "parts")
    assert {steps for _, steps, warm in timer.runs if not warm} == {1, 16}


# --- Choices: kept for the process, cached per machine --------------------------------------------


def choices_in(directory, describe=lambda: {"cpu": "test"}):
    return Choices(lambda: Path(directory), describe)


def counting(winner):
    calls = []

    def calibrate(options):
        calls.append(options)
        return winner

    calibrate.calls = calls
    return calibrate


OPTIONS = [Variant("reference"), Variant("numpy"), Variant("compiled")]


def test_a_choice_is_kept_for_the_process_and_cached(tmp_path):
    choices, calibrate = choices_in(tmp_path), counting(Variant("numpy"))
    assert choices.choose("k", lambda: OPTIONS, calibrate, bool) == Variant("numpy")
    assert choices.choose("k", lambda: OPTIONS, counting(Variant("compiled")), bool) == Variant("numpy")
    assert len(calibrate.calls) == 1 and choices.chosen() == {"k": "numpy+serial"}
    (path,) = tmp_path.glob("forward-*.json")
    data = json.loads(path.read_text())
    assert data == {"machine": {"cpu": "test"}, "choices": {"k": "numpy+serial"}}
    again = choices_in(tmp_path)  # the next process on this machine
    calibrate = counting(Variant("compiled"))
    assert again.choose("k", lambda: OPTIONS, calibrate, bool) == Variant("numpy") and calibrate.calls == []


def test_another_machine_or_library_version_calibrates_anew(tmp_path):
    choices_in(tmp_path).choose("k", lambda: OPTIONS, counting(Variant("numpy")), bool)
    calibrate = counting(Variant("compiled"))
    other = choices_in(tmp_path, lambda: {"cpu": "test", "numpy": "9.9"})
    assert other.choose("k", lambda: OPTIONS, calibrate, bool) == Variant("compiled") and len(calibrate.calls) == 1
    assert len(list(tmp_path.glob("forward-*.json"))) == 2


@pytest.mark.parametrize("content", ["{not json", '["numpy+serial"]', '{"choices": ["k"]}',
                                     '{"choices": {"k": "numpy+fastest"}}', '{"choices": {"k": 3}}',
                                     '{"choices": {"k": "numpy+directions"}}', "x" * (2**20 + 1)])
def test_a_cache_that_is_not_well_formed_or_not_usable_is_calibrated_over(tmp_path, content):
    choices = choices_in(tmp_path)
    path = choices._path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    calibrate = counting(Variant("numpy"))
    assert choices.choose("k", lambda: OPTIONS, calibrate, bool) == Variant("numpy") and len(calibrate.calls) == 1
    assert json.loads(path.read_text())["choices"] == {"k": "numpy+serial"}


def test_a_cached_variant_that_cannot_run_now_is_calibrated_over(tmp_path):
    choices_in(tmp_path).choose("k", lambda: OPTIONS, counting(Variant("compiled")), bool)
    calibrate = counting(Variant("numpy"))
    usable = lambda variant: variant.cell != "compiled"  # noqa: E731 (numba gone, say)
    assert choices_in(tmp_path).choose("k", lambda: OPTIONS, calibrate, usable) == Variant("numpy")
    assert len(calibrate.calls) == 1


def test_one_candidate_is_neither_timed_nor_cached(tmp_path):
    choices, calibrate = choices_in(tmp_path), counting(Variant("compiled"))
    assert choices.choose("k", lambda: [Variant("numpy")], calibrate, bool) == Variant("numpy")
    assert calibrate.calls == [] and list(tmp_path.iterdir()) == []


def test_an_unwritable_cache_keeps_the_choice_for_the_process(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    choices, calibrate = choices_in(blocker / "lstmshape"), counting(Variant("numpy"))
    assert choices.choose("k", lambda: OPTIONS, calibrate, bool) == Variant("numpy")
    assert choices.choose("k", lambda: OPTIONS, calibrate, bool) == Variant("numpy") and len(calibrate.calls) == 1


def test_threads_calibrating_one_key_at_once_get_one_choice(tmp_path):
    choices = choices_in(tmp_path)
    winners = iter([Variant("numpy"), Variant("compiled")])
    got, start = [], threading.Barrier(4)

    def calibrate(options):
        time.sleep(0.05)
        return next(winners)

    def call():
        start.wait()
        got.append(choices.choose("k", lambda: OPTIONS, calibrate, bool))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == [Variant("numpy")] * 4


@pytest.mark.parametrize("platform, environment, want", [
    ("linux", {"XDG_CACHE_HOME": "/xdg"}, "/xdg/lstmshape"),
    ("linux", {"XDG_CACHE_HOME": "relative"}, "~/.cache/lstmshape"),  # the spec: relative paths are ignored
    ("linux", {}, "~/.cache/lstmshape"),
    ("darwin", {"XDG_CACHE_HOME": "/xdg"}, "~/Library/Caches/lstmshape"),
    ("win32", {"LOCALAPPDATA": "C:/Users/u/AppData/Local"}, "C:/Users/u/AppData/Local/lstmshape"),
])
def test_the_cache_lives_in_the_users_cache_directory(monkeypatch, platform, environment, want):
    monkeypatch.setattr(sys, "platform", platform)
    for name in ("XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert calibration.cache_directory() == Path(os.path.expanduser(want))


def test_the_machine_is_named_by_cpu_and_library_versions():
    import numpy

    described = calibration.machine()
    assert set(described) == {"cpu", "machine", "cpus", "python", "numpy", "numba", "blas", "lstmshape"}
    assert described["numpy"] == numpy.__version__ and described["cpus"] == str(os.cpu_count())


# --- the fast path choosing by calibration ---------------------------------------------------------


@pytest.fixture
def auto(monkeypatch, tmp_path):
    """The fast path as in a fresh process with LSTMSHAPE_FORWARD unset, its cache in tmp_path,
    two BLAS threads, and the fake timer scripted(per_step) set by the returned function."""
    monkeypatch.delenv("LSTMSHAPE_FORWARD")
    monkeypatch.setattr(fast, "_CHOICES", choices_in(tmp_path, calibration.machine))
    monkeypatch.setattr(fast, "_blas_threads", lambda: 2)

    def timing(per_step):
        timer = scripted({name: per_step.get(name, 1e-3) for name in ALL_NAMES})
        monkeypatch.setattr(fast, "_TIMER", timer)
        return timer

    return timing


def candidates_of(monkeypatch, *call, **kwargs):
    """The candidates the fast path times for a call (the first wins)."""
    seen = []

    def first(options, run, steps, timer, length):
        seen.append([variant.name for variant in options])
        return options[0]

    monkeypatch.setattr(calibration, "fastest", first)
    lstm_forward(*call, **kwargs)
    return seen[0] if seen else None


X = np.random.default_rng(0).standard_normal((6, 4, 10)).astype(np.float32)
PARAMS = init_params(10, 20, 1, True)


@pytest.mark.parametrize("change, want", [
    ({}, ["reference", "numpy+serial", "numpy+parts", "numpy+directions", "compiled+serial", "compiled+parts",
          "compiled+parts+packed", "compiled+directions", "compiled+directions+packed"]),
    ({"x": X.astype(np.float64), "params": init_params(10, 20, 1, True, dtype=np.float64)},
     ["reference", "numpy+serial", "numpy+parts", "numpy+directions"]),  # float64: NumPy's cell only
    ({"x": X[:, :1]}, ["reference", "numpy+serial", "numpy+directions", "compiled+serial", "compiled+directions",
                       "compiled+directions+packed"]),  # one sequence: no parts
    ({"params": init_params(10, 20), "bidirectional": False},
     ["reference", "numpy+serial", "numpy+parts", "compiled+serial", "compiled+parts", "compiled+parts+packed"]),
    ({"blas": 1}, ["reference", "numpy+serial", "compiled+serial"]),  # the user's BLAS limit of one thread
    ({"no_kernel": True}, ["reference", "numpy+serial", "numpy+parts", "numpy+directions", "compiled+serial",
                           "compiled+parts", "compiled+directions"]),
    ({"implementation": "numpy"}, ["numpy+serial", "numpy+parts", "numpy+directions"]),
    ({"implementation": "compiled+parts"}, ["compiled+parts", "compiled+parts+packed"]),
    ({"implementation": "parts+unpacked"}, ["numpy+parts", "compiled+parts"]),
    ({"implementation": "parts", "x": X[:, :1]}, ["numpy+serial", "compiled+serial"]),  # forced where it can be
    ({"implementation": "numpy+serial"}, None),  # one candidate: nothing timed
])
def test_the_candidates_are_what_can_run_the_call_and_the_request_allows(monkeypatch, auto, numba, change, want):
    from helpers import haswell_packing

    change = dict(change)
    fast.load_compiled_cell()
    monkeypatch.setattr(fast, "_pack_weight", None if change.pop("no_kernel", False) else haswell_packing())
    blas = change.pop("blas", 2)
    monkeypatch.setattr(fast, "_blas_threads", lambda: blas)
    kwargs = {"x": X, "params": PARAMS, "bidirectional": True, **change}
    x, params = kwargs.pop("x"), kwargs.pop("params")
    assert candidates_of(monkeypatch, x, params, **kwargs) == want


@pytest.mark.parametrize("winner", ["reference", "numpy+serial", "numpy+parts", "numpy+directions", "compiled+parts+packed",
                                    "compiled+directions"])
def test_auto_runs_what_ran_fastest_and_the_same_call_gives_the_same_bits(monkeypatch, auto, numba, winner):
    from helpers import haswell_packing, record_threads

    monkeypatch.setattr(fast, "_pack_weight", haswell_packing())
    fast.load_compiled_cell()
    timer = auto({winner: 1e-4})
    first = lstm_forward(X, PARAMS, bidirectional=True)
    assert fast.chosen_variants() == {next(iter(fast.chosen_variants())): winner}
    calibration_runs = len(timer.runs)
    assert calibration_runs == 9 * (calibration.ROUNDS + len(WARM_UPS)), "every candidate timed, warm-ups and rounds"
    seen = record_threads(monkeypatch, "_run_layers")
    for _ in range(3):
        again = lstm_forward(X, PARAMS, bidirectional=True)
        assert all(a.tobytes() == b.tobytes() for a, b in zip((first[0], *first[1]), (again[0], *again[1])))
    assert len(timer.runs) == calibration_runs, "calibrated once"
    if winner == "reference":
        assert seen == []
        want = reference.lstm_forward(X, PARAMS, bidirectional=True)
        assert first[0].tobytes() == want[0].tobytes()
    else:
        threads_per_call = 2 if winner.split("+")[1] == "parts" else 1
        assert len({thread for thread, _ in seen}) == threads_per_call
    np.testing.assert_allclose(first[0], reference.lstm_forward(X, PARAMS, bidirectional=True)[0], atol=1e-6)


@pytest.mark.parametrize("mode", ["gru", "rnn_tanh", "rnn_relu"])
def test_gru_and_rnn_calls_choose_by_their_own_timings(monkeypatch, auto, numba, mode):
    params = init_rnn_params(mode, 10, 20)
    auto({"numpy+parts": 1e-4})
    rnn_forward(X, params, mode)
    auto({"reference": 1e-4})
    rnn_forward(X[:, :3], params, mode)
    chosen = fast.chosen_variants()
    assert sorted(chosen.values()) == ["numpy+parts", "reference"]
    assert all(key.startswith(f"{mode} float32 ") for key in chosen)


def test_a_shape_calibrated_in_an_earlier_process_is_read_from_the_cache(monkeypatch, auto, tmp_path):
    timer = auto({"numpy+parts": 1e-4})
    lstm_forward(X, PARAMS, bidirectional=True)
    assert timer.runs
    monkeypatch.setattr(fast, "_CHOICES", choices_in(tmp_path, calibration.machine))  # a new process
    timer = auto({"reference": 1e-4})
    lstm_forward(X, PARAMS, bidirectional=True)
    assert timer.runs == [] and list(fast.chosen_variants().values()) == ["numpy+parts"]


def test_seq_len_is_calibrated_by_its_length_class(auto):
    """Past CALIBRATION_STEPS, calls whose lengths round up to one power of two share one choice,
    timed on their first steps; a call of another class, or one of at most CALIBRATION_STEPS
    steps, is calibrated on its own."""
    timer = auto({"numpy+serial": 1e-4})
    long = np.random.default_rng(1).standard_normal((calibration.CALIBRATION_STEPS + 9, 4, 10)).astype(np.float32)
    lstm_forward(long, PARAMS, bidirectional=True)  # 25 steps: the class of 32
    runs = len(timer.runs)
    assert {steps for _, steps, _ in timer.runs} <= set(range(1, calibration.CALIBRATION_STEPS + 1))
    longer = np.concatenate([long, long[:7]])  # 32 steps: the same class
    lstm_forward(longer, PARAMS, bidirectional=True)
    assert len(timer.runs) == runs and len(fast.chosen_variants()) == 1
    lstm_forward(long[: calibration.CALIBRATION_STEPS], PARAMS, bidirectional=True)
    assert len(fast.chosen_variants()) == 2
    lstm_forward(long[:3], PARAMS, bidirectional=True)  # a shorter call is timed on all of itself
    assert len(fast.chosen_variants()) == 3
    assert [key.split(" steps=")[1].split()[0] for key in fast.chosen_variants()] == ["32", "16", "3"]


@pytest.mark.parametrize("seq_len, want", [(1, 1), (16, 16), (17, 32), (32, 32), (33, 64), (100, 128), (1000, 1024)])
def test_the_length_class_is_the_length_up_to_the_calibrated_steps_then_a_power_of_two(seq_len, want):
    assert calibration.length_class(seq_len) == want


def test_a_calibration_leaves_the_callers_state_and_lengths_alone(auto):
    auto({"numpy+parts": 1e-4})
    h0 = np.random.default_rng(2).standard_normal((2, 4, 20)).astype(np.float32)
    c0, lengths = h0.copy(), np.array([6, 2, 5, 1])
    before = h0.copy(), lengths.copy()
    got = lstm_forward(X, PARAMS, bidirectional=True, h0=h0, c0=c0, lengths=lengths)
    assert np.array_equal(h0, before[0]) and np.array_equal(c0, before[0]) and np.array_equal(lengths, before[1])
    want = reference.lstm_forward(X, PARAMS, bidirectional=True, h0=h0, c0=c0, lengths=lengths)
    for ours, theirs in zip((got[0], *got[1]), (want[0], *want[1])):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_a_real_calibration_is_bounded_and_its_choice_agrees_with_the_reference(monkeypatch, tmp_path, numba):
    """No fake clock: the calibration times the real candidates on this machine (numba's load
    apart), within its budget and the warm-up runs, and the result is the reference's."""
    monkeypatch.delenv("LSTMSHAPE_FORWARD")
    monkeypatch.setattr(fast, "_CHOICES", choices_in(tmp_path, calibration.machine))
    fast.load_compiled_cell()
    x = np.random.default_rng(3).standard_normal((40, 16, 32)).astype(np.float32)
    params = init_params(32, 64, 2, True)
    start = time.perf_counter()
    got = lstm_forward(x, params, 2, True)
    elapsed = time.perf_counter() - start
    assert elapsed < 4 * calibration.CALIBRATION_SECONDS + 2, "budget, warm-ups and the call (a shared machine)"
    (name,) = fast.chosen_variants().values()
    assert Variant.parse(name) is not None
    np.testing.assert_allclose(got[0], reference.lstm_forward(x, params, 2, True)[0], atol=1e-5)
    (path,) = tmp_path.glob("forward-*.json")
    assert list(json.loads(path.read_text())["choices"].values()) == [name]


# --- nothing but the library's fast path calibrates or writes --------------------------------------


def test_the_cli_writes_no_cache_and_times_nothing(tmp_path):
    """`infer --verify` runs the reference and `check` no forward: neither writes a cache, even with
    LSTMSHAPE_FORWARD unset and a writable cache directory."""
    cache, home = tmp_path / "cache", tmp_path / "home"
    cache.mkdir()
    home.mkdir()
    env = {"XDG_CACHE_HOME": str(cache), "HOME": str(home), "LSTMSHAPE_FORWARD": ""}
    for args in (["infer", "configs/bilstm.yaml", "--verify", "--matrix"], ["infer", "configs/gru.yaml", "--verify"],
                 ["check", "configs/bilstm.yaml"]):
        result = run(*args, env=env, cwd=REPO)
        assert result.returncode == 0, result.stdout + result.stderr
    assert list(cache.iterdir()) == [] and list(home.iterdir()) == []


def test_numba_is_loaded_only_by_a_calibration_that_may_pick_it():
    """A forward that forces NumPy's cell, or the reference, never imports numba."""
    code = ("import sys, numpy as np\nfrom lstmshape.forward import init_params, lstm_forward\n"
            "x = np.zeros((3, 2, 4), np.float32)\n"
            "lstm_forward(x, init_params(4, 5), implementation='numpy')\n"
            "lstm_forward(x, init_params(4, 5), implementation='reference')\n"
            "print('numba' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False"], result.stdout + result.stderr


def test_the_environment_forces_a_variant(monkeypatch, parts_seen):
    force(monkeypatch, "numpy", "parts")
    monkeypatch.setattr(fast, "_blas_threads", lambda: 2)
    lstm_forward(X, PARAMS, bidirectional=True)
    assert len({thread for thread, _ in parts_seen}) == 2
    assert "numpy+parts" in fast.chosen_variants().values()
