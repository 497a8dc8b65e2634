"""The vocabulary every framework's shapes are written in: exact sizes, labelled dimensions,
named tensors. Pure arithmetic, no numpy, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

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
        for tensor in self.tensors + self.params:
            if tensor.name == name:
                return tensor
        raise KeyError(name)



def layer_counts(num_layers: int, layers: Iterable[int] | None = None) -> list[int]:
    """The num_layers values a --matrix spans: those asked for, else 1..max(configured, 2)."""
    return list(layers) if layers is not None else list(range(1, max(num_layers, 2) + 1))


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
