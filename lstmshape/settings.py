"""What a config says, as plain frozen data: the LSTM's settings in its framework's own terms,
the data it is called with, and the model around it (head layers, expected shapes).

No behaviour beyond a few derived sizes: reading these from a file is `lstmshape.read`'s job,
working out shapes is `lstmshape.shapes`'s, judging them is `lstmshape.rules`'.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional, Union

Dim = Union[int, str]  # a concrete size, or a symbol such as "N"

FRAMEWORKS = ("torch", "keras", "onnx")
MERGE_MODES = ("concat", "sum", "mul", "ave", None)  # keras.layers.Bidirectional
DIRECTIONS = ("forward", "reverse", "bidirectional")  # the ONNX LSTM node's `direction`
NONLINEARITIES = ("tanh", "relu")  # torch.nn.RNN's `nonlinearity`
# The names keras.activations.get takes (Keras 3's ALL_OBJECTS_DICT: case-sensitive; null = linear);
# tests/frameworks/test_keras.py holds this list against the installed Keras and a recorded golden
KERAS_ACTIVATIONS = (
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
)


# data.state: the names of the initial state tensors, each framework's included (the state is
# called the same in every config: h0, c0); "none" (or null) says no state is passed
STATE_NAMES = {"h0": "h0", "h": "h0", "hx": "h0", "hidden": "h0", "state_h": "h0", "initial_h": "h0",
               "c0": "c0", "c": "c0", "cx": "c0", "cell": "c0", "state_c": "c0", "initial_c": "c0"}
NO_STATE = "none"
MAX_STATE = 4  # a bidirectional Keras LSTM's [h, c, h_back, c_back]


class Key(NamedTuple):
    """One config key: its canonical name, the aliases people use for it, and its kind."""

    name: str
    kind: str  # positive_int | nonneg_int | bool | fraction | rate | dim | directions | lengths | choice |
    # activation | input_shape
    aliases: tuple[str, ...] = ()
    required: bool = False
    doc: str = ""  # what the setting means, for `lstmshape schema` (an editor's hover and completion)


class Cell(namedtuple("Cell", "name gates has_cell_state torch keras keras_name onnx torch_gates keras_gates "
                               "onnx_gates")):
    """What one kind of recurrent cell means for every shape: said here once, read by every
    engine, rule and converter. `gates` is the number of hidden_size-row blocks in each weight;
    `has_cell_state`: only the LSTM carries c beside h; `torch`, `keras`, `onnx`: the module,
    layer class and operator (nn.GRU, keras.layers.GRU, ONNX GRU); `keras_name`: the Keras layer's
    default name and its cell's weight-path prefix; `*_gates`: the gate letters in each
    framework's own row order. (A plain namedtuple: typing.NamedTuple would compile every string
    annotation at import, on the start-up path of `check`.)"""

    __slots__ = ()


CELLS = {
    "lstm": Cell("lstm", 4, True, "LSTM", "LSTM", "lstm", "LSTM", "i, f, g, o", "i, f, c, o", "i, o, f, c"),
    "gru": Cell("gru", 3, False, "GRU", "GRU", "gru", "GRU", "r, z, n", "z, r, h", "z, r, h"),
    "rnn": Cell("rnn", 1, False, "RNN", "SimpleRNN", "simple_rnn", "RNN", "h", "h", "h"),
}


class CellMixin:
    """The cell of a frozen settings class with a `cell` field (lstm, gru or rnn)."""

    cell: str

    @property
    def kind(self) -> Cell:
        return CELLS[self.cell]

    @property
    def gates(self) -> int:
        return CELLS[self.cell].gates

    @property
    def has_cell_state(self) -> bool:
        return CELLS[self.cell].has_cell_state


@dataclass(frozen=True)
class TorchLSTM(CellMixin):
    """The constructor arguments of torch.nn.LSTM (or nn.GRU / nn.RNN, by `cell`)."""

    input_size: int
    hidden_size: int
    num_layers: int = 1
    bidirectional: bool = False
    batch_first: bool = False
    proj_size: int = 0
    bias: bool = True
    dropout: float = 0.0
    cell: str = "lstm"  # lstm, gru or rnn
    nonlinearity: str = "tanh"  # nn.RNN only

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        """Features of h (and of each direction's output): proj_size when projecting."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size




class KerasArguments(namedtuple("KerasArguments", "input_shape batch_input_shape dropout recurrent_dropout activation "
                                                   "recurrent_activation unit_forget_bias stateful unroll",
                                 defaults=(None, None, 0.0, 0.0, "tanh", "sigmoid", True, False, False))):
    """The arguments of keras.layers.LSTM (GRU, SimpleRNN) that change no shape or weight, with Keras
    3's defaults, and the input as declared: input_shape (timesteps, features), as in
    `LSTM(32, input_shape=(10, 64))` or `keras.Input(shape=(10, 64))`; batch_input_shape (batch,
    timesteps, features), `keras.Input(batch_shape=...)`; None in them = any size. activation None
    is linear; recurrent_activation is LSTM's and GRU's, unit_forget_bias LSTM's; stateful keeps h
    (and c) as (batch, units) variables between calls. (A namedtuple, not dataclass fields: it
    keeps the import of `check`'s start-up path as cheap as before.)"""

    __slots__ = ()


@dataclass(frozen=True)
class KerasLSTM(CellMixin):
    """The arguments of keras.layers.LSTM, GRU or SimpleRNN (+ Bidirectional), and the stack depth."""

    input_dim: int
    units: int
    num_layers: int = 1
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    use_bias: bool = True
    bidirectional: bool = False
    merge_mode: Optional[str] = "concat"
    cell: str = "lstm"
    reset_after: bool = True  # keras.layers.GRU only: two bias rows, torch's arithmetic
    arguments: KerasArguments = KerasArguments()  # the layer arguments that change no shape

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def declared_input(self) -> Optional[tuple]:
        """(batch, timesteps, features) as input_shape / batch_input_shape declare it (None = any),
        or None when neither is given."""
        args = self.arguments
        if args.batch_input_shape is not None:
            return tuple(args.batch_input_shape)
        return (None, *args.input_shape) if args.input_shape is not None else None

    @property
    def out_features(self) -> int:
        """Features of each layer's (merged) output."""
        return 2 * self.units if self.bidirectional and self.merge_mode == "concat" else self.units


@dataclass(frozen=True)
class OnnxLSTM(CellMixin):
    """The attributes (and optional inputs) of the ONNX LSTM, GRU or RNN node, and the stack depth."""

    input_size: int
    hidden_size: int
    num_layers: int = 1
    direction: str = "forward"
    layout: int = 0
    input_forget: bool = False
    peepholes: bool = False
    bias: bool = True
    sequence_lens: bool = False
    cell: str = "lstm"
    linear_before_reset: int = 0  # GRU only: 1 is torch's arithmetic

    @property
    def num_directions(self) -> int:
        return 2 if self.direction == "bidirectional" else 1


LSTMSettings = Union[TorchLSTM, KerasLSTM, OnnxLSTM]


@dataclass(frozen=True)
class DataConfig:
    """The input the LSTM is called with. Omitted sizes stay symbolic."""

    batch_size: Dim = "N"
    seq_len: Dim = "L"
    unbatched: bool = False
    # a variable-length (packed) batch: one length per sequence; None when every sequence is seq_len
    lengths: tuple[int, ...] | None = None
    # pack_padded_sequence's enforce_sorted, when the config says (None: not said)
    enforce_sorted: bool | None = None
    # the DataLoader: sequences per epoch (None: not said) and whether a partial last batch is dropped
    dataset_size: int | None = None
    drop_last: bool = False
    # the initial state the code passes (None: not said): "none" (no state: zeros), one tensor
    # ("h0", as in `lstm(x, h0)`) or a tuple of them (("h0", "c0"), as in `lstm(x, (h0, c0))`)
    state: str | tuple[str, ...] | None = None


@dataclass(frozen=True)
class HeadLayer:
    """One layer of the head. Only `linear` (Keras `dense`, ONNX `gemm`/`matmul`) changes the
    feature size; pooling and `flatten` change the rank; the rest pass the tensor through."""

    kind: str
    in_features: int | None = None  # Keras: dense's input_dim (optional); ONNX: K
    out_features: int | None = None  # Keras: dense's units; ONNX: N
    input: str = "output"  # which LSTM tensor feeds it (head[0] only): torch, Keras or ONNX names
    parts: tuple = field(default=(), compare=False)  # where the layer is written: ("head", 0)
    # ONNX: what is applied to the input first, in order: ("transpose", perm), ("reshape", shape)
    ops: tuple = ()


def joined_features(before: TorchLSTM, join: tuple) -> int:
    """The features a join hands the next block (its input_size): before's num_directions × H_out,
    halved by `sum` (the two directions added), set by each `linear`'s out_features."""
    features = before.num_directions * before.h_out
    for layer in join:
        features = features // 2 if layer.kind == "sum" else layer.out_features if layer.kind == "linear" else features
    return features


class Decoder(namedtuple("Decoder", "lstm bridge seq_len", defaults=((), "T"))):
    """A seq2seq decoder whose h0/c0 are the encoder's final (hn, cn), after the `bridge` layers
    (a tuple of HeadLayer: concat, sum, linear, activations) the code applies to them. `lstm`: its
    TorchLSTM; its input is its own (target embeddings of `seq_len` steps), not the encoder's
    output. (A plain namedtuple, as Cell: a dataclass compiles its methods at import, on the
    start-up path of `check`.)"""

    __slots__ = ()


@dataclass(frozen=True)
class Config:
    """One config file, read: `blocks` holds `framework`'s settings, one per LSTM of the stack, in
    order (a single LSTM is a stack of one)."""

    path: str
    blocks: tuple  # LSTMSettings, at least one
    data: DataConfig = DataConfig()
    # where each setting was written: ("lstm", "hidden_size") → its path in the document
    origins: dict = field(default_factory=dict, compare=False, repr=False)
    source: Any = field(default=None, compare=False, repr=False)  # the yamlload.YamlDoc it came from
    framework: str = "torch"  # torch, keras or onnx
    # head: layers fed by the last block; expect: per block, the shapes the surrounding code
    # assumes (tensor name → shape)
    head: tuple[HeadLayer, ...] = ()
    expect: tuple[dict, ...] = ()
    # per block of a stack: the layers between block k-1 and block k (() for plain concatenation,
    # always () for block 0); decoder: the LSTM the (last) block's final state initialises
    joins: tuple[tuple[HeadLayer, ...], ...] = ()
    decoder: Optional[Decoder] = None
    # `lstm` was written as a list (messages then say lstm[0], not lstm, even for one block)
    listed: bool = False
