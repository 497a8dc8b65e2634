"""Keras 3 `keras.layers.LSTM`, `GRU` or `SimpleRNN` (optionally wrapped in
`keras.layers.Bidirectional`): its shapes as plain arithmetic on the config.

Pure like lstmshape.frameworks.torch (no numpy, no keras, no I/O). Every claim here is checked against
real Keras 3 in tests/frameworks/test_keras.py and recorded in tests/golden/frameworks/keras_shapes.json:

* the input is always (batch, seq_len, features): Keras has no time-major layout;
* `LSTM(units)` returns the last output (batch, units), or (batch, seq_len, units) with
  `return_sequences`; `return_state` appends h and c, each (batch, units);
* `Bidirectional(LSTM(...), merge_mode)` joins the two directions' outputs: concat doubles the
  features, sum/mul/ave keep `units`, None returns both separately; with `return_state` it
  appends forward h, c, then backward h, c;
* per direction the weights are kernel (features, 4·units), recurrent_kernel (units, 4·units) and
  one bias (4·units,), gates in the order i, f, c, o;
* GRU: 3·units columns (gates z, r, h) and no c state; its bias is (2, 3·units) (input and
  recurrent rows) with reset_after (the default), (3·units,) without; SimpleRNN: units columns;
* `num_layers` is sugar for a stack of identical layers, where every layer but the last returns
  sequences and no state: the outputs listed are those of the last layer's call;
* a declared input (`input_shape` (timesteps, features), `batch_input_shape` (batch, timesteps,
  features)) fixes the batch and time axes the data leaves symbolic; dropout, recurrent_dropout,
  activation, recurrent_activation, unit_forget_bias, stateful and unroll change no shape and no
  weight (stateful keeps the states as (batch, units) variables, not as outputs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterable

from ..settings import MERGE_MODES, DataConfig, Key, KerasArguments, KerasLSTM
from ..shapes.core import Dimension, Repeat, Size, Tensor, TensorLookup, gate_rows, layer_counts, listed
from .base import CELL_NAMES, TORCH_ONLY, Framework, Translating
from .head import HeadContext, described, returned

KERAS_KEYS = (
    Key("input_dim", "positive_int", ("feature_size",), required=True,
        doc="Features per time step (required unless input_shape or batch_input_shape gives them)."),
    Key("units", "positive_int", (), required=True,
        doc="keras.layers.LSTM's units: the size of h and c."),
    Key("num_layers", "positive_int", ("n_layers",),
        doc="Identical layers stacked (default 1)."),
    Key("return_sequences", "bool",
        doc="Return the whole sequence (batch, timesteps, units) rather than the last step (default false)."),
    Key("return_state", "bool",
        doc="Also return the final states (default false)."),
    Key("go_backwards", "bool",
        doc="Process the sequence backwards (default false)."),
    Key("use_bias", "bool",
        doc="Whether the layer has a bias vector (default true)."),
    Key("bidirectional", "bool",
        doc="Wrap the layer in keras.layers.Bidirectional (default false)."),
    Key("merge_mode", "choice",
        doc="How Bidirectional merges the two directions: concat, sum, mul, ave or null (default concat)."),
    Key("cell", "choice", ("rnn_type", "cell_type"),
        doc="Which layer: lstm, gru or rnn (LSTM, GRU, SimpleRNN; any case)."),
    Key("reset_after", "bool",
        doc="keras.layers.GRU's reset_after (GRU only; default true)."),
    Key("input_shape", "input_shape",
        doc="(timesteps, features) of the input, null for any size: Keras adds the batch."),
    Key("batch_input_shape", "input_shape", ("batch_shape",),
        doc="(batch, timesteps, features) of the input, null for any size."),
    Key("dropout", "rate",
        doc="Dropout rate of the inputs, in [0, 1)."),
    Key("recurrent_dropout", "rate",
        doc="Dropout rate of the recurrent state, in [0, 1)."),
    Key("activation", "activation",
        doc="A keras.activations name such as tanh, or null (linear)."),
    Key("recurrent_activation", "activation",
        doc="A keras.activations name such as sigmoid, or null (linear); LSTM and GRU only."),
    Key("unit_forget_bias", "bool",
        doc="Add 1 to the forget gate's bias at initialisation (LSTM only; default true)."),
    Key("stateful", "bool",
        doc="Keep the states between batches (default false)."),
    Key("unroll", "bool",
        doc="Unroll the recurrence (default false)."),
)
# The keys that let a keras config leave out input_dim: the shapes' last size is the features
KERAS_SHAPE_KEYS = ("input_shape", "batch_input_shape", "batch_shape")
# The keys that let a keras config leave out input_dim: the shapes' last size is the features
KERAS_SHAPE_KEYS = ("input_shape", "batch_input_shape", "batch_shape")
# Keras 2 arguments that Keras 3's layers refuse ("Unrecognized keyword arguments"): say what to do.
KERAS_2 = {
    "time_major": "Keras 3's keras.layers.LSTM has no time_major (Keras 2 had it; Keras 3 raises \"Unrecognized "
                  "keyword arguments passed to LSTM\"): its input is always (batch, timesteps, features); remove "
                  "the key and transpose time-major data first, keras.ops.transpose(x, (1, 0, 2))",
}
# Keys of torch or ONNX written in a keras section: what Keras calls them
FOREIGN = {
    "hidden_size": "Keras calls it 'units'",
    "input_size": "Keras calls it 'input_dim'",
    "batch_first": "Keras input is always (batch, seq_len, features)",
    "bias": "Keras calls it 'use_bias'",
    "direction": "Keras uses 'bidirectional' and 'go_backwards'",
    "proj_size": "keras.layers.LSTM has no projection",
    "layout": "Keras input is always (batch, seq_len, features)",
    "linear_before_reset": "Keras calls it 'reset_after' (keras.layers.GRU)",
}
# Another framework's tensor name in an `expect` or head `input`: Keras's name for it
STATES = ("forward_h", "forward_c", "backward_h", "backward_c")
EXPECT_NAMES = ("input", "output", "state_h", "state_c") + STATES + ("forward_output", "backward_output")
FOREIGN_NAMES = {"h0": "state_h", "hn": "state_h", "c0": "state_c", "cn": "state_c", "X": "input", "Y": "output",
                 "Y_h": "state_h", "Y_c": "state_c", "initial_h": "state_h", "initial_c": "state_c",
                 "hn_last": "state_h", "hn_concat": "forward_h/backward_h", "last_step": "output"}

@dataclass(frozen=True)
class KerasShapes(TensorLookup):
    """Every shape of one Keras LSTM stack called on one input."""

    lstm: KerasLSTM
    data: DataConfig
    input: Tensor
    outputs: tuple[Tensor, ...]  # in the order the last layer's call returns them
    block: int | None = None  # the block's index when `lstm` is a stack of blocks, else None
    first: int = 0  # the layers of the blocks before: the first layer's index in the names

    framework = "keras"

    @property
    def shapes(self) -> dict:
        """Tensor name → shape: `input`, then the outputs by their names (`output`, `h`, `c`, ...)."""
        return {t.name: t.shape for t in self.tensors}

    @cached_property
    def params(self) -> tuple[Tensor, ...]:
        """Every weight in model.weights order, named by its Keras path; built when asked (a report
        shows `listed_params`)."""
        return tuple(parameters(self.lstm, self.first))

    @property
    def listed_params(self) -> tuple[Tensor | Repeat, ...]:
        """The weights as a report lists them: a deep stack's identical layers as one Repeat."""
        lstm, first = self.lstm, self.first
        return listed(lstm.num_layers, lambda k: tuple(layer_parameters(lstm, k, first)),
                      lambda k: tuple(layer_parameters(lstm, k, first, "{layer}")), first)

    @property
    def num_params(self) -> int:
        """Equals keras.Model.count_params(): layer 0, then num_layers - 1 equal layers."""
        first, *rest = (sum(t.numel.coefficient for t in layer_parameters(self.lstm, k))
                        for k in range(min(self.lstm.num_layers, 2)))
        return first + (self.lstm.num_layers - 1) * sum(rest)

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        return (self.input,) + self.outputs

    @property
    def macs(self) -> Size:
        return Size.of((self.data.seq_len, self.data.batch_size)) * self.num_params


def layer_names(lstm: KerasLSTM, first: int = 0) -> list[str]:
    """The layer names lstmshape gives the stack (and the oracle tests build it with); `first`:
    the layers of the blocks before, so names stay unique across a stack of blocks."""
    return [layer_name(lstm, k) for k in range(first, first + lstm.num_layers)]


def layer_name(lstm: KerasLSTM, index: int | str) -> str:
    return f"{'bidirectional' if lstm.bidirectional else lstm.kind.keras_name}_{index}"


def declared_data(lstm: KerasLSTM, data: DataConfig) -> tuple[DataConfig, str, str]:
    """The data with the batch and time axes a declared input fixes where the data leaves them
    symbolic, and where each size came from (for the dimensions' explanations)."""
    batch_from, seq_from = "batch_size", "seq_len"
    declared = lstm.declared_input
    if declared is not None:
        key = "batch_input_shape" if lstm.arguments.batch_input_shape is not None else "input_shape"
        if isinstance(declared[0], int) and isinstance(data.batch_size, str):
            data, batch_from = replace(data, batch_size=declared[0]), f"{key}[0]"
        if isinstance(declared[1], int) and isinstance(data.seq_len, str):
            data, seq_from = replace(data, seq_len=declared[1]), f"{key}[{1 if key == 'batch_input_shape' else 0}]"
    return data, batch_from, seq_from


def infer_keras(lstm: KerasLSTM, data, first: int = 0) -> KerasShapes:
    data, batch_from, seq_from = declared_data(lstm, data)
    batch = Dimension(data.batch_size, "batch", f"{batch_from} {data.batch_size}")
    seq = Dimension(data.seq_len, "seq_len", f"{seq_from} {data.seq_len}")
    units = Dimension(lstm.units, "units", f"units {lstm.units}")
    features = Dimension(lstm.input_dim, "input_dim", f"input_dim {lstm.input_dim}")
    if lstm.bidirectional and lstm.merge_mode == "concat":
        merged = Dimension(2 * lstm.units, "2 × units", f"{2 * lstm.units} = 2 directions concatenated × units {lstm.units}")
    elif lstm.bidirectional:
        merged = Dimension(lstm.units, "units", f"units {lstm.units} (merge_mode {lstm.merge_mode!r} keeps the size)")
    else:
        merged = units

    def sequence(last: Dimension) -> tuple[Dimension, ...]:
        return (batch, seq, last) if lstm.return_sequences else (batch, last)

    outputs: list[Tensor] = []
    if lstm.bidirectional and lstm.merge_mode is None:
        outputs += [Tensor("forward_output", sequence(units)), Tensor("backward_output", sequence(units))]
    else:
        outputs.append(Tensor("output", sequence(merged)))
    if lstm.return_state:
        states = ("h", "c") if lstm.has_cell_state else ("h",)  # GRU, SimpleRNN: h alone
        if lstm.bidirectional:
            outputs += [Tensor(f"{d}_{s}", (batch, units)) for d in ("forward", "backward") for s in states]
        else:
            outputs += [Tensor(s, (batch, units)) for s in states]
    return KerasShapes(lstm, data, Tensor("input", (batch, seq, features)), tuple(outputs), first=first)


def parameters(lstm: KerasLSTM, first: int = 0) -> Iterable[Tensor]:
    for k in range(lstm.num_layers):
        yield from layer_parameters(lstm, k, first)


def layer_parameters(lstm: KerasLSTM, k: int, first: int = 0, label: str | None = None) -> Iterable[Tensor]:
    """Layer k's weights, named `first + k` on from the blocks before (`label` stands for that index:
    `{layer}` for every layer after the first, which all have these shapes)."""
    u, cell = lstm.units, lstm.kind
    gates = gate_rows(cell, u, "units", cell.keras_gates)
    units = Dimension(u, "units", f"units {u}")
    # keras.layers.GRU(reset_after=True) keeps torch's two biases as two rows
    two_biases = lstm.cell == "gru" and lstm.reset_after
    bias = (Dimension(2, "input and recurrent bias", "2 = input bias, recurrent bias (reset_after)"), gates) \
        if two_biases else (gates,)
    name = cell.keras_name
    if k == 0:
        fed = Dimension(lstm.input_dim, "input_dim", f"input_dim {lstm.input_dim}")
    else:
        meaning = "2 × units" if lstm.out_features != u else "units"
        before = f"layer {k - 1}'s" if label is None else "the layer before's"
        fed = Dimension(lstm.out_features, meaning, f"{lstm.out_features} = {before} output features")
    index = first + k if label is None else label
    layer, inner = layer_name(lstm, index), f"{name}_{index}"
    prefixes = [f"{layer}/forward_{inner}", f"{layer}/backward_{inner}"] if lstm.bidirectional else [layer]
    for prefix in prefixes:
        yield Tensor(f"{prefix}/{name}_cell/kernel", (fed, gates))
        yield Tensor(f"{prefix}/{name}_cell/recurrent_kernel", (units, gates))
        if lstm.use_bias:
            yield Tensor(f"{prefix}/{name}_cell/bias", bias)


def combinations(lstm: KerasLSTM, layers: Iterable[int] | None = None) -> list[KerasLSTM]:
    """bidirectional × return_sequences × return_state × num_layers, everything else as configured.

    A merge_mode of None cannot be stacked, so rows with more than one layer use concat there."""
    counts = layer_counts(lstm.num_layers, layers)
    out = []
    for bidirectional in (False, True):
        for return_sequences in (False, True):
            for return_state in (False, True):
                for n in counts:
                    merge = lstm.merge_mode if lstm.merge_mode is not None or n == 1 else "concat"
                    out.append(replace(lstm, bidirectional=bidirectional, return_sequences=return_sequences,
                                       return_state=return_state, num_layers=n, merge_mode=merge))
    return out


def infer_keras_config(config, matrix: bool = False, layers: Iterable[int] | None = None) -> list[KerasShapes]:
    """One result per combination; for a stack (`lstm` as a list of blocks), one per block (per
    combination: bidirectional and num_layers applied to every block, return_sequences and
    return_state to the last, each block's input_dim following the block before)."""
    if len(config.blocks) > 1:
        stacks = [stack_combination(config.blocks, combo) for combo in combinations(
            replace(config.blocks[-1], num_layers=max(b.num_layers for b in config.blocks)), layers)] if matrix \
            else [config.blocks]
        return [result for blocks in stacks for result in infer_keras_stack(blocks, config.data)]
    lstms = combinations(config.blocks[0], layers) if matrix else [config.blocks[0]]
    return [infer_keras(lstm, config.data) for lstm in lstms]


def infer_keras_stack(blocks, data) -> list[KerasShapes]:
    """Each block's shapes, its layers numbered on from the blocks before it; the input the first
    block declares (input_shape, batch_input_shape) fixes the batch and time of every block."""
    out, first = [], 0
    fixed, _, _ = declared_data(blocks[0], data)
    for k, lstm in enumerate(blocks):
        out.append(replace(infer_keras(lstm, data if k == 0 else fixed, first), block=k))
        first += lstm.num_layers
    return out


def stack_combination(blocks, combo: KerasLSTM) -> list[KerasLSTM]:
    """`blocks` with one --matrix combination applied (inner blocks keep returning sequences)."""
    out = []
    for k, block in enumerate(blocks):
        last = k == len(blocks) - 1
        merge = block.merge_mode if block.merge_mode is not None or (last and combo.num_layers == 1) else "concat"
        block = replace(block, bidirectional=combo.bidirectional, num_layers=combo.num_layers, merge_mode=merge,
                        return_sequences=combo.return_sequences if last else True,
                        return_state=combo.return_state if last else block.return_state)
        if out:
            block = replace(block, input_dim=out[-1].out_features)
        out.append(block)
    return out


# Layer arguments shown when they differ from Keras 3's defaults
ARGUMENTS = (("return_sequences", False), ("return_state", False), ("go_backwards", False), ("use_bias", True),
             ("reset_after", True), ("activation", "tanh"), ("recurrent_activation", "sigmoid"),
             ("unit_forget_bias", True), ("dropout", 0.0), ("recurrent_dropout", 0.0), ("stateful", False),
             ("unroll", False))


def settings(lstm: KerasLSTM, data: DataConfig | None = None) -> str:
    """The layer as Python: `Bidirectional(LSTM(20, return_sequences=True), merge_mode='sum')`;
    called on its keras.Input when the config declares the input (or a stateful layer needs the
    data's fixed batch), so the line can be copied."""
    args = [str(lstm.units)]
    for name, default in ARGUMENTS:
        value = getattr(lstm.arguments if name in lstm.arguments._fields else lstm, name)
        if value != default and (name != "reset_after" or lstm.cell == "gru"):
            args.append(f"{name}={value!r}")
    text = f"{lstm.kind.keras}({', '.join(args)})"
    if lstm.bidirectional:
        text = f"Bidirectional({text}" + ("" if lstm.merge_mode == "concat" else f", merge_mode={lstm.merge_mode!r}") + ")"
    if lstm.num_layers > 1:
        text = f"{lstm.num_layers} × {text} (inner layers: return_sequences=True, no state)"
    source = keras_input(lstm, data)
    if source and lstm.num_layers > 1:
        return f"{text} on {source}"
    return f"{text}({source})" if source else text


def keras_input(lstm: KerasLSTM, data: DataConfig | None) -> str:
    """`keras.Input(shape=(10, 64))` / `keras.Input(batch_shape=(32, 10, 64))` for a declared input;
    a stateful layer's Input carries the data's fixed batch. Empty when nothing is declared."""
    declared = lstm.declared_input
    batch = declared[0] if declared is not None else None
    if lstm.arguments.stateful and batch is None and data is not None and isinstance(data.batch_size, int):
        batch = data.batch_size
    if declared is None and batch is None:
        return ""
    time, features = (declared[1], declared[2]) if declared is not None else (None, lstm.input_dim)
    shown = ", ".join("None" if d is None else str(d) for d in (time, features))
    if batch is None:
        return f"keras.Input(shape=({shown}))"
    return f"keras.Input(batch_shape=({batch}, {shown}))"


# Every tensor a Keras recurrent layer can take or return, by the names a config gives them
KERAS_TENSORS = ("input", "output", "forward_output", "backward_output", "state_h", "state_c",
                 "forward_h", "forward_c", "backward_h", "backward_c")




class KerasContext(HeadContext):

    @cached_property
    def inferences(self) -> list:
        return infer_keras_stack(self.blocks, self.config.data)  # block 0's declared input fixes every block's

    def tensor(self, k: int, name: str) -> Tensor | None:
        """Block k's tensor `name` (a config's name), None when its layer, as configured, does not return it."""
        if name not in KERAS_TENSORS:
            raise ValueError(f"no Keras recurrent layer has a tensor {name!r}")  # a bug: the reader allows none
        return returned(self.inferences[k].tensors, {"state_h": "h", "state_c": "c"}.get(name, name))

    def absent(self, k: int, name: str) -> str:
        block = self.blocks[k]
        layer = f"keras.layers.{block.kind.keras}"
        if name in ("state_c", "forward_c", "backward_c") and not block.has_cell_state:
            return f"{layer} has no cell state: return_state gives h alone"
        if name.endswith("_output"):
            return f"{name} exists only with bidirectional: true and merge_mode: null (two outputs, not merged)"
        if name == "output":
            return "merge_mode null returns the two directions apart: expect forward_output and backward_output"
        if name.startswith(("forward_", "backward_")) and not block.bidirectional:
            return f"{name} exists only with bidirectional: true and return_state: true; this {layer} returns state_h" + (
                "/state_c" if block.has_cell_state else "")
        if not block.return_state:
            returned = "[output, state_h, state_c]" if block.has_cell_state else "[output, state_h]"
            if block.bidirectional:
                returned = "[output, forward_h, forward_c, backward_h, backward_c]" if block.has_cell_state else \
                    "[output, forward_h, backward_h]"
            return f"{name} exists only with return_state: true (then the layer returns {returned})"
        return f"a Bidirectional layer returns forward_h, forward_c, backward_h, backward_c, not {name}"

    def diagnose(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        return "keras-input-ndim" if name == "input" and len(expected) == 2 else "shape"

    def hint(self, k: int, name: str, expected: tuple, tensor: Tensor) -> str:
        block = self.blocks[k]
        if name in ("output", "forward_output", "backward_output") and len(expected) != len(tensor.dims):
            return ("; the output is (batch, units) without return_sequences, (batch, seq_len, units) with it "
                    f"(return_sequences is {str(block.return_sequences).lower()})")
        if name not in ("input", "output") and len(expected) == 3:
            return "; Keras states have no layer or direction axis: each is (batch, units)"
        return ""

    def rank_error(self, layer, dims, what: str) -> str:
        if layer.kind.startswith("global_") and len(dims) != 3:
            return (f"keras.layers.{'GlobalAveragePooling1D' if 'average' in layer.kind else 'GlobalMaxPooling1D'} "
                    f"expected ndim=3, found ndim={len(dims)} ({what} {described(dims)}): it pools over the time axis of a (batch, seq_len, "
                    "features) sequence (return_sequences: true)")
        return ""


def keras_settings(values: dict) -> KerasLSTM:
    """A checked Keras section (or block) as settings: the shape-free arguments apart."""
    fields = KerasArguments._fields
    return KerasLSTM(**{k: v for k, v in values.items() if k not in fields},
                     arguments=KerasArguments(**{k: v for k, v in values.items() if k in fields}))


def describe_keras(lstm: KerasLSTM) -> dict:
    """A Keras layer (or block) in `infer --as`'s framework-free words."""
    if lstm.bidirectional:
        direction, key = "bidirectional", "bidirectional"
    else:
        direction, key = ("reverse", "go_backwards") if lstm.go_backwards else ("forward", None)
    return {"cell": lstm.cell, "nonlinearity": "tanh", "reset_after": lstm.reset_after,
            "input": lstm.input_dim, "hidden": lstm.units, "layers": lstm.num_layers,
            "direction": direction, "direction_key": key, "batch_first": True, "bias": lstm.use_bias,
            "bias_key": "use_bias", "merge_mode": lstm.merge_mode if lstm.bidirectional else "concat",
            "return_sequences": lstm.return_sequences, "return_state": lstm.return_state, "source": "keras"}


def build_keras(spec: dict) -> KerasLSTM:
    return KerasLSTM(spec["input"], spec["hidden"], spec["layers"], return_sequences=True, return_state=True,
                     go_backwards=spec["direction"] == "reverse", use_bias=spec["bias"],
                     bidirectional=spec["direction"] == "bidirectional",
                     merge_mode="concat", cell=spec["cell"], reset_after=spec["reset_after"])


KERAS_TRANSLATING = Translating(
    describe=describe_keras, build=build_keras, input_data=lambda block, data: declared_data(block, data)[0],
    reset_key="reset_after", reset_words=("false", "true"), merge_refusal=None, directions_split=None,
    relu_rnn="keras.layers.SimpleRNN(activation='relu')")

KERAS = Framework(
    name="keras", section_doc="keras.layers.LSTM's (GRU's, SimpleRNN's) arguments.",
    label="Keras", article="a", keys=KERAS_KEYS, input_key="input_dim", hidden_key="units",
    choices={"merge_mode": MERGE_MODES}, foreign=FOREIGN, cell_only={"reset_after": "gru", "unit_forget_bias": "lstm"},
    legacy=KERAS_2, expect_names=EXPECT_NAMES, head_inputs=EXPECT_NAMES[1:], foreign_names=FOREIGN_NAMES,
    weighted={"dense": (("units", True), ("input_dim", False))}, in_key="input_dim", out_key="units", head_layer_keys=("use_bias", "activation"),
    pooling=("global_average_pooling1d", "global_max_pooling1d"), example_layer="dense: {units: 3}",
    foreign_layers={"linear": "dense", "gemm": "dense", "matmul": "dense"},
    lengths_user="the Keras mask (keras.layers.Masking or mask=)", input_name="keras.Input", unchecked=TORCH_ONLY,
    input_shape_keys=("input_shape", "batch_input_shape", "batch_shape"), sequences_optional=True,
    cell_class=lambda cell: cell.keras, module=lambda cell: "keras.layers." + cell.keras,
    operator=lambda cell: "keras.layers." + cell.keras, settings=keras_settings,
    handed_on=lambda block: block.out_features,
    matrix_axes="every bidirectional × return_sequences × return_state × num_layers", runs_forward=False,
    engine=infer_keras_config, context=KerasContext, check="check_keras", unit="layer",
    per_step_output="set return_sequences: true on the last LSTM",
    cell_names=CELL_NAMES, mapping_aliases={"neurons": "units", "return_seq": "return_sequences"},
    takes_unbatched=False, translating=KERAS_TRANSLATING,
    reads_around=False)
KerasContext.framework = KERAS
