"""`infer --format json` for every framework: the stable, documented structure (keys are only
ever added)."""

from __future__ import annotations

from typing import TextIO

from ..explain import traps
from ..problems import Problem
from ..read.sources import sources
from ..settings import Config
from ..shapes import Repeat
from ..frameworks.torch import TENSORS, TorchShapes
from ..shapes.joins import around_json, infer_decoder
from ..frameworks.keras import KerasShapes
from ..frameworks.onnx import INITIALIZERS, OnnxShapes
from .result_text import dumps


def result_json(result: TorchShapes, verification=None) -> dict:
    lstm = result.lstm
    # GRU and RNN have no cell state: c0/cn stay in the structure, as null
    tensors = {t.name: t for t in result.tensors}
    doc = {
        "batch_first": lstm.batch_first,
        "bidirectional": lstm.bidirectional,
        "num_layers": lstm.num_layers,
        "proj_size": lstm.proj_size,
        "unbatched": result.data.unbatched,
        "shapes": {name: list(tensors[name].shape) if name in tensors else None for name in TENSORS},
        "params": params_json(result.listed_params),
        "num_params": result.num_params,
        "bytes": {name: tensors[name].nbytes.value if name in tensors else None for name in TENSORS}
        | {"params": 4 * result.num_params},
        "macs": result.macs.value,
    } | repeated_json(result.listed_params, "repeated_layers", "params")
    if lstm.cell != "lstm":
        doc["cell"] = lstm.cell
    if lstm.cell == "rnn":
        doc["nonlinearity"] = lstm.nonlinearity
    if result.block is not None:  # a stack of LSTMs: which block
        doc["block"] = result.block
    if verification is not None:
        doc["verified"] = verification.verified
        doc["observed"] = {name: list(shape) for name, shape in verification.observed.items()}
        doc["run_at"] = verification.run_at
        doc["verify_note"] = verification.note
    return doc


class JsonReporter:
    """One JSON document: the config, its problems, and one entry per result (with `--explain`, how
    each dimension is derived and the traps, under `explain`)."""

    def __init__(self, stream: TextIO, explain: bool = False):
        self.stream = stream
        self.explain = explain

    def report(self, config: Config, results: list[TorchShapes], verifications: list | None = None,
               problems: list[Problem] = ()) -> None:
        if not isinstance(results[0], TorchShapes):
            entries = [framework_result_json(r) for r in results]
        else:
            checks = verifications or [None] * len(results)
            entries = [result_json(r, v) for r, v in zip(results, checks)]
        if self.explain:
            for entry, result in zip(entries, results):
                entry["explain"] = explanation(result)
        doc = {"config": config.path, "framework": results[0].framework, "problems": [p.as_json() for p in problems],
               "results": entries, "sources": sources(config)}
        if isinstance(results[0], TorchShapes) and (config.joins or config.decoder is not None):  # torch's model around
            doc["around"] = around_json(config)  # the joins between blocks, the bridge
            if config.decoder is not None:
                doc["around"]["decoder"] = result_json(infer_decoder(config))
        self.stream.write(dumps(doc) + "\n")


def explanation(result) -> dict:
    """What `--explain` adds to a table, as data: each tensor's dimensions with how each size is
    derived, and the traps for this config."""
    if isinstance(result, OnnxShapes):  # a deep stack's identical nodes (layers) once, `{layer}` for their index
        named = [(f"lstm_{'{layer}' if isinstance(node, Repeat) else node.index}.{t.name}", t)
                 for node in result.listed_nodes for t in node.tensors]
    else:
        params = [t for p in result.listed_params for t in (p.tensors if isinstance(p, Repeat) else (p,))]
        named = [(t.name, t) for t in (*result.tensors, *params)]
    return {
        "derivations": {name: [{"size": d.size, "meaning": d.meaning, "why": d.why} for d in t.dims]
                        for name, t in named},
        "traps": traps(result),
    }


def framework_result_json(result: KerasShapes | OnnxShapes) -> dict:
    lstm = result.lstm
    if isinstance(result, KerasShapes):
        return {
            "input_dim": lstm.input_dim,
            "units": lstm.units,
            "num_layers": lstm.num_layers,
            "bidirectional": lstm.bidirectional,
            "merge_mode": lstm.merge_mode if lstm.bidirectional else None,
            "return_sequences": lstm.return_sequences,
            "return_state": lstm.return_state,
            "go_backwards": lstm.go_backwards,
            "use_bias": lstm.use_bias,
            "shapes": {"input": list(result.input.shape), "outputs": [list(t.shape) for t in result.outputs]},
            "output_names": [t.name for t in result.outputs],
            "params": params_json(result.listed_params),
            "num_params": result.num_params,
        } | cell_json(lstm, "reset_after") | arguments_json(lstm) | block_json(result) \
            | repeated_json(result.listed_params, "repeated_layers", "params")
    nodes = [node for node in result.listed_nodes if not isinstance(node, Repeat)]
    doc = {
        "input_size": lstm.input_size,
        "hidden_size": lstm.hidden_size,
        "num_layers": lstm.num_layers,
        "direction": lstm.direction,
        "layout": lstm.layout,
        "input_forget": lstm.input_forget,
        "peepholes": lstm.peepholes,
        "bias": lstm.bias,
        "sequence_lens": lstm.sequence_lens,
        "nodes": [{t.name: list(t.shape) for t in node.tensors} for node in nodes],
        "num_params": result.num_params,
    }
    if lstm.num_layers > 1:
        doc["between_nodes"] = result.nodes[0].to_next
    if result.block is not None:  # node names run on across the blocks of a stack
        doc["node_names"] = [f"{lstm.cell}_{node.index}" for node in nodes]
        if result.nodes[-1].to_next:
            doc["to_next_block"] = result.nodes[-1].to_next
    return doc | cell_json(lstm, "linear_before_reset") | block_json(result) \
        | repeated_json(result.listed_nodes, "repeated_nodes", "node", INITIALIZERS)


def params_json(listed: tuple) -> dict:
    """Parameter name → shape, for the parameters listed one by one."""
    return {p.name: list(p.shape) for p in listed if not isinstance(p, Repeat)}


def repeated_json(listed: tuple, key: str, what: str, counted=None) -> dict:
    """A deep stack's identical layers (nodes), left out of `params` (`nodes`): which, how many, what
    each holds (names with `{layer}` for its index) and their parameters together (`counted`: the
    names that are parameters, all by default); nothing for a stack listed whole (its JSON is unchanged)."""
    return {key: {"first": r.first, "last": r.last, "count": r.count, what: params_json(r.tensors),
                  "num_params": r.count * sum(t.numel.coefficient for t in r.tensors
                                              if counted is None or t.name in counted)}
            for r in listed if isinstance(r, Repeat)}


def block_json(result) -> dict:
    """`block`: which block of a stack (`lstm` as a list) a result is; nothing for a single LSTM."""
    return {} if result.block is None else {"block": result.block}


def arguments_json(lstm) -> dict:
    """`arguments`: the Keras layer arguments that differ from Keras's defaults (none: no key, the JSON
    of a config without them is unchanged)."""
    given = {name: list(value) if isinstance(value, tuple) else value
             for name, value, default in zip(lstm.arguments._fields, lstm.arguments, type(lstm.arguments)())
             if value != default}
    return {"arguments": given} if given else {}


def cell_json(lstm, gru_setting: str) -> dict:
    """`cell` (and the GRU's own setting) for a GRU or RNN; nothing for an LSTM, whose JSON is unchanged."""
    if lstm.cell == "lstm":
        return {}
    return {"cell": lstm.cell} | ({gru_setting: getattr(lstm, gru_setting)} if lstm.cell == "gru" else {})


def problems_report(stream: TextIO, path: str, problems: list[Problem]) -> None:
    """`infer --format json` on a config it cannot work out: still JSON, with the problems."""
    stream.write(dumps({"config": path, "framework": None, "problems": [p.as_json() for p in problems],
                        "results": []}) + "\n")
