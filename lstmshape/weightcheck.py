"""`lstmshape check CONFIG --weights FILE`: hold a config against a real checkpoint.

Every tensor the config implies (the shape engine's `parameters`) is looked up under the prefix,
and each difference is named as `load_state_dict` would name it, together with the config setting
that explains it, at that setting's line and column. The codes of this series (LS3xx) and their
documentation live in lstmshape/codes.py with every other code.
"""

from __future__ import annotations

from .checkpoint import MODEL_FILES, Checkpoint, CheckpointError, load_tensors, read_checkpoint
from .codes import (WEIGHTS_MISSING_TENSOR, WEIGHTS_NO_SUCH_PREFIX, WEIGHTS_NOT_COMPARABLE, WEIGHTS_SHAPE_MISMATCH,
                    WEIGHTS_UNEXPECTED_TENSOR, WEIGHTS_UNREADABLE)
from .identify import TORCH_PARAM, Held, TensorInfo, cell_name, cell_of, counted, held, listed, some, torch_groups
from .problems import ERROR, Problem
from .rules import RuleContext
from .settings import CELLS, Config
from .shapes import Tensor
from .frameworks import TORCH, of
from .frameworks.torch import parameters
from .shapes.core import DEEPEST_RUN, gate_rows

def normalise_prefix(prefix: str) -> str:
    """`encoder.rnn` and `encoder.rnn.` are the same prefix; `` is a bare LSTM."""
    return prefix if not prefix or prefix.endswith(".") else prefix + "."


def select(checkpoint: Checkpoint, prefix: str | None) -> tuple[str | None, dict[str, TensorInfo], str]:
    """The prefix and recurrent layer tensors to compare with, or (None, {}, why not), each layer
    named as the cell it is (LSTM, GRU or RNN)."""
    groups = torch_groups(checkpoint.tensors)
    names = some([repr(p) for p in groups]) or "none"
    cells = [cell_name(cell_of(group), TORCH.name) for group in groups.values()]
    kind = cells[0] if len(set(cells)) == 1 else "recurrent layer"
    if prefix is not None:
        wanted = normalise_prefix(prefix)
        if wanted in groups:
            return wanted, groups[wanted], ""
        return None, {}, f"--prefix {prefix!r} names no {kind} in {checkpoint.path}; its {kind} prefixes: {names}"
    if len(groups) == 1:
        (only,) = groups
        return only, groups[only], ""
    if not groups:
        return None, {}, (f"{checkpoint.path} holds no torch.nn.LSTM, GRU or RNN tensors "
                          f"({len(checkpoint.tensors)} other tensors)")
    return None, {}, f"{checkpoint.path} holds {counted(cells)} ({names}); choose one with --prefix"


def compare(model: RuleContext, prefix: str, group: dict[str, TensorInfo]) -> list[Problem]:
    """Every difference between the config's state_dict and the checkpoint's tensors under `prefix`."""
    lstm = model.config.blocks[0]
    has = held(group)
    if lstm.num_layers > DEEPEST_RUN:  # a name per layer would be work without end: say it at once
        return [model.problem(model.origin(0, "num_layers"), WEIGHTS_MISSING_TENSOR, ERROR,
                              f"missing from the file: every tensor of layers {has.num_layers} to "
                              f"{lstm.num_layers - 1:,}: num_layers {lstm.num_layers:,} in the config (deeper than any "
                              f"real network) vs {has.num_layers} in the checkpoint")]
    expected = {t.name: t for t in parameters(lstm)}
    out = []
    theirs = cell_of(group)
    for name, tensor in expected.items():
        found = group.get(name)
        if found is not None and tuple(found.shape) != tensor.shape:
            key, why = _shape_cause(lstm, has, theirs, tensor, found.shape)
            out.append(model.problem(model.origin(0, key), WEIGHTS_SHAPE_MISMATCH, ERROR,
                                     f"{prefix}{name} is {listed(found.shape)} in the file, the config gives "
                                     f"{listed(tensor.shape)}: {why}"))
    for code, names, side in ((WEIGHTS_MISSING_TENSOR, [n for n in expected if n not in group], "missing from the file"),
                              (WEIGHTS_UNEXPECTED_TENSOR, [n for n in group if n not in expected], "unexpected in the file")):
        causes: dict[str, list[str]] = {}
        for name in names:
            causes.setdefault(_name_cause(lstm, has, name, code == WEIGHTS_MISSING_TENSOR), []).append(name)
        for key, listed_names in causes.items():
            settings = _settings_text(lstm, has, key)
            what = some([prefix + n for n in listed_names])
            out.append(model.problem(model.origin(0, key) if key else model.block_parts(0), code, ERROR,
                                     f"{side}: {what}" + (f": {settings}" if settings else "")))
    return out


def _shape_cause(lstm, has: Held, theirs: str, tensor: Tensor, shape: tuple[int, ...]) -> tuple[str, str]:
    """Every setting that explains a shape difference, as `setting config vs checkpoint` (a
    weight_ih_l0 of another hidden_size and input_size names both: fixing one leaves the other),
    and the first of them, where the problem is placed. `theirs`: the checkpoint's cell."""
    if len(shape) != len(tensor.dims):
        return "hidden_size", f"a {len(shape)}-D tensor where the config gives a {len(tensor.dims)}-D one"
    rows = gate_rows(lstm.kind, lstm.hidden_size).meaning
    causes: dict[str, str] = {}
    for k, (dim, size) in enumerate(zip(tensor.dims, shape)):
        if k == 0 and dim.meaning == rows:  # the cell's gate blocks: how many, of what hidden_size, in the file
            for key, why in _rows_causes(lstm, theirs, size).items():
                causes.setdefault(key, why)
        elif dim.size != size:
            causes.setdefault(*_dim_cause(lstm, has, dim, size))
    if not causes:
        raise AssertionError("shapes differ but no dimension does")
    # a GRU checkpoint held against an LSTM config (or the reverse): the cell explains the rows
    note = f" (its weight_hh_l0 has {CELLS[theirs].gates} × hidden_size rows)" if "cell" in causes else ""
    return next(iter(causes)), " and ".join(causes.values()) + " in the checkpoint" + note


def _rows_causes(lstm, theirs: str, size: int) -> dict[str, str]:
    """What makes a dimension of gate blocks `size` rows in the file: another cell, another hidden_size."""
    gates = CELLS[theirs].gates
    held_size = size // gates if size % gates == 0 else f"{size}/{gates}"
    return ({"cell": f"cell {lstm.cell} vs {theirs}"} if theirs != lstm.cell else {}) | (
        {"hidden_size": f"hidden_size {lstm.hidden_size} vs {held_size}"} if held_size != lstm.hidden_size else {})


def _dim_cause(lstm, has: Held, dim, size: int) -> tuple[str, str]:
    """The setting that explains one other dimension's size in the file."""
    if dim.meaning in ("hidden_size", "proj_size") and size == has.proj_size != lstm.proj_size:
        return "proj_size", f"proj_size {lstm.proj_size} vs {has.proj_size}"
    if dim.meaning in ("input_size", "hidden_size", "proj_size"):
        return dim.meaning, f"{dim.meaning} {dim.size} vs {size}"
    key = "bidirectional" if has.bidirectional != lstm.bidirectional else (
        "proj_size" if lstm.proj_size > 0 else "hidden_size")
    return key, f"{dim.meaning} = {dim.size} vs {size}"


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


def check_weights(config: Config, checkpoint: Checkpoint, prefix: str | None = None) -> list[Problem]:
    """Every problem of holding a valid config against a read checkpoint."""
    model = RuleContext(config)
    where = model.block_parts(0)
    framework = of(config.framework)
    if not framework.runs_forward or len(config.blocks) > 1:
        what = (f"a {framework.name} config" if not framework.runs_forward
                else f"a stack of {counted(cell_name(block.cell, TORCH.name) for block in config.blocks)}")
        return [model.problem(where, WEIGHTS_NOT_COMPARABLE, ERROR,
                              f"check --weights compares the config of one torch.nn.LSTM, GRU or RNN; this is {what}")]
    if checkpoint.format in MODEL_FILES:
        return [Problem(checkpoint.path, 1, 1, WEIGHTS_NOT_COMPARABLE, ERROR,
                        f"check --weights compares torch state_dict names; {checkpoint.path} is a {checkpoint.format} "
                        "model (lstmshape inspect shows its LSTMs)")]
    chosen, group, why = select(checkpoint, prefix)
    if chosen is None:
        return [Problem(checkpoint.path, 1, 1, WEIGHTS_NO_SUCH_PREFIX, ERROR, why)]
    return sorted(compare(model, chosen, group), key=lambda p: (p.line, p.column, p.code))


def unreadable(path: str, exc: CheckpointError) -> Problem:
    """LS304 for a weights file that cannot be read, placed at the file (the message names it once)."""
    message = str(exc)
    return Problem(path, 1, 1, WEIGHTS_UNREADABLE, ERROR, message.removeprefix(f"{path}: "))


def check_config_weights(config: Config, weights: str, prefix: str | None = None) -> list[Problem]:
    """`check CONFIG --weights FILE` for a config without errors: the weights file's problems."""
    try:
        checkpoint = read_checkpoint(weights)
    except CheckpointError as exc:
        return [unreadable(weights, exc)]
    return check_weights(config, checkpoint, prefix)


def checkpoint_params(config, path: str, prefix: str | None = None) -> tuple[dict | None, list[Problem]]:
    """The checkpoint's tensors for the config's LSTM (state_dict names, NumPy arrays), loading only
    those; or None and the problems that stop them from fitting the config."""
    try:
        checkpoint = read_checkpoint(path)
        problems = check_weights(config, checkpoint, prefix)
        if problems:
            return None, problems
        chosen, group, _ = select(checkpoint, prefix)
        arrays = load_tensors(path, [chosen + name for name in group])
    except CheckpointError as exc:
        return None, [unreadable(path, exc)]
    return {name: arrays[chosen + name] for name in group}, []
