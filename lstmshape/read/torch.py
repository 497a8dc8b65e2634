"""The `lstm` section of a torch config: torch.nn.LSTM's constructor arguments (one mapping, or a
list of blocks for a stack), under the names people actually use for them.

Validation mirrors torch.nn.LSTM's constructor and goes further: PyTorch accepts
`hidden_size=20.0` until deep inside cuDNN, we say at line and column that it is not an integer.
An alias given together with its canonical key must agree with it.
"""

from __future__ import annotations

from ..codes import CONFLICTING_ALIAS, MISSING_KEY, OUT_OF_RANGE, WRONG_STRUCTURE, WRONG_TYPE
from ..frameworks.torch import LSTM_KEYS, TORCH
from ..settings import CELLS, NONLINEARITIES, Config, TorchLSTM, joined_features
from .head import DECODER_KEYS, JOIN_STEPS, read_model, read_steps, section_keys
from .data import DATA_KEYS, data_config, read_data
from .reader import Reader, homes
from .values import show

TOTALS = (("total_hidden_size", "hidden_size"), ("total_proj_size", "proj_size"))
SIZE_NAMES = frozenset(n for key in LSTM_KEYS[:2] for n in (key.name, *key.aliases))  # input_size, hidden_size
MAX_SEARCHED = 10_000  # mappings looked at for LSTM settings: a config has hundreds


def lstm_settings_place(data) -> tuple[tuple, list[str]] | None:
    """Where a document that is no lstmshape config keeps LSTM settings, for the hint that maps it:
    the key path of the mapping holding the most of input_size/hidden_size (or an alias), the
    shallowest first, and those keys; None when no mapping holds one."""
    best: tuple[tuple, list[str]] | None = None
    queue, searched = [((), data)], 0
    while queue and searched < MAX_SEARCHED:
        parts, node = queue.pop(0)
        searched += 1
        if not isinstance(node, dict):
            continue
        found = [str(k) for k in node if k in SIZE_NAMES]
        if found and (best is None or len(found) > len(best[1])):
            best = (parts, found)
        queue += [(parts + (k,), v) for k, v in node.items() if isinstance(k, str) and isinstance(v, dict)]
    return best


def read_torch(reader: Reader, data: dict) -> Config | None:
    """A torch config (top-level keys already checked): None when it has errors. `lstm` is one
    block or a list of blocks (a stack; one block is a stack of one, read the same way): block
    k+1's input_size defaults to block k's output features, through its `join`."""
    reader.homes = homes(section_keys(TORCH, DATA_KEYS, {"decoder": DECODER_KEYS}))
    if "lstm" not in data:
        reader.problem((), MISSING_KEY, "missing section 'lstm' (input_size, hidden_size, ...)")
        return None
    listed = isinstance(data["lstm"], list)
    if listed and not data["lstm"]:
        reader.problem(("lstm",), WRONG_STRUCTURE, "'lstm' is an empty list; expected one block (a mapping) or more")
        return None
    bodies = data["lstm"] if listed else [data["lstm"]]
    if listed:
        joins = read_joins(reader, bodies)
    else:
        joins = ((),)
        if isinstance(bodies[0], dict) and "join" in bodies[0]:
            reader.problem(("lstm", "join"), WRONG_STRUCTURE, "'join' says what sits between two blocks of a stack; "
                           "write lstm as a list of blocks and put join on the block after it", key=True)
    bodies = [{k: v for k, v in b.items() if k != "join"} if isinstance(b, dict) else b for b in bodies]
    places = [("lstm", k) if listed else ("lstm",) for k in range(len(bodies))]
    data = {**data, "lstm": bodies if listed else bodies[0]}
    blocks = [reader.section("lstm", data, LSTM_KEYS, index=k if listed else None) for k in range(len(bodies))]
    values = read_data(reader, data)
    head, expect = read_model(reader, data, TORCH, len(bodies))
    built: list[TorchLSTM] = []
    for k, (lstm, at) in enumerate(zip(blocks, places)):
        if listed:
            reader.origins[at] = at
        if lstm is None:
            continue
        bidirectional = directions(reader, lstm, at)
        ok = bidirectional is not None and totals(reader, lstm, at)  # before the cell: a GRU refuses proj_size
        ok = read_cell(reader, lstm, at) and ok
        cross_checks(reader, lstm, at)
        if k > 0 and "input_size" not in lstm and len(built) == k and joins is not None:
            lstm["input_size"] = joined_features(built[-1], joins[k])
        if ok and "input_size" in lstm and "hidden_size" in lstm and len(built) == k:
            built.append(TorchLSTM(**lstm))
    if len(built) != len(blocks) or values is None or head is None or expect is None or joins is None:
        return None
    return Config(reader.doc.path, tuple(built), data_config(values), reader.origins, reader.doc,
                  head=head, expect=expect, joins=joins if any(joins) else (), listed=listed)


def read_joins(reader: Reader, body: list) -> tuple | None:
    """Each block's `join`: the layers between the block before it and this one (() when the
    output goes on as it is); None when one is invalid."""
    joins, ok = [], True
    for k, block in enumerate(body):
        if not isinstance(block, dict) or "join" not in block:
            joins.append(())
            continue
        if k == 0:
            reader.problem(("lstm", 0, "join"), OUT_OF_RANGE, "lstm[0] has no block before it to join: 'join' "
                           "belongs on a later block and says what sits between it and the block before", key=True)
            ok = False
            continue
        steps = read_steps(reader, ("lstm", k, "join"), block["join"], JOIN_STEPS)
        ok = steps is not None and ok
        joins.append(steps or ())
    return tuple(joins) if ok else None


def directions(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> bool | None:
    """Fold num_directions into bidirectional; None when the two disagree."""
    if "num_directions" not in lstm:
        return lstm.get("bidirectional", False)
    from_directions = lstm.pop("num_directions") == 2
    origins = reader.origins
    if "bidirectional" in lstm and lstm["bidirectional"] != from_directions:
        reader.problem(
            origins[at + ("num_directions",)], CONFLICTING_ALIAS,
            f"num_directions is {2 if from_directions else 1} but bidirectional "
            f"({reader.at(origins[at + ('bidirectional',)])}) is {str(lstm['bidirectional']).lower()}",
        )
        return None
    lstm["bidirectional"] = from_directions
    origins.setdefault(at + ("bidirectional",), origins[at + ("num_directions",)])
    if at == ("lstm", 0):
        origins.setdefault(("lstm", "bidirectional"), origins[at + ("num_directions",)])
    return from_directions


def totals(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """Fold total_hidden_size / total_proj_size (summed over directions) into hidden_size /
    proj_size; False when a total does not divide or disagrees with the size it stands for."""
    ok = True
    count = 2 if lstm.get("bidirectional") else 1
    for total, name in TOTALS:
        if total not in lstm:
            continue
        value, where = lstm.pop(total), reader.origins[at + (total,)]
        if value % count:
            reader.problem(where, OUT_OF_RANGE, f"{total} {value} is summed over both directions of a bidirectional "
                           f"LSTM, so it must be even ({name} = {total} ÷ 2)")
            ok = False
        elif name in lstm and lstm[name] != value // count:
            reader.problem(where, CONFLICTING_ALIAS, f"{total} {value} means {name} {value // count} "
                           f"({value} ÷ {count} directions) but {name} ({reader.at(reader.origins[at + (name,)])}) "
                           f"is {lstm[name]}")
            ok = False
        else:
            lstm[name] = value // count
            reader.origins.setdefault(at + (name,), where)
            if at == ("lstm", 0):
                reader.origins.setdefault(("lstm", name), where)
    return ok


def from_total(origins: dict, at: tuple, name: str) -> bool:
    """Whether the block's `name` (hidden_size, proj_size) was given as its total over directions,
    so a message about it can say what the user wrote."""
    return at + ("total_" + name,) in origins and origins.get(at + (name,)) == origins[at + ("total_" + name,)]


def read_cell(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> bool:
    """Fold the cell switch (any case, any alias, `RNN_TANH`/`RNN_RELU` included) into `cell` and
    `nonlinearity`; False when either is not a value torch knows, or the two disagree."""
    origins = reader.origins
    ok = True
    if "cell" in lstm:
        value = lstm["cell"]
        where = origins[at + ("cell",)]
        written = where[-1]
        if not isinstance(value, str):
            reader.problem(where, WRONG_TYPE, f"{written} must be one of lstm, gru, rnn, got {show(value)}")
            return False
        if value.lower() not in TORCH.cell_names:
            import difflib  # only for a value to name

            close = difflib.get_close_matches(value.lower(), list(TORCH.cell_names), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            reader.problem(where, OUT_OF_RANGE, f"{written} must be one of lstm, gru, rnn (or torch's mode "
                           f"names LSTM, GRU, RNN_TANH, RNN_RELU), got {show(value)}{hint}")
            return False
        lstm["cell"], implied = TORCH.cell_names[value.lower()]
        if implied is not None:
            if "nonlinearity" in lstm and str(lstm["nonlinearity"]).lower() != implied:
                line, col = reader.doc.mark(where)
                reader.problem(origins[at + ("nonlinearity",)], CONFLICTING_ALIAS,
                               f"nonlinearity is {show(lstm['nonlinearity'])} but {written} (line {line}, "
                               f"column {col}) is {value!r}")
                return False
            lstm["nonlinearity"] = implied
            origins.setdefault(at + ("nonlinearity",), where)
    cell = lstm.get("cell", "lstm")
    if "nonlinearity" in lstm:
        value = lstm["nonlinearity"]
        where = origins[at + ("nonlinearity",)]
        if not isinstance(value, str) or value.lower() not in NONLINEARITIES:
            reader.problem(where, WRONG_TYPE if not isinstance(value, str) else OUT_OF_RANGE,
                           f"nonlinearity must be one of tanh, relu, got {show(value)}")
            ok = False
        elif cell != "rnn":
            reader.problem(where, OUT_OF_RANGE, f"nonlinearity is an argument of nn.RNN only; "
                           f"nn.{CELLS[cell].torch} refuses it")
            ok = False
        else:
            lstm["nonlinearity"] = value.lower()
    if cell != "lstm" and "proj_size" in lstm:
        given = "total_proj_size gives proj_size, but " if from_total(origins, at, "proj_size") else ""
        reader.problem(origins[at + ("proj_size",)], OUT_OF_RANGE,
                       f"{given}proj_size is an argument of nn.LSTM only; nn.{CELLS[cell].torch} refuses it "
                       "(it has no projection)")
        ok = False
    return ok


def cross_checks(reader: Reader, lstm: dict, at: tuple = ("lstm",)) -> None:
    """What torch.nn.LSTM's constructor refuses between settings, on whichever of them are valid.
    (dropout with one layer only warns: rule LS009, lstmshape/rules/ls009_dropout_single_layer.py.)"""
    hidden, proj = lstm.get("hidden_size"), lstm.get("proj_size", 0)
    if hidden is not None and proj >= hidden:
        summed = from_total(reader.origins, at, "proj_size")
        got = f"{proj} (total_proj_size ÷ {2 if lstm.get('bidirectional') else 1} directions)" if summed else proj
        reader.problem(reader.origins[at + ("proj_size",)], OUT_OF_RANGE,
                       f"proj_size must be smaller than hidden_size ({hidden}), got {got}; "
                       "torch.nn.LSTM refuses it")
