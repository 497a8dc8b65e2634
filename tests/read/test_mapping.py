"""Issue #27 items 1-4 and 7, end to end through the console script: the model around the LSTM
mapped (`--set` a structure, `--from` its numbers), computed values, paths real files need
(negative indexes, quoted segments, list filters), lists that become stacks; each from the command
line and from a [[tool.lstmshape.configs]] group, on configs written here in the shapes real
projects use (never edited: their bytes are compared after every run), and `draw` too. Parameter
counts are held against torch.nn.LSTM built from the same numbers (Keras ones against Keras's
count, 4·units·(input_dim + units + 1), which tests/test_keras.py proves against Keras itself)."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap

import pytest

from helpers import run, run_bounded, write

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


# --- problems point at the value the mapping read -----------------------------------------------

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


# --- usage errors: the options alone cannot apply ------------------------------------------------

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


# --- later and deeper fill earlier ---------------------------------------------------------------

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


# --- hostile options and files: bounded ----------------------------------------------------------

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


# --- every section is a TARGET -------------------------------------------------------------------

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
