"""Tests of lstmshape.read.mapping: `--from`/`--set` building a config out of the user's own file.

End to end through helpers.run (`check`, `infer`, `draw`), on configs written here in the shapes
real projects use (their bytes compared after every run), from the command line and from a
[[tool.lstmshape.configs]] group: computed values, paths through lists, lists that become
stacks, expect and decoder targets, problems and usage errors at their file:line:col.
Parameter counts are held against torch.nn.LSTM (live) and Keras's 4·units·(input_dim + units + 1)
(proven in tests/frameworks/test_keras.py); the configs of tests/real_configs/ against
tests/golden/real_configs.json, recorded by tests/golden/record_real_configs.py (re-run live).
What a mapping leaves behind: LS016 for an unread size key, LS002 for a duplicate key. Hostile
mapped files through the real console script (helpers.run_bounded).
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import GOLDEN_DIR, REPO, recorder, run, run_bounded, write
from lstmshape import infer
from lstmshape.cli.commands import mapping_entries
from lstmshape.codes import UNREAD_SIZE_KEY
from lstmshape.read import mapping, read_config
from lstmshape.settings import TorchLSTM
from lstmshape.yamlload import parse_yaml


LIGHTNING = """\
# A Lightning-style config: the classifier after the LSTM has its own section
seed: 7
model:
  encoder:
    input_dim: 40
    hidden_dim: 128
    n_layers: 2
    bidirectional: true
    batch_first: true
  classifier:
    in_features: 256
    dropout: 0.1
  num_classes: 10
data:
  batch_size: 16
"""


HEAD = "head=[{linear: {in_features: 0, out_features: 0, input: hn_concat}}]"


LIGHTNING_MAP = ["--from", "lstm=model.encoder", "--set", HEAD,
                 "--from", "head.0.linear.in_features=model.classifier.in_features",
                 "--from", "head.0.linear.out_features=model.num_classes"]


LIGHTNING_GROUP = """\
[tool.lstmshape.configs.from]
lstm = "model.encoder"
"head.0.linear.in_features" = "model.classifier.in_features"
"head.0.linear.out_features" = "model.num_classes"
[tool.lstmshape.configs.set]
head = [{linear = {in_features = 0, out_features = 0, input = "hn_concat"}}]
"""


MLAGENTS = """\
# ML-Agents trainer config: the LSTM's h and c are packed into one memory vector
behaviors:
  Hallway2:
    trainer_type: ppo
    hyperparameters:
      batch_size: 128
      buffer_size: 1024
    network_settings:
      normalize: false
      hidden_units: 128
      num_layers: 2
      memory:
        sequence_length: 64
        memory_size: 256
"""


ML = "behaviors.Hallway2.network_settings"


MLAGENTS_MAP = ["--from", f"lstm.hidden_size={ML}.memory.memory_size // 2",
                "--from", f"lstm.input_size={ML}.hidden_units", "--from", f"data.seq_len={ML}.memory.sequence_length",
                "--set", "lstm.batch_first=true"]


MLAGENTS_GROUP = f"""\
[tool.lstmshape.configs.from]
"lstm.hidden_size" = "{ML}.memory.memory_size // 2"
"lstm.input_size" = "{ML}.hidden_units"
"data.seq_len" = "{ML}.memory.sequence_length"
[tool.lstmshape.configs.set]
"lstm.batch_first" = true
"""


JOEY = """\
# Joey NMT-style config: the decoder's LSTM reads the embedding and the previous attention vector
name: "deen_lstm"
training:
  batch_size: 80
model:
  encoder:
    rnn_type: "lstm"
    embeddings:
      embedding_dim: 620
    hidden_size: 1000
    bidirectional: true
  decoder:
    rnn_type: "lstm"
    embeddings:
      embedding_dim: 620
    hidden_size: 1000
    num_layers: 1
    input_feeding: true
"""


JOEY_MAP = ["--from", "lstm.input_size=model.decoder.embeddings.embedding_dim + model.decoder.hidden_size",
            "--from", "lstm.hidden_size=model.decoder.hidden_size", "--from", "data.batch_size=training.batch_size"]


JOEY_GROUP = """\
[tool.lstmshape.configs.from]
"lstm.input_size" = "model.decoder.embeddings.embedding_dim + model.decoder.hidden_size"
"lstm.hidden_size" = "model.decoder.hidden_size"
"data.batch_size" = "training.batch_size"
"""


RNNT = """\
# MLPerf RNN-T-style config: after the time-stacking layer the encoder's LSTM reads factor x hidden
rnnt:
  rnn_type: "lstm"
  encoder_n_hidden: 1024
  encoder_pre_rnn_layers: 2
  encoder_stack_time_factor: 2
  encoder_post_rnn_layers: 3
  pred_n_hidden: 320
  forget_gate_bias: 1.0
"""


RNNT_MAP = ["--from", "lstm.input_size=rnnt.encoder_stack_time_factor * rnnt.encoder_n_hidden",
            "--from", "lstm.hidden_size=rnnt.encoder_n_hidden",
            "--from", "lstm.num_layers=rnnt.encoder_post_rnn_layers"]


RNNT_GROUP = """\
[tool.lstmshape.configs.from]
"lstm.input_size" = "rnnt.encoder_stack_time_factor * rnnt.encoder_n_hidden"
"lstm.hidden_size" = "rnnt.encoder_n_hidden"
"lstm.num_layers" = "rnnt.encoder_post_rnn_layers"
"""


NMT = """\
{
  "attention": "",
  "encoder_type": "bi",
  "num_units": 512,
  "num_encoder_layers": 4,
  "num_decoder_layers": 4,
  "src_max_len": 50,
  "batch_size": 128,
  "unit_type": "lstm"
}
"""


NMT_MAP = ["--from", "lstm.num_layers=num_encoder_layers // 2", "--from", "lstm.hidden_size=num_units",
           "--from", "lstm.input_size=num_units", "--set", "lstm.bidirectional=true"]


NMT_GROUP = """\
set = {"lstm.bidirectional" = true}
[tool.lstmshape.configs.from]
"lstm.num_layers" = "num_encoder_layers // 2"
"lstm.hidden_size" = "num_units"
"lstm.input_size" = "num_units"
"""


HABITAT = """\
# habitat-baselines-style config: the state encoder reads the visual features plus two more
RL:
  PPO:
    hidden_size: 512
    rnn_type: LSTM
    num_recurrent_layers: 2
    clip_param: 0.2
"""


HABITAT_MAP = ["--from", "lstm.input_size=RL.PPO.hidden_size + 2", "--from", "lstm.hidden_size=RL.PPO.hidden_size",
               "--from", "lstm.num_layers=RL.PPO.num_recurrent_layers"]


HABITAT_GROUP = """\
[tool.lstmshape.configs.from]
"lstm.input_size" = "RL.PPO.hidden_size + 2"
"lstm.hidden_size" = "RL.PPO.hidden_size"
"lstm.num_layers" = "RL.PPO.num_recurrent_layers"
"""


RLLIB = """\
# RLlib tuned-example-style config: the LSTM wraps the last fully connected layer
cartpole-lstm:
  env: StatelessCartPole
  run: PPO
  config:
    framework: torch
    model:
      fcnet_hiddens: [256, 64]
      use_lstm: true
      lstm_cell_size: 32
      max_seq_len: 20
"""


RL = "cartpole-lstm.config.model"


RLLIB_MAP = ["--from", f"lstm.input_size={RL}.fcnet_hiddens.-1", "--from", f"lstm.hidden_size={RL}.lstm_cell_size",
             "--from", f"data.seq_len={RL}.max_seq_len", "--set", "lstm.batch_first=true"]


RLLIB_GROUP = f"""\
[tool.lstmshape.configs.from]
"lstm.input_size" = "{RL}.fcnet_hiddens.-1"
"lstm.hidden_size" = "{RL}.lstm_cell_size"
"data.seq_len" = "{RL}.max_seq_len"
[tool.lstmshape.configs.set]
"lstm.batch_first" = true
"""


SEQ2SEQ = """\
# google/seq2seq-style config: keys that hold dots
model: AttentionSeq2Seq
model_params:
  attention.class: seq2seq.decoders.attention.AttentionLayerBahdanau
  embedding.dim: 256
  encoder.class: seq2seq.encoders.BidirectionalRNNEncoder
  encoder.params:
    rnn_cell:
      cell_class: LSTMCell
      cell_params:
        num_units: 128
      num_layers: 1
"""


SEQ2SEQ_MAP = ["--from", 'lstm.input_size=model_params."embedding.dim"',
               "--from", 'lstm.hidden_size=model_params."encoder.params".rnn_cell.cell_params.num_units',
               "--set", "lstm.bidirectional=true"]


SEQ2SEQ_GROUP = """\
[tool.lstmshape.configs.from]
"lstm.input_size" = 'model_params."embedding.dim"'
"lstm.hidden_size" = 'model_params."encoder.params".rnn_cell.cell_params.num_units'
[tool.lstmshape.configs.set]
"lstm.bidirectional" = true
"""


JAUNGIERS = """\
{
  "data": {"filename": "sinewave.csv", "columns": ["sinewave"], "sequence_length": 50, "normalise": false},
  "training": {"epochs": 2, "batch_size": 32},
  "model": {
    "loss": "mse",
    "optimizer": "adam",
    "layers": [
      {"type": "lstm", "neurons": 50, "input_timesteps": 49, "input_dim": 1, "return_seq": true},
      {"type": "dropout", "rate": 0.05},
      {"type": "lstm", "neurons": 100, "return_seq": false},
      {"type": "dropout", "rate": 0.05},
      {"type": "dense", "neurons": 1, "activation": "linear"}
    ]
  }
}
"""


JAUNGIERS_MAP = ["--set", "framework=keras", "--from", "lstm=model.layers[type=lstm]",
                 "--from", "data.seq_len=model.layers[type=lstm].0.input_timesteps",
                 "--from", "data.batch_size=training.batch_size",
                 "--set", "head=[{dense: {units: 0}}]", "--from", "head.0.dense.units=model.layers[type=dense].neurons"]


JAUNGIERS_GROUP = """\
[tool.lstmshape.configs.from]
lstm = "model.layers[type=lstm]"
"data.seq_len" = "model.layers[type=lstm].0.input_timesteps"
"data.batch_size" = "training.batch_size"
"head.0.dense.units" = "model.layers[type=dense].neurons"
[tool.lstmshape.configs.set]
framework = "keras"
head = [{dense = {units = 0}}]
"""


TELEMANOM = """\
# telemanom-style config: one LSTM per channel, its layer sizes as a list
batch_size: 70
window_size: 30
dropout: 0.3
lstm_batch_size: 64
epochs: 35
layers: [80, 60]
l_s: 250
n_predictions: 10
"""


TELEMANOM_MAP = ["--set", "framework=keras", "--set", "lstm.input_dim=25", "--from", "lstm.units=layers",
                 "--set", "lstm.return_sequences=true", "--set", "lstm.1.return_sequences=false",
                 "--from", "data.seq_len=l_s", "--from", "data.batch_size=lstm_batch_size",
                 "--set", "head=[{dense: {units: 0}}]", "--from", "head.0.dense.units=n_predictions"]


TELEMANOM_GROUP = """\
[tool.lstmshape.configs.from]
"lstm.units" = "layers"
"data.seq_len" = "l_s"
"data.batch_size" = "lstm_batch_size"
"head.0.dense.units" = "n_predictions"
[tool.lstmshape.configs.set]
framework = "keras"
"lstm.input_dim" = 25
"lstm.return_sequences" = true
"lstm.1.return_sequences" = false
head = [{dense = {units = 0}}]
"""


# name → (file name, text, options, group body, blocks as (framework, input, hidden, layers, directions))
CASES = {
    "lightning-head": ("train.yaml", LIGHTNING, LIGHTNING_MAP, LIGHTNING_GROUP, [("torch", 40, 128, 2, 2)]),
    "mlagents-memory": ("Hallway.yaml", MLAGENTS, MLAGENTS_MAP, MLAGENTS_GROUP, [("torch", 128, 128, 1, 1)]),
    "joey-input-feeding": ("lstm.yaml", JOEY, JOEY_MAP, JOEY_GROUP, [("torch", 1620, 1000, 1, 1)]),
    "rnnt-stacked-time": ("rnnt.yaml", RNNT, RNNT_MAP, RNNT_GROUP, [("torch", 2048, 1024, 3, 1)]),
    "nmt-both-directions": ("hparams.json", NMT, NMT_MAP, NMT_GROUP, [("torch", 512, 512, 2, 2)]),
    "habitat-plus-two": ("ppo.yaml", HABITAT, HABITAT_MAP, HABITAT_GROUP, [("torch", 514, 512, 2, 1)]),
    "rllib-last-hidden": ("tuned.yaml", RLLIB, RLLIB_MAP, RLLIB_GROUP, [("torch", 64, 32, 1, 1)]),
    "seq2seq-dotted-keys": ("nmt_small.yml", SEQ2SEQ, SEQ2SEQ_MAP, SEQ2SEQ_GROUP, [("torch", 256, 128, 1, 2)]),
    "jaungiers-layer-list": ("config.json", JAUNGIERS, JAUNGIERS_MAP, JAUNGIERS_GROUP,
                             [("keras", 1, 50, 1, 1), ("keras", 50, 100, 1, 1)]),
    "telemanom-size-list": ("config.yaml", TELEMANOM, TELEMANOM_MAP, TELEMANOM_GROUP,
                            [("keras", 25, 80, 1, 1), ("keras", 80, 60, 1, 1)]),
}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def infer_json(*args, cwd=None) -> dict:
    result = run("infer", *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr + result.stdout[-2000:]
    return json.loads(result.stdout)


def expected_params(torch, framework: str, input_size: int, hidden: int, layers: int, directions: int) -> int:
    if framework == "keras":
        return 4 * hidden * (input_size + hidden + 1)
    module = torch.nn.LSTM(input_size, hidden, layers, bidirectional=directions == 2)
    return sum(p.numel() for p in module.parameters())


def group(files: str, body: str) -> str:
    return f'[[tool.lstmshape.configs]]\nfiles = ["{files}"]\n{body}'


def place(text: str, pattern: str) -> str:
    """`line:col` of group 1 of `pattern`'s first match in `text`."""
    match = re.search(pattern, text, re.M)
    line = text.count("\n", 0, match.start(1)) + 1
    return f"{line}:{match.start(1) - text.rfind(chr(10), 0, match.start(1))}"


# name → (file text, options, where: a pattern whose group 1 is the place, the problem after `file:line:col: `)
PROBLEMS = {
    "head-disagrees": (LIGHTNING.replace("in_features: 256", "in_features: 128"), LIGHTNING_MAP, r"in_features: (128)",
                       "error[LS101] head[0].in_features is 128 but cat(hn[-2], hn[-1]) has 256 features"),
    "remainder": (MLAGENTS.replace("memory_size: 256", "memory_size: 255"), MLAGENTS_MAP, r"memory_size: (255)",
                  "error[LS008] --from lstm.hidden_size=behaviors.Hallway2.network_settings.memory.memory_size // 2: "
                  "behaviors.Hallway2.network_settings.memory.memory_size // 2 is 255 // 2, which leaves a remainder "
                  "of 1; a size is a whole number"),
    "boolean-operand": (MLAGENTS, ["--from", f"lstm.hidden_size={ML}.normalize * 2", "--set", "lstm.input_size=4"],
                        r"normalize: (false)",
                        "error[LS007] --from lstm.hidden_size=behaviors.Hallway2.network_settings.normalize * 2: "
                        "'behaviors.Hallway2.network_settings.normalize' is boolean false; the expression computes "
                        "with integers only"),
    "float-operand": (HABITAT.replace("hidden_size: 512", "hidden_size: 512.0"), HABITAT_MAP,
                      r"hidden_size: (512\.0)",
                      "error[LS007] --from lstm.input_size=RL.PPO.hidden_size + 2: 'RL.PPO.hidden_size' is "
                      "float 512.0"),
    "division-by-zero": (RNNT.replace("encoder_stack_time_factor: 2", "encoder_stack_time_factor: 0"),
                         ["--from", "lstm.input_size=rnnt.encoder_n_hidden // rnnt.encoder_stack_time_factor",
                          "--set", "lstm.hidden_size=8"], r"encoder_n_hidden: (1024)",
                         "error[LS008] --from lstm.input_size=rnnt.encoder_n_hidden // rnnt.encoder_stack_time_factor: "
                         "rnnt.encoder_n_hidden // rnnt.encoder_stack_time_factor is 1024 // 0, which divides by zero"),
    "operand-missing": (RNNT, ["--from", "lstm.input_size=rnnt.encoder_n_hiden * 2", "--set", "lstm.hidden_size=8"],
                        r"^(rnnt):",
                        "error[LS012] path 'rnnt.encoder_n_hiden' of --from lstm.input_size=rnnt.encoder_n_hiden * 2 "
                        "is not in the file: 'rnnt' has no key 'encoder_n_hiden'; did you mean 'encoder_n_hidden'?"),
    "index-past-the-end": (RLLIB, ["--from", f"lstm.input_size={RL}.fcnet_hiddens.-3", "--set", "lstm.hidden_size=8"],
                           r"(fcnet_hiddens):",
                           "error[LS012] path 'cartpole-lstm.config.model.fcnet_hiddens.-3' of --from "
                           "lstm.input_size=cartpole-lstm.config.model.fcnet_hiddens.-3 is not in the file: "
                           "'cartpole-lstm.config.model.fcnet_hiddens' is a list of 2; index it with 0..1 (or -1..-2 "
                           "from the end)"),
    "dotted-key-unquoted": (SEQ2SEQ, ["--from", "lstm.input_size=model_params.embedding.dim", "--set",
                                      "lstm.hidden_size=8"], r"^(model_params):",
                            "error[LS012] path 'model_params.embedding.dim' of --from lstm.input_size="
                            "model_params.embedding.dim is not in the file: 'model_params' has no key 'embedding'; the "
                            "key 'embedding.dim' holds a dot: quote it, model_params.\"embedding.dim\""),
    "filter-no-match": (JAUNGIERS, ["--set", "framework=keras", "--from", "lstm=model.layers[type=gru]"],
                        r'("layers"):',
                        "error[LS012] path 'model.layers[type=gru]' of --from lstm=model.layers[type=gru] is not "
                        "in the file: no element of 'model.layers' has type: gru (its elements have type: dense, "
                        "dropout, lstm)"),
    "filter-several": (JAUNGIERS, ["--set", "framework=keras", "--from", "lstm.units=model.layers[type=lstm].neurons",
                                   "--set", "lstm.input_dim=1"], r'("layers"):',
                       "error[LS012] path 'model.layers[type=lstm].neurons' of --from "
                       "lstm.units=model.layers[type=lstm].neurons is not in the file: 'model.layers[type=lstm]' "
                       "selects 2 elements, and 'neurons' needs one: index the selection (.0) or filter further"),
    "filter-on-a-mapping": (LIGHTNING, ["--from", "lstm=model[type=lstm]"], r"^(model):",
                            "error[LS012] path 'model[type=lstm]' of --from lstm=model[type=lstm] is not in the "
                            "file: 'model' is a mapping; a filter [type=lstm] selects from a list"),
    "sizes-not-blocks": (TELEMANOM, ["--set", "lstm=[{input_size: 4}]", "--from", "lstm.hidden_size=layers"],
                         r"^layers: (\[)",
                         "error[LS012] path 'layers' of --from lstm.hidden_size=layers is a list of 2 sizes, but "
                         "lstm is a stack of 1 blocks"),
    "list-element-not-a-block": (TELEMANOM, ["--from", "lstm=layers"], r"^layers: \[(80)",
                                 "error[LS012] path 'layers' of --from lstm=layers is a scalar (80) at element 0; "
                                 "expected a mapping of lstm settings per block"),
    "stack-index-past-file-list": (JAUNGIERS, ["--set", "framework=keras", "--from", "lstm=model.layers[type=lstm]",
                                               "--set", "lstm.2.units=3"], r'"layers": (\[)',
                                   "error[LS012] TARGET 'lstm.2.units' of --set lstm.2.units=3 leads into nothing: "
                                   "'lstm' is a list of 2, which has no element 2"),
}


USAGE = {
    "head-not-given": (["--from", "head.0.linear.in_features=model.classifier.in_features"],
                       "--from head.0.linear.in_features=model.classifier.in_features: TARGET "
                       "'head.0.linear.in_features' leads into nothing: 'head' is not given; give the list first"),
    "index-past-the-end": (["--set", HEAD, "--from", "head.1.linear.in_features=model.classifier.in_features"],
                           "--from head.1.linear.in_features=model.classifier.in_features: TARGET "
                           "'head.1.linear.in_features' leads into nothing: 'head' is a list of 1, which has no "
                           "element 1"),
    "into-a-scalar": (["--set", "head=[relu]", "--from", "head.0.linear.in_features=model.classifier.in_features"],
                      "'head.0' is a scalar (string 'relu'), which holds no 'linear'"),
    "head-by-name": (["--from", "head.linear=model.classifier"], "'head' is a list of layers: index it"),
    "unknown-section": (["--from", "heads.0=model.classifier"], "unknown TARGET 'heads.0'"),
    "target-filter": (["--from", "lstm[type=lstm]=model.encoder"], "--from lstm[type=lstm]=model.encoder: TARGET "
                      "'lstm[type' names one place in the lstmshape config: a filter [KEY=VALUE] belongs in PATH"),
    "unknown-block-key": (["--set", "lstm.1.hiden_size=3"], "'lstm' has no setting 'hiden_size'; did you mean "
                                                            "'lstm.hidden_size'?"),
    "framework-deeper": (["--set", "framework.name=keras"], "'framework' is one value"),
    "decoder-key": (["--set", "decoder.lstmm.hidden_size=3"], "'decoder' has no 'lstmm'"),
    "expression-syntax": (["--from", "lstm.hidden_size=model.encoder.hidden_dim /2"],
                          "PATH: expected an operator (+, -, *, //) at column 26 of "
                          "'model.encoder.hidden_dim /2', found '/'"),
    "literal-remainder": (["--from", "lstm.hidden_size=7 // 2"], "--from lstm.hidden_size=7 // 2: 7 // 2 is 7 // 2, "
                                                                 "which leaves a remainder of 1"),
    "set-data-scalar": (["--set", "data=3"], "--set data=3: data takes a mapping of settings"),
    "set-tag": (["--set", "head=[!relu x]"], "VALUE holds a tagged value (!relu)"),
    "set-python-tag": (["--set", "head=!!python/object:os.system x"], "--set head=!!python/object:os.system x: VALUE "
                                                                     "is not a YAML value"),
}


def hostile_file(tmp_path):
    big = ", ".join(["8"] * 20_000)  # within the loader's 50,000 values, past MAX_BLOCKS
    blocks = ", ".join(["{type: lstm, neurons: 8}"] * 4_000)
    return write(tmp_path, "h.yaml", f"a: 99999\nsizes: [{big}]\nlayers: [{blocks}]\nflag: true\n")


HOSTILE = {
    "long-expression": (["--from", "lstm.hidden_size=" + "2*" * 60_000 + "2"], 2, "characters long"),
    "huge-literal": (["--from", "lstm.hidden_size=a * " + "9" * 100_000], 2, "characters long"),
    "long-literal": (["--from", "lstm.hidden_size=a * " + "9" * 500], 2, "has 500 digits; at most 30"),
    "deep-parentheses": (["--from", "lstm.hidden_size=" + "(" * 400 + "a" + ")" * 400], 2, "nest at most 16"),
    "product-of-operands": (["--from", "lstm.hidden_size=" + " * ".join(["a"] * 60), "--set", "lstm.input_size=2"],
                            1, "comes to a number of more than 30 digits"),
    "many-segments": (["--from", "lstm.hidden_size=" + ".".join(["a"] * 400)], 2, "at most 64 segments"),
    "sizes-past-max-blocks": (["--from", "lstm.hidden_size=sizes", "--set", "lstm.input_size=2"], 1,
                              "is a list of 20,000 sizes; a stack has 1 to 1,000 blocks"),
    "filter-past-max-blocks": (["--from", "lstm=layers[type=lstm]"], 1,
                               "is a list of 4,000; a stack has 1 to 1,000 blocks"),
    "filter-on-a-long-list": (["--from", "lstm.hidden_size=layers[type=gru]", "--set", "lstm.input_size=2"], 1,
                              "no element of 'layers' has type: gru"),
    "set-alias-bomb": (["--set", "head=[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], "
                                 "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], "
                                 "[*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]"], 2, "VALUE"),
    "set-long": (["--set", "head=[" + "relu, " * 20_000 + "]"], 2,
                 "… (120,007 characters): VALUE is 120,002 characters long"),
    "control-characters": (["--from", "lstm.hidden_size=a\x1b\x07.b", "--set", "lstm.input_size=2"], 1,
                           "has no key 'a\\x1b\\x07'"),
    "control-characters-usage": (["--from", "lstm.hidden_size=a\x1b[31m.b\x07"], 2, "expected '=' in a filter"),
    "boolean-in-product": (["--from", "lstm.hidden_size=flag * 2", "--set", "lstm.input_size=2"], 1,
                           "'flag' is boolean true"),
}


NEMO_LSTM_CTC_BPE = """\
# the shape of NeMo's examples/asr/conf/lstm/lstm_ctc_bpe.yaml (written for this test)
model:
  encoder:
    _target_: nemo.collections.asr.modules.RNNEncoder
    feat_in: 80
    n_layers: 8
    d_model: 2048
    proj_size: 640  # summed over both directions
    rnn_type: lstm
    bidirectional: true
"""


# the mapping docs/checking-configs.md gives for it
NEMO_FROM = ["lstm.input_size=model.encoder.proj_size", "lstm.hidden_size=model.encoder.d_model",
             "lstm.total_proj_size=model.encoder.proj_size", "lstm.bidirectional=model.encoder.bidirectional"]


RECORDER = recorder("record_real_configs")


GOLDEN = json.loads((GOLDEN_DIR / "real_configs.json").read_text())


REAL_CASES = {case["name"]: case for case in RECORDER.CASES}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def infer_json_of(path, *args, cwd=REPO):
    result = run("infer", path, *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


MAPPING_USAGE = {
    "unknown-target": (["--from", "lstmm=model"], "--from lstmm=model: unknown TARGET 'lstmm'"),
    "unknown-key": (["--set", "lstm.hiden_size=3"], "--set lstm.hiden_size=3: 'lstm' has no setting 'hiden_size'; "
                                                    "did you mean 'lstm.hidden_size'?"),
    "no-equals": (["--from", "lstm"], "--from lstm: expected TARGET=PATH"),
    "empty-path-part": (["--from", "lstm=model..encoder"], "--from lstm=model..encoder: PATH: expected a key, an "
                                                           "index or a quoted key at column 7 of 'model..encoder'"),
    "set-a-section": (["--set", "lstm=3"], "--set lstm=3: lstm takes a mapping of settings (or a list of them: "
                                           "a stack)"),
    "set-tagged": (["--set", "lstm.input_size=!x 1"], "VALUE holds a tagged value (!x)"),
    "set-bad-yaml": (["--set", "lstm.input_size=[1"], "--set lstm.input_size=[1: VALUE is not a YAML value"),
}


MAPPING_PROBLEMS = {
    "missing-path": (["--from", "lstm=model.encodr"],
                     "configs/foreign/encoder_section.yaml:7:1: error[LS012] path 'model.encodr' of --from "
                     "lstm=model.encodr is not in the file: 'model' has no key 'encodr'; did you mean 'encoder'?"),
    "through-a-scalar": (["--from", "lstm=seed.x"],
                         "configs/foreign/encoder_section.yaml:3:1: error[LS012] path 'seed.x' of --from lstm=seed.x "
                         "is not in the file: 'seed' is a scalar (42), which has no key 'x'"),
    "section-is-a-scalar": (["--from", "lstm=seed"],
                            "configs/foreign/encoder_section.yaml:3:7: error[LS012] path 'seed' of --from lstm=seed "
                            "is a scalar (42); expected a mapping of lstm settings"),
    "wrong-type-set": (["--from", "lstm=model.encoder", "--set", "lstm.dropout=high"],
                       "--set:1:14: error[LS007] dropout is not a number, got string 'high'"),
    "wrong-type-mapped": (["--from", "lstm=model.encoder", "--from", "lstm.batch_first=trainer.precision"],
                          "configs/foreign/encoder_section.yaml:6:14: error[LS007] batch_first is not a boolean "
                          "(true or false), got 16"),
}


LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>\w+)\[(?P<code>LS\d{3})\] (?P<message>.*)$")


NEMO = """\
# NeMo-style transducer config (shape of examples/asr/conf/contextnet_rnnt/contextnet_rnnt.yaml)
name: ContextNet-Transducer
model:
  sample_rate: 16000
  model_defaults:
    enc_hidden: 640
    pred_hidden: 640
    joint_hidden: 640
  train_ds:
    manifest_filepath: ???
    batch_size: 16
  decoder:
    _target_: nemo.collections.asr.modules.RNNTDecoder
    normalization_mode: null
    random_state_sampling: false
    blank_as_pad: true
    prednet:
      pred_hidden: ${model.model_defaults.pred_hidden}
      pred_rnn_layers: 2
      t_max: null
      dropout: 0.2
"""


NEMO_MAP = ("--from", "lstm=model.decoder.prednet", "--from", "lstm.hidden_size=model.decoder.prednet.pred_hidden",
            "--set", "lstm.input_size=640")


MLAGENTS_WARNED = """\
# ML-Agents trainer config (shape of config/ppo/Hallway.yaml): an LSTM memory on an MLP body
behaviors:
  Hallway:
    trainer_type: ppo
    hyperparameters:
      batch_size: 128
      buffer_size: 1024
      learning_rate: 0.0003
      num_epoch: 3
    network_settings:
      normalize: false
      hidden_units: 128
      num_layers: 2
      vis_encode_type: simple
      memory:
        sequence_length: 64
        memory_size: 256
    reward_signals:
      extrinsic:
        gamma: 0.99
        strength: 1.0
    max_steps: 10000000
    time_horizon: 64
"""


MLAGENTS_SECTION = "behaviors.Hallway.network_settings"


EASYOCR = """\
# EasyOCR trainer config (shape of trainer/config_files/en_filtered_config.yaml)
experiment_name: 'en_filtered'
train_data: 'all_data'
manualSeed: 1111
workers: 6
batch_size: 32
num_iter: 300000
lr: 1.
grad_clip: 5
batch_max_length: 34
imgH: 64
imgW: 600
rgb: False
contrast_adjust: False
sensitive: True
PAD: True
contrast_adjust: 0.0
data_filtering_off: False
Transformation: 'None'
FeatureExtraction: 'VGG'
SequenceModeling: 'BiLSTM'
Prediction: 'CTC'
input_channel: 1
output_channel: 256
hidden_size: 256
"""


EASYOCR_MAP = ("--from", "lstm.hidden_size=hidden_size", "--from", "lstm.input_size=output_channel",
               "--set", "lstm.bidirectional=true")


def problems(result) -> list[dict]:
    """Every problem line a run printed (check: stdout, infer: stderr), parsed."""
    return [m.groupdict() for line in (result.stdout + result.stderr).splitlines() if (m := LINE.match(line))]


def at(found: list[dict], code: str) -> list[tuple[int, int, str]]:
    return [(int(p["line"]), int(p["col"]), p["severity"]) for p in found if p["code"] == code]


# what the rule's documentation lists as flagged and not (UNREAD_SIZE_KEY in lstmshape/codes.py)
FLAGGED = [("pred_rnn_layers: 2", "num_layers"), ("pred_hidden: ${model.pred_hidden}", "hidden_size"),
           ("hidden_units: 128", "hidden_size"), ("memory: {memory_size: 256}", "hidden_size"),
           ("hidden_sizes: [128, 64]", "hidden_size"), ("n_cells: 64", "hidden_size"),
           ("feat_in: 80", "input_size"), ("layer_size: 64", "hidden_size"), ("n_layer: 3", "num_layers"),
           ("projection_dim: 8", "proj_size"), ("depth: 3", "num_layers"), ("predRnnLayers: 2", "num_layers"),
           ("n_mels: 80", None), ("embed_dim: 128", None), ("layers: [{hidden: 64}]", "hidden_size"),
           ("rnn: !new:torch.nn.LSTM {hidden: 64}", "hidden_size"), ("elayers: !ref <n>", "num_layers")]


NOT_FLAGGED = ["batch_size: 32", "vocab_size: 500", "num_workers: 4", "econv_layers: 3", "output_size: 10",
               "head: {hidden_dim: 64}", "dropout: 0.2", "pin_memory: true", "hidden_act: relu",
               "sequence_length: 64", "num_iter: 1000", "attention: {dim: 128}", "hidden_size: 16",
               "memory: null", "classifier_hidden: 64"]


def unread(entry_text: str) -> list:
    doc = parse_yaml(f"n: 3\nmodel:\n  rnn:\n    input_size: 8\n    {entry_text}\n", "m.yaml")
    mapped, _ = mapping.apply(doc, [mapping.from_option("lstm=model.rnn")])
    return [p for p in mapped.problems if p.code == "LS016"]


EXAMPLE = re.compile(r"^(Failing|Passing) example, mapped with `([^`]+)`::\n\n((?:(?:    .*)?\n)+)", re.M)


HOSTILE_MAPPED = {
    "50k-duplicates-unmapped": ("lstm: {input_size: 3, hidden_size: 4}\n" + "k: 1\n" * 49_990, ()),
    "50k-duplicates-outside": ("lstm: {input_size: 3, hidden_size: 4}\n" + "k: 1\n" * 49_990,
                               ("--from", "lstm=lstm")),
    "50k-duplicates-inside": ("enc:\n  input_size: 3\n  hidden_size: 4\n" + "  k: 1\n" * 49_990,
                              ("--from", "lstm=enc")),
    "50k-unread-sizes": ("enc:\n  input_size: 3\n  hidden_size: 4\n"
                         + "".join(f"  n_h{i}: 1\n" for i in range(49_990)), ("--from", "lstm=enc")),
    "deep-unread-sizes": ("enc:\n  input_size: 3\n  hidden_size: 4\n  x:\n" + "".join(
        "  " * (d + 2) + f"d{d}:\n" + "  " * (d + 3) + "n_units: 1\n" for d in range(55)), ("--from", "lstm=enc")),
    "reference-fan-out": ("enc:\n  input_size: 3\n  hidden_size: \"" + "".join(f"${{r{i}}}" for i in range(20_000))
                          + "\"\n" + "".join(f"r{i}: ${{r{i + 1}}}\n" for i in range(20_000)), ("--from", "lstm=enc")),
}


@pytest.mark.parametrize("how", ["options", "project"])
@pytest.mark.parametrize("case", CASES)
def test_real_shapes_are_mapped(tmp_path, torch, case, how):
    name, text, options, body, blocks = CASES[case]
    path = write(tmp_path, name, text)
    before = digest(path)
    if how == "project":
        write(tmp_path, "pyproject.toml", group(name, body))
        options = []
    checked = run("check", name, *options, cwd=tmp_path)
    assert (checked.returncode, checked.stdout) == (0, "1 file OK\n"), checked.stdout + checked.stderr
    report = infer_json(name, *options, cwd=tmp_path)
    assert [r["num_params"] for r in report["results"]] == [expected_params(torch, *b) for b in blocks]
    drawn = run("draw", name, "-o", tmp_path / "net.svg", *options, cwd=tmp_path)
    assert drawn.returncode == 0 and "<svg" in (tmp_path / "net.svg").read_text(), drawn.stderr
    if how == "project":
        assert run("check", cwd=tmp_path).stdout == "1 file OK\n"  # the project's files, no argument
    assert digest(path) == before


def test_a_computed_value_names_its_expression_and_the_value_it_reads(tmp_path):
    path = write(tmp_path, "lstm.yaml", JOEY)
    sources = infer_json(path, *JOEY_MAP)["sources"]
    assert sources["lstm.input_size"] == {"value": 1620, "from": "model.decoder.embeddings.embedding_dim + "
                                          "model.decoder.hidden_size", "file": str(path), "line": 15, "column": 22}
    assert sources["lstm.hidden_size"]["line"] == 16


def test_a_stack_from_a_list_keeps_every_place(tmp_path):
    path = write(tmp_path, "config.json", JAUNGIERS)
    report = infer_json(path, *JAUNGIERS_MAP)
    sources = report["sources"]
    assert sources["lstm[0].units"]["line"] == 8 and sources["lstm[1].units"]["line"] == 10
    assert sources["lstm[0].return_sequences"]["value"] is True
    assert sources["lstm[1].return_sequences"]["value"] is False
    assert [r["block"] for r in report["results"]] == [0, 1]


def test_a_list_of_sizes_gives_each_block_its_own(tmp_path):
    path = write(tmp_path, "config.yaml", TELEMANOM)
    sources = infer_json(path, *TELEMANOM_MAP)["sources"]
    assert [(sources[f"lstm[{k}].units"]["value"], sources[f"lstm[{k}].units"]["column"]) for k in (0, 1)] == \
        [(80, 10), (60, 14)]
    assert sources["lstm[0].input_dim"]["from"] == "--set lstm.input_dim=25"  # the first block's only
    assert sources["lstm[1].input_dim"]["value"] == 80  # the block before's output


def test_torch_sizes_list(tmp_path, torch):
    path = write(tmp_path, "c.yaml", "model:\n  hidden_sizes: [64, 32, 16]\n  n_features: 12\n")
    report = infer_json(path, "--from", "lstm.hidden_size=model.hidden_sizes", "--from",
                        "lstm.input_size=model.n_features", "--set", "lstm.batch_first=true")
    assert [r["num_params"] for r in report["results"]] == [
        expected_params(torch, "torch", i, h, 1, 1) for i, h in ((12, 64), (64, 32), (32, 16))]


@pytest.mark.parametrize("case", PROBLEMS)
def test_mapping_problems_point_at_the_file(tmp_path, case):
    text, options, where, problem = PROBLEMS[case]
    path = write(tmp_path, "c.yaml", text)
    before = digest(path)
    result = run("check", path, *options)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    line = f"{path}:{place(text, where)}: {problem}"
    assert any(row.startswith(line) for row in result.stdout.splitlines()), (line, result.stdout)
    assert digest(path) == before


@pytest.mark.parametrize("command", ["check", "infer", "draw"])
@pytest.mark.parametrize("case", USAGE)
def test_usage_errors_name_the_option(tmp_path, case, command):
    options, words = USAGE[case]
    path = write(tmp_path, "train.yaml", LIGHTNING)
    extra = ["-o", tmp_path / "x.svg"] if command == "draw" else []
    result = run(command, path, *extra, "--from", "lstm=model.encoder", *options)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert words in result.stderr and result.stderr.startswith("lstmshape: error: "), result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_project_group_errors_name_the_line(tmp_path):
    write(tmp_path, "train.yaml", LIGHTNING)
    write(tmp_path, "pyproject.toml", group("train.yaml", 'from = {lstm = "model.encoder"}\n'
                                                           'set = {"head.0.linear.in_features" = 3}\n'))
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "pyproject.toml:4:8: TARGET 'head.0.linear.in_features' leads into nothing: 'head' is not given" \
        in result.stderr, result.stderr
    write(tmp_path, "pyproject.toml", group("train.yaml", 'from = {lstm = "model.encoder // 2"}\n'))
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1  # an expression computes with numbers, and model.encoder is none
    assert result.stdout.startswith("train.yaml:5:5: error[LS007] pyproject.toml:3:9: 'model.encoder' is a mapping; "
                                    "the expression computes with integers only"), result.stdout


def test_deeper_targets_fill_shallower_ones_whatever_the_order(tmp_path):
    path = write(tmp_path, "train.yaml", LIGHTNING)
    head_first = run("check", path, *LIGHTNING_MAP)
    fill_first = run("check", path, *LIGHTNING_MAP[:2], *LIGHTNING_MAP[4:], *LIGHTNING_MAP[2:4])
    assert head_first.stdout == fill_first.stdout == "1 file OK\n"


def test_the_command_line_overrides_the_project(tmp_path):
    write(tmp_path, "train.yaml", LIGHTNING)
    write(tmp_path, "pyproject.toml", group("train.yaml", LIGHTNING_GROUP))
    result = run("check", "train.yaml", "--set", "head.0.linear.out_features=3", "--set", "head.0.linear.input=hn_last",
                 cwd=tmp_path)
    assert result.returncode == 1
    where = place(LIGHTNING, r"in_features: (256)")
    assert f"train.yaml:{where}: error[LS101] head[0].in_features is 256 but hn[-1] has 128 features" in result.stdout


def test_mapping_aliases_only_where_unambiguous(tmp_path):
    """`neurons` is units only where no `units` is given beside it: both keep their own meaning."""
    path = write(tmp_path, "c.yaml", textwrap.dedent("""\
        layers:
          - {type: lstm, neurons: 8, units: 16, input_dim: 4}
        """))
    report = infer_json(path, "--set", "framework=keras", "--from", "lstm=layers[type=lstm]")
    assert report["sources"]["lstm[0].units"]["value"] == 16


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_mappings_are_bounded(tmp_path, name):
    options, code, words = HOSTILE[name]
    path = hostile_file(tmp_path)
    before = digest(path)
    result = run_bounded("check", path, *options)
    result.assert_harmless(path if code == 1 else None)
    assert result.returncode == code, (result.stdout + result.stderr)[-2000:]
    assert words in result.stdout + result.stderr, (result.stdout + result.stderr)[-2000:]
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
    assert digest(path) == before


def test_a_problem_line_is_one_line(tmp_path):
    path = write(tmp_path, "c.yaml", "a: 1\n")
    result = run("check", path, "--from", "lstm.hidden_size=a\nb")
    assert result.returncode == 2 and re.fullmatch(r"lstmshape: error: [^\n]*\n", result.stderr), result.stderr


def test_a_thousand_blocks_stay_linear(tmp_path):
    block = ("{type: lstm, input_size: 8, hidden_size: 8, num_layers: 1, bidirectional: false, batch_first: true, "
             "bias: true, dropout: 0.0, proj_size: 0, cell: lstm}")
    path = write(tmp_path, "many.yaml", "layers: [" + ", ".join([block] * 1_000) + "]\nk: 1\nk: 2\n")
    result = run_bounded("check", path, "--from", "lstm=layers[type=lstm]", "--set", "lstm.bias=false")
    result.assert_harmless(path)
    assert result.returncode == 0 and "warning[LS002]" in result.stdout, result.stdout[-2000:]


def test_expect_and_decoder_targets(tmp_path):
    path = write(tmp_path, "train.yaml", LIGHTNING.replace("in_features: 256", "in_features: 128"))
    result = run("check", path, "--from", "lstm=model.encoder", "--set", "expect={output: [N, L, 0]}",
                 "--from", "expect.output.2=model.classifier.in_features")
    where = place(LIGHTNING, r"in_features: (256)")
    assert result.stdout.startswith(f"{path}:{where}: error[LS112] expect.output's last dimension is 128 but output "
                                    "has 256 features"), result.stdout
    result = run("check", path, "--from", "lstm=model.encoder", "--set", "lstm.batch_first=false",
                 "--from", "decoder.lstm.input_size=model.num_classes",
                 "--from", "decoder.lstm.hidden_size=model.classifier.in_features",
                 "--from", "decoder.lstm.num_layers=model.encoder.n_layers", "--set", "decoder.bridge=concat")
    assert f"{path}:{where}: error[LS138] lstm's hn has 256 features after the bridge but decoder.lstm's h0 needs " \
           "128" in result.stdout, result.stdout


@pytest.mark.oracle
def test_nemo_recipe_gives_the_lstm_nemo_builds(tmp_path, torch):
    """NeMo's RNNEncoder builds nn.LSTM(640, 2048, bidirectional=True, proj_size=640 // 2,
    batch_first=True) per layer: 17,072,128 parameters, every state_dict shape as torch's."""
    path = write(tmp_path, "c.yaml", NEMO_LSTM_CTC_BPE)
    config, problems = read_config(path, mapping_entries(NEMO_FROM, ["lstm.batch_first=true"]))
    assert problems == []
    assert config.blocks[0] == TorchLSTM(640, 2048, bidirectional=True, batch_first=True, proj_size=320)
    (shapes,) = infer(config)
    module = torch.nn.LSTM(640, 2048, bidirectional=True, proj_size=320, batch_first=True, device="meta")
    assert {t.name: t.shape for t in shapes.params} == {k: tuple(v.shape) for k, v in module.state_dict().items()}
    assert shapes.num_params == sum(v.numel() for v in module.state_dict().values()) == 17_072_128


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_mapped_config_gives_the_model_the_project_builds(name):
    case = REAL_CASES[name]
    path = REPO / case["file"]
    before = sha256_of(path)
    doc = infer_json_of(case["file"], *case["args"])
    result = doc["results"][0]
    assert result["params"] == GOLDEN[name]["params"]
    assert result["num_params"] == GOLDEN[name]["num_params"]
    assert sha256_of(path) == before, "the user's file is never changed"
    checked = run("check", case["file"], *case["args"], cwd=REPO)
    assert (checked.returncode, checked.stdout) == (0, "1 file OK\n"), checked.stdout + checked.stderr


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_golden_matches_live_torch(name, torch):
    assert RECORDER.record(REAL_CASES[name]) == GOLDEN[name]


def test_real_aliases_and_did_you_mean(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm: {input_size: 8, rnn_units: 16, nlayers: 2, rnn_size: 3}\n")
    out = run("check", path).stdout
    assert "unknown key 'rnn_size' in 'lstm'; did you mean 'hidden_size' (or its alias 'rnn_hidden_size')?" in out
    assert out.count("error[") == 1  # rnn_units and nlayers are aliases


def test_flat_config_gets_the_from_hint(tmp_path):
    path = tmp_path / "flat.yaml"
    path.write_text("input_size: 8\nhidden_size: 16\n")
    result = run("infer", path)
    assert result.returncode == 1
    assert "its LSTM settings (input_size, hidden_size) sit at the top level: map them with --from lstm=." \
        in result.stderr
    assert infer_json_of(path, "--from", "lstm=.")["results"][0]["num_params"] == 4 * 16 * (8 + 16 + 2)


@pytest.mark.parametrize("case", MAPPING_USAGE)
@pytest.mark.parametrize("command", ["infer", "check"])
def test_bad_mapping_options_are_usage_errors(case, command):
    args, words = MAPPING_USAGE[case]
    result = run(command, "configs/foreign/encoder_section.yaml", *args, cwd=REPO)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert words in result.stderr and result.stdout == ""


@pytest.mark.parametrize("case", MAPPING_PROBLEMS)
def test_mapping_problems_point_at_their_source(case):
    args, line = MAPPING_PROBLEMS[case]
    result = run("check", "configs/foreign/encoder_section.yaml", *args, cwd=REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert line in result.stdout.splitlines(), result.stdout


def test_path_through_a_list(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("model:\n  layers:\n    - {input_size: 4, hidden_size: 8}\n")
    result = run("check", path, "--from", "lstm=model.layers.first")
    assert result.returncode == 1
    assert (f"{path}:2:3: error[LS012] path 'model.layers.first' of --from lstm=model.layers.first is not in the "
            "file: 'model.layers' is a list of 1; index it with 0..0") in result.stdout
    assert run("check", path, "--from", "lstm=model.layers.0").returncode == 0


def test_mapped_check_stays_lean():
    args = [str(REPO / "configs/foreign/encoder_section.yaml"), "--from", "lstm=model.encoder", "--set=lstm.bias=true"]
    code = ("import sys\nfrom lstmshape.cli import dispatch\n"
            f"code = dispatch(['check', *{args!r}])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'rich', 'omegaconf'})\n"
            "print(code, heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_docs_worked_examples_are_real_output():
    """The docs' "Checking the configs you already have": every command there, with its whole output."""
    section = (REPO / "docs" / "checking-configs.md").read_text()
    blocks = [b.split("```", 1)[0] for b in section.split("```console\n")[1:]]
    assert len(blocks) >= 3
    for block in blocks:
        command, expected = block.split("\n", 1)
        args = shlex.split(command.removeprefix("$ lstmshape "))
        result = run(*args, cwd=REPO, env={"NO_COLOR": "1"})
        shown = [line.rstrip() for line in (result.stderr + result.stdout).strip().splitlines()]
        assert [line.rstrip() for line in expected.strip().splitlines()] == shown, command


def test_mapping_with_stdin_is_a_usage_error_and_weights_take_the_mapping():
    weights = run("check", "configs/foreign/encoder_section.yaml", "--from", "lstm=model.encoder", "--weights",
                  "tests/golden/weights/seq2seq.npz", cwd=REPO)  # mapped, then compared: which of its two LSTMs?
    assert weights.returncode == 1 and "error[LS305]" in weights.stdout and "choose one with --prefix" in weights.stdout
    stdin = run("infer", "-", "--from", "lstm=model", input="model: {input_size: 4, hidden_size: 8}\n", cwd=REPO)
    assert stdin.returncode == 2 and "give the config's path, not -" in stdin.stderr


@pytest.mark.parametrize("name", ["nemo_rnnt"])
def test_draw_maps_a_training_config_like_check(name, tmp_path):
    """`draw --from/--set` maps the file as `check` does: the picture is of the mapped LSTM, and the
    user's file is untouched; without the mapping the same file has no lstm section to draw."""
    case = REAL_CASES[name]
    path = REPO / case["file"]
    before = sha256_of(path)
    out = tmp_path / "model.svg"
    drawn = run("draw", case["file"], *case["args"], "-o", str(out), cwd=REPO)
    assert drawn.returncode == 0 and "Traceback" not in drawn.stderr, drawn.stderr
    svg = out.read_text()
    torch_args = case["torch"]  # the nn.LSTM the project builds: c0 is (num_layers, N, hidden_size)
    assert f"c0 ({torch_args['num_layers']}, N, {torch_args['hidden_size']})" in svg
    assert sha256_of(path) == before
    unmapped = run("draw", case["file"], "-o", str(tmp_path / "plain.svg"), cwd=REPO)
    assert unmapped.returncode == 1 and "not an lstmshape config: no 'lstm' section" in unmapped.stderr
    assert not (tmp_path / "plain.svg").exists()


def test_nemo_prednet_layers_are_named_with_the_mapping_that_reads_them(tmp_path):
    path = write(tmp_path, "contextnet_rnnt.yaml", NEMO)
    result = run("check", path, *NEMO_MAP)
    found = problems(result)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning: the file is not wrong
    assert at(found, "LS016") == [(19, 7, "warning")]  # pred_rnn_layers, the key itself
    message = next(p["message"] for p in found if p["code"] == "LS016")
    assert "'pred_rnn_layers'" in message and "--from lstm=model.decoder.prednet" in message
    assert message.endswith("--from lstm.num_layers=model.decoder.prednet.pred_rnn_layers")
    # following the suggestion reads 2 layers: no LS016, and the dropout now has an effect (no LS009)
    fixed = run("check", path, *NEMO_MAP, "--from", "lstm.num_layers=model.decoder.prednet.pred_rnn_layers")
    assert fixed.returncode == 0 and problems(fixed) == [], fixed.stdout
    shown = run("infer", path, *NEMO_MAP, "--from", "lstm.num_layers=model.decoder.prednet.pred_rnn_layers")
    assert shown.returncode == 0 and "weight_hh_l1" in shown.stdout


def test_nemo_prednet_without_the_hidden_size_names_both(tmp_path):
    """The interpolated `pred_hidden` counts as a size too; `infer` says what `check` says."""
    path = write(tmp_path, "contextnet_rnnt.yaml", NEMO)
    result = run("infer", path, "--from", "lstm=model.decoder.prednet", "--set", "lstm.input_size=640")
    found = problems(result)
    assert result.returncode == 1  # hidden_size is missing (LS005)
    assert at(found, "LS016") == [(18, 7, "warning"), (19, 7, "warning")]
    assert any(p["message"].endswith("--from lstm.hidden_size=model.decoder.prednet.pred_hidden") for p in found)


def test_mlagents_memory_size_and_hidden_units_are_named_nested_too(tmp_path):
    """num_layers is read (it is the MLP's, which no tool can know); hidden_units and the nested
    memory.memory_size are not, and each names the setting it may be. Batch, buffer and sequence
    sizes are not the LSTM's."""
    path = write(tmp_path, "Hallway.yaml", MLAGENTS_WARNED)
    result = run("check", path, "--from", f"lstm={MLAGENTS_SECTION}", "--set", "lstm.input_size=32")
    found = problems(result)
    assert result.returncode == 1  # no hidden_size (LS005): the two warnings say where it may be
    assert at(found, "LS016") == [(12, 7, "warning"), (17, 9, "warning")]
    messages = [p["message"] for p in found if p["code"] == "LS016"]
    assert messages[0].startswith("'hidden_units' ") and messages[1].startswith("'memory.memory_size' ")
    assert [m.rsplit(" ", 1)[1] for m in messages] == [f"lstm.hidden_size={MLAGENTS_SECTION}.hidden_units",
                                                       f"lstm.hidden_size={MLAGENTS_SECTION}.memory.memory_size"]


def test_mlagents_a_setting_mapped_by_name_is_a_choice(tmp_path):
    """Once hidden_size is mapped by name, the other keys that could have been it are not named."""
    path = write(tmp_path, "Hallway.yaml", MLAGENTS_WARNED)
    args = ("--from", f"lstm={MLAGENTS_SECTION}", "--set", "lstm.input_size=32",
            "--from", f"lstm.hidden_size={MLAGENTS_SECTION}.memory.memory_size")
    chosen = run("check", path, *args)
    assert chosen.returncode == 0 and at(problems(chosen), "LS016") == [], chosen.stdout
    assert "weight_hh_l1" in run("infer", path, *args).stdout


def test_a_project_group_gets_the_suggestion_in_its_own_words(tmp_path):
    write(tmp_path, "pyproject.toml", textwrap.dedent("""\
        [project]
        name = "asr"

        [[tool.lstmshape.configs]]
        files = ["conf/*.yaml"]
        from = {lstm = "model.decoder.prednet", "lstm.hidden_size" = "model.decoder.prednet.pred_hidden"}
        set = {"lstm.input_size" = 640}
        """))
    (tmp_path / "conf").mkdir()
    write(tmp_path / "conf", "rnnt.yaml", NEMO)
    result = run("check", "conf/rnnt.yaml", cwd=tmp_path)
    found = problems(result)
    assert at(found, "LS016") == [(19, 7, "warning")], result.stdout + result.stderr
    message = next(p["message"] for p in found if p["code"] == "LS016")
    assert 'lstm = "model.decoder.prednet" (' in message and "pyproject.toml:6:" in message
    assert message.endswith('"lstm.num_layers" = "model.decoder.prednet.pred_rnn_layers" in that group\'s from table')


def test_never_for_lstmshapes_own_configs(tmp_path):
    """An own config names every key it holds: an unknown one is LS004 (an error), never LS016."""
    path = write(tmp_path, "own.yaml", "lstm:\n  input_size: 8\n  hidden_size: 16\n  pred_rnn_layers: 2\n"
                 "  memory: {memory_size: 4}\n")
    found = problems(run("check", path))
    assert {p["code"] for p in found} == {"LS004"}


def test_keys_that_are_read_are_not_named(tmp_path):
    """Taken by name, mapped by another --from, or reached by an interpolation of a value read."""
    path = write(tmp_path, "flat.yaml", "feat_dim: 40\nd_model: 256\ninput_size: ${feat_dim}\n"
                 "hidden_size: ${d_model}\nn_layers: 2\nbatch_size: 32\nproj_dim: 8\n")
    result = run("check", path, "--from", "lstm=.", "--from", "lstm.proj_size=proj_dim")
    assert result.returncode == 0 and problems(result) == [], result.stdout


def test_a_keras_section_is_told_keras_names(tmp_path):
    path = write(tmp_path, "k.yaml", "model:\n  rnn:\n    input_dim: 8\n    units: 16\n    memory_size: 32\n")
    found = problems(run("check", path, "--from", "lstm=model.rnn", "--set", "framework=keras"))
    suggested = [p["message"].rsplit(" ", 1)[1] for p in found if p["code"] == "LS016"]
    assert suggested == ["lstm.units=model.rnn.memory_size"]


@pytest.mark.parametrize(("text", "meaning"), FLAGGED, ids=[t for t, _ in FLAGGED])
def test_documented_flagged_keys(text, meaning):
    found = unread(text)
    assert len(found) == 1 and found[0].severity == "warning", found
    assert (found[0].line, found[0].column) >= (5, 5)
    assert found[0].message.endswith(f"--from lstm.{meaning or 'KEY'}=" + found[0].path[2:].replace("[", ".")
                                     .replace("]", "")), found[0].message


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_documented_keys_that_are_not_the_lstms(text):
    assert unread(text) == []


def test_the_documentation_lists_every_word_the_code_uses():
    doc = " ".join(UNREAD_SIZE_KEY.doc.split())
    for word in mapping.SIZE_PARTS + mapping.NOT_THE_RNN_PARTS + mapping.NOT_THE_RNN_WORDS:
        assert re.search(rf"\b{word}\b", doc), word
    for text, _ in FLAGGED[:6]:
        assert text.split(":")[0] in doc
    for text in NOT_FLAGGED[:10]:
        assert text in doc, text


def test_the_rules_mapped_examples_through_the_console_script(tmp_path):
    """The rule's failing example reports exactly LS016 under its mapping, the passing one nothing:
    its documentation cannot rot (the examples of a code found only through a mapping)."""
    examples = EXAMPLE.findall(UNREAD_SIZE_KEY.doc + "\n")
    assert [kind for kind, _, _ in examples] == ["Failing", "Passing"]
    for kind, command, body in examples:
        path = write(tmp_path, f"{kind}.yaml", textwrap.dedent(body))
        result = run("check", path, *command.split())
        codes = [p["code"] for p in problems(result)]
        assert codes == (["LS016"] if kind == "Failing" else []), result.stdout + result.stderr
        assert result.returncode == 0


def test_rules_shows_the_new_code():
    result = run("rules", "LS016")
    assert result.returncode == 0 and "unread-size-key" in result.stdout and "pred_rnn_layers" in result.stdout


def test_easyocr_duplicate_outside_the_mapping_is_a_warning(tmp_path):
    path = write(tmp_path, "en_filtered_config.yaml", EASYOCR)
    result = run("check", path, *EASYOCR_MAP)
    assert result.returncode == 0, result.stdout + result.stderr
    found = problems(result)
    assert at(found, "LS002") == [(17, 1, "warning")]
    assert "first at line 14, column 1" in found[0]["message"]
    assert run("check", path, *EASYOCR_MAP, "--strict").returncode == 1  # --strict still fails on it
    shown = run("infer", path, *EASYOCR_MAP)
    assert shown.returncode == 0 and "weight_ih_l0_reverse" in shown.stdout and "[LS002]" in shown.stderr


@pytest.mark.parametrize(("mapping_args", "why"), [
    (("--from", "lstm.hidden_size=hidden_size", "--from", "lstm.input_size=contrast_adjust"), "a key read"),
    (("--from", "lstm=.", "--set", "lstm.input_size=8"), "inside a section mapped whole (the root)"),
])
def test_easyocr_duplicate_on_a_mapped_path_stays_an_error(tmp_path, mapping_args, why):
    path = write(tmp_path, "en_filtered_config.yaml", EASYOCR)
    result = run("check", path, *mapping_args)
    assert result.returncode == 1, why
    assert at(problems(result), "LS002") == [(17, 1, "error")], why


def test_a_duplicate_a_mapped_path_runs_through_is_an_error(tmp_path):
    """`model:` twice: the mapping reads the second, the first vanished without a word."""
    path = write(tmp_path, "t.yaml", "model:\n  encoder: {input_size: 8, hidden_size: 16}\nseed: 1\n"
                 "model:\n  encoder: {input_size: 8, hidden_size: 32}\nseed: 2\n")
    found = problems(run("check", path, "--from", "lstm=model.encoder"))
    assert at(found, "LS002") == [(4, 1, "error"), (6, 1, "warning")]


def test_a_duplicate_inside_a_section_mapped_whole_is_an_error_even_unread(tmp_path):
    path = write(tmp_path, "t.yaml", "enc:\n  input_size: 8\n  hidden_size: 16\n  notes: a\n  notes: b\n")
    result = run("check", path, "--from", "lstm=enc")
    assert result.returncode == 1 and at(problems(result), "LS002") == [(5, 3, "error")]


def test_own_configs_keep_every_duplicate_an_error(tmp_path):
    """No mapping: the whole file is lstmshape's, each duplicate an error, and reading goes on to
    report the rest too."""
    path = write(tmp_path, "own.yaml", "lstm:\n  input_size: 8\n  hidden_size: 16\n  hidden_size: 32\n"
                 "data:\n  batch_size: 2\ndata:\n  batch_size: 0\n")
    result = run("check", path)
    found = problems(result)
    assert result.returncode == 1
    assert at(found, "LS002") == [(4, 3, "error"), (7, 1, "error")]
    assert "LS008" in {p["code"] for p in found}  # batch_size 0, the value kept, read all the same


@pytest.mark.parametrize("name", HOSTILE_MAPPED)
def test_hostile_mapped_files_are_bounded(tmp_path, name):
    text, args = HOSTILE_MAPPED[name]
    path = write(tmp_path, f"{name}.yaml", text)
    result = run_bounded("check", path, *args)
    result.assert_harmless(path)
    lines = [line for line in result.stdout.splitlines() if LINE.match(line)]
    assert len(lines) <= 2 * 101 + 10, len(lines)  # at most 100 listed per code and severity, the rest counted
    if "50k" in name:
        assert re.search(r"\d{5} more (errors|warnings) \[LS0(02|16)\]", result.stdout), result.stdout[-500:]
