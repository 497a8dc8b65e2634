"""What a rule sees: the config, each block's inferred shapes, and where things were written;
plus the few helpers every rule's message uses to write sizes."""

from __future__ import annotations

from typing import Iterator

from ..problems import Problem, json_path
from ..settings import Config


class RuleContext:
    """One valid config as the rules read it, in its framework's own terms (each framework module
    subclasses it with its `inferences`: one shape result per block)."""

    framework = None  # the Framework whose configs it reads (set by each subclass)
    inferences: list

    def __init__(self, config: Config):
        self.config = config
        self.memo: dict = {}  # what several rules derive once (the expect mismatches)

    @property
    def lengths_user(self) -> str:
        """What takes data.lengths: pack_padded_sequence, the Keras mask, the node's sequence_lens."""
        return self.framework.lengths_user

    @property
    def blocks(self):
        return self.config.blocks

    @property
    def data(self):
        return self.config.data

    @property
    def stacked(self) -> bool:
        return len(self.blocks) > 1

    def block_name(self, k: int) -> str:
        return f"lstm[{k}]" if self.config.listed else "lstm"

    def block_parts(self, k: int) -> tuple:
        return ("lstm", k) if self.config.listed else ("lstm",)

    def origin(self, k: int, key: str) -> tuple:
        """Where block k's setting `key` was written (its block, when the default applies)."""
        at = self.block_parts(k)
        return self.config.origins.get(at + (key,), at)

    def given(self, k: int, key: str) -> bool:
        return self.block_parts(k) + (key,) in self.config.origins

    def given_data(self, key: str) -> bool:
        """Whether the config wrote `data.key` (else the default applies)."""
        return ("data", key) in self.config.origins

    def data_parts(self, key: str) -> tuple:
        return self.config.origins.get(("data", key), ("data",) if "data" in self.source_keys() else ())

    def source_keys(self) -> tuple:
        data = self.config.source.data if self.config.source is not None else {}
        return tuple(data) if isinstance(data, dict) else ()

    def expects(self, names: tuple[str, ...] | None = None) -> Iterator[tuple[int, str, tuple, tuple]]:
        """(block, tensor, expected shape, parts) for every `expect` entry."""
        for k, shapes in enumerate(self.config.expect):
            for name, shape in shapes.items():
                if names is None or name in names:
                    yield k, name, shape, self.config.origins[("expect", k, name)]

    def problem(self, parts: tuple, code: str, severity: str, message: str, key: bool = False,
                subject: tuple | None = None) -> Problem:
        """A problem placed at `parts` of the document; its subject (what it concerns in the model)
        is `subject`, by default the head layer, expect entry, join or bridge `parts` lie in."""
        doc = self.config.source
        file, line, col, path = doc.place(parts, key=key) if doc is not None else (self.config.path, 1, 1, json_path(parts))
        return Problem(file, line, col, code, severity, message, path, subject or subject_of(parts))


def subject_of(parts: tuple) -> tuple | None:
    """What a problem at `parts` concerns in the model: ("head", i) for head[i]; ("expect", k,
    tensor) for an expect entry (k 0 when expect is one mapping); ("join", k) for lstm[k].join;
    ("bridge",) for decoder.bridge; None for anything else."""
    if parts[:1] == ("expect",):
        name = next((p for p in parts[1:] if isinstance(p, str)), None)
        block = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else 0
        return None if name is None else ("expect", block, name)
    if parts[:1] == ("head",) and len(parts) > 1 and isinstance(parts[1], int):
        return ("head", parts[1])
    if parts[:1] == ("lstm",) and len(parts) > 2 and parts[2] == "join":
        return ("join", parts[1])
    if parts[:2] == ("decoder", "bridge"):
        return ("bridge",)
    return None


def n(value) -> str:
    """A size for a message: exact, but abbreviated past 60 digits (and never str()'s digit limit)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 199:
        digits = int(value.bit_length() * 0.30103) + 1
        return f"a {digits}-digit number"
    return str(value)


def shape(dims) -> str:
    return "(" + ", ".join(n(d) for d in dims) + ")"


def listed(dims) -> str:
    return "[" + ", ".join(n(d) for d in dims) + "]"


def features(block) -> str:
    """`40 features (num_directions 2 × hidden_size 20)`: the output feature size, explained."""
    name = "proj_size" if block.proj_size > 0 else "hidden_size"
    return f"{n(block.num_directions * block.h_out)} features (num_directions {block.num_directions} × {name} {n(block.h_out)})"


def states(block, initial: bool = True, final: bool = True) -> str:
    """The state tensors of a block's cell, as messages name them: `h0/c0` for an LSTM, `h0` for a
    GRU or RNN (no cell state)."""
    names = (["h0", "c0"] if initial else []) + (["hn", "cn"] if final else [])
    return "/".join(name for name in names if block.has_cell_state or name[0] == "h")
