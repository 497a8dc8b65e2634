"""torch.nn.LSTM's shapes (and nn.GRU's, nn.RNN's) as plain arithmetic on its settings.

The three cells share one algebra: they differ only in the gate count (rows per weight, from
`settings.CELLS`) and in whether a cell state c0/cn exists.

Pure by design (no numpy, no I/O): every other piece (renderers, rules, the NumPy forward that
proves these numbers) reads `TorchShapes`. Sizes may be symbols (`"N"`, `"L"`); products of
sizes stay exact as `Size`, so `hidden_size: 10**40` is answered without anything allocated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterable

from ..settings import Config, DataConfig, Dim, Key, TorchLSTM, joined_features
from ..shapes.core import Dimension, Repeat, Size, Tensor, TensorLookup, gate_rows, layer_counts, listed
from .base import Framework, Translating
from .context import features, n
from .head import HeadContext, same

TENSORS = ("input", "output", "h0", "c0", "hn", "cn")
STATES = ("h0", "c0", "hn", "cn")
HEAD_INPUTS = ("output", "last_step", "hn_last", "hn_concat")  # what code feeds head[0]: see LS101

# Aliases are names real training configs use for exactly this setting (never a name whose meaning
# depends on the project, such as ESPnet's `eunits`: map those with --from).
LSTM_KEYS = (
    Key("input_size", "positive_int", ("feature_size", "num_features", "input_dim"), required=True,
        doc="Features per time step of the input (torch.nn.LSTM's input_size); a later block of a stack "
            "may leave it out."),
    Key("hidden_size", "positive_int", ("num_units", "hidden_dim", "rnn_hidden_size", "lstm_hidden_size",
                                        "rnn_units", "lstm_units"), required=True,
        doc="Features of the cell state c (and of h without projection): torch.nn.LSTM's hidden_size."),
    Key("num_layers", "positive_int", ("hidden_num_layers", "n_layers", "nlayers", "rnn_layers",
                                       "hidden_layers", "num_rnn_layers", "num_lstm_layers", "lstm_layers"),
        doc="Stacked layers inside this one module (default 1)."),
    Key("bidirectional", "bool",
        doc="Run a reverse direction too, so D = 2 (default false)."),
    Key("num_directions", "directions",
        doc="1 or 2: another way to say bidirectional (2 = bidirectional: true)."),
    Key("batch_first", "bool",
        doc="Input and output as (batch, seq, feature); h and c never change (default false)."),
    Key("proj_size", "nonneg_int",
        doc="Project h to this size (H_out); 0 = no projection, and it must be smaller than hidden_size (LSTM only)."),
    Key("bias", "bool",
        doc="The two bias vectors b_ih and b_hh (default true)."),
    Key("dropout", "fraction",
        doc="Dropout between stacked layers, in [0, 1] (default 0; with one layer it only warns)."),
    Key("cell", "choice", ("rnn_type", "cell_type", "mode"),
        doc="Which module: lstm, gru or rnn (nn.LSTM, nn.GRU, nn.RNN; any case; also RNN_TANH, RNN_RELU)."),
    Key("nonlinearity", "choice",
        doc="tanh or relu: nn.RNN's activation (an error with another cell)."),
    # the size summed over both directions, as many configs store it (`eunits: 512` for a BiLSTM
    # of hidden_size 256): hidden_size = total ÷ num_directions
    Key("total_hidden_size", "positive_int",
        doc="hidden_size summed over both directions, as many configs store it (hidden_size = total ÷ directions)."),
    Key("total_proj_size", "positive_int",
        doc="proj_size summed over both directions (proj_size = total ÷ directions)."),
)

@dataclass(frozen=True)
class TorchShapes(TensorLookup):
    """Every shape of one torch.nn.LSTM called on one input."""

    framework = "torch"

    lstm: TorchLSTM
    data: DataConfig
    tensors: tuple[Tensor, ...]
    block: int | None = None  # the block's index when `lstm` is a stack of blocks, else None

    @property
    def shapes(self) -> dict[str, tuple[Dim, ...]]:
        return {t.name: t.shape for t in self.tensors}

    @cached_property
    def params(self) -> tuple[Tensor, ...]:
        """Every state_dict entry, built when asked (num_layers of them: a report shows `listed_params`)."""
        return tuple(parameters(self.lstm))

    @property
    def listed_params(self) -> tuple[Tensor | Repeat, ...]:
        """The parameters as a report lists them: a deep stack's identical layers as one Repeat."""
        lstm = self.lstm
        return listed(lstm.num_layers, lambda k: tuple(layer_parameters(lstm, k)),
                      lambda k: tuple(layer_parameters(lstm, k, "{layer}")))

    @property
    def num_params(self) -> int:
        """Equals `sum(p.numel() for p in lstm.parameters())`: layer 0, then num_layers - 1 equal layers."""
        first, *rest = (sum(t.numel.coefficient for t in layer_parameters(self.lstm, k))
                        for k in range(min(self.lstm.num_layers, 2)))
        return first + (self.lstm.num_layers - 1) * sum(rest)

    @property
    def macs(self) -> Size:
        """Multiply-accumulates of one forward pass, counted as torchinfo counts an RNN:
        every parameter once per (time step × batch element)."""
        batch = 1 if self.data.unbatched else self.data.batch_size
        return Size.of((self.data.seq_len, batch)) * self.num_params


def infer_torch_config(config: Config, matrix: bool = False, layers: Iterable[int] | None = None) -> list[TorchShapes]:
    """The configured combination, or with `matrix` every batch_first × bidirectional × num_layers.

    For a stack (`lstm` as a list of blocks): one result per block (per combination, with the
    combination applied to every block and each block's input_size following the block before)."""
    if len(config.blocks) > 1:
        return infer_stack(config, matrix, layers)
    return [infer_lstm(lstm, config.data) for lstm in combinations(config.blocks[0], layers) ] if matrix else [
        infer_lstm(config.blocks[0], config.data)
    ]


def infer_stack(config: Config, matrix: bool = False, layers: Iterable[int] | None = None) -> list[TorchShapes]:
    blocks = config.blocks
    if not matrix:
        return [replace(infer_lstm(block, config.data), block=k) for k, block in enumerate(blocks)]
    out = []
    deepest = replace(blocks[0], num_layers=max(b.num_layers for b in blocks))
    for combo in combinations(deepest, layers):
        before = None
        for k, block in enumerate(blocks):
            block = replace(block, batch_first=combo.batch_first, bidirectional=combo.bidirectional,
                            num_layers=combo.num_layers)
            if before is not None:
                block = replace(block, input_size=joined_features(before, config.joins[k] if config.joins else ()))
            out.append(replace(infer_lstm(block, config.data), block=k))
            before = block
    return out


def combinations(lstm: TorchLSTM, layers: Iterable[int] | None = None) -> list[TorchLSTM]:
    """batch_first ∈ {false, true} × bidirectional ∈ {false, true} × num_layers (default
    1..max(configured, 2)), everything else as configured."""
    return [
        replace(lstm, batch_first=batch_first, bidirectional=bidirectional, num_layers=num_layers)
        for batch_first in (False, True)
        for bidirectional in (False, True)
        for num_layers in layer_counts(lstm.num_layers, layers)
    ]


def infer_lstm(lstm: TorchLSTM, data: DataConfig) -> TorchShapes:
    seq = Dimension(data.seq_len, "seq_len", f"seq_len {data.seq_len}")
    batch = Dimension(data.batch_size, "batch", f"batch_size {data.batch_size}")
    features = Dimension(lstm.input_size, "input_size", f"input_size {lstm.input_size}")
    d = lstm.num_directions
    h_name = "proj_size" if lstm.proj_size > 0 else "hidden_size"
    h_out = Dimension(lstm.h_out, h_name, f"{h_name} {lstm.h_out}")
    hidden = Dimension(lstm.hidden_size, "hidden_size", f"hidden_size {lstm.hidden_size}")
    out_features = Dimension(
        d * lstm.h_out, f"num_directions × {h_name}", f"{d * lstm.h_out} = num_directions {d} × {h_name} {lstm.h_out}"
    )
    rows = Dimension(
        d * lstm.num_layers,
        "num_directions × num_layers",
        f"{d * lstm.num_layers} = num_directions {d} × num_layers {lstm.num_layers}",
    )

    def sequence(last: Dimension) -> tuple[Dimension, ...]:
        if data.unbatched:
            return (seq, last)
        return (batch, seq, last) if lstm.batch_first else (seq, batch, last)

    def state(last: Dimension) -> tuple[Dimension, ...]:
        # h and c never follow batch_first: cuDNN's native layout is sequence-first.
        return (rows, last) if data.unbatched else (rows, batch, last)

    tensors = (
        Tensor("input", sequence(features)),
        Tensor("output", sequence(out_features)),
        Tensor("h0", state(h_out)),
        Tensor("c0", state(hidden)),
        Tensor("hn", state(h_out)),
        Tensor("cn", state(hidden)),
    )
    if not lstm.has_cell_state:  # GRU and RNN: h only
        tensors = tuple(t for t in tensors if t.name not in ("c0", "cn"))
    return TorchShapes(lstm, data, tensors)


def parameters(lstm: TorchLSTM) -> Iterable[Tensor]:
    """torch's state_dict entries, in its order: layer, then direction, then w_ih, w_hh, b_ih, b_hh, w_hr."""
    for layer in range(lstm.num_layers):
        yield from layer_parameters(lstm, layer)


def layer_parameters(lstm: TorchLSTM, layer: int, label: str | None = None) -> Iterable[Tensor]:
    """One layer's state_dict entries; `label` stands for the layer's index in the names (`{layer}`
    for every layer after the first, which all have these shapes)."""
    h, d = lstm.hidden_size, lstm.num_directions
    gates = gate_rows(lstm.kind, h)
    h_name = "proj_size" if lstm.proj_size > 0 else "hidden_size"
    h_out = Dimension(lstm.h_out, h_name, f"{h_name} {lstm.h_out}")
    if layer == 0:
        fed = Dimension(lstm.input_size, "input_size", f"input_size {lstm.input_size}")
    else:
        before = f"layer {layer - 1}'s output" if label is None else "the layer before's output"
        fed = Dimension(
            d * lstm.h_out,
            f"num_directions × {h_name}",
            f"{d * lstm.h_out} = num_directions {d} × {h_name} {lstm.h_out} ({before})",
        )
    for direction in range(d):
        suffix = f"_l{layer if label is None else label}" + ("_reverse" if direction else "")
        yield Tensor("weight_ih" + suffix, (gates, fed))
        yield Tensor("weight_hh" + suffix, (gates, h_out))
        if lstm.bias:
            yield Tensor("bias_ih" + suffix, (gates,))
            yield Tensor("bias_hh" + suffix, (gates,))
        if lstm.proj_size > 0:
            yield Tensor(
                "weight_hr" + suffix,
                (h_out, Dimension(h, "hidden_size", f"hidden_size {h}")),
            )


class TorchContext(HeadContext):
    """A torch config as the rules read it: one TorchShapes per block; an `expect` entry compared
    as pad_packed_sequence returns it, a mismatch diagnosed as the most specific trap."""

    @cached_property
    def inferences(self) -> list[TorchShapes]:
        return [infer_lstm(block, self.config.data) for block in self.blocks]

    def tensor(self, k: int, name: str) -> Tensor:
        return self.inferences[k][name]

    def compared(self, k: int, name: str) -> bool:
        return name not in ("c0", "cn") or self.blocks[k].has_cell_state  # a GRU's or RNN's: LS117

    def time_axis(self, k: int) -> int:
        if self.data.unbatched:
            return 0
        return 1 if self.blocks[k].batch_first else 0

    def fits(self, k: int, name: str, expected: tuple, inferred: tuple) -> bool:
        if len(expected) != len(inferred):
            return False
        lengths = self.data.lengths
        for axis, (e, i) in enumerate(zip(expected, inferred)):
            if same(e, i):
                continue
            # pad_packed_sequence returns max(lengths) time steps unless given total_length
            if name == "output" and lengths and axis == self.time_axis(k) and same(e, max(lengths)):
                continue
            return False
        return True

    def diagnose(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        block, inferred = self.blocks[k], tensor.shape
        rank = len(inferred)
        if name in STATES and rank == 3 == len(expected) and not same(inferred[0], inferred[1]):
            if same(expected[0], inferred[1]) and same(expected[1], inferred[0]) and same(expected[2], inferred[2]):
                return "state-batch-first"
        if len(expected) == rank and all(same(e, i) for e, i in zip(expected[:-1], inferred[:-1])):
            last = expected[-1]
            if block.proj_size and name in ("c0", "cn") and same(last, block.proj_size):
                return "proj-size"
            if block.proj_size and name in ("h0", "hn") and same(last, block.hidden_size):
                return "proj-size"
            if name == "output" and (same(last, block.hidden_size) or same(last, block.h_out)):
                return "output-features"
        return "shape"

    def head_source(self, source: str) -> tuple:
        """output (every step), last_step (output[:, -1] or output[-1]), hn_last (hn[-1]) or
        hn_concat (cat(hn[-2], hn[-1])), with how their features come about (LS101's words)."""
        block, result = self.blocks[-1], self.inferences[-1]
        name = "proj_size" if block.proj_size > 0 else "hidden_size"
        if source in ("output", "last_step"):
            dims = result["output"].dims
            what = "output" if source == "output" else "the last time step of output"
            explained = f"{what} has {features(block)}"
            if source == "output":
                return dims, "output", "output", explained
            axis = 1 if block.batch_first and not self.data.unbatched else 0
            return dims[:axis] + dims[axis + 1:], "output[:, -1]" if axis == 1 else "output[-1]", "output", explained
        hn = result["hn"].dims
        if source == "hn_last":
            return hn[1:], "hn[-1]", "hn", (f"hn[-1] has {n(block.h_out)} features ({name} {n(block.h_out)}: one "
                                            "direction of the last layer)")
        both = Dimension(2 * block.h_out, "features", f"2 directions × {name} {n(block.h_out)}")
        return hn[1:-1] + (both,), "cat(hn[-2], hn[-1])", "hn", (
            f"cat(hn[-2], hn[-1]) has {n(2 * block.h_out)} features (2 directions × {name} {n(block.h_out)})")

    def output(self, layer, dims: tuple) -> tuple:
        """Only a Linear changes what a torch head carries (activations, dropout, flatten keep it)."""
        return self.weighted_output(layer, dims) if layer.kind in self.weighted else dims


# The values real configs give torch's cell switch (any case), as (cell, nonlinearity):
# nn.RNNBase's `mode` strings, and the lower-case names of NeMo-style `rnn_type` switches.
CELL_NAMES = {"lstm": ("lstm", None), "gru": ("gru", None), "rnn": ("rnn", None),
              "rnn_tanh": ("rnn", "tanh"), "rnn_relu": ("rnn", "relu")}


def describe_torch(lstm: TorchLSTM) -> dict:
    """A torch block in `infer --as`'s framework-free words (a GRU resets after the matmul)."""
    return {"cell": lstm.cell, "nonlinearity": lstm.nonlinearity, "reset_after": True,
            "input": lstm.input_size, "hidden": lstm.hidden_size, "layers": lstm.num_layers,
            "direction": "bidirectional" if lstm.bidirectional else "forward",
            "direction_key": "bidirectional", "batch_first": lstm.batch_first, "bias": lstm.bias,
            "bias_key": "bias", "proj_size": lstm.proj_size, "dropout": lstm.dropout, "source": "torch"}


def build_torch(spec: dict) -> TorchLSTM:
    return TorchLSTM(spec["input"], spec["hidden"], spec["layers"], spec["direction"] == "bidirectional",
                     spec["batch_first"], 0, spec["bias"], 0.0, cell=spec["cell"], nonlinearity=spec["nonlinearity"])


TORCH_TRANSLATING = Translating(
    describe=describe_torch, build=build_torch, input_data=lambda block, data: data, reset_key=None,
    reset_words=(), merge_refusal="torch.nn.LSTM always concatenates the two directions",
    directions_split="output[..., :H] is the forward and output[..., H:] the backward output", relu_rnn=None)

TORCH = Framework(
    name="torch", section_doc="torch.nn.LSTM's (GRU's, RNN's) arguments.",
    label="torch", article="a", keys=LSTM_KEYS, input_key="input_size", hidden_key="hidden_size",
    choices={}, foreign={}, cell_only={}, legacy={}, expect_names=TENSORS, head_inputs=HEAD_INPUTS, foreign_names={},
    weighted={"linear": (("in_features", True), ("out_features", True))}, in_key="in_features",
    out_key="out_features", head_layer_keys=("bias",), pooling=(), example_layer="linear: {in_features: 40, out_features: 3}",
    foreign_layers={}, lengths_user="pack_padded_sequence", input_name="input", unchecked=(), input_shape_keys=(),
    sequences_optional=False, cell_class=lambda cell: cell.torch, module=lambda cell: "nn." + cell.torch,
    operator=lambda cell: "torch.nn." + cell.torch, settings=lambda values: TorchLSTM(**values),
    handed_on=lambda block: block.num_directions * block.h_out,
    matrix_axes="every batch_first × bidirectional × num_layers", runs_forward=True,
    engine=infer_torch_config, context=TorchContext, check="check", unit="module",
    per_step_output="feed the head output (every step) rather than hn or the last step",
    cell_names=CELL_NAMES, mapping_aliases={"neurons": "hidden_size"},
    takes_unbatched=True, translating=TORCH_TRANSLATING,
    reads_around=True)
TorchContext.framework = TORCH
