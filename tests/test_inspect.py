"""`lstmshape inspect`: real checkpoints written by torch, safetensors, NumPy, ONNX and Keras 3 are
named right; bad files get one clear line and exit 1; the YAML it writes is a config `infer` takes."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lstmshape.checkpoint import TORCH_MAGIC, CheckpointError, read_checkpoint
from lstmshape.identify import TensorInfo, identify_torch

from helpers import GOLDEN_DIR, REPO, recorder, run, run_script

WEIGHTS = GOLDEN_DIR / "weights"
TRUTH = json.loads((WEIGHTS / "truth.json").read_text())
rec = recorder("record_weights")


def found(checkpoint) -> list[dict]:
    return [{"prefix": lstm.prefix, "config": lstm.config, "num_params": lstm.num_params}
            for lstm in checkpoint.lstms]


def by_prefix(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["prefix"])


# ---- against the truth recorded from torch (no torch needed) ----

@pytest.mark.parametrize("name", sorted(TRUTH))
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_golden_checkpoints_are_named_as_torch_built_them(name, suffix):
    checkpoint = read_checkpoint(str(WEIGHTS / f"{name}{suffix}"))
    assert by_prefix(found(checkpoint)) == by_prefix(TRUTH[name]["lstms"])
    assert {t.name: list(t.shape) for t in checkpoint.tensors} == TRUTH[name]["state_dict"]
    assert checkpoint.incomplete == ()
    lstm_tensors = sum(len(lstm.tensors) for lstm in checkpoint.lstms)
    assert checkpoint.other_tensors == len(TRUTH[name]["state_dict"]) - lstm_tensors


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


# ---- live against torch ----

@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(rec.MODELS))
def test_torch_models_saved_in_every_format(torch, tmp_path, name):
    from safetensors.torch import save_file

    model = rec.build(name, seed=3)
    state = model.state_dict()
    torch.save(state, tmp_path / "m.pt")
    torch.save({"epoch": 7, "state_dict": state}, tmp_path / "lightning.ckpt")
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp_path / "m.safetensors"))
    np.savez(tmp_path / "m.npz", **{k: v.numpy() for k, v in state.items()})
    expected = by_prefix(rec.truth(name, model)["lstms"])
    for file in ("m.pt", "lightning.ckpt", "m.safetensors", "m.npz"):
        assert by_prefix(found(read_checkpoint(str(tmp_path / file)))) == expected, file
    result = run("inspect", tmp_path / "m.pt", "--format", "json")
    assert by_prefix([{k: l[k] for k in ("prefix", "config", "num_params")}
                      for l in json.loads(result.stdout)["lstms"]]) == expected


@pytest.mark.oracle
def test_recorder_reproduces_the_golden_truth(torch, tmp_path):
    assert rec.record(tmp_path) == TRUTH


@pytest.mark.oracle
def test_half_precision_dtype_and_bytes(torch, tmp_path):
    lstm = torch.nn.LSTM(3, 4).to(torch.bfloat16)
    torch.save(lstm.state_dict(), tmp_path / "bf16.pt")
    (only,) = read_checkpoint(str(tmp_path / "bf16.pt")).lstms
    assert (only.dtype, only.nbytes) == ("bfloat16", 2 * only.num_params)


@pytest.mark.oracle
def test_legacy_torch_format_cannot_be_mapped_and_is_read_whole(torch, tmp_path):
    torch.save(torch.nn.LSTM(3, 4, bidirectional=True).state_dict(), tmp_path / "old.pt",
               _use_new_zipfile_serialization=False)
    (only,) = read_checkpoint(str(tmp_path / "old.pt")).lstms
    assert only.config["bidirectional"] is True and only.num_params == 2 * 144


def test_the_weights_modules_import_no_numpy_torch_rich_or_safetensors():
    import subprocess
    import sys

    code = ("import sys, lstmshape.identify, lstmshape.checkpoint, lstmshape.weightcheck; "
            "print(sorted(m for m in ('numpy', 'torch', 'rich', 'safetensors') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore")  # the legacy exporter's deprecation and tracer notes
def test_torch_onnx_export(torch, onnx, tmp_path):
    lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    torch.onnx.export(lstm, (torch.zeros(3, 2, 4),), str(tmp_path / "m.onnx"), dynamo=False)
    checkpoint = read_checkpoint(str(tmp_path / "m.onnx"))
    assert [lstm.config for lstm in checkpoint.lstms] == [
        {"input_size": 4, "hidden_size": 5, "direction": "bidirectional", "layout": 0, "input_forget": False,
         "peepholes": False, "bias": True},
        {"input_size": 10, "hidden_size": 5, "direction": "bidirectional", "layout": 0, "input_forget": False,
         "peepholes": False, "bias": True},
    ]
    assert sum(l.num_params for l in checkpoint.lstms) == sum(p.numel() for p in lstm.parameters())


@pytest.mark.oracle
def test_onnx_helper_nodes_and_their_yaml(onnx, tmp_path):
    from onnx import TensorProto, helper, numpy_helper

    h, d, i = 3, 1, 2
    inits = [numpy_helper.from_array(np.zeros(shape, np.float32), name) for name, shape in
             (("W", (d, 4 * h, i)), ("R", (d, 4 * h, h)), ("P", (d, 3 * h)))]
    nodes = [helper.make_node("LSTM", ["X", "W", "R", "", "", "", "", "P"], ["Y"], name="peep",
                              hidden_size=h, direction="reverse", layout=1),
             helper.make_node("Identity", ["W"], ["W2"]),
             helper.make_node("LSTM", ["X", "W2", "R"], ["Y2"], name="computed", hidden_size=h)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 5, i])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 5, d, h]),
                               helper.make_tensor_value_info("Y2", TensorProto.FLOAT, [2, d, 5, h])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    onnx.save(model, tmp_path / "m.onnx")
    result = run("inspect", tmp_path / "m.onnx", "--format", "yaml", "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "'computed'" in result.stderr and "is computed in the graph" in result.stderr
    config = tmp_path / "out" / "peep.yaml"
    assert config.read_text().splitlines()[1:] == [
        "framework: onnx", "lstm:", "  input_size: 2", "  hidden_size: 3", "  direction: reverse", "  layout: 1",
        "  input_forget: false", "  peepholes: true", "  bias: false"]
    inferred = json.loads(run("infer", config, "--format", "json").stdout)
    node = inferred["results"][0]["nodes"][0]
    assert (node["W"], node["R"], node["P"]) == ([d, 4 * h, i], [d, 4 * h, h], [d, 3 * h])


@pytest.mark.oracle
def test_keras_model(keras, tmp_path):
    inputs = keras.Input((5, 8))
    # named by Keras: "bidirectional" in a fresh process, "bidirectional_1" after another (a global counter)
    bidirectional = keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True), merge_mode="sum")
    x = keras.layers.LSTM(4, use_bias=False, name="last")(bidirectional(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3)(x))
    model.save(tmp_path / "m.keras")
    checkpoint = read_checkpoint(str(tmp_path / "m.keras"))
    layers = {layer.name: layer for layer in model.layers}
    assert bidirectional.name.startswith("bidirectional")
    assert [lstm.prefix for lstm in checkpoint.lstms] == [bidirectional.name, "last"]
    for lstm in checkpoint.lstms:
        layer = layers[lstm.prefix]
        assert lstm.num_params == layer.count_params()
        assert sorted(t.shape for t in lstm.tensors) == sorted(tuple(w.shape) for w in layer.weights)
    assert checkpoint.lstms[0].config == {"input_dim": 8, "units": 6, "bidirectional": True, "merge_mode": "sum",
                                          "use_bias": True, "return_sequences": True, "return_state": False,
                                          "go_backwards": False}
    assert run("inspect", tmp_path / "m.keras", "--format", "yaml", "-o", tmp_path / "out").returncode == 0
    for lstm in checkpoint.lstms:
        inferred = run("infer", tmp_path / "out" / f"{lstm.prefix}.yaml", "--format", "json")
        assert json.loads(inferred.stdout)["results"][0]["num_params"] == layers[lstm.prefix].count_params()


# ---- sets that are not one whole LSTM: reported, not guessed ----

def info(name: str, *shape: int) -> TensorInfo:
    return TensorInfo(name, shape, "float32", 4 * int(np.prod(shape)))


INCOMPLETE = {
    "missing layer": ([info("a.weight_ih_l0", 20, 3), info("a.weight_hh_l0", 20, 5),
                       info("a.weight_ih_l2", 20, 5), info("a.weight_hh_l2", 20, 5)],
                      "missing weight_ih_l1, weight_hh_l1"),
    "stray reverse": ([info("weight_ih_l0", 20, 3), info("weight_hh_l0", 20, 5), info("weight_ih_l0_reverse", 20, 3)],
                      "missing weight_hh_l0_reverse"),
    "inconsistent sizes": ([info("x.weight_ih_l0", 20, 3), info("x.weight_hh_l0", 20, 6)],
                           "weight_hh_l0 is [20, 6], not [20, 5]"),
    "no input weights": ([info("x.weight_hh_l0", 20, 5)], "no weight_ih_l0"),
    "not four gates": ([info("x.weight_ih_l0", 21, 3), info("x.weight_hh_l0", 21, 5)],
                       "weight_ih_l0 is [21, 3]; an LSTM's is [4 × hidden_size, input_size]"),
    "projection too large": ([info("x.weight_ih_l0", 20, 3), info("x.weight_hh_l0", 20, 5),
                              info("x.weight_hr_l0", 5, 5)], "weight_hr_l0 is [5, 5]"),
}


@pytest.mark.parametrize("case", sorted(INCOMPLETE))
def test_incomplete_sets_are_reported_not_guessed(case):
    tensors, reason = INCOMPLETE[case]
    lstms, incomplete = identify_torch(tensors + [info("head.weight", 3, 4)])
    assert lstms == [] and len(incomplete) == 1
    assert reason in incomplete[0].message


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


def test_no_lstm_at_all(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.zeros((2, 2)))
    result = run("inspect", tmp_path / "plain.npz")
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / 'plain.npz'}:1:1: error[LS305] no LSTM, GRU or RNN found among its 1 tensors\n"


# ---- bad files: one clear line, exit 1, nothing run, nothing changed ----

def _safetensors(header: dict, data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def _npz_with(member: str, raw: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(member, raw)
    return buf.getvalue()


def _lying_npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros((4, 3), np.float32))
    return buf.getvalue().replace(b"(4, 3)", b"(9, 3)")


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


BAD = {
    "lying.safetensors": (_safetensors({"rnn.weight_ih_l0": {"dtype": "F32", "shape": [1000, 1000],
                                                               "data_offsets": [0, 4_000_000]}}, b"\0" * 16),
                          "not a valid safetensors file"),
    "sizes.safetensors": (_safetensors({"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 8]}}, b"\0" * 8),
                          "not a valid safetensors file"),
    "huge.safetensors": (struct.pack("<Q", 1 << 60) + b"{}", "header too large"),
    "empty.safetensors": (b"", "not a valid safetensors file"),
    "truncated.npz": ((WEIGHTS / "seq2seq.npz").read_bytes()[:5000], "not a readable zip archive"),
    "lying.npz": (_npz_with("rnn.weight_ih_l0.npy", _lying_npy()), "its header says [9, 3] float32 (108 bytes) "
                  "but the member holds 48"),
    "text.npz": (_npz_with("a.npy", b"hello"), "is not a readable .npy array"),
    "garbage.onnx": (b"\x08\x07garbage" * 100, "not a readable ONNX model"),
    "noconfig.keras": (_npz_with("x.txt", b"hi"), "without config.json"),
    "badjson.keras": (_npz_with("config.json", b"{not json"), "config.json is not readable JSON"),
    "deep.keras": (_npz_with("config.json", b"[" * 100_000 + b"]" * 100_000), "config.json is not readable JSON"),
    "random.bin": (bytes(range(256)) * 8, "not a readable checkpoint: neither a zip archive nor a pickle that "
                   "torch.save wrote"),
    "unknown.weights": (b"just some text", "not a weights file lstmshape knows"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files(tmp_path, name):
    raw, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(raw)
    result = run("inspect", path, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr and message in result.stderr and result.stderr.startswith(f"{path}:1:1: error[LS304] ")
    assert path.read_bytes() == raw


def test_npz_with_object_arrays_is_refused_without_unpickling(tmp_path):
    np.savez(tmp_path / "obj.npz", a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="array of Python objects; lstmshape reads numbers only"):
        read_checkpoint(str(tmp_path / "obj.npz"))


@pytest.mark.oracle
@pytest.mark.parametrize("payload", ["evil", "module", "list"])
def test_pickles_that_are_not_state_dicts(torch, tmp_path, payload):
    path = tmp_path / f"{payload}.pt"
    if payload == "evil":
        # torch's legacy format (magic number, protocol, system info, the state, storage keys): torch reads it
        path.write_bytes(b"".join(pickle.dumps(x, protocol=2) for x in (TORCH_MAGIC, 1001, {}, {"a": _Evil()}, [])))
    elif payload == "module":
        torch.save(torch.nn.LSTM(2, 3), path)
    else:
        torch.save([torch.zeros(2)], path)
    result = run("inspect", path, cwd=tmp_path)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert "not a state_dict" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "PWNED").exists()


def test_torch_files_without_torch_say_so(tmp_path):
    fake = tmp_path / "site" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named torch')\n")
    path = tmp_path / "m.pt"
    path.write_bytes(b"".join(pickle.dumps(x, protocol=2) for x in (TORCH_MAGIC, 1001, {}, {}, [])))  # legacy format
    result = run_script("inspect", path, env={"PYTHONPATH": str(fake.parent)})
    assert result.returncode == 1
    assert result.stderr == (f"{path}:1:1: error[LS304] a torch checkpoint needs torch to read it safely (pip "
                             "install torch); lstmshape never unpickles a file without torch's weights_only "
                             "loader, or save it as safetensors\n")


def test_not_a_file(tmp_path):
    assert run("inspect", tmp_path).returncode == 1
    missing = run("inspect", tmp_path / "nothing.pt")
    assert missing.returncode == 2 and "no such file" in missing.stderr
