"""Mappings that go wrong say so (issue #23, items 5 and 6), end to end through the CLI's entry point
on configs shaped like real projects' (written here, never edited by lstmshape):

- LS016: a key of an `lstm` section mapped whole that looks like a size of the LSTM and that
  nothing reads is named at its line and column, with the `--from lstm.KEY=PATH` that reads it
  (NeMo's `pred_rnn_layers`, ML-Agents' `hidden_units` and `memory.memory_size`).
- LS002: a duplicate key outside the mapped paths is a warning (EasyOCR's trainer config has
  `contrast_adjust` twice), on a mapped path and in lstmshape's own configs an error.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from helpers import run, run_bounded, write
from lstmshape.read import mapping
from lstmshape.codes import UNREAD_SIZE_KEY
from lstmshape.yamlload import parse_yaml

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

MLAGENTS = """\
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


# --- LS016 -----------------------------------------------------------------------------------

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
    path = write(tmp_path, "Hallway.yaml", MLAGENTS)
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
    path = write(tmp_path, "Hallway.yaml", MLAGENTS)
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


EXAMPLE = re.compile(r"^(Failing|Passing) example, mapped with `([^`]+)`::\n\n((?:(?:    .*)?\n)+)", re.M)


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


# --- LS002 through a mapping -----------------------------------------------------------------------

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


# --- hostile: bounded however many keys a mapping leaves behind ------------------------------------

HOSTILE = {
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


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_mapped_files_are_bounded(tmp_path, name):
    text, args = HOSTILE[name]
    path = write(tmp_path, f"{name}.yaml", text)
    result = run_bounded("check", path, *args)
    result.assert_harmless(path)
    lines = [line for line in result.stdout.splitlines() if LINE.match(line)]
    assert len(lines) <= 2 * 101 + 10, len(lines)  # at most 100 listed per code and severity, the rest counted
    if "50k" in name:
        assert re.search(r"\d{5} more (errors|warnings) \[LS0(02|16)\]", result.stdout), result.stdout[-500:]
