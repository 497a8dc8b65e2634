"""What every torch recorder in tests/golden/ does the same way: observe a built module's state_dict,
parameter count and torchinfo MACs; write a shapes file; save one forward case as .npz; and the
`main` that records every case. Imported by the record_*.py scripts (run by hand from the repo
root) and, through tests/helpers.py, by the tests that re-run them live."""

from __future__ import annotations

import json
from pathlib import Path


def observation(net, x, shapes: dict, unbatched: bool) -> dict:
    """What torch built and returned: the tensors' shapes (given), the state_dict in order, the
    parameter count and, where torchinfo is installed, its MACs (not for unbatched input:
    torchinfo counts those by seq_len × features; see README)."""
    result = {
        "shapes": {name: list(shape) for name, shape in shapes.items()},
        "params": [[name, list(p.shape)] for name, p in net.state_dict().items()],
        "num_params": sum(p.numel() for p in net.parameters()),
    }
    try:
        import torchinfo
    except ImportError:
        return result
    if not unbatched:
        result["macs"] = torchinfo.summary(net, input_data=[x], verbose=0).total_mult_adds
    return result


def write_shapes(out: Path, cases: list[dict], observe) -> None:
    """A shapes golden file: every case with what torch made of it."""
    import torch

    records = [{"case": case, "torch": observe(case)} for case in cases]
    out.write_text(json.dumps({"torch": torch.__version__, "records": records}, indent=1) + "\n")
    print(f"wrote {len(records)} cases to {out}")


def save_case(out_dir: Path, name: str, arrays: dict, config: dict) -> None:
    """One forward case as NAME.npz: torch tensors as arrays, the settings as 0-d arrays."""
    import numpy as np

    np.savez_compressed(
        out_dir / f"{name}.npz",
        **{key: value.numpy() for key, value in arrays.items()},
        **{key: np.array(value) for key, value in config.items()},
    )


def record_cases(out_dir: Path, cases: dict, record) -> None:
    """Record every forward case into out_dir (record(name, *case) saves one)."""
    out_dir.mkdir(exist_ok=True)
    for name, case in cases.items():
        record(name, *case)
    total = sum(path.stat().st_size for path in out_dir.glob("*.npz"))
    print(f"recorded {len(cases)} cases into {out_dir} ({total / 1024:.1f} KiB)")
