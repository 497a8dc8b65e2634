"""What a new user reads in their first hour (issue 25, item 6): byte sizes a symbol name cannot
blur, recurrent layers named as the cell they are (LSTM, GRU, RNN, SimpleRNN), a file that is no
checkpoint said to be one, and LS301 naming every setting behind a shape difference. Each through
the CLI's entry point, as a user sees it."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import struct
import zipfile

import numpy as np
import pytest

from lstmshape.checkpoint import TORCH_MAGIC

from helpers import run, run_bounded, write


# ---- (e) a symbol named like a byte unit ----

SIZE = re.compile(r"[0-9][0-9,.]* (B|KiB|MiB|GiB|TiB)")  # a number and its unit, always together


def float32_column(table: str) -> list[str]:
    """The last cell of each tensor row of infer's first table."""
    rows = [line for line in table.splitlines() if line.startswith("│ ")]
    return [row.split("│")[-2].strip() for row in rows[:6]]


@pytest.mark.parametrize("batch, seq", [("B", "T"), ("KiB", "B"), ("MiB", "GiB")])
def test_symbolic_byte_sizes_keep_their_unit_apart_from_every_symbol(tmp_path, batch, seq):
    config = write(tmp_path, "c.yaml", f"data: {{batch_size: {batch}, seq_len: {seq}}}\n"
                                        "lstm: {input_size: 128, hidden_size: 256}\n")
    result = run("infer", config)
    assert result.returncode == 0, result.stderr
    symbols = " × ".join(sorted([batch, seq]))
    cells = float32_column(result.stdout)
    assert cells[:2] == [f"512 B × {symbols}", f"1.0 KiB × {symbols}"]  # (T, N, 128) and (T, N, 256)
    assert cells[2:] == [f"1.0 KiB × {batch}"] * 4  # h0, c0, hn, cn: (1, N, 256)
    for cell in cells:  # whatever the symbols are called, the size is the number with its own unit
        size, *factors = cell.split(" × ")
        assert SIZE.fullmatch(size) and sorted(factors) in ([batch], sorted([batch, seq])), cell


def test_symbolic_byte_sizes_in_the_html_report_and_json(tmp_path):
    config = write(tmp_path, "c.yaml", "data: {batch_size: B, seq_len: 32}\nlstm: {input_size: 128, hidden_size: 256}\n")
    page = tmp_path / "report.html"
    drawn = run("draw", config, "-o", page)
    assert drawn.returncode == 0, drawn.stderr
    html = page.read_text()
    assert ">16.0 KiB × B<" in html and ">1.0 KiB × B<" in html and "·B B" not in html
    doc = json.loads(run("infer", config, "--format", "json").stdout)
    assert doc["results"][0]["bytes"]["input"] == "16384*B"  # JSON: a count of bytes, its unit the key's


# ---- (f) each recurrent layer named as the cell it is ----

def torch_tensors(prefix: str, gates: int, inputs: int, hidden: int, layers: int = 1) -> dict:
    """An nn.LSTM (gates 4), nn.GRU (3) or nn.RNN (1) state_dict under `prefix`, zeros."""
    out = {}
    for k in range(layers):
        width = inputs if k == 0 else hidden
        out |= {f"{prefix}weight_ih_l{k}": np.zeros((gates * hidden, width), np.float32),
                f"{prefix}weight_hh_l{k}": np.zeros((gates * hidden, hidden), np.float32),
                f"{prefix}bias_ih_l{k}": np.zeros(gates * hidden, np.float32),
                f"{prefix}bias_hh_l{k}": np.zeros(gates * hidden, np.float32)}
    return out


def npz(path, tensors: dict):
    np.savez(path, **tensors)
    return path


def test_inspect_names_a_gru_a_gru(tmp_path):
    path = npz(tmp_path / "gru.npz", torch_tensors("gru.", 3, 8, 16, layers=2))
    table = run("inspect", path)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0] == f"{path} (NumPy npz): 1 GRU; 0 other tensors"
    yaml = run("inspect", path, "--format", "yaml").stdout
    assert yaml.startswith(f'# the GRU "gru." of "{path}" (NumPy npz, float32, 2,880 parameters)\n')
    assert "LSTM" not in table.stdout + yaml


def test_inspect_names_each_cell_of_a_mixed_file(tmp_path):
    tensors = torch_tensors("enc.", 4, 8, 16) | torch_tensors("dec.", 3, 16, 16) | torch_tensors("aux.", 3, 4, 4)
    tensors |= torch_tensors("out.", 1, 4, 4) | {"head.weight": np.zeros((2, 16), np.float32)}
    path = npz(tmp_path / "mixed.npz", tensors)
    table = run("inspect", path)
    assert table.stdout.splitlines()[0] == (f"{path} (NumPy npz): 4 recurrent layers: an LSTM, 2 GRUs and an RNN; "
                                            "1 other tensor")
    comments = [line for line in run("inspect", path, "--format", "yaml").stdout.splitlines()
                if line.startswith("#")]
    assert [c.split('"')[0] for c in comments] == ["# the LSTM ", "# the GRU ", "# the GRU ", "# the RNN "]


def test_check_weights_names_the_cells_it_could_compare(tmp_path):
    config = write(tmp_path, "c.yaml", "lstm: {input_size: 8, hidden_size: 16, cell: gru}\n")
    mixed = npz(tmp_path / "mixed.npz", torch_tensors("enc.", 4, 8, 16) | torch_tensors("dec.", 3, 8, 16))
    several = run("check", config, "--weights", mixed)
    assert several.returncode == 1
    assert several.stdout.splitlines()[0] == (f"{mixed}:1:1: error[LS305] {mixed} holds 2 recurrent layers: an LSTM "
                                              "and a GRU ('enc.', 'dec.'); choose one with --prefix")
    grus = npz(tmp_path / "grus.npz", torch_tensors("a.", 3, 8, 16) | torch_tensors("b.", 3, 8, 16))
    assert f"{grus} holds 2 GRUs ('a.', 'b.'); choose one with --prefix" in run("check", config, "--weights",
                                                                                 grus).stdout
    wrong = run("check", config, "--weights", grus, "--prefix", "c").stdout
    assert f"--prefix 'c' names no GRU in {grus}; its GRU prefixes: 'a.', 'b.'" in wrong
    stack = write(tmp_path, "stack.yaml", "lstm:\n  - {input_size: 8, hidden_size: 16, cell: gru}\n"
                                           "  - {hidden_size: 16, cell: gru}\n")
    assert "this is a stack of 2 GRUs" in run("check", stack, "--weights", grus).stdout


def test_a_broken_gru_is_called_a_gru(tmp_path):
    tensors = torch_tensors("dec.", 3, 8, 16)
    del tensors["dec.bias_hh_l0"]
    path = npz(tmp_path / "broken.npz", tensors)
    result = run("inspect", path)
    assert result.returncode == 1
    assert (f"{path}:1:1: error[LS307] the GRU tensors under 'dec.' are not one whole GRU: missing bias_hh_l0 "
            "(held against the GRU that weight_ih_l0") in result.stdout + result.stderr


def keras_archive(path, layers: list[dict]):
    """A .keras archive whose config.json holds `layers` (no weights: inspect reads the config)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": layers}}))
    return path


def test_keras_layers_are_named_as_keras_names_them(tmp_path):
    built = {"build_config": {"input_shape": [None, 5, 3]}}
    path = keras_archive(tmp_path / "m.keras", [
        {"class_name": "GRU", "config": {"name": "gru", "units": 4}, **built},
        {"class_name": "SimpleRNN", "config": {"name": "rnn", "units": 4}, **built},
        {"class_name": "GRU", "config": {"name": "unbuilt", "units": 4}}])
    result = run("inspect", path)
    out = result.stdout + result.stderr
    assert f"{path} (Keras 3 model): 2 recurrent layers: a GRU and a SimpleRNN; 0 other tensors" in out
    assert "the GRU tensors under 'unbuilt' are not one whole GRU: the layer was never built" in out
    assert "LSTM" not in out


# ---- (g) a file that is not a checkpoint says so ----

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
        "zip.pt": zipped({"weights.npy": b"\x93NUMPY"}),  # a zip, but not one torch.save wrote
    }


def zipped(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


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


# ---- (h) LS301 names every setting behind a shape difference ----

def shape_problems(tmp_path, config: str, tensors: dict) -> dict[str, str]:
    """LS301's message per tensor name (after `is`), from `check CONFIG --weights`."""
    path = npz(tmp_path / "w.npz", tensors)
    out = run("check", write(tmp_path, "c.yaml", config), "--weights", path).stdout
    return {m["name"]: m["why"] for m in re.finditer(r"error\[LS301\] (?P<name>\S+) is .*?: (?P<why>.*)", out)}


def test_ls301_names_input_size_and_hidden_size_when_both_differ(tmp_path):
    why = shape_problems(tmp_path, "lstm: {input_size: 12, hidden_size: 24}\n", torch_tensors("rnn.", 4, 10, 20))
    assert why["rnn.weight_ih_l0"] == "hidden_size 24 vs 20 and input_size 12 vs 10 in the checkpoint"
    assert why["rnn.weight_hh_l0"] == "hidden_size 24 vs 20 in the checkpoint"  # input_size is no part of it
    assert why["rnn.bias_ih_l0"] == why["rnn.bias_hh_l0"] == "hidden_size 24 vs 20 in the checkpoint"


def test_ls301_names_the_cell_and_input_size_when_both_differ(tmp_path):
    why = shape_problems(tmp_path, "lstm: {input_size: 6, hidden_size: 16}\n", torch_tensors("gru.", 3, 8, 16))
    assert why["gru.weight_ih_l0"] == ("cell lstm vs gru and input_size 6 vs 8 in the checkpoint (its weight_hh_l0 "
                                       "has 3 × hidden_size rows)")
    assert why["gru.weight_hh_l0"] == ("cell lstm vs gru in the checkpoint (its weight_hh_l0 has 3 × hidden_size "
                                       "rows)")


def test_ls301_names_the_cell_and_hidden_size_when_both_differ(tmp_path):
    why = shape_problems(tmp_path, "lstm: {input_size: 8, hidden_size: 4}\n", torch_tensors("gru.", 3, 8, 5))
    assert why["gru.weight_hh_l0"] == ("cell lstm vs gru and hidden_size 4 vs 5 in the checkpoint (its weight_hh_l0 "
                                       "has 3 × hidden_size rows)")
    # an RNN's gate rows are hidden_size, as its weight_hh_l0's columns are: only the rows tell the cell
    why = shape_problems(tmp_path, "lstm: {input_size: 8, hidden_size: 16, cell: rnn}\n", torch_tensors("", 4, 8, 16))
    assert why["weight_hh_l0"] == "cell rnn vs lstm in the checkpoint (its weight_hh_l0 has 4 × hidden_size rows)"
