"""Where every setting of a read config came from: a path in the user's file (with line and
column), a --set option, a pyproject.toml line, the block before it (a stack's input_size), or
the default. `infer` shows it, and its JSON lists it under `sources`."""

from __future__ import annotations

from dataclasses import fields

from ..settings import Config

# the calls around the LSTM (the DataLoader, the state passed): listed where the config says them
AROUND_FIELDS = ("enforce_sorted", "dataset_size", "drop_last", "state")


def sources(config: Config) -> dict[str, dict]:
    """`lstm.hidden_size` (`lstm[1].hidden_size` in a stack, `data.seq_len`) → its value and origin."""
    out: dict[str, dict] = {}
    stacked = config.listed
    for k, block in enumerate(config.blocks):
        at, label = (("lstm", k), f"lstm[{k}]") if stacked else (("lstm",), "lstm")
        for f in fields(block):
            if f.name == "nonlinearity" and getattr(block, "cell", "rnn") != "rnn":
                continue  # an argument of nn.RNN only
            if f.name == "arguments":  # Keras's shape-free layer arguments: each a setting of its own
                for name, value in block.arguments._asdict().items():
                    out[f"{label}.{name}"] = _origin(config, at + (name,), value)
                continue
            out[f"{label}.{f.name}"] = _origin(config, at + (f.name,), getattr(block, f.name),
                                               derived=(f"lstm[{k}].join" if config.joins and config.joins[k]
                                                        else f"lstm[{k - 1}]'s output features")
                                               if stacked and k and f.name == "input_size" else None)
    for f in fields(config.data):
        if f.name in AROUND_FIELDS and ("data", f.name) not in config.origins:
            continue
        out[f"data.{f.name}"] = _origin(config, ("data", f.name), getattr(config.data, f.name))
    return out


def _origin(config: Config, key: tuple, value, derived: str | None = None) -> dict:
    parts = config.origins.get(key)
    if isinstance(value, tuple):
        value = list(value)
    if parts is None or config.source is None:
        return {"value": value, "from": derived or "default"}
    return {"value": value, **config.source.describe(parts)}


def origin_text(origin: dict) -> str:
    """`model.encoder.n_layers at conf.yaml:12:5`, `--set lstm.input_size=80`, `default`."""
    if "file" not in origin:
        return origin["from"]
    if origin["from"].startswith("--") or origin["file"] == "--set":
        return origin["from"]
    return f"{origin['from']} at {origin['file']}:{origin['line']}:{origin['column']}"
