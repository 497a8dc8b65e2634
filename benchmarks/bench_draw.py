"""`lstmshape draw` as a whole process, for every shipped config (target: under 0.5 s each).

    python benchmarks/bench_draw.py [ROUNDS]

Runs the installed console script (the one beside this python) the way a user does: start-up,
reading, checking, layout and writing included. Rounds alternate between the configs and the two
outputs (.svg, .html), with `lstmshape infer` on the same config side by side as the reference a
user already knows, so a busy moment slows every column alike. Prints a markdown table of the
median and the slowest wall-clock time, and the median CPU time (user + system, which a busy
machine inflates less), in milliseconds.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    exe = os.path.join(os.path.dirname(sys.executable), "lstmshape")
    configs = sorted(p.name for p in (ROOT / "configs").glob("*.yaml") if p.name != "broken.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        kinds = {
            "draw -o x.svg": lambda c: [exe, "draw", f"configs/{c}", "-o", f"{tmp}/x.svg"],
            "draw -o x.html": lambda c: [exe, "draw", f"configs/{c}", "-o", f"{tmp}/x.html"],
            "infer": lambda c: [exe, "infer", f"configs/{c}"],
        }
        times: dict = {(c, k): [] for c in configs for k in kinds}
        for c in configs:  # warm the page cache
            for k, args in kinds.items():
                timed(args(c))
        for _ in range(rounds):
            for c in configs:
                for k, args in kinds.items():
                    times[(c, k)].append(timed(args(c)))
    print(f"{rounds} rounds, load average {os.getloadavg()[0]:.2f} at the end\n")
    print("| config | " + " | ".join(f"`{k}` wall median / max, CPU median (ms)" for k in kinds) + " |")
    print("|---|" + "---:|" * len(kinds))
    for c in configs:
        cells = []
        for k in kinds:
            wall, cpu = [w for w, _ in times[(c, k)]], [u for _, u in times[(c, k)]]
            cells.append(f"{statistics.median(wall) * 1000:.0f} / {max(wall) * 1000:.0f}, "
                         f"{statistics.median(cpu) * 1000:.0f}")
        print(f"| `{c}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
