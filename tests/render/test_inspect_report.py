"""`lstmshape inspect`: real checkpoints written by torch, safetensors, NumPy, ONNX and Keras 3 are
named right; bad files get one clear line and exit 1; the YAML it writes is a config `infer` takes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers import GOLDEN_DIR, REPO, run


WEIGHTS = GOLDEN_DIR / "weights"


TRUTH = json.loads((WEIGHTS / "truth.json").read_text())


def test_json_contract_through_the_console_script():
    path = WEIGHTS / "seq2seq.npz"
    result = run("inspect", path, "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    doc = json.loads(result.stdout)
    assert doc["file"] == str(path) and doc["format"] == "npz" and doc["other_tensors"] == 3
    first = doc["lstms"][0]
    assert first == {"prefix": "encoder.rnn.", "framework": "torch",
                     "config": {"input_size": 6, "hidden_size": 5, "num_layers": 2, "bidirectional": True,
                                "proj_size": 0, "bias": True},
                     "num_params": 1200, "dtype": "float32", "bytes": 4800}


def test_table_names_every_lstm(golden):
    result = run("inspect", "tests/golden/weights/tagger.safetensors", env={"NO_COLOR": "1"}, cwd=REPO)
    assert (result.returncode, result.stderr) == (0, "")
    golden("inspect-tagger.txt", result.stdout)


def test_yaml_configs_are_accepted_by_infer_and_give_the_checkpoints_shapes(tmp_path):
    result = run("inspect", WEIGHTS / "tagger.npz", "--format", "yaml", "-o", tmp_path / "configs")
    assert result.returncode == 0, result.stderr
    written = result.stdout.split()
    assert [Path(p).name for p in written] == ["model.rnn.yaml", "model.aux.yaml"]
    state_dict = TRUTH["tagger"]["state_dict"]
    for path, prefix in zip(written, ("model.rnn.", "model.aux.")):
        inferred = run("infer", path, "--format", "json")
        assert inferred.returncode == 0, inferred.stderr
        (entry,) = json.loads(inferred.stdout)["results"]
        assert {prefix + k: v for k, v in entry["params"].items()} == {
            k: v for k, v in state_dict.items() if k.startswith(prefix)}
    again = run("inspect", WEIGHTS / "tagger.npz", "--format", "yaml", "-o", tmp_path / "configs")
    assert again.returncode == 2 and "never overwrites" in again.stderr
    assert (tmp_path / "configs" / "model.rnn.yaml").read_text() == Path(written[0]).read_text()


def test_yaml_to_stdout_is_one_document_per_lstm():
    result = run("inspect", WEIGHTS / "seq2seq.safetensors", "--format", "yaml")
    docs = result.stdout.split("---\n")
    assert len(docs) == 2 and result.returncode == 0  # safetensors lists names sorted: decoder first
    assert docs[0].splitlines()[1:] == ["lstm:", "  input_size: 10", "  hidden_size: 7", "  num_layers: 1",
                                        "  bidirectional: false", "  proj_size: 3", "  bias: false"]


def test_output_dir_needs_yaml(tmp_path):
    result = run("inspect", WEIGHTS / "bare.npz", "-o", tmp_path)
    assert result.returncode == 2 and "--format yaml" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_incomplete_set_exits_1_and_still_lists_the_whole_ones(tmp_path):
    arrays = {k: np.zeros(v, np.float32) for k, v in TRUTH["seq2seq"]["state_dict"].items()}
    del arrays["encoder.rnn.weight_hh_l1_reverse"]
    np.savez(tmp_path / "broken.npz", **arrays)
    result = run("inspect", tmp_path / "broken.npz", "--format", "json")
    assert result.returncode == 1
    assert result.stderr == (f"{tmp_path / 'broken.npz'}:1:1: error[LS307] the LSTM tensors under 'encoder.rnn.' are "
                             "not one whole LSTM: missing weight_hh_l1_reverse (held against the LSTM that weight_ih_l0 "
                             "and the highest layer suggest: input_size 6, hidden_size 5, num_layers 2, bidirectional "
                             "true, proj_size 0, bias true)\n")
    doc = json.loads(result.stdout)
    assert [l["prefix"] for l in doc["lstms"]] == ["decoder.lstm."]
    assert doc["incomplete"][0]["prefix"] == "encoder.rnn."
