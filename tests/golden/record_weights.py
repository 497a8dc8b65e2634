"""Re-record tests/golden/weights/ from real torch models (run by hand).

    python tests/golden/record_weights.py

Each model below is built in torch (several nn.LSTMs under prefixes beside Embedding and Linear
layers, every LSTM setting) and its state_dict saved with safetensors and np.savez; `truth.json`
records, per model, what torch says: each LSTM's constructor settings, its parameter count
(`sum(p.numel() for p in lstm.parameters())`) and the state_dict's names and shapes.
tests/test_identify.py reads the saved files with lstmshape and compares them with this truth, so the
plain test command checks `inspect` against real torch checkpoints where torch is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("weights")
SETTINGS = ("input_size", "hidden_size", "num_layers", "bidirectional", "proj_size", "bias")

# name → (LSTMs as (module path, nn.LSTM kwargs), other layers as (module path, kind, args))
MODELS = {
    "seq2seq": (
        [("encoder.rnn", dict(input_size=6, hidden_size=5, num_layers=2, bidirectional=True)),
         ("decoder.lstm", dict(input_size=10, hidden_size=7, proj_size=3, bias=False))],
        [("embed", "embedding", (11, 6)), ("head", "linear", (3, 4))],
    ),
    "bare": ([("", dict(input_size=3, hidden_size=4))], []),
    "tagger": (
        [("model.rnn", dict(input_size=4, hidden_size=6, num_layers=3, bidirectional=True, proj_size=2,
                            batch_first=True)),
         ("model.aux", dict(input_size=4, hidden_size=3, bias=False, num_layers=2))],
        [("model.embed", "embedding", (9, 4)), ("model.out", "linear", (4, 5))],
    ),
}


def settings(kwargs: dict) -> dict:
    """nn.LSTM's constructor settings with its defaults filled in (what inspect derives)."""
    defaults = {"num_layers": 1, "bidirectional": False, "proj_size": 0, "bias": True}
    return {key: kwargs.get(key, defaults.get(key)) for key in SETTINGS}


def build(name: str, seed: int = 0):
    """The torch model `name`, with seeded weights."""
    import torch

    torch.manual_seed(seed)
    lstms, others = MODELS[name]
    if lstms[0][0] == "":
        return torch.nn.LSTM(**lstms[0][1])
    root = torch.nn.Module()
    layers = [(path, {"embedding": torch.nn.Embedding, "linear": torch.nn.Linear}[kind](*args))
              for path, kind, args in others]
    for path, module in layers[:1] + [(p, torch.nn.LSTM(**kw)) for p, kw in lstms] + layers[1:]:
        *parents, leaf = path.split(".")
        owner = root
        for part in parents:
            if not hasattr(owner, part):
                owner.add_module(part, torch.nn.Module())
            owner = getattr(owner, part)
        owner.add_module(leaf, module)
    return root


def truth(name: str, model) -> dict:
    lstms = []
    for path, kwargs in MODELS[name][0]:
        module = model.get_submodule(path) if path else model
        lstms.append({"prefix": path + "." if path else "", "config": settings(kwargs),
                      "num_params": sum(p.numel() for p in module.parameters())})
    return {"lstms": lstms,
            "state_dict": {k: list(v.shape) for k, v in model.state_dict().items()}}


def record(out: Path = OUT) -> dict:
    import numpy as np
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    doc = {}
    for name in MODELS:
        model = build(name)
        arrays = {k: v.detach().numpy() for k, v in model.state_dict().items()}
        save_file(arrays, str(out / f"{name}.safetensors"))
        np.savez(out / f"{name}.npz", **arrays)
        doc[name] = truth(name, model)
    (out / "truth.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return doc


if __name__ == "__main__":
    record()
    print(f"wrote {OUT}")
