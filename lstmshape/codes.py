"""Every problem code lstmshape can print, in one place: its id, name, severity and summary.

A code is a `str` ("LS007"), so it compares, sorts and serialises as the id it always was, and
carries its documentation. The rule modules (lstmshape/rules/lsNNN_*.py) hold the long
documentation with a failing and a passing example; the codes of `infer --as` (LS201, LS202) are
documented here, since no config file check produces them (and LS204, which no config of today's
format produces). `lstmshape rules` lists them all.
"""

from __future__ import annotations


class Code(str):
    """A problem code: the id itself, plus what `lstmshape rules` shows for it."""

    name: str
    severity: str
    summary: str
    doc: str

    def __new__(cls, id: str, name: str, severity: str, summary: str, doc: str = "") -> "Code":
        code = super().__new__(cls, id)
        code.name, code.severity, code.summary, code.doc = name, severity, summary, doc
        return code

    @property
    def id(self) -> str:
        return str(self)


# Reading the file (LS001–LS009)
INVALID_YAML = Code("LS001", "invalid-yaml", "error", "The file is not one safe, readable YAML document.")
DUPLICATE_KEY = Code("LS002", "duplicate-key", "error",
                     "A key appears twice in one mapping; YAML loaders keep only the last.")
WRONG_STRUCTURE = Code("LS003", "wrong-structure", "error",
                       "A section is not the mapping (or list) the format needs.")
UNKNOWN_KEY = Code("LS004", "unknown-key", "error", "A key lstmshape does not know: usually a typo.")
MISSING_KEY = Code("LS005", "missing-key", "error", "A required key (input_size, hidden_size) is absent.")
CONFLICTING_ALIAS = Code("LS006", "conflicting-alias", "error",
                         "A key and its alias are both given, with different values.")
WRONG_TYPE = Code("LS007", "wrong-type", "error",
                  "A value of the wrong type: e.g. 20.0 or '1e3' where an integer is needed.")
OUT_OF_RANGE = Code("LS008", "out-of-range", "error", "A value outside what torch.nn.LSTM accepts.")
DROPOUT_SINGLE_LAYER = Code("LS009", "dropout-single-layer", "warning",
                            "dropout > 0 with num_layers == 1 has no effect (torch warns).")
UNUSED_BATCH_SIZE = Code("LS010", "unused-batch-size", "warning",
                         "data.batch_size is given with unbatched: true, where the input has no batch axis.")

UNRESOLVED_VALUE = Code("LS011", "unresolved-value", "error",
                        "A value lstmshape reads is an interpolation, !ref or tagged object it cannot resolve.")
MAPPING_PATH = Code(
    "LS012", "mapping-path", "error",
    "A `--from` path (or a [tool.lstmshape] `from` path) is not in the file.",
    """A `--from` path (or a [tool.lstmshape] `from` path) is not in the file.

`--from TARGET=PATH` reads TARGET from PATH, a dot-separated key path from the document root
(integers index lists, `.` is the root). A path whose key is missing, or which runs through a list
by name or into a scalar, maps nothing: the problem is placed at the last part of the path that
exists, names the whole path and where the mapping was written, and suggests a close key.

Example: `lstmshape infer configs/foreign/encoder_section.yaml --from lstm=model.encodr`::

    configs/foreign/encoder_section.yaml:7:1: error[LS012] path 'model.encodr' of --from lstm=model.encodr is not in the file: 'model' has no key 'encodr'; did you mean 'encoder'?
""")

# Keras layer arguments, read (LS013–LS015)
INPUT_SHAPE_RANK = Code("LS013", "input-shape-rank", "error",
                        "A Keras input_shape / batch_input_shape does not give the layer (batch, timesteps, features).")
KERAS_2_ARGUMENT = Code("LS014", "keras-2-argument", "error",
                        "A Keras 2 argument that Keras 3's layer refuses (time_major).")
UNKNOWN_ACTIVATION = Code("LS015", "unknown-activation", "error",
                          "An activation or recurrent_activation that keras.activations does not know.")

# What a mapping leaves unread (LS016)
UNREAD_SIZE_KEY = Code("LS016", "unread-size-key", "warning",
                       "A key of an lstm section mapped whole looks like a size of the LSTM, but nothing reads it.")

# The shapes of the model (LS100–LS117)
STACK_INPUT_SIZE = Code("LS100", "stack-input-size", "error",
                        "A stacked block's input_size differs from the output features of the block before it.")
HEAD_IN_FEATURES = Code("LS101", "head-in-features", "error",
                        "The first head layer's in_features differs from the feature size of the LSTM tensor fed to it.")
HEAD_CHAIN = Code("LS102", "head-chain", "error",
                  "A head Linear layer's in_features differs from the out_features of the Linear before it.")
HN_CONCAT_UNIDIRECTIONAL = Code("LS103", "hn-concat-unidirectional", "error",
                                "The head is fed cat(hn[-2], hn[-1]) from a unidirectional LSTM.")
HN_LAST_BIDIRECTIONAL = Code("LS104", "hn-last-bidirectional", "warning",
                             "The head is fed hn[-1] of a bidirectional LSTM: the backward direction only.")
LAST_STEP_BIDIRECTIONAL = Code("LS105", "last-step-bidirectional", "warning",
                               "The head is fed the last time step of a bidirectional LSTM's output.")
LENGTHS_COUNT = Code("LS106", "lengths-count", "error",
                     "data.lengths does not give one length per sequence of the batch.")
LENGTHS_RANGE = Code("LS107", "lengths-range", "error", "A sequence length in data.lengths is not in 1..seq_len.")
LAST_STEP_PADDING = Code("LS108", "last-step-padding", "warning",
                         "The head is fed the last time step of a padded, variable-length batch.")
STACK_LAYOUT = Code("LS109", "stack-layout", "warning",
                    "Stacked blocks disagree on batch_first, so a block reads the one before it transposed.")
EXPECT_SHAPE = Code("LS110", "expect-shape", "error",
                    "A shape in `expect` differs from the shape the LSTM (torch, Keras or ONNX) produces or requires.")
STATE_BATCH_FIRST = Code("LS111", "state-batch-first", "error",
                         "An h0/c0/hn/cn shape in `expect` is written batch-first: (batch, D*num_layers, H).")
OUTPUT_FEATURES = Code("LS112", "output-features", "error",
                       "`expect.output` has hidden_size features where the LSTM gives num_directions × H_out.")
PROJ_SIZE_CONFUSION = Code("LS113", "proj-size-confusion", "error",
                           "proj_size on the wrong state: c0/cn keep hidden_size, h0/hn have proj_size features.")
SILENT_STATE_TRANSPOSE = Code("LS114", "silent-state-transpose", "warning",
                              "batch_size equals num_directions × num_layers: a transposed h0/c0 passes silently.")
SILENT_INPUT_TRANSPOSE = Code("LS115", "silent-input-transpose", "warning",
                              "batch_first with batch_size equal to seq_len: a transposed input passes silently.")
PACKED_OUTPUT_LENGTH = Code("LS116", "packed-output-length", "warning",
                            "`expect.output` has seq_len time steps, but a packed batch comes back with max(lengths).")
NO_CELL_STATE = Code("LS117", "no-cell-state", "error",
                     "`expect` gives c0 or cn for a GRU or RNN, which has no cell state.")

# Keras and ONNX: the model around the layer or node (LS118–LS125)
NOT_RETURNED = Code("LS118", "not-returned", "error",
                    "`expect` or the head names a tensor the configured Keras layer or ONNX node does not return.")
KERAS_INPUT_NDIM = Code("LS119", "keras-input-ndim", "error",
                        "A Keras LSTM is given 2-D input: it needs (batch, seq_len, features), 'expected ndim=3'.")
ONNX_Y_RANK = Code("LS120", "onnx-y-rank", "error",
                   "The ONNX node's 4-D Y is read as a 3-D sequence output (torch's output).")
LENGTHS_WITHOUT_SEQUENCE_LENS = Code("LS121", "lengths-without-sequence-lens", "error",
                                     "data.lengths is given but the ONNX node has no sequence_lens input.")
SEQUENCE_LENS_WITHOUT_LENGTHS = Code("LS122", "sequence-lens-without-lengths", "warning",
                                     "The ONNX node takes sequence_lens but data.lengths does not say them.")
DENSE_PER_TIME_STEP = Code("LS123", "dense-per-time-step", "warning",
                           "A Keras Dense is fed the 3-D sequence output: it applies per time step.")
HEAD_RESHAPE = Code("LS124", "head-reshape", "error",
                    "A head's reshape or transpose cannot apply to the tensor it is given (ONNX Reshape rules).")
HEAD_RANK = Code("LS125", "head-rank", "error",
                 "A head layer is given a tensor of a rank it cannot take (Gemm needs 2-D, pooling 3-D).")

# Keras layer arguments against the data (LS126–LS129)
INPUT_SHAPE_MISMATCH = Code("LS126", "input-shape-mismatch", "error",
                            "A Keras input_shape / batch_input_shape disagrees with input_dim or data.seq_len.")
STATEFUL_BATCH = Code("LS127", "stateful-batch", "error",
                      "A stateful Keras layer without one fixed batch size.")
BATCH_SHAPE_UNCHECKED = Code("LS128", "batch-shape-unchecked", "warning",
                             "batch_input_shape's batch differs from data.batch_size; Keras checks it only when stateful.")
STATEFUL_BIDIRECTIONAL_STATE = Code("LS129", "stateful-bidirectional-state", "error",
                                    "A stateful Bidirectional layer with return_state, which Keras 3 fails to build.")

# The model around the LSTM (LS130–LS139): joins between blocks, the data loader, seq2seq
JOIN_INPUT_SIZE = Code("LS130", "join-input-size", "error",
                       "A block's input_size differs from the features the join before it hands on.")
JOIN_IN_FEATURES = Code("LS131", "join-in-features", "error",
                        "A Linear in a join has in_features other than the features that reach it.")
MERGE_UNIDIRECTIONAL = Code("LS132", "merge-unidirectional", "error",
                            "A join or bridge merges two directions (sum, concat) of a unidirectional LSTM.")
LENGTHS_UNSORTED = Code("LS133", "lengths-unsorted", "error",
                        "data.enforce_sorted is true but data.lengths is not sorted in decreasing order.")
PARTIAL_LAST_BATCH = Code("LS134", "partial-last-batch", "error",
                          "h0/c0 are built for batch_size, but the last batch of each epoch is smaller.")
EMPTY_EPOCH = Code("LS135", "empty-epoch", "warning",
                   "drop_last is true and dataset_size is smaller than batch_size: the DataLoader yields no batch.")
DECODER_STATE_LAYERS = Code("LS136", "decoder-state-layers", "error",
                            "The encoder's final state has another number of rows than the decoder's h0/c0 needs.")
DECODER_DIRECTIONS_AS_LAYERS = Code("LS137", "decoder-directions-as-layers", "warning",
                                    "The encoder's state fits the decoder's rows, but directions land on layers.")
DECODER_STATE_SIZE = Code("LS138", "decoder-state-size", "error",
                          "The encoder's final state has other features than the decoder's h0/c0 needs.")
BRIDGE_IN_FEATURES = Code("LS139", "bridge-in-features", "error",
                          "A Linear in a decoder's bridge has in_features other than the state's features.")

# Frameworks and translation (LS201–LS203)
NOT_EXPRESSIBLE = Code(
    "LS201", "not-expressible", "error",
    "`infer --as`: a setting the target framework has no equivalent for.",
    """`infer --as`: a setting the target framework has no equivalent for.

Printed by `lstmshape infer CONFIG --as FRAMEWORK` at the setting that stops the translation,
which then exits 1: `proj_size` has no Keras or ONNX equivalent, `peepholes` and `input_forget`
exist only in ONNX, a reverse-only direction (`go_backwards`, `direction: reverse`) has none in
torch.nn.LSTM, and merge modes other than concat have none in torch. In a stack (`lstm` as a
list) each block is translated on its own and the message names the block (`lstm[1]: proj_size
8 ...`); one block the target cannot express stops the whole stack.

Example: `lstmshape infer configs/projection.yaml --as keras`::

    configs/projection.yaml:6:14: error[LS201] proj_size 256 has no equivalent in keras.layers.LSTM: it has no projection (weight_hr); h would have to keep hidden_size features
""")
TRANSLATION_NOTE = Code(
    "LS202", "translation-note", "note",
    "`infer --as`: how a setting carries over (a transpose, a flip, a split).",
    """`infer --as`: how a setting carries over (a transpose, a flip, a split).

Printed by `lstmshape infer CONFIG --as FRAMEWORK` for every setting whose meaning changes on the
way: batch_first becomes Keras's fixed (batch, seq, features) or ONNX's layout, torch's two bias
vectors become Keras's one, Keras returns only the last layer's states. A note never fails a run.

Example: `lstmshape infer configs/basic.yaml --as keras`::

    configs/basic.yaml:3:1: note[LS202] batch_first false: Keras input is always (batch, seq_len, features); transpose the first two axes
""")
NO_EFFECT = Code("LS203", "no-effect", "warning",
                 "A framework setting that has no effect with the other settings given.")
UNCHECKED_SECTION = Code(
    "LS204", "unchecked-section", "error",
    "A section lstmshape does not check for this framework: an error, never silently passed.",
    """A section lstmshape does not check for this framework: an error, never silently passed.

A gate that passes what it did not look at is worse than no gate: a config section that lstmshape
checks for torch configs but not for the config's framework is refused at that section instead of
being skipped. `head`, `expect` and `data.lengths` are checked in Keras's and ONNX's own terms; a
`decoder` section and the DataLoader keys `data.enforce_sorted`, `data.dataset_size`,
`data.drop_last` are checked for torch configs only, and refused in a keras or onnx config
(each Framework's `unchecked` in lstmshape.frameworks lists them).
""")
STACK_2D_INPUT = Code("LS205", "stack-2d-input", "error",
                      "A Keras block of a stack follows one that does not return sequences: it gets a 2-D input.")

# A config held against a weights file (LS301–LS307): `check --weights`, `inspect`
WEIGHTS_SHAPE_MISMATCH = Code(
    "LS301", "weights-shape-mismatch", "error",
    "A tensor of the checkpoint has another shape than the config gives it.",
    """A tensor of the checkpoint has another shape than the config gives it.

load_state_dict would stop with `size mismatch for NAME`. The message names the tensor, both
shapes, and every config setting whose value differs from the checkpoint's (input_size 80 vs 40;
`hidden_size 24 vs 20 and input_size 12 vs 10` where both do), at the first one's line and column. Reported by `lstmshape check CONFIG --weights FILE`.
""")
WEIGHTS_MISSING_TENSOR = Code(
    "LS302", "weights-missing-tensor", "error",
    "A tensor the config implies is not in the checkpoint.",
    """A tensor the config implies is not in the checkpoint.

load_state_dict(strict=True) would report it under `Missing key(s)`. Usually num_layers,
bidirectional, bias or proj_size is set higher in the config than the checkpoint was trained
with; the message names that setting, at its line and column.
""")
WEIGHTS_UNEXPECTED_TENSOR = Code(
    "LS303", "weights-unexpected-tensor", "error",
    "The checkpoint has a recurrent-layer tensor under the prefix that the config does not imply.",
    """The checkpoint has a recurrent-layer tensor under the prefix that the config does not imply.

load_state_dict(strict=True) would report it under `Unexpected key(s)`: the config has fewer
layers, no reverse direction, no bias or no projection where the checkpoint has them.
""")
WEIGHTS_UNREADABLE = Code(
    "LS304", "weights-unreadable", "error",
    "The weights file cannot be read: truncated, corrupt, not a state_dict, or unsafe to load.",
    """The weights file cannot be read: truncated, corrupt, not a state_dict, or unsafe to load.

Headers are read and checked against the file's real size; a torch file is only ever loaded
with torch.load(weights_only=True), so no code in it runs.
""")
WEIGHTS_NO_SUCH_PREFIX = Code(
    "LS305", "weights-no-such-prefix", "error",
    "No single LSTM, GRU or RNN to compare: --prefix names none, or the file holds several and none was chosen.",
    """No single LSTM, GRU or RNN to compare: --prefix names none, or the file holds several and none was chosen.

The message lists the prefixes under which the file has recurrent-layer tensors (naming each
one's cell); pass one with --prefix
(with or without its trailing dot).
""")
WEIGHTS_NOT_COMPARABLE = Code(
    "LS306", "weights-not-comparable", "error",
    "The config or the weights file is not one check --weights compares.",
    """The config or the weights file is not one check --weights compares.

check --weights holds one torch.nn.LSTM, GRU or RNN config (not a stack, not keras/onnx) against
torch state_dict names in a .pt/.pth/.bin, .safetensors or .npz file.
""")
WEIGHTS_INCOMPLETE_LSTM = Code(
    "LS307", "weights-incomplete-lstm", "error",
    "`inspect`: tensors named like a recurrent layer's that are not one whole LSTM, GRU or RNN.",
    """`inspect`: tensors named like a recurrent layer's that are not one whole LSTM, GRU or RNN.

A missing layer, a stray _reverse tensor or inconsistent sizes: lstmshape reports the set
instead of guessing the settings.
""")

ALL: tuple[Code, ...] = tuple(sorted((v for v in dict(globals()).values() if isinstance(v, Code)), key=str))


def lookup(code_or_name: str) -> Code | None:
    """A code by id (any case) or by name: `LS101`, `ls101`, `head-in-features`."""
    for code in ALL:
        if code_or_name.upper() == code or code_or_name.lower() == code.name:
            return code
    return None
