"""The one interface every framework module fills in: what lstmshape knows of torch, Keras or
ONNX, so that no other module compares a framework's name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# The sections lstmshape checks for torch configs only ("data.KEY" for a data key): the model
# around the LSTM (a decoder, the DataLoader); Keras and ONNX configs holding one are refused (LS204)
TORCH_ONLY = ("decoder", "data.enforce_sorted", "data.dataset_size", "data.drop_last")
# `expect.target`: the shape of the targets the loss gets, held against the head's final output (LS141)
TARGET = "target"

# The cell switch's values in a Keras or ONNX config (any case) → (cell, the nonlinearity it
# implies: none): lstmshape's names, and Keras' class names
CELL_NAMES = {"lstm": ("lstm", None), "gru": ("gru", None), "rnn": ("rnn", None), "simplernn": ("rnn", None),
              "simple_rnn": ("rnn", None)}


@dataclass(frozen=True, eq=False)
class Translating:
    """What `infer --as` needs of a framework, as source or target of a translation.

    describe(lstm): a block's framework-free description (sizes, direction and its key,
    batch_first, bias and its key, the GRU's reset placement, the settings only this framework
    has; `source`: the framework's name); build(spec): the block as this framework's settings;
    input_data(block, data): the data a translation starts from (Keras: the input a layer
    declares). reset_key: the key choosing a GRU's reset placement, with its values (off, on) as
    the messages write them (None: only torch's arithmetic, reset after the matmul);
    merge_refusal: why a bidirectional layer cannot sum, multiply or average its directions (None:
    it can); directions_split: where each direction sits when they are left apart; relu_rnn: how
    an RNN with relu is built (None: nothing to say).
    """

    describe: Callable
    build: Callable
    input_data: Callable
    reset_key: str | None
    reset_words: tuple
    merge_refusal: str | None
    directions_split: str | None
    relu_rnn: str | None


@dataclass(frozen=True, eq=False)
class Framework:
    """One framework: its config words, its shape engine and what the rules read of its configs.

    name: the value of a config's `framework` key; label: how messages name it (torch, Keras,
    ONNX); unit: what it calls one recurrent block (torch's module, Keras' layer, ONNX's node: what
    the picture draws a block as); section_doc: what its `lstm` section holds; article: "a" or
    "an" before the name. keys: the `lstm` section's keys (settings.Key),
    input_key / hidden_key: its names for the input and hidden sizes; choices: key → the values
    it may take; foreign: another framework's key written here → what this one calls it;
    cell_only: key → the one cell that has it; legacy: a key of an older version → what to do
    instead (Keras 2's). expect_names / head_inputs: the tensor names an `expect` entry and
    head[0]'s `input` may use; foreign_names: another framework's tensor name → this one's;
    weighted: the head layers that change the features → their size keys (key, required);
    in_key / out_key: the weighted layer's input and output size keys, head_layer_keys its other
    keys beside `input`; pooling: head layers that
    drop the time axis; example_layer: a head layer as the messages show it; foreign_layers:
    another framework's layer → this one's. module: a cell (settings.Cell) → the class or
    operator that runs it, as a picture titles it (cell_class: its bare name; operator: as a
    message names it); lengths_user: what takes data.lengths; input_name: what the input is called
    where a message says it is always 3-D; unchecked: the sections (`data.KEY` for a data key)
    lstmshape checks for torch only; input_shape_keys: the keys that may declare the input (Keras);
    sequences_optional: whether a layer may return the last step alone (Keras's return_sequences:
    then it cannot feed the next block). settings(dict): the settings class built from a checked
    section; handed_on(block): the features a block hands the next one (its input size by
    default). matrix_axes: the axes `infer --matrix` runs through; runs_forward: whether the NumPy
    forward pass (--verify) and check --weights take its configs. engine(config, matrix, layers): the shapes
    (lstmshape.frameworks.infer); context(config): what the rules read; check: the name of the
    function a rule module checks this framework's configs with. cell_names: the values its
    `cell` switch takes (any case) → (cell, the nonlinearity the value implies, or None);
    mapping_aliases: the names of a setting only a config read through a mapping uses, folded into
    its canonical name when `lstm` is mapped whole (jaungiers' time-series configs: `neurons`,
    `return_seq`), not among `keys`' aliases: they are unambiguous in a layer list, not in every
    config. takes_unbatched: whether its input may leave out the batch axis (data.unbatched).
    translating: what `infer --as` needs of it (Translating). reads_around: whether the reader
    reads the model around the LSTM (joins, a decoder) for its configs. per_step_output: how its
    code makes the model's output one per time step (what LS141 suggests for per-step targets).
    """

    name: str
    label: str
    unit: str
    section_doc: str
    article: str
    keys: tuple
    input_key: str
    hidden_key: str
    choices: dict
    foreign: dict
    cell_only: dict
    legacy: dict
    expect_names: tuple
    head_inputs: tuple
    foreign_names: dict
    weighted: dict
    in_key: str
    out_key: str
    head_layer_keys: tuple
    pooling: tuple
    example_layer: str
    foreign_layers: dict
    lengths_user: str
    input_name: str
    unchecked: tuple
    input_shape_keys: tuple
    sequences_optional: bool
    cell_class: Callable
    module: Callable
    operator: Callable
    settings: Callable
    handed_on: Callable
    matrix_axes: str
    runs_forward: bool
    engine: Callable
    context: type
    check: str
    cell_names: dict
    mapping_aliases: dict
    takes_unbatched: bool
    translating: Translating
    reads_around: bool
    per_step_output: str

    @property
    def expect_keys(self) -> tuple:
        """What an `expect` entry may name: this framework's tensors, and the loss's `target`."""
        return self.expect_names + (TARGET,)

    def __repr__(self) -> str:
        return f"Framework({self.name!r})"
