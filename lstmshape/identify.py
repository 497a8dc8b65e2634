"""Which LSTMs (and GRUs, RNNs) a checkpoint holds, from its tensor names and shapes alone.

Pure by design (names and shapes in, frozen dataclasses out; no numpy, no I/O), so the same answer
comes from a torch state_dict, a safetensors header or an npz. A torch.nn.LSTM's parameters are
found under any prefix (`encoder.rnn.weight_ih_l0`); its settings are read off a few shapes and
then held against every tensor the shape engine (`shapes.parameters`) says such an LSTM has, so a
tensor set that is not one whole LSTM is reported, never guessed. nn.GRU and nn.RNN share the
names; weight_hh_l0's rows per column (4, 3 or 1 gate blocks of hidden_size) tell them apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from .settings import CELLS, TorchLSTM
from .frameworks import TORCH, of
from .frameworks.torch import parameters

TORCH_PARAM = re.compile(r"(?P<prefix>(?:.*\.)?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
                         r"_l(?P<layer>\d{1,18})(?P<reverse>_reverse)?\Z")  # torch never numbers a layer past int64
SHOWN_NAMES = 100  # tensor names one message lists (every one of a real LSTM's; a hostile file's first 100)
TORCH_SETTINGS = ("input_size", "hidden_size", "num_layers", "bidirectional", "proj_size", "bias")
ARTICLES = {"LSTM": "an", "GRU": "a", "RNN": "an", "SimpleRNN": "a"}  # as the names are read aloud


def cell_name(cell: str, framework: str) -> str:
    """The name a framework gives the cell: LSTM, GRU, RNN (Keras: SimpleRNN); "recurrent layer"
    where the file does not tell the cell ("")."""
    if not cell:
        return "recurrent layer"
    return of(framework).cell_class(CELLS[cell])


def counted(names: Iterable[str]) -> str:
    """How many recurrent layers of which cells, each by its name, in the order given: `1 LSTM`,
    `2 GRUs`, `3 recurrent layers: 2 LSTMs and a GRU` (a file may hold any mix)."""
    kinds = Counter(names)
    total = sum(kinds.values())
    if len(kinds) == 1:
        (name,) = kinds
        return f"{total} {name}{'s' if total != 1 else ''}"
    if not kinds:
        return "0 recurrent layers"
    parts = [f"{ARTICLES[name]} {name}" if n == 1 else f"{n} {name}s" for name, n in kinds.items()]
    return f"{total} recurrent layers: " + ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class TensorInfo:
    """One tensor of a checkpoint, as its header describes it."""

    name: str
    shape: tuple[int, ...]
    dtype: str  # numpy's spelling: float32, float16, bfloat16, ...
    nbytes: int


@dataclass(frozen=True)
class FoundLSTM:
    """One whole LSTM of a checkpoint: where it is, its settings, and its tensors."""

    prefix: str  # as written in the file (torch: with its trailing dot; "" for a bare LSTM)
    framework: str  # torch, keras or onnx
    settings: tuple[tuple[str, object], ...]  # (setting, value) in the framework's config order
    tensors: tuple[TensorInfo, ...]

    @property
    def config(self) -> dict:
        return dict(self.settings)

    @property
    def name(self) -> str:
        """What it is, as its framework names it: LSTM, GRU, RNN or SimpleRNN."""
        return cell_name(self.config.get("cell", "lstm"), self.framework)

    @property
    def num_params(self) -> int:
        return sum(math.prod(t.shape) for t in self.tensors)

    @property
    def nbytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)

    @property
    def dtype(self) -> str:
        kinds = sorted({t.dtype for t in self.tensors})
        return kinds[0] if len(kinds) == 1 else "mixed (" + ", ".join(kinds) + ")"


@dataclass(frozen=True)
class Incomplete:
    """Tensors that look like an LSTM's but are not one whole LSTM: what is wrong with them."""

    prefix: str
    framework: str
    reasons: tuple[str, ...]
    cell: str = ""  # lstm, gru or rnn, as far as the file tells; "" when it does not

    @property
    def message(self) -> str:
        where = f"under {self.prefix!r}" if self.prefix else "without a prefix"
        name = cell_name(self.cell, self.framework)
        return f"the {name} tensors {where} are not one whole {name}: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class Held:
    """What the names under one prefix say, whatever their shapes: how many layers, whether there is
    a reverse direction, biases, and the projection's size."""

    num_layers: int
    bidirectional: bool
    bias: bool
    proj_size: int


def held(group: dict[str, TensorInfo]) -> Held:
    layers = [int(TORCH_PARAM.match(name)["layer"]) for name in group]
    hr = group.get("weight_hr_l0")
    return Held(max(layers) + 1 if layers else 0, any(name.endswith("_reverse") for name in group),
                any(name.startswith("bias_") for name in group), hr.shape[0] if hr is not None and hr.shape else 0)


def torch_groups(tensors: Iterable[TensorInfo]) -> dict[str, dict[str, TensorInfo]]:
    """LSTM-named tensors by prefix, in file order: {"encoder.rnn.": {"weight_ih_l0": info, ...}}."""
    groups: dict[str, dict[str, TensorInfo]] = {}
    for tensor in tensors:
        match = TORCH_PARAM.match(tensor.name)
        if match:
            prefix = match["prefix"]
            groups.setdefault(prefix, {})[tensor.name[len(prefix):]] = tensor
    return groups


def identify_torch(tensors: Iterable[TensorInfo]) -> tuple[list[FoundLSTM], list[Incomplete]]:
    """Every torch.nn.LSTM among `tensors` (any prefix, beside any other tensors)."""
    found, incomplete = [], []
    for prefix, group in torch_groups(tensors).items():
        lstm, reasons = derive(group)
        if lstm is None:
            incomplete.append(Incomplete(prefix, TORCH.name, tuple(reasons), told_cell(group)))
            continue
        settings = tuple((key, getattr(lstm, key)) for key in TORCH_SETTINGS)
        if lstm.cell != "lstm":  # nn.GRU / nn.RNN: the cell switch, and no projection
            settings = tuple(item for item in settings if item[0] != "proj_size") + (("cell", lstm.cell),)
        ordered = tuple(group[t.name] for t in parameters(lstm))
        found.append(FoundLSTM(prefix, TORCH.name, settings, ordered))
    return found, incomplete


def cell_of(group: dict[str, TensorInfo]) -> str:
    """lstm, gru or rnn: the cell the tensors are held against (an LSTM where they do not tell)."""
    return told_cell(group) or "lstm"


def told_cell(group: dict[str, TensorInfo]) -> str:
    """lstm, gru or rnn, by weight_hh_l0's rows per column: 4, 3 or 1 gate blocks of hidden_size
    (an LSTM with a projection, weight_hr_l0, is an LSTM whatever its shapes); "" when its shape
    (or its absence) does not tell."""
    hh = group.get("weight_hh_l0")
    if "weight_hr_l0" in group:
        return "lstm"
    if hh is None or len(hh.shape) != 2 or not hh.shape[1]:
        return ""
    rows, hidden = hh.shape
    return {4 * hidden: "lstm", 3 * hidden: "gru", hidden: "rnn"}.get(rows, "")


def derive(group: dict[str, TensorInfo]) -> tuple[TorchLSTM | None, list[str]]:
    """The one TorchLSTM (nn.LSTM, nn.GRU or nn.RNN, by `cell`) whose state_dict is exactly `group`
    (names without prefix), or why none is."""
    first = group.get("weight_ih_l0")
    if first is None:
        return None, ["no weight_ih_l0 (layer 0's input weights), so input_size and hidden_size are unknown"]
    cell = CELLS[cell_of(group)]
    if len(first.shape) != 2 or first.shape[0] % cell.gates or first.shape[0] == 0:
        rows = f"{cell.gates} × hidden_size" if cell.gates > 1 else "hidden_size"
        return None, [f"weight_ih_l0 is {listed(first.shape)}; {ARTICLES[cell.torch]} {cell.torch}'s is "
                      f"[{rows}, input_size]"]
    gates, input_size = first.shape
    hidden_size = gates // cell.gates
    has = held(group)
    gaps = _missing_layers(group, has)
    if gaps:
        return None, [gaps]
    hr = group.get("weight_hr_l0")
    reasons = []
    if hr is not None and (len(hr.shape) != 2 or not 0 < has.proj_size < hidden_size):
        reasons.append(f"weight_hr_l0 is {listed(hr.shape)}; a projection's is [proj_size < {hidden_size}, {hidden_size}]")
    if input_size == 0:
        reasons.append("weight_ih_l0 has input_size 0")
    if reasons:
        return None, reasons
    lstm = TorchLSTM(input_size, hidden_size, has.num_layers, bidirectional=has.bidirectional,
                      proj_size=has.proj_size, bias=has.bias, cell=cell.name)
    reasons = differences(lstm, {name: t.shape for name, t in group.items()})
    return (None, reasons) if reasons else (lstm, [])


def _missing_layers(group: dict[str, TensorInfo], has: Held) -> str:
    """Why a group whose highest layer outnumbers its tensors is no LSTM, without walking the layers
    it skips: a name such as weight_ih_l999999999 costs what the file holds, not what it says."""
    if has.num_layers <= len(group):  # then holding it against every layer is work the file paid for
        return ""
    layers = sorted({int(TORCH_PARAM.match(name)["layer"]) for name in group})
    shown = ", ".join(map(str, layers[:10])) + (", ..." if len(layers) > 10 else "")
    return (f"the highest layer is {has.num_layers - 1}, but its {len(group)} tensors hold layers {shown} only: "
            f"{has.num_layers - len(layers):,} layers are missing")


def differences(lstm: TorchLSTM, shapes: dict[str, tuple[int, ...]]) -> list[str]:
    """How `shapes` (names without prefix) differ from the state_dict of `lstm`."""
    expected = {t.name: t.shape for t in parameters(lstm)}
    missing = [name for name in expected if name not in shapes]
    unexpected = [name for name in shapes if name not in expected]
    wrong = [f"{name} is {listed(shapes[name])}, not {listed(shape)}"
             for name, shape in expected.items() if name in shapes and tuple(shapes[name]) != shape]
    settings = (("" if lstm.cell == "lstm" else f"cell {lstm.cell}, ") +
                f"input_size {lstm.input_size}, hidden_size {lstm.hidden_size}, num_layers {lstm.num_layers}, "
                f"bidirectional {str(lstm.bidirectional).lower()}, proj_size {lstm.proj_size}, "
                f"bias {str(lstm.bias).lower()}")
    reasons = []
    if missing:
        reasons.append(f"missing {some(missing)}")
    if unexpected:
        reasons.append(f"unexpected {some(unexpected)}")
    more = len(wrong) - SHOWN_NAMES
    reasons += wrong[:SHOWN_NAMES] + ([f"{more:,} more tensors of other shapes"] if more > 0 else [])
    if reasons:
        reasons[-1] += (f" (held against the {cell_name(lstm.cell, TORCH.name)} that weight_ih_l0 and the highest layer "
                        f"suggest: {settings})")
    return reasons


def some(names: list[str], most: int = SHOWN_NAMES) -> str:
    """Names as one line a person reads: the first `most`, then how many more (a file may hold 100,000)."""
    more = len(names) - most
    return ", ".join(names[:most]) + (f", and {more:,} more" if more > 0 else "")


def listed(shape: Iterable[int]) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"
