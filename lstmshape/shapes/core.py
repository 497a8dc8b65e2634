"""The vocabulary every framework's shapes are written in: exact sizes, labelled dimensions,
named tensors. Pure arithmetic, no numpy, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..settings import Cell, Dim

FLOAT32_BYTES = 4


@dataclass(frozen=True)
class Size:
    """An exact product `coefficient × symbols…`: a tensor's element count, bytes or MACs."""

    coefficient: int
    symbols: tuple[str, ...] = ()

    @classmethod
    def of(cls, dims: Iterable[Dim]) -> Size:
        coefficient, symbols = 1, []
        for dim in dims:
            if isinstance(dim, str):
                symbols.append(dim)
            else:
                coefficient *= dim
        return cls(coefficient, tuple(sorted(symbols)))

    def __mul__(self, other: int | Size) -> Size:
        if isinstance(other, Size):
            return Size(self.coefficient * other.coefficient, tuple(sorted(self.symbols + other.symbols)))
        return Size(self.coefficient * other, self.symbols)

    __rmul__ = __mul__

    @property
    def value(self) -> int | str:
        """An int when concrete, else a string such as `"160*L*N"` (for JSON)."""
        if not self.symbols:
            return self.coefficient
        return "*".join(([str(self.coefficient)] if self.coefficient != 1 else []) + list(self.symbols))

    def __str__(self) -> str:
        if not self.symbols:
            return f"{self.coefficient:,}"
        head = [f"{self.coefficient:,}"] if self.coefficient != 1 else []
        return "·".join(head + list(self.symbols))


@dataclass(frozen=True)
class Dimension:
    """One axis of a tensor: its size, what it is, and how its size was derived."""

    size: Dim
    meaning: str
    why: str


@dataclass(frozen=True)
class Tensor:
    """A named tensor (or parameter) and its labelled dimensions."""

    name: str
    dims: tuple[Dimension, ...]

    @property
    def shape(self) -> tuple[Dim, ...]:
        return tuple(d.size for d in self.dims)

    @property
    def numel(self) -> Size:
        return Size.of(self.shape)

    @property
    def nbytes(self) -> Size:
        return self.numel * FLOAT32_BYTES


class TensorLookup:
    """`result["hn"]`: one of a result's tensors or parameters, by name."""

    params: tuple = ()  # a result without parameters of its own (an ONNX node) has none

    def __getitem__(self, name: str) -> Tensor:
        for tensor in self.tensors:  # first, alone: `result["hn"]` never builds a deep stack's weights
            if tensor.name == name:
                return tensor
        for tensor in self.params:
            if tensor.name == name:
                return tensor
        raise KeyError(name)


# How deep a stack is listed layer by layer. A deeper one (num_layers is one number in a config, so
# 10**8 layers cost a few bytes) lists its first LEADING_LAYERS layers, one Repeat for the layers
# between, and its last layer: layers 1 to num_layers - 1 all take the layer before's output, so
# they differ in their names only. Real networks stay far below (GNMT stacks 8 layers).
LISTED_LAYERS = 8
LEADING_LAYERS = 3


@dataclass(frozen=True)
class Repeat:
    """Layers (ONNX: nodes) `first`..`last` of a deep stack, identical but for the index in their
    names: listed as one entry, so output and work stay what a person can read. `tensors` are the
    ones each layer holds, named with `{layer}` where the index goes."""

    first: int
    last: int
    tensors: tuple[Tensor, ...]

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def numel(self) -> Size:
        """The elements of every repeated layer together (exact: a product, not a sum of rows)."""
        return Size(sum(t.numel.coefficient for t in self.tensors)) * self.count

    @property
    def nbytes(self) -> Size:
        return self.numel * FLOAT32_BYTES


def listed(count: int, item: Callable[[int], tuple], template: Callable[[int], tuple], first: int = 0) -> tuple:
    """A stack's `count` layers as they are listed: every layer's items (`item(k)`: a tuple), or for a
    deep stack the first LEADING_LAYERS, a Repeat of those between (`template(k)`: layer k's items
    named with `{layer}`), and the last. Only the listed layers are built; `first`: the index the
    names give layer 0 (the layers of the blocks before)."""
    if count <= LISTED_LAYERS:
        return tuple(x for k in range(count) for x in item(k))
    head = tuple(x for k in range(LEADING_LAYERS) for x in item(k))
    between = Repeat(first + LEADING_LAYERS, first + count - 2, template(LEADING_LAYERS))
    return head + (between,) + item(count - 1)


class Layers(Sequence):
    """A stack's layers (ONNX: its nodes) built on demand and kept once built: indexing, len and
    iteration as a tuple's, at the cost of the layers looked at, not of num_layers."""

    def __init__(self, length: int, build: Callable[[int], object]):
        self.length, self.build, self.built = length, build, {}

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(self.length)))
        if not -self.length <= k < self.length:
            raise IndexError(k)
        k %= self.length
        if k not in self.built:
            self.built[k] = self.build(k)
        return self.built[k]

    def __eq__(self, other) -> bool:
        length = other.length if isinstance(other, Layers) else len(other) if isinstance(other, Sequence) else None
        return length == self.length and all(a == b for a, b in zip(self, other))

    __hash__ = None


# The deepest stack `draw` draws and `infer --verify` runs. Real LSTM stacks have a handful of
# layers (GNMT 8, DeepSpeech 2 seven, the deepest published residual stacks a few tens): a config
# past a thousand is a mistake or a hostile file, and running or drawing it would cost minutes.
DEEPEST_RUN = 1000
# The blocks of a stack (`lstm` as a list) `infer --verify` runs: real stacks of distinct LSTMs have
# a handful (ESPnet's RNNP encoders, deepspeech.pytorch's BatchRNNs: up to about 8).
DEEPEST_BLOCKS = 64

# A --matrix spans num_layers 1..max(configured, 2) up to this many values (4 rows each for torch,
# 8 for Keras); past it, its first LEADING_LAYERS and its last, so `num_layers: 10**21` is 4 values.
MATRIX_LAYERS = 32


def layer_counts(num_layers: int, layers: Iterable[int] | None = None) -> list[int]:
    """The num_layers values a --matrix spans: those asked for, else 1..max(configured, 2); more than
    MATRIX_LAYERS of them: the first LEADING_LAYERS and the last (the matrix table says so)."""
    if layers is not None:
        counts = list(layers)
        return counts if len(counts) <= MATRIX_LAYERS else [*counts[:LEADING_LAYERS], counts[-1]]
    top = max(num_layers, 2)  # (a range past 2**63 has no len: count, do not measure)
    return list(range(1, top + 1)) if top <= MATRIX_LAYERS else [*range(1, LEADING_LAYERS + 1), top]


def gate_rows(cell: Cell, h: int, name: str = "hidden_size", order: str | None = None, scale: int = 1) -> Dimension:
    """The gate axis of a weight: gates × hidden_size rows (`scale` 2 for ONNX's B, Wb ++ Rb)."""
    rows, order = scale * cell.gates * h, order or cell.torch_gates
    if cell.gates == 1 and scale == 1:
        return Dimension(h, name, f"{name} {h} (one gate)")
    count = scale * cell.gates
    if scale == 1:
        why = f"{rows} = {cell.gates} gates ({order}) × {name} {h}"
    else:
        why = f"{rows} = Wb ({cell.gates} × {h}) ++ Rb ({cell.gates} × {h})"
    return Dimension(rows, f"{count} × {name}", why)
