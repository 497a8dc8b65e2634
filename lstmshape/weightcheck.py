"""`lstmshape check CONFIG --weights FILE`: hold a config against a real checkpoint.

Every tensor the config implies (the shape engine's `parameters`) is looked up under the prefix,
and each difference is named as `load_state_dict` would name it, together with the config setting
that explains it, at that setting's line and column. The codes of this series (LS3xx) and their
documentation live in `CODES`, in one place.
"""

from __future__ import annotations

import os

from .check import EXIT_USAGE, Report, check_file, report_exit
from .checkpoint import Checkpoint, CheckpointError, read_checkpoint
from .identify import TORCH_PARAM, Held, TensorInfo, held, listed, torch_groups
from .problems import ERROR, Problem
from .rules import Model
from .shapes import Tensor, parameters

CODES = {
    "LS301": {
        "name": "weights-shape-mismatch", "severity": ERROR,
        "summary": "A tensor of the checkpoint has another shape than the config gives it.",
        "doc": "load_state_dict would stop with `size mismatch for NAME`. The message names the tensor, both "
               "shapes, and the config setting whose value differs from the checkpoint's (input_size 80 vs 40), "
               "at that setting's line and column.",
    },
    "LS302": {
        "name": "weights-missing-tensor", "severity": ERROR,
        "summary": "A tensor the config implies is not in the checkpoint.",
        "doc": "load_state_dict(strict=True) would report it under `Missing key(s)`. Usually num_layers, "
               "bidirectional, bias or proj_size is set higher in the config than the checkpoint was trained with.",
    },
    "LS303": {
        "name": "weights-unexpected-tensor", "severity": ERROR,
        "summary": "The checkpoint has an LSTM tensor under the prefix that the config does not imply.",
        "doc": "load_state_dict(strict=True) would report it under `Unexpected key(s)`: the config has fewer "
               "layers, no reverse direction, no bias or no projection where the checkpoint has them.",
    },
    "LS304": {
        "name": "weights-unreadable", "severity": ERROR,
        "summary": "The weights file cannot be read: truncated, corrupt, not a state_dict, or unsafe to load.",
        "doc": "Headers are read and checked against the file's real size; a torch file is only ever loaded "
               "with torch.load(weights_only=True), so no code in it runs.",
    },
    "LS305": {
        "name": "weights-no-such-prefix", "severity": ERROR,
        "summary": "No single LSTM to compare: --prefix names none, or the file holds several and none was chosen.",
        "doc": "The message lists the prefixes under which the file has LSTM tensors; pass one with --prefix "
               "(with or without its trailing dot).",
    },
    "LS306": {
        "name": "weights-not-comparable", "severity": ERROR,
        "summary": "The config or the weights file is not one check --weights compares.",
        "doc": "check --weights holds one torch.nn.LSTM config (not a stack, not keras/onnx) against torch "
               "state_dict names in a .pt/.pth/.bin, .safetensors or .npz file.",
    },
    "LS307": {
        "name": "weights-incomplete-lstm", "severity": ERROR,
        "summary": "`inspect`: tensors named like an LSTM's that are not one whole LSTM.",
        "doc": "A missing layer, a stray _reverse tensor or inconsistent sizes: lstmshape reports the set "
               "instead of guessing the settings.",
    },
}

def normalise_prefix(prefix: str) -> str:
    """`encoder.rnn` and `encoder.rnn.` are the same prefix; `` is a bare LSTM."""
    return prefix if not prefix or prefix.endswith(".") else prefix + "."


def select(checkpoint: Checkpoint, prefix: str | None) -> tuple[str | None, dict[str, TensorInfo], str]:
    """The prefix and LSTM tensors to compare with, or (None, {}, why not)."""
    groups = torch_groups(checkpoint.tensors)
    names = ", ".join(repr(p) for p in groups) or "none"
    if prefix is not None:
        wanted = normalise_prefix(prefix)
        if wanted in groups:
            return wanted, groups[wanted], ""
        return None, {}, f"--prefix {prefix!r} names no LSTM in {checkpoint.path}; its LSTM prefixes: {names}"
    if len(groups) == 1:
        (only,) = groups
        return only, groups[only], ""
    if not groups:
        return None, {}, f"{checkpoint.path} holds no torch.nn.LSTM tensors ({len(checkpoint.tensors)} other tensors)"
    return None, {}, f"{checkpoint.path} holds {len(groups)} LSTMs ({names}); choose one with --prefix"


def compare(model: Model, prefix: str, group: dict[str, TensorInfo]) -> list[Problem]:
    """Every difference between the config's state_dict and the checkpoint's tensors under `prefix`."""
    lstm = model.config.lstm
    has = held(group)
    expected = {t.name: t for t in parameters(lstm)}
    out = []
    for name, tensor in expected.items():
        found = group.get(name)
        if found is not None and tuple(found.shape) != tensor.shape:
            key, why = _shape_cause(lstm, has, tensor, found.shape)
            out.append(model.problem(model.origin(0, key), "LS301", ERROR,
                                     f"{prefix}{name} is {listed(found.shape)} in the file, the config gives "
                                     f"{listed(tensor.shape)}: {why}"))
    for code, names, side in (("LS302", [n for n in expected if n not in group], "missing from the file"),
                              ("LS303", [n for n in group if n not in expected], "unexpected in the file")):
        causes: dict[str, list[str]] = {}
        for name in names:
            causes.setdefault(_name_cause(lstm, has, name, code == "LS302"), []).append(name)
        for key, listed_names in causes.items():
            settings = _settings_text(lstm, has, key)
            what = ", ".join(prefix + n for n in listed_names)
            out.append(model.problem(model.origin(0, key) if key else model.block_parts(0), code, ERROR,
                                     f"{side}: {what}" + (f": {settings}" if settings else "")))
    return out


def _shape_cause(lstm, has: Held, tensor: Tensor, shape: tuple[int, ...]) -> tuple[str, str]:
    """The setting that explains a shape difference, and `setting config vs checkpoint`."""
    if len(shape) != len(tensor.dims):
        return "hidden_size", f"a {len(shape)}-D tensor where the config gives a {len(tensor.dims)}-D one"
    for dim, size in zip(tensor.dims, shape):
        if dim.size == size:
            continue
        if dim.meaning == "4 × hidden_size":
            held_size = size // 4 if size % 4 == 0 else f"{size}/4"
            return "hidden_size", f"hidden_size {lstm.hidden_size} vs {held_size} in the checkpoint"
        if dim.meaning in ("hidden_size", "proj_size") and size == has.proj_size != lstm.proj_size:
            return "proj_size", f"proj_size {lstm.proj_size} vs {has.proj_size} in the checkpoint"
        if dim.meaning in ("input_size", "hidden_size", "proj_size"):
            return dim.meaning, f"{dim.meaning} {dim.size} vs {size} in the checkpoint"
        key = "bidirectional" if has.bidirectional != lstm.bidirectional else (
            "proj_size" if lstm.proj_size > 0 else "hidden_size")
        return key, f"{dim.meaning} = {dim.size} vs {size} in the checkpoint"
    raise AssertionError("shapes differ but no dimension does")


def _name_cause(lstm, has: Held, name: str, missing: bool) -> str:
    """The setting whose difference makes `name` missing (or unexpected); "" when none does."""
    match = TORCH_PARAM.match(name)
    if match is None:
        return ""
    ours, theirs = (lstm, has) if missing else (has, lstm)
    if match["reverse"] and ours.bidirectional != theirs.bidirectional:
        return "bidirectional"
    if int(match["layer"]) >= min(ours.num_layers, theirs.num_layers) and ours.num_layers != theirs.num_layers:
        return "num_layers"
    if match["kind"].startswith("bias") and ours.bias != theirs.bias:
        return "bias"
    if match["kind"] == "weight_hr" and (ours.proj_size > 0) != (theirs.proj_size > 0):
        return "proj_size"
    return ""


def _settings_text(lstm, has: Held, key: str) -> str:
    if not key:
        return ""
    ours, theirs = getattr(lstm, key), getattr(has, key)
    show = (lambda v: str(v).lower()) if isinstance(ours, bool) else str
    return f"{key} {show(ours)} vs {show(theirs)} in the checkpoint"


def check_weights(config, checkpoint: Checkpoint, prefix: str | None = None) -> list[Problem]:
    """Every problem of holding a valid config against a read checkpoint."""
    model = Model(config)
    where = model.block_parts(0)
    if config.framework != "torch" or len(config.stack) > 1:
        what = f"a {config.framework} config" if config.framework != "torch" else f"a stack of {len(config.stack)} LSTMs"
        return [model.problem(where, "LS306", ERROR, f"check --weights compares one torch.nn.LSTM config; this is {what}")]
    if checkpoint.format in ("onnx", "keras"):
        return [Problem(checkpoint.path, 1, 1, "LS306", ERROR,
                        f"check --weights compares torch state_dict names; {checkpoint.path} is a {checkpoint.format} "
                        "model (lstmshape inspect shows its LSTMs)")]
    chosen, group, why = select(checkpoint, prefix)
    if chosen is None:
        return [Problem(checkpoint.path, 1, 1, "LS305", ERROR, why)]
    return sorted(compare(model, chosen, group), key=lambda p: (p.line, p.column, p.code))


def run(paths: list[str], weights: str, prefix: str | None = None, output_format: str | None = None,
        strict: bool = False, exit_zero: bool = False, stdout=None, stderr=None) -> int:
    """The whole `lstmshape check CONFIG --weights FILE` command; returns its exit code."""
    import sys

    from .config import read_config

    stderr = stderr or sys.stderr
    if len(paths) != 1 or os.path.isdir(paths[0]):
        stderr.write("lstmshape: error: check --weights takes exactly one config file\n")
        return EXIT_USAGE
    for path in (paths[0], weights):
        if not os.path.lexists(path):
            stderr.write(f"lstmshape: error: {path}: no such file or directory\n")
            return EXIT_USAGE
    problems = check_file(paths[0])
    if not any(p.is_error for p in problems):
        config, _ = read_config(paths[0])
        try:
            checkpoint = read_checkpoint(weights)
        except CheckpointError as exc:
            problems.append(Problem(weights, 1, 1, "LS304", ERROR, str(exc)))
        else:
            problems += check_weights(config, checkpoint, prefix)
    return report_exit(Report(files=[paths[0]], problems=problems), output_format, strict, exit_zero, stdout, stderr)


def checkpoint_params(config, path: str, prefix: str | None = None) -> tuple[dict | None, list[Problem]]:
    """The checkpoint's tensors for the config's LSTM (state_dict names, NumPy arrays), loading only
    those; or None and the problems that stop them from fitting the config."""
    from .checkpoint import load_tensors

    try:
        checkpoint = read_checkpoint(path)
        problems = check_weights(config, checkpoint, prefix)
        if problems:
            return None, problems
        chosen, group, _ = select(checkpoint, prefix)
        arrays = load_tensors(path, [chosen + name for name in group])
    except CheckpointError as exc:
        return None, [Problem(path, 1, 1, "LS304", ERROR, str(exc))]
    return {name: arrays[chosen + name] for name in group}, []
