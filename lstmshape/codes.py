"""Every problem code lstmshape can print, in one place: its id, name, severity and summary.

A code is a `str` ("LS007"), so it compares, sorts and serialises as the id it always was, and
carries its documentation. A code that a rule module reports (lstmshape/rules/lsNNN_*.py) is
documented in that module's docstring, beside the check it documents. Every other code is
documented here: those the reader finds while reading a file (LS001–LS008, LS011, LS013–LS016,
LS203, LS205), with a failing and a passing example the tests run like a rule's; those of
`infer --as` (LS201, LS202) and of a config held against weights (LS301–LS307), with the
command's output; LS204, which no config of today's format produces.
`lstmshape.rules.documentation(code)` gives either; `lstmshape rules` lists them all.
"""

from __future__ import annotations


class Code(str):
    """A problem code: the id itself, plus what `lstmshape rules` shows for it."""

    name: str
    severity: str
    summary: str
    doc: str  # the summary, then the details: what `lstmshape rules CODE` prints for a code no rule module reports

    def __new__(cls, id: str, name: str, severity: str, summary: str, details: str = "") -> "Code":
        code = super().__new__(cls, id)
        code.name, code.severity, code.summary = name, severity, summary
        code.doc = f"{summary}\n\n{details}" if details else summary
        return code

    @property
    def id(self) -> str:
        return str(self)


# Reading the file (LS001–LS009)
INVALID_YAML = Code(
    "LS001", "invalid-yaml", "error",
    "The file is not one safe, readable YAML document.",
    """\
Reported at the parser's line and column for invalid YAML, and for everything that is not a
config at all: an empty file, non-UTF-8 bytes, a NUL byte (a binary file), more than one document,
a file over 1 MiB, nesting deeper than 64 levels, an alias expanding to more than 50,000 values
(a "billion laughs" bomb, refused without being expanded), a tag that would construct an object
(`!!python/object`: lstmshape constructs none), an unreadable file.

Failing example::

    lstm:
      input_size: [10
      hidden_size: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
""")
DUPLICATE_KEY = Code(
    "LS002", "duplicate-key", "error",
    "A key appears twice in one mapping; YAML loaders keep only the last.",
    """\
PyYAML and most loaders silently keep the last value, so the first one, often the one you are
reading, has no effect. Reported at the second key, with the line and column of the first.
Reading goes on with the last value, so the file's other problems are reported too.

In a file read through a mapping (`--from`, or a [tool.lstmshape] group) it is an error only on
a mapped path: a key the mapping reads, any key inside a section mapped whole, or a key a mapped
path runs through (`model:` twice under `--from lstm=model.encoder`). Elsewhere it is a warning:
lstmshape reads neither value, and the training script's loader keeps the last one as PyYAML does
(`--strict` still fails on it).

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      hidden_size: 40

Passing example::

    lstm:
      input_size: 10
      hidden_size: 40
""")
WRONG_STRUCTURE = Code(
    "LS003", "wrong-structure", "error",
    "A section is not the mapping (or list) the format needs.",
    """\
The top level is a mapping; `lstm` is a mapping of settings or a list of such mappings (a stack);
`data` is a mapping; `head` is a list of layers; `expect` is a mapping of tensor → list of
dimensions (a list of such mappings, one per block, for a stack).

Failing example::

    lstm: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
""")
UNKNOWN_KEY = Code(
    "LS004", "unknown-key", "error",
    "A key lstmshape does not know: usually a typo.",
    """\
An unknown key would be ignored by a training script too, silently: `bidirectinal: true` leaves
the LSTM unidirectional. The message suggests the closest known key.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectinal: true

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectional: true
""")
MISSING_KEY = Code(
    "LS005", "missing-key", "error",
    "A required key (input_size, hidden_size) is absent.",
    """\
`lstm` needs input_size and hidden_size (a stack's blocks after the first take input_size from the
block before); a head `linear` layer needs in_features and out_features.

Failing example::

    lstm:
      hidden_size: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
""")
CONFLICTING_ALIAS = Code(
    "LS006", "conflicting-alias", "error",
    "A key and its alias are both given, with different values.",
    """\
Aliases (feature_size for input_size, num_units for hidden_size, num_directions for
bidirectional, time_step for seq_len, ...) name the same setting; two different values for it
leave the reader guessing which one the code uses.

Failing example::

    lstm:
      input_size: 10
      feature_size: 12
      hidden_size: 20

Passing example::

    lstm:
      feature_size: 12
      hidden_size: 20
""")
WRONG_TYPE = Code(
    "LS007", "wrong-type", "error",
    "A value of the wrong type: e.g. 20.0 or '1e3' where an integer is needed.",
    """\
torch.nn.LSTM accepts `hidden_size=20.0` in its constructor and fails much later, deep inside the
forward pass; YAML reads `1e3` as a string. Sizes must be integers, flags booleans.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20.0

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
""")
OUT_OF_RANGE = Code(
    "LS008", "out-of-range", "error",
    "A value outside what torch.nn.LSTM accepts.",
    """\
Sizes are positive, dropout is in [0, 1], num_directions is 1 or 2, proj_size is smaller than
hidden_size, a head layer's `input` is one of output, last_step, hn_last, hn_concat.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      proj_size: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      proj_size: 8
""")
DROPOUT_SINGLE_LAYER = Code("LS009", "dropout-single-layer", "warning",
                            "dropout > 0 with num_layers == 1 has no effect (torch warns).")
UNUSED_BATCH_SIZE = Code("LS010", "unused-batch-size", "warning",
                         "data.batch_size is given with unbatched: true, where the input has no batch axis.")

UNRESOLVED_VALUE = Code(
    "LS011", "unresolved-value", "error",
    "A value lstmshape reads is an interpolation, !ref or tagged object it cannot resolve.",
    """\
Real configs spell some numbers indirectly: OmegaConf interpolations (`${model.d_model}`, relative
`${.d_model}`, resolved with the omegaconf library as Hydra and Lightning resolve them) and
HyperPyYAML references (`!ref <rnn_neurons>`). lstmshape resolves those it reads, in the file they
are written in. It reports, at the value: a key that is not in this file (Hydra may compose it
from another one), an interpolation cycle, a resolver call (`${oc.env:X}`, never run), Hydra's
mandatory `???`, a `!ref` expression (`!ref <a> * 3`, never evaluated) and a tagged object
(`!new:`, `!name:`, never constructed) where a number is needed. Give such a value with `--set`.

Failing example::

    lstm:
      input_size: 256
      hidden_size: ${.input_sise}

Passing example::

    lstm:
      input_size: 256
      hidden_size: ${.input_size}
""")
MAPPING_PATH = Code(
    "LS012", "mapping-path", "error",
    "A `--from` path (or a [tool.lstmshape] `from` path) is not in the file.",
    """\
`--from TARGET=PATH` reads TARGET from PATH, a key path from the document root (integers index
lists, -1 from the end, `.` is the root, `"a.b"` a key holding a dot, `[type=lstm]` filters a
list; the grammar: docs/checking-configs.md). A path whose key is missing, which runs through a
list by name or into a scalar, or whose filter selects nothing (or several elements where one is
needed) maps nothing: the problem is placed at the last part of the path that exists, names the
whole path and where the mapping was written, and suggests a close key (or how to quote one that
holds a dot). So is a list mapped to `lstm` that cannot be a stack (an element that is no
mapping, more than 1,000 blocks, sizes that do not match the blocks), and a TARGET that leads
into nothing in a list read from the file (`lstm.2.units` on a stack of two).

Example: `lstmshape infer configs/foreign/encoder_section.yaml --from lstm=model.encodr`::

    configs/foreign/encoder_section.yaml:7:1: error[LS012] path 'model.encodr' of --from lstm=model.encodr is not in the file: 'model' has no key 'encodr'; did you mean 'encoder'?
""")

# Keras layer arguments, read (LS013–LS015)
INPUT_SHAPE_RANK = Code(
    "LS013", "input-shape-rank", "error",
    "A Keras input_shape / batch_input_shape does not give the layer (batch, timesteps, features).",
    """\
keras.layers.LSTM (GRU, SimpleRNN) reads a 3-D input. `input_shape` (as in Keras 2's
`LSTM(32, input_shape=(10, 64))`, or `keras.Input(shape=(10, 64))`) leaves the batch out: Keras adds
it. So `input_shape: [15]`, a sequence with no time axis, reaches the layer 2-D and Keras raises
"expected ndim=3, found ndim=2": reshape the data to (batch, 15, 1) (15 steps of one feature) or
(batch, 1, 15) (one step of 15 features). A 3-element input_shape that includes the batch reaches
it 4-D; `batch_input_shape` (Keras 3: `keras.Input(batch_shape=...)`) is the one that starts with
the batch. The features (last size) must be known: Keras builds the kernel from them. Give one
of the two keys, not both.

Failing example::

    framework: keras
    lstm:
      units: 32
      input_shape: [15]

Passing example::

    framework: keras
    lstm:
      units: 32
      input_shape: [15, 1]
""")
KERAS_2_ARGUMENT = Code(
    "LS014", "keras-2-argument", "error",
    "A Keras 2 argument that Keras 3's layer refuses (time_major).",
    """\
Keras 2's recurrent layers took `time_major=True` for (timesteps, batch, features) input. Keras 3
has no time-major layout: `keras.layers.LSTM(4, time_major=True)` (or `False`) raises
"Unrecognized keyword arguments passed to LSTM". The input is always (batch, timesteps,
features): remove the key, and transpose time-major data before the layer with
`keras.ops.transpose(x, (1, 0, 2))`.

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      time_major: true

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
""")
UNKNOWN_ACTIVATION = Code(
    "LS015", "unknown-activation", "error",
    "An activation or recurrent_activation that keras.activations does not know.",
    """\
Keras looks activation names up case-sensitively (`keras.activations.get`): `Tanh`, `ReLU` or
`hardsigmoid` raise "Could not interpret activation function identifier". The message names the
close match (`tanh`, `relu`, `hard_sigmoid`); null is the linear activation. A non-default
activation changes no shape, but torch.nn.LSTM has fixed tanh and sigmoid, so `infer --as torch`
refuses it (LS201).

Failing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      activation: ReLU

Passing example::

    framework: keras
    lstm:
      input_dim: 64
      units: 32
      activation: relu
""")

# What a mapping leaves unread (LS016)
UNREAD_SIZE_KEY = Code(
    "LS016", "unread-size-key", "warning",
    "A key of an lstm section mapped whole looks like a size of the LSTM, but nothing reads it.",
    """\
`--from lstm=PATH` (or a [tool.lstmshape] group's `from = {lstm = "PATH"}`) takes from the
section at PATH only the settings lstmshape knows by name (input_size, hidden_size, num_layers and
their aliases); the project's own names are left alone. When one of those is the LSTM's size, the
check runs on a default or on the wrong number: NeMo's `pred_rnn_layers: 2` leaves num_layers at
1, ML-Agents' `memory.memory_size` is never seen. Reported at the key's line and column, with the
`--from lstm.KEY=PATH` that reads it (KEY from the key's words: `*layers*`, `depth` and `n_layer`
→ num_layers; `*proj*` → proj_size; `*input*`, `*feat*`, `in` → input_size; `*hidden*`,
`*unit*`, `*memory*`, `*neuron*`, `*cells*`, `rnn`, `lstm`, `gru`, `layer` → hidden_size; else
any KEY; Keras names them input_dim and units). Only for sections mapped whole: never for
lstmshape's own configs, which name every key they hold (LS004).

Which keys: any key inside the section, nested ones too, that (1) holds an integer, a list of
them, or a reference still to resolve (`${...}`, `!ref <...>`, `???`); (2) has in its name
`layer`, `hidden`, `unit`, `size`, `dim`, `memory`, `neuron`, `feat`, `cells` or `depth`, or
starts with the word `n` or `num` (`n_mels`, `num_blocks`); (3) is not another part's: no key on
its way within the section has a word containing batch, vocab, epoch, step, worker, gpu, seed,
shard, buffer, cache, queue, sample, kernel, filt, stride, conv, pool, patch, image, class, label,
beam, window, fft, token, optim, sched, attention or iter, nor a word that is out, output, outputs,
head, heads, lr, hop, win, img, att or mlp; and (4) nothing reads it: not taken by name, not
mapped by another `--from`, not reached by an interpolation or `!ref` of a value read. No warning
where the setting it would map is already mapped by name (`--from/--set lstm.KEY`): a choice.

Flagged (under `--from lstm=model.decoder.prednet`): `pred_rnn_layers: 2`, `pred_hidden:
${model.model_defaults.pred_hidden}`; under `--from lstm=behaviors.Hallway.network_settings`:
`hidden_units: 128`, `memory: {memory_size: 256}`, `hidden_sizes: [128, 64]`, `n_cells: 64`.
Not flagged: `batch_size: 32`, `vocab_size: 500`, `num_workers: 4`, `econv_layers: 3`,
`output_size: 10`, `head: {hidden_dim: 64}`, `dropout: 0.2`, `pin_memory: true`,
`hidden_act: relu`, `sequence_length: 64`, `feat_dim: 40` when `input_size: ${feat_dim}` is read.

Failing example, mapped with `--from lstm=decoder.prednet`::

    decoder:
      prednet:
        hidden_size: 640
        input_size: 640
        pred_rnn_layers: 2

Passing example, mapped with `--from lstm=decoder.prednet --from lstm.num_layers=decoder.prednet.pred_rnn_layers`::

    decoder:
      prednet:
        hidden_size: 640
        input_size: 640
        pred_rnn_layers: 2
""")

# What another format's file holds that lstmshape does not read the way the training program does (LS017, LS018)
UNSET_EXT_VAR = Code(
    "LS017", "unset-ext-var", "warning",
    "A jsonnet file reads std.extVar(NAME) and no --ext-var NAME=VALUE gives it: it reads as an empty string.",
    """\
allennlp and other jsonnet users fill external variables from the environment when they train;
lstmshape reads no environment value, so each one comes from `--ext-var NAME=VALUE` (or the
`ext-vars` table of a [[tool.lstmshape.configs]] group) or reads as "". The warning names the
variable at the place that reads it: give it, so that the file is evaluated as training evaluates it.

Example: `lstmshape infer configs/foreign/allennlp_sst.jsonnet --from lstm=model.seq2vec_encoder --ext-var EMBEDDING_DIM=300`::

    configs/foreign/allennlp_sst.jsonnet:18:20: warning[LS017] std.extVar('TRAIN_DATA_PATH') is not given: it reads as an empty string; give it with --ext-var TRAIN_DATA_PATH=VALUE
""")
NOT_FOLLOWED = Code(
    "LS018", "not-followed", "note",
    "A gin file's import or include line, not followed: lstmshape reads the file's bindings as data.",
    """\
gin imports the modules a config names so that their configurables register; lstmshape imports
nothing, and needs nothing registered to read a binding's value. An `include` pulls another gin
file's bindings in: lstmshape reads one file, so a value bound only in the included file is not
in it (check that file on its own). A note never fails a run.

Example: `lstmshape infer configs/foreign/trax_rnnlm.gin --from lstm.hidden_size=RNNLM.d_model --from lstm.input_size=RNNLM.d_model`::

    configs/foreign/trax_rnnlm.gin:2:1: note[LS018] import lines are not followed (trax.layers, trax.models, trax.optimizers): lstmshape imports nothing and reads the bindings as data
""")

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
# The calls around the LSTM, from real bug reports (LS140, LS141)
STATE_STRUCTURE = Code("LS140", "state-structure", "error",
                       "The initial state the code passes (`data.state`) does not fit the cell.")
TARGET_SHAPE = Code("LS141", "target-shape", "error",
                    "The head's final output does not have the shape of the targets the loss gets (`expect.target`).")

# Frameworks and translation (LS201–LS203)
NOT_EXPRESSIBLE = Code(
    "LS201", "not-expressible", "error",
    "`infer --as`: a setting the target framework has no equivalent for.",
    """\
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
    """\
Printed by `lstmshape infer CONFIG --as FRAMEWORK` for every setting whose meaning changes on the
way: batch_first becomes Keras's fixed (batch, seq, features) or ONNX's layout, torch's two bias
vectors become Keras's one, Keras returns only the last layer's states. A note never fails a run.

Example: `lstmshape infer configs/basic.yaml --as keras`::

    configs/basic.yaml:3:1: note[LS202] batch_first false: Keras input is always (batch, seq_len, features); transpose the first two axes
""")
NO_EFFECT = Code(
    "LS203", "no-effect", "warning",
    "A framework setting that has no effect with the other settings given.",
    """\
Keras's `merge_mode` is an argument of `keras.layers.Bidirectional`: on a unidirectional LSTM it
does nothing, and a reader of the config would think the output is merged.

Failing example::

    framework: keras
    lstm:
      input_dim: 10
      units: 20
      merge_mode: sum

Passing example::

    framework: keras
    lstm:
      input_dim: 10
      units: 20
      bidirectional: true
      merge_mode: sum
""")
UNCHECKED_SECTION = Code(
    "LS204", "unchecked-section", "error",
    "A section lstmshape does not check for this framework: an error, never silently passed.",
    """\
A gate that passes what it did not look at is worse than no gate: a config section that lstmshape
checks for torch configs but not for the config's framework is refused at that section instead of
being skipped. `head`, `expect` and `data.lengths` are checked in Keras's and ONNX's own terms; a
`decoder` section and the DataLoader keys `data.enforce_sorted`, `data.dataset_size`,
`data.drop_last` are checked for torch configs only, and refused in a keras or onnx config
(each Framework's `unchecked` in lstmshape.frameworks lists them).
""")
STACK_2D_INPUT = Code(
    "LS205", "stack-2d-input", "error",
    "A Keras block of a stack follows one that does not return sequences: it gets a 2-D input.",
    """\
With `lstm` given as a list of Keras blocks (layers called one after the other), a layer without
`return_sequences` returns only its last step, (batch, units), and the next recurrent layer needs
(batch, seq_len, features): Keras refuses to build it ("expected ndim=3, found ndim=2"). Only the
last block may leave `return_sequences` false. Found while reading the config, at the earlier
block's `return_sequences` (or the block, when the default false applies); the message names both
blocks.

Failing example::

    framework: keras
    lstm:
      - {input_dim: 10, units: 20}
      - {units: 8}

Passing example::

    framework: keras
    lstm:
      - {input_dim: 10, units: 20, return_sequences: true}
      - {units: 8}
""")

# A config held against a weights file (LS301–LS307): `check --weights`, `inspect`
WEIGHTS_SHAPE_MISMATCH = Code(
    "LS301", "weights-shape-mismatch", "error",
    "A tensor of the checkpoint has another shape than the config gives it.",
    """\
load_state_dict would stop with `size mismatch for NAME`. The message names the tensor, both
shapes, and every config setting whose value differs from the checkpoint's (input_size 80 vs 40;
`hidden_size 24 vs 20 and input_size 12 vs 10` where both do), at the first one's line and column. Reported by `lstmshape check CONFIG --weights FILE`.
""")
WEIGHTS_MISSING_TENSOR = Code(
    "LS302", "weights-missing-tensor", "error",
    "A tensor the config implies is not in the checkpoint.",
    """\
load_state_dict(strict=True) would report it under `Missing key(s)`. Usually num_layers,
bidirectional, bias or proj_size is set higher in the config than the checkpoint was trained
with; the message names that setting, at its line and column.
""")
WEIGHTS_UNEXPECTED_TENSOR = Code(
    "LS303", "weights-unexpected-tensor", "error",
    "The checkpoint has a recurrent-layer tensor under the prefix that the config does not imply.",
    """\
load_state_dict(strict=True) would report it under `Unexpected key(s)`: the config has fewer
layers, no reverse direction, no bias or no projection where the checkpoint has them.
""")
WEIGHTS_UNREADABLE = Code(
    "LS304", "weights-unreadable", "error",
    "The weights file cannot be read: truncated, corrupt, not a state_dict, or unsafe to load.",
    """\
Headers are read and checked against the file's real size; a torch file is only ever loaded
with torch.load(weights_only=True), so no code in it runs.
""")
WEIGHTS_NO_SUCH_PREFIX = Code(
    "LS305", "weights-no-such-prefix", "error",
    "No single LSTM, GRU or RNN to compare: --prefix names none, or the file holds several and none was chosen.",
    """\
The message lists the prefixes under which the file has recurrent-layer tensors (naming each
one's cell); pass one with --prefix
(with or without its trailing dot).
""")
WEIGHTS_NOT_COMPARABLE = Code(
    "LS306", "weights-not-comparable", "error",
    "The config or the weights file is not one check --weights compares.",
    """\
check --weights holds one torch.nn.LSTM, GRU or RNN config (not a stack, not keras/onnx) against
torch state_dict names in a .pt/.pth/.bin, .safetensors or .npz file.
""")
WEIGHTS_INCOMPLETE_LSTM = Code(
    "LS307", "weights-incomplete-lstm", "error",
    "`inspect`: tensors named like a recurrent layer's that are not one whole LSTM, GRU or RNN.",
    """\
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
