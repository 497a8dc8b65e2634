"""`lstmshape inspect`: a checkpoint's recurrent layers (LSTM, GRU, RNN) as tables, JSON, or ready
lstmshape configs (YAML), each named as the cell it is."""

from __future__ import annotations

import json
import re
from typing import TextIO

from ..checkpoint import KERAS_FILE, NPZ, ONNX_FILE, SAFETENSORS, TORCH_FILE, Checkpoint
from ..frameworks import DEFAULT
from ..identify import FoundLSTM, counted
from ..problems import one_line, shown_path
from ..shapes import Size
from . import terminal
from .result_text import human_bytes

FORMAT_NAMES = {TORCH_FILE: "torch state_dict", SAFETENSORS: "safetensors", NPZ: "NumPy npz",
                ONNX_FILE: "ONNX model", KERAS_FILE: "Keras 3 model"}


def inspect_json(checkpoint: Checkpoint) -> dict:
    """`{"file", "format", "lstms": [{"prefix", "framework", "config", "num_params", "dtype", "bytes"}],
    "incomplete": [{"prefix", "framework", "message"}], "other_tensors"}`."""
    return {
        "file": checkpoint.path,
        "format": checkpoint.format,
        "lstms": [{"prefix": lstm.prefix, "framework": lstm.framework, "config": lstm.config,
                   "num_params": lstm.num_params, "dtype": lstm.dtype, "bytes": lstm.nbytes}
                  for lstm in checkpoint.lstms],
        "incomplete": [{"prefix": i.prefix, "framework": i.framework, "message": i.message}
                       for i in checkpoint.incomplete],
        "other_tensors": checkpoint.other_tensors,
    }


def write_json(stream: TextIO, checkpoint: Checkpoint) -> None:
    # ASCII escapes: a name from the file (a lone surrogate, a control character) stays valid JSON text
    stream.write(json.dumps(inspect_json(checkpoint), indent=2) + "\n")


def config_document(lstm: FoundLSTM) -> dict:
    """The config of one recurrent layer of the checkpoint, as data: what `config_yaml` writes."""
    return ({"framework": lstm.framework} if lstm.framework != DEFAULT.name else {}) | {"lstm": dict(lstm.settings)}


def config_yaml(checkpoint: Checkpoint, lstm: FoundLSTM) -> str:
    """A config `lstmshape infer` accepts, for one recurrent layer of the checkpoint: a comment saying
    what and where it is, then the data through YAML's own emitter (safe_dump quotes whatever a file
    holds, so no string from it can become a tag, a key or a second line)."""
    import yaml

    # json.dumps and one_line keep a hostile name (newlines, U+2028, '#') inside one comment line
    comment = (f"# the {lstm.name} {json.dumps(lstm.prefix)} of {json.dumps(checkpoint.path)} "
               f"({FORMAT_NAMES[checkpoint.format]}, {one_line(lstm.dtype)}, {lstm.num_params:,} parameters)\n")
    return comment + yaml.safe_dump(config_document(lstm), sort_keys=False, allow_unicode=False)


def _plain(text: str):
    """A string from the file as rich shows it: one printable line, never read as markup (`[/x]`,
    `[link=...]`) or as terminal control (ESC, U+202E)."""
    from rich.text import Text

    return Text(one_line(text), overflow="fold")


def _shown_value(value) -> str:
    """A setting as the table shows it: YAML's spelling of null and booleans."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def file_names(checkpoint: Checkpoint) -> list[str]:
    """One file name per recurrent layer, from its prefix (`encoder.rnn.` → `encoder.rnn.yaml`),
    never twice."""
    out: list[str] = []
    for lstm in checkpoint.lstms:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", lstm.prefix.strip("./")).strip("._")[:100] or "lstm"
        name, k = stem, 2
        while f"{name}.yaml" in out:
            name, k = f"{stem}-{k}", k + 1
        out.append(f"{name}.yaml")
    return out


def write_yaml(stream: TextIO, checkpoint: Checkpoint) -> None:
    stream.write("---\n".join(config_yaml(checkpoint, lstm) for lstm in checkpoint.lstms))


def write_table(stream: TextIO, checkpoint: Checkpoint) -> None:
    """One table per recurrent layer: its prefix, derived settings, parameter count, dtype and bytes."""
    from rich.table import Table

    console = terminal.console(stream, width=200, highlight=False)
    other = checkpoint.other_tensors
    found = counted(lstm.name for lstm in checkpoint.lstms)
    console.print(_plain(f"{shown_path(checkpoint.path)} ({FORMAT_NAMES[checkpoint.format]}): {found}; "
                        f"{other} other tensor{'s' if other != 1 else ''}"))
    for lstm in checkpoint.lstms:
        title = _plain(f"{lstm.prefix or '(no prefix)'} ({lstm.framework})")  # shown whole: as wide as it needs
        table = Table(title=title, title_justify="left", min_width=min(title.cell_len, console.width))
        table.add_column("setting", overflow="fold")
        table.add_column("value", justify="right", overflow="fold")
        for key, value in lstm.settings:
            table.add_row(_plain(key), _plain(_shown_value(value)))
        table.add_row("parameters", f"{lstm.num_params:,}", end_section=False)
        table.add_row("dtype", _plain(lstm.dtype))
        table.add_row("bytes", human_bytes(Size(lstm.nbytes)))
        console.print(table)


def write_configs(checkpoint: Checkpoint, directory: str) -> list[str]:
    """One config file per recurrent layer in `directory` (created if needed); an existing file is
    never overwritten (FileExistsError names it, and nothing is written)."""
    import os

    paths = [os.path.join(directory, name) for name in file_names(checkpoint)]
    taken = [path for path in paths if os.path.lexists(path)]
    if taken:
        raise FileExistsError(f"{taken[0]} exists; lstmshape never overwrites a file")
    os.makedirs(directory, exist_ok=True)
    for path, lstm in zip(paths, checkpoint.lstms):
        with open(path, "x", encoding="utf-8") as f:
            f.write(config_yaml(checkpoint, lstm))
    return paths
