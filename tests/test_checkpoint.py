"""Tests of lstmshape.checkpoint: a weights file's table of contents, read without its data.

Every file is built here. Hostile weights files through the real console script
(helpers.run_bounded: time and peak memory bounded) for `inspect`, `check --weights` and
`infer --verify --weights`: a few bytes declaring huge layer numbers, counts, sizes or nodes cost
what a model costs; malformed safetensors, npz, torch, ONNX and Keras 3 files are one error line
naming the file; names reach neither rich's markup nor the terminal's controls
(helpers.on_terminal) nor YAML's tags; nothing is unpickled past a bound, extracted or written.
A bug of lstmshape's own while loading data is exit 3, never a verdict on the file. Files
torch.save writes (zip and legacy, bfloat16) read with live torch; a torch file without torch
installed says so (helpers.run_script).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import zipfile

import numpy as np
import pytest
import yaml

from helpers import GOLDEN_DIR, cli, on_terminal, run, run_bounded, run_script, write
from lstmshape import checkpoint
from lstmshape.checkpoint import Checkpoint, CheckpointError, TORCH_MAGIC, load_tensors, read_checkpoint
from lstmshape.identify import FoundLSTM, TensorInfo
from lstmshape.render.inspect_report import config_yaml


FAR = 999_999_999  # a layer number no model reaches, written in a few bytes


def lstm_arrays(prefix: str = "", hidden: int = 2, inputs: int = 3) -> dict:
    """A whole one-layer torch.nn.LSTM state_dict under `prefix`."""
    return {f"{prefix}weight_ih_l0": np.zeros((4 * hidden, inputs), np.float32),
            f"{prefix}weight_hh_l0": np.zeros((4 * hidden, hidden), np.float32),
            f"{prefix}bias_ih_l0": np.zeros(4 * hidden, np.float32),
            f"{prefix}bias_hh_l0": np.zeros(4 * hidden, np.float32)}


def safetensors_file(header: bytes, data: bytes = b"") -> bytes:
    return struct.pack("<Q", len(header)) + header + data


def zipped(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def keras_file(config) -> bytes:
    return zipped({"config.json": json.dumps(config), "metadata.json": "{}"})


def keras_model(*layers) -> dict:
    return {"class_name": "Functional", "config": {"name": "m", "layers": list(layers)}}


def keras_lstm(name: str = "rnn", units=3, features=2, **config) -> dict:
    return {"class_name": "LSTM", "config": {"name": name, "units": units, **config},
            "build_config": {"input_shape": [None, 5, features]}}


def keras_bidirectional(name: str = "bi", layer=None, **config) -> dict:
    return {"class_name": "Bidirectional", "config": {"name": name, "merge_mode": "concat", **config,
                                                      "layer": keras_lstm() if layer is None else layer},
            "build_config": {"input_shape": [None, 5, 2]}}


def onnx_file(onnx, *nodes, hidden: int = 2, inputs: int = 3) -> bytes:
    """An ONNX model whose recurrent nodes share one W and R (LSTM-sized unless a node says GRU)."""
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(np.zeros((1, g * hidden, n), np.float32), name)
             for name, g, n in (("W", 4, inputs), ("R", 4, hidden), ("Wg", 3, inputs), ("Rg", 3, hidden))]
    graph = helper.make_graph(list(nodes), "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [5, 1, inputs])],
                              [], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]).SerializeToString()


def onnx_lstm(name: str, op: str = "LSTM", **attributes):
    from onnx import helper

    weights = ["W", "R"] if op == "LSTM" else ["Wg", "Rg"]
    return helper.make_node(op, ["X", *weights], [f"Y_{name}"], name=name, **attributes)


def onnx_lstms(count: int, **attributes) -> list:
    """onnx_lstm(f"n{k}", **attributes) for k < count, each copied from the first: the same nodes
    (the same bytes), without make_node's checks of every attribute for every node."""
    from onnx import NodeProto

    template = onnx_lstm("n0", **attributes)
    nodes = [template]
    for k in range(1, count):
        node = NodeProto()
        node.CopyFrom(template)
        node.name, node.output[0] = f"n{k}", f"Y_n{k}"
        nodes.append(node)
    return nodes


def onnx_ints_attribute(name: str, values: list[int]):
    """The INTS attribute make_attribute(name, values) makes, without its check of every value."""
    from onnx import AttributeProto

    attribute = AttributeProto(name=name, type=AttributeProto.INTS)
    attribute.ints.extend(values)
    return attribute


def npy_with_header(header: str) -> bytes:
    """A .npy member whose header says whatever `header` says (version 1.0, padded to 64 bytes)."""
    text = header.encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def torch_zip(pickle_bytes: bytes, compression=zipfile.ZIP_DEFLATED) -> bytes:
    return zipped({"archive/data.pkl": pickle_bytes, "archive/byteorder": "little", "archive/version": "3\n"},
                  compression)


def appends(n: int) -> bytes:
    """A pickle of a list built by `n` APPENDs: three bytes of file, one opcode of work each."""
    return b"\x80\x02]" + b"K\x00a" * n + b"."


def layer_bomb_npz(tmp_path):
    arrays = lstm_arrays()
    arrays[f"weight_ih_l{FAR}"] = np.zeros((8, 2), np.float32)
    np.savez(tmp_path / "far.npz", **arrays)
    return tmp_path / "far.npz"


def layer_bomb_safetensors(tmp_path):
    header = {"weight_ih_l0": {"dtype": "F32", "shape": [8, 3], "data_offsets": [0, 96]},
              f"weight_ih_l{FAR}": {"dtype": "F32", "shape": [8, 2], "data_offsets": [96, 160]}}
    return write(tmp_path, "far.safetensors", safetensors_file(json.dumps(header).encode(), bytes(160)))


def streamed_zip(path, member: str, chunks, records: dict = ()):
    """A zip whose `member` is written chunk by chunk (a bomb never held whole by the test), after `records`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in dict(records).items():
            archive.writestr(name, data)
        with archive.open(member, "w") as f:
            for chunk in chunks:
                f.write(chunk)
    return path


TORCH_RECORDS = {"archive/byteorder": "little", "archive/version": "3\n"}


def keras_json_bomb(tmp_path):  # 60 MB of nested lists in 58 KB
    chunks = [b"["] + [b"[]," * 1_000_000] * 20 + [b"[]]"]
    return streamed_zip(tmp_path / "bomb.keras", "config.json", chunks)


def torch_zeros_bomb(tmp_path):  # a data.pkl that inflates to 600 MB of zeros
    return streamed_zip(tmp_path / "zeros.pt", "archive/data.pkl", [bytes(1 << 20)] * 600, TORCH_RECORDS)


def torch_appends_bomb(tmp_path):  # ten million opcodes in a 30 KB zip
    chunks = [b"\x80\x02]"] + [b"K\x00a" * 1_000_000] * 10 + [b"."]
    return streamed_zip(tmp_path / "appends.pt", "archive/data.pkl", chunks, TORCH_RECORDS)


def torch_opcodes_bomb(tmp_path):  # a data.pkl under the size bound that runs four million opcodes
    return write(tmp_path, "opcodes.pt", torch_zip(appends(4_000_000)))


def legacy_appends_bomb(tmp_path):  # the legacy (raw pickle) format: the opcodes are in the file itself
    return write(tmp_path, "appends.pth", pickle.dumps(TORCH_MAGIC, protocol=2) + appends(600_000))


def inflated_byteorder(tmp_path):  # a record torch reads besides data.pkl, inflating past any model's
    return streamed_zip(tmp_path / "byteorder.pt", "archive/byteorder", [bytes(1 << 20)] * 80,
                        {"archive/data.pkl": appends(1), "archive/version": "3\n"})


def zero_size_tensors(path, n: int):
    """A safetensors file of `n` zero-size tensors, its header written a thousand entries at a time."""
    entry = b'"t%d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}'
    with open(path, "wb") as f:
        f.write(bytes(8) + b"{")
        for start in range(0, n, 1000):
            f.write((b"," if start else b"") + b",".join(entry % i for i in range(start, min(n, start + 1000))))
        f.write(b"}")
        length = f.tell() - 8
        f.seek(0)
        f.write(struct.pack("<Q", length))
    return path


def safetensors_header_bomb(tmp_path):  # a million zero-size tensors: a 59 MB header
    return zero_size_tensors(tmp_path / "many.safetensors", 1_000_000)


def safetensors_count_bomb(tmp_path):  # 150,000 zero-size tensors in a header under the size bound
    return zero_size_tensors(tmp_path / "count.safetensors", 150_000)


def keras_layer_bomb(tmp_path):  # 600,000 LSTM layers
    layers = ",".join([json.dumps(keras_lstm("l"))] * 10_000).encode()
    chunks = [b'{"class_name": "Functional", "config": {"layers": [', layers] + [b"," + layers] * 59 + [b"]}}"]
    return streamed_zip(tmp_path / "layers.keras", "config.json", chunks)


BOMBS = {build.__name__: build for build in (keras_json_bomb, torch_zeros_bomb, torch_appends_bomb, torch_opcodes_bomb,
                                               legacy_appends_bomb, inflated_byteorder, safetensors_header_bomb,
                                               safetensors_count_bomb, keras_layer_bomb)}


BOUND_NAMED = {"keras_json_bomb": "lstmshape reads at most 8,388,608", "torch_zeros_bomb": "inflate by",
               "torch_appends_bomb": "data.pkl is 30,000,004 bytes",
               "torch_opcodes_bomb": "pickle opcodes; lstmshape reads at most 500,000",
               "legacy_appends_bomb": "pickle opcodes; lstmshape reads at most 500,000",
               "inflated_byteorder": "inflate by", "safetensors_header_bomb": "header too large",
               "safetensors_count_bomb": "tensors; lstmshape reads at most 100,000",
               "keras_layer_bomb": "lstmshape reads at most 8,388,608"}


KERAS_MALFORMED = {
    "build_config string": keras_model({**keras_lstm(), "build_config": "x"}),
    "build_config list": keras_model({**keras_lstm(), "build_config": [1, 2]}),
    "config.layer string": keras_model(keras_bidirectional(layer="LSTM")),
    "cell class list": keras_model(keras_bidirectional(layer={"class_name": ["LSTM"], "config": {}})),
    "cell config string": keras_model(keras_bidirectional(layer={"class_name": "LSTM", "config": "units=3"})),
    "dtype.config string": keras_model(keras_lstm(dtype={"class_name": "DTypePolicy", "config": "float32"})),
    "dtype.config list": keras_model(keras_lstm(dtype={"class_name": "DTypePolicy", "config": ["float32"]})),
    "dtype list": keras_model(keras_lstm(dtype=["float32"])),
    "units of 4201 digits": '{"config": {"layers": [{"class_name": "LSTM", "config": {"name": "r", "units": 1'
                              + "0" * 4200 + '}, "build_config": {"input_shape": [null, 5, 2]}}]}}',
    "merge_mode as a YAML tag": keras_model(keras_bidirectional(
        merge_mode="concat\nx: !!python/object/apply:os.system ['touch PWNED']")),
}


ONNX_MALFORMED = {
    "layout string": (dict(layout="abc"), "attribute layout is STRING, not INT"),
    "layout 7": (dict(layout=7), "attribute layout is 7, not 0 or 1"),
    "direction sideways": (dict(direction="sideways"), "attribute direction is 'sideways', not 'forward' or"),
    "hidden_size negative": (dict(hidden_size=-2), "attribute hidden_size is -2, not a positive size"),
}


def onnx_tensor_attribute():
    from onnx import numpy_helper

    return numpy_helper.from_array(np.zeros(1, np.int64))


HOSTILE_NAMES = ["[/x]", "[link=https://evil.example]click[/link]", "\x1b[31mred\x1b[0m", "\u202eevil", "[bold]b"]


def not_checkpoints() -> dict[str, bytes]:
    rng = np.random.default_rng(25)
    return {
        "random.pt": rng.bytes(4096),
        "text.pth": b"these are not the weights you are looking for\n" * 20,
        "empty.pt": b"",
        "plain-pickle.pt": pickle.dumps({"weight": [1.0, 2.0]}),  # pickled, but not by torch.save
        "pickle-bomb.bin": b"\x80\x04\x8e" + struct.pack("<Q", 1 << 62) + b"x" * 64,  # BINBYTES8 of 4 EiB
        # torch's magic number, then an argument of 4 EiB: counting the pickles never allocates it
        "legacy-bomb.pt": pickle.dumps(TORCH_MAGIC, protocol=2) + b"\x80\x04\x8e" + struct.pack("<Q", 1 << 62),
        "legacy-cut.pt": pickle.dumps(TORCH_MAGIC, protocol=2) + pickle.dumps(1001, protocol=2),  # 2 pickles of 5
        "zip.pt": zip_of({"weights.npy": b"\x93NUMPY"}),  # a zip, but not one torch.save wrote
    }


def zip_of(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def npz(tmp_path) -> str:
    path = tmp_path / "w.npz"
    shapes = {"weight_ih_l0": (20, 6), "weight_hh_l0": (20, 5), "bias_ih_l0": (20,), "bias_hh_l0": (20,)}
    np.savez(path, **{f"rnn.{name}": np.zeros(shape, np.float32) for name, shape in shapes.items()})  # LSTM(6, 5)
    return str(path)


WEIGHTS = GOLDEN_DIR / "weights"


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


@pytest.mark.parametrize("build", [layer_bomb_npz, layer_bomb_safetensors])
def test_a_far_layer_number_is_not_walked(tmp_path, build):
    path = build(tmp_path)
    result = run_bounded("inspect", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1
    assert f"the highest layer is {FAR}" in result.stderr and "layers are missing" in result.stderr


def test_a_far_layer_in_check_weights_and_verify(tmp_path):
    path = layer_bomb_npz(tmp_path)
    (tmp_path / "m.yaml").write_text("lstm:\n  input_size: 3\n  hidden_size: 2\n")
    for args in (("check", "m.yaml", "--weights", path), ("infer", "m.yaml", "--verify", "--weights", path)):
        result = run_bounded(*args, cwd=tmp_path)
        result.assert_harmless("m.yaml")  # the config's num_layers is what differs: its line is named
        assert result.returncode == 1 and f"weight_ih_l{FAR}" in result.stdout + result.stderr


def test_gaps_the_file_pays_for_are_still_named_tensor_by_tensor():
    tensors = [TensorInfo(name, shape, "float32", 0) for name, shape in
               (("weight_ih_l0", (8, 3)), ("weight_hh_l0", (8, 2)), ("weight_ih_l2", (8, 2)), ("weight_hh_l2", (8, 2)))]
    from lstmshape.identify import identify_torch

    (incomplete,) = identify_torch(tensors)[1]
    assert "missing weight_ih_l1, weight_hh_l1" in incomplete.message


def test_a_layer_number_past_int64_is_no_lstm_name(tmp_path):
    np.savez(tmp_path / "digits.npz", **lstm_arrays(), **{"weight_ih_l" + "9" * 5000: np.zeros(1, np.float32)})
    result = run_bounded("inspect", tmp_path / "digits.npz", "--format", "json", cwd=tmp_path)
    result.assert_harmless(tmp_path / "digits.npz")
    assert result.returncode == 0 and json.loads(result.stdout)["other_tensors"] == 1


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bombs_are_refused_before_the_work(tmp_path, name):
    path = BOMBS[name](tmp_path)
    result = run_bounded("inspect", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1
    assert BOUND_NAMED[name] in result.stderr and len(result.stderr) < 1000, result.stderr


def test_recurrent_layers_past_any_model(tmp_path):
    path = write(tmp_path, "layers.keras", keras_file(keras_model(*[keras_lstm(f"l{k}") for k in range(1001)])))
    with pytest.raises(CheckpointError, match="1,001 recurrent layers; lstmshape reads at most 1,000"):
        read_checkpoint(str(path))
    arrays = {k: v for n in range(1001) for k, v in lstm_arrays(f"m{n}.").items()}
    np.savez(tmp_path / "groups.npz", **arrays)
    with pytest.raises(CheckpointError, match="1,001 recurrent layers"):
        read_checkpoint(str(tmp_path / "groups.npz"))


def test_reading_an_onnx_file_parses_it_without_importing_onnx(onnx, tmp_path):
    """The onnx package's __init__ loads its whole library (~0.75 s); reading a model needs only its
    generated protobuf messages, the same classes onnx itself uses."""
    path = write(tmp_path, "m.onnx", onnx_file(onnx, onnx_lstm("l", hidden_size=2)))
    code = ("import sys\nfrom lstmshape.checkpoint import read_checkpoint\n"
            f"found = read_checkpoint({str(path)!r})\n"
            "print([l.prefix for l in found.lstms], sorted(m for m in sys.modules if m == 'onnx' or m.startswith('onnx.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "['l'] []", result.stdout + result.stderr
    assert [layer.prefix for layer in read_checkpoint(str(path)).lstms] == ["l"]  # onnx imported here too


def test_an_onnx_file_without_the_onnx_package_says_what_to_install(tmp_path, monkeypatch):
    import importlib.util

    path = write(tmp_path, "m.onnx", b"\x08\x07")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real(name, *a))
    checkpoint._onnx_messages.cache_clear()
    try:
        with pytest.raises(CheckpointError, match=r"m\.onnx: reading \.onnx needs the onnx package"):
            read_checkpoint(str(path))
    finally:
        checkpoint._onnx_messages.cache_clear()


def test_onnx_node_bomb(onnx, tmp_path):
    nodes = onnx_lstms(50_000, hidden_size=2)
    path = write(tmp_path, "nodes.onnx", onnx_file(onnx, *nodes))
    result = run_bounded("inspect", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and "50,000 recurrent nodes; lstmshape reads at most 1,000" in result.stderr


def test_onnx_attribute_of_megabytes_is_not_echoed(onnx, tmp_path):
    node = onnx_lstm("big")
    node.attribute.append(onnx_ints_attribute("hidden_size", [7] * 3_000_000))
    path = write(tmp_path, "ints.onnx", onnx_file(onnx, node))
    result = run_bounded("inspect", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and len(result.stderr) < 1000
    assert "attribute hidden_size is INTS, not INT" in result.stderr


def test_legacy_tar_checkpoint_writes_nothing(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in ("sys_info", "pickle", "storages", "tensors"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"\x80\x02N"))
    work, temp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    path = write(work, "old.pt", buf.getvalue())
    result = run_bounded("inspect", path, cwd=work, env={"TMPDIR": str(temp)})
    result.assert_harmless(path)
    assert result.returncode == 1 and "legacy tar format" in result.stderr
    assert list(temp.iterdir()) == [] and [p.name for p in work.iterdir()] == ["old.pt"]


def test_real_torch_files_still_read_after_the_bounds(torch, tmp_path):
    model = torch.nn.ModuleDict({"a": torch.nn.LSTM(3, 4, num_layers=2), "b": torch.nn.GRU(2, 3)})
    for kind, zipped_format in (("new.pt", True), ("old.pt", False)):
        torch.save(model.state_dict(), tmp_path / kind, _use_new_zipfile_serialization=zipped_format)
        assert [l.prefix for l in read_checkpoint(str(tmp_path / kind)).lstms] == ["a.", "b."]


@pytest.mark.parametrize("case", sorted(KERAS_MALFORMED))
def test_malformed_keras_configs(tmp_path, case):
    config = KERAS_MALFORMED[case]
    path = write(tmp_path, "m.keras", zipped({"config.json": config if isinstance(config, str) else json.dumps(config)}))
    for output in ("table", "yaml"):
        result = run_bounded("inspect", path, "--format", output, cwd=tmp_path)
        result.assert_harmless(path)
        assert result.returncode == 1 and "error[LS307]" in result.stderr, result.stderr
        assert "!!python" not in result.stdout and not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("case", sorted(ONNX_MALFORMED) + ["layout tensor", "hidden_size tensor", "gru reset x"])
def test_malformed_onnx_attributes(onnx, tmp_path, case):
    if case == "gru reset x":
        node, reason = onnx_lstm("g", "GRU", hidden_size=2, linear_before_reset="x"), "linear_before_reset is STRING"
    elif case.endswith("tensor"):
        key = case.split()[0]
        node, reason = onnx_lstm("t", **{key: onnx_tensor_attribute()}), f"attribute {key} is TENSOR, not INT"
    else:
        attributes, reason = ONNX_MALFORMED[case]
        node = onnx_lstm("n", **{"hidden_size": 2, **attributes})
    path = write(tmp_path, "m.onnx", onnx_file(onnx, node))
    result = run_bounded("inspect", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and reason in result.stderr, result.stderr


def test_npz_shape_past_the_int_digit_limit(tmp_path):
    """Two sizes of 4001 digits each parse; their product (8001 digits) cannot be printed."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "9" * 4001 + ", " + "9" * 4001 + "), }"
    path = write(tmp_path, "m.npz", zipped({"weight_ih_l0.npy": npy_with_header(header)}))
    result = run_bounded("inspect", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and "error[LS304]" in result.stderr


def test_safetensors_shape_no_framework_holds(tmp_path):
    header = json.dumps({"weight_ih_l0": {"dtype": "F32", "shape": [1] * 70, "data_offsets": [0, 4]}}).encode()
    path = write(tmp_path, "m.safetensors", safetensors_file(header, bytes(4)))
    with pytest.raises(CheckpointError, match="a shape no framework holds"):
        read_checkpoint(str(path))


def test_hostile_prefixes_in_the_table(tmp_path):
    arrays = {k: v for name in HOSTILE_NAMES for k, v in lstm_arrays(name + ".").items()}
    np.savez(tmp_path / "names.npz", **arrays)
    result = run_bounded("inspect", tmp_path / "names.npz", cwd=tmp_path)
    result.assert_harmless()
    assert result.returncode == 0, result.stderr
    assert "[/x]." in result.stdout and "[link=https://evil.example]click[/link]." in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\\x1b[31mred" in result.stdout
    code, shown = on_terminal("inspect", tmp_path / "names.npz", columns=200, cwd=tmp_path)
    assert code == 0 and "\x1b]8;" not in shown and "\x1b[31mred" not in shown and "\u202e" not in shown
    assert "[bold]b." in shown


def test_hostile_node_and_layer_names(onnx, tmp_path):
    onnx_path = write(tmp_path, "m.onnx", onnx_file(onnx, *[onnx_lstm(name, hidden_size=2) for name in HOSTILE_NAMES]))
    keras_path = write(tmp_path, "m.keras", keras_file(keras_model(*[keras_lstm(name) for name in HOSTILE_NAMES])))
    for path in (onnx_path, keras_path):
        result = run_bounded("inspect", path, cwd=tmp_path)
        result.assert_harmless()
        assert result.returncode == 0, result.stderr
        assert "[/x]" in result.stdout and "\x1b" not in result.stdout and "\u202e" not in result.stdout
        as_json = run("inspect", path, "--format", "json", cwd=tmp_path)  # what the names read back as
        assert [l["prefix"] for l in json.loads(as_json.stdout)["lstms"]] == HOSTILE_NAMES


def test_yaml_reads_back_as_the_data_whatever_the_file_holds(tmp_path):
    hostile = "concat\nx: !!python/object/apply:os.system ['touch PWNED']\n# \u2028 \x85 \"'"
    found = FoundLSTM(f"a\n{hostile}", "keras", (("input_dim", 2), ("units", 3), ("merge_mode", hostile),
                                                 (hostile, True), ("note", None)),
                      (TensorInfo("w", (2, 12), f"float32\n{hostile}", 96),))
    checkpoint = Checkpoint("m\n!!python/name:os.system.keras", "keras", found.tensors, (found,), ())
    text = config_yaml(checkpoint, found)
    assert yaml.safe_load(text) == {"framework": "keras", "lstm": dict(found.settings)}
    assert [line for line in text.splitlines() if line.startswith("#")] == [text.splitlines()[0]]


def test_long_name_lists_are_summarised(tmp_path):
    arrays = {f"weight_{kind}_l{k}": np.zeros((4, 1), np.float32) for k in range(120) for kind in ("ih", "hh")}
    np.savez(tmp_path / "deep.npz", **arrays)
    (tmp_path / "m.yaml").write_text("lstm:\n  input_size: 1\n  hidden_size: 1\n  bias: false\n")
    result = run_bounded("check", "m.yaml", "--weights", tmp_path / "deep.npz", cwd=tmp_path)
    result.assert_harmless("m.yaml")
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "weight_ih_l1, weight_hh_l1" in out and ", and 138 more" in out, out


def test_verify_does_not_inflate_a_compressed_npz_past_the_bound(tmp_path):
    """Shapes that fit the config, data that deflated 256 MB of zeros each: --verify refuses to load it."""
    path, hidden = tmp_path / "zeros.npz", 4096
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, rows in (("weight_ih_l0", 4 * hidden), ("weight_hh_l0", 4 * hidden)):
            with archive.open(f"{name}.npy", "w", force_zip64=True) as f:
                f.write(npy_with_header(header % (rows, hidden)))
                for _ in range(rows * hidden * 4 >> 20):
                    f.write(bytes(1 << 20))
    (tmp_path / "m.yaml").write_text(f"lstm:\n  input_size: {hidden}\n  hidden_size: {hidden}\n  bias: false\n")
    result = run_bounded("infer", "m.yaml", "--verify", "--weights", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and "inflate by" in result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(not_checkpoints()))
def test_a_file_torch_did_not_write_is_not_a_readable_checkpoint(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(not_checkpoints()[name])
    for command in (("inspect", path), ("check", write(tmp_path, "c.yaml", "lstm: {input_size: 3, hidden_size: 4}\n"),
                                        "--weights", path)):
        result = run_bounded(*command, cwd=tmp_path)
        result.assert_harmless(path)
        assert result.returncode == 1
        assert f"{path}:1:1: error[LS304] not a readable checkpoint: " in result.stdout + result.stderr
        assert "pickles more than tensors" not in result.stdout + result.stderr
    assert sorted(os.listdir(tmp_path)) == sorted([name, "c.yaml"])


def test_a_bug_while_loading_tensor_data_propagates(monkeypatch, tmp_path):
    path = npz(tmp_path)

    def buggy(path, members):
        raise AttributeError("'ZipInfo' object has no attribute 'size'")  # a bug of lstmshape's own

    monkeypatch.setattr(checkpoint, "_bound_inflation", buggy)
    with pytest.raises(AttributeError):
        load_tensors(path, ["rnn.weight_ih_l0"])


def test_a_bug_while_loading_tensor_data_is_exit_3(monkeypatch, tmp_path):
    weights = npz(tmp_path)
    config = tmp_path / "model.yaml"
    config.write_text("lstm: {input_size: 6, hidden_size: 5}\ndata: {batch_size: 2, seq_len: 3}\n")
    monkeypatch.setattr(checkpoint, "_bound_inflation", lambda path, members: members[0].no_such_field)
    code, out = cli("infer", config, "--verify", "--weights", weights, "--prefix", "rnn")
    assert code == 3 and "internal error" in out and "cannot read tensor data" not in out, out


def test_a_file_whose_data_is_corrupt_is_still_a_checkpoint_error(tmp_path):
    """A member whose bytes changed after the header was read: the CRC check fails (BadZipFile)."""
    path = npz(tmp_path)
    data = bytearray(open(path, "rb").read())
    data[200:260] = b"\xff" * 60  # inside the array's data, past its .npy header
    open(path, "wb").write(bytes(data))
    with pytest.raises(CheckpointError, match="cannot read tensor data"):
        load_tensors(path, ["rnn.weight_ih_l0"])


def test_a_dtype_numpy_cannot_hold_is_a_checkpoint_error(torch, tmp_path):
    path = tmp_path / "m.pt"
    torch.save({"w": torch.zeros(2, dtype=torch.float8_e4m3fn)}, path)
    with pytest.raises(CheckpointError, match="(?i)float8"):
        load_tensors(str(path), ["w"])


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
