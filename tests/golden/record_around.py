"""Re-record tests/golden/around.json from torch itself (run by hand).

    python tests/golden/record_around.py

Each case is a config of the model around the LSTM (joins between blocks, pack_padded_sequence
with enforce_sorted, a DataLoader with dataset_size and drop_last, an encoder → decoder pair).
`observe` reads the YAML literally, as the code it describes would be written (not through
lstmshape), builds the real modules (nn.LSTM blocks, nn.Linear, the view/sum join, a
DataLoader over a TensorDataset, the bridge ops on (hn, cn)) and runs them: it records the
shapes torch produced, or the first error torch raised and where. tests/shapes/test_joins.py holds
lstmshape's answers against this file, and against torch live where it is installed.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("around.json")

RNNP = """\
lstm:
  - {input_size: 6, hidden_size: 5, bidirectional: true, batch_first: true}
  - join: [{linear: {in_features: 10, out_features: 4}}, tanh]
    hidden_size: 5
    bidirectional: true
    batch_first: true
  - join: [{linear: {in_features: 10, out_features: 4}}, tanh]
    hidden_size: 5
    bidirectional: true
    batch_first: true
data: {batch_size: 3, seq_len: 7}
"""

CASES = {
    # blocks joined by a layer: ESPnet's RNNP (a Linear after every BiLSTM), deepspeech's sum
    "rnnp": RNNP,
    "rnnp_in_features_wrong": RNNP.replace("in_features: 10, out_features: 4}}, tanh]\n    hidden_size: 5\n"
                                           "    bidirectional: true\n    batch_first: true\ndata",
                                           "in_features: 5, out_features: 4}}, tanh]\n    hidden_size: 5\n"
                                           "    bidirectional: true\n    batch_first: true\ndata"),
    "rnnp_input_size_wrong": """\
lstm:
  - {input_size: 6, hidden_size: 5, bidirectional: true}
  - join: {linear: {out_features: 4}}
    input_size: 10
    hidden_size: 5
data: {batch_size: 3, seq_len: 7}
""",
    "deepspeech_sum": """\
lstm:
  - {input_size: 6, hidden_size: 5, bidirectional: true}
  - join: sum
    hidden_size: 4
    bidirectional: true
  - join: sum
    hidden_size: 3
data: {batch_size: 3, seq_len: 7}
""",
    "sum_input_size_wrong": """\
lstm:
  - {input_size: 6, hidden_size: 5, bidirectional: true}
  - join: sum
    input_size: 10
    hidden_size: 4
data: {batch_size: 3, seq_len: 7}
""",
    "sum_unidirectional": """\
lstm:
  - {input_size: 6, hidden_size: 8}
  - join: sum
    hidden_size: 4
data: {batch_size: 3, seq_len: 7}
""",
    # pack_padded_sequence(enforce_sorted=...)
    "sorted": """\
lstm: {input_size: 6, hidden_size: 5}
data: {batch_size: 3, seq_len: 7, lengths: [7, 4, 2], enforce_sorted: true}
""",
    "unsorted_enforced": """\
lstm: {input_size: 6, hidden_size: 5, batch_first: true}
data: {batch_size: 3, seq_len: 7, lengths: [7, 2, 4], enforce_sorted: true}
""",
    "unsorted_not_enforced": """\
lstm: {input_size: 6, hidden_size: 5}
data: {batch_size: 3, seq_len: 7, lengths: [7, 2, 4], enforce_sorted: false}
""",
    # a DataLoader with dataset_size and drop_last, states built once for batch_size
    "partial_last_batch": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2}
data: {batch_size: 16, seq_len: 7, dataset_size: 50}
expect:
  h0: [2, 16, 5]
  c0: [2, 16, 5]
""",
    "partial_last_batch_batch_first": """\
lstm: {input_size: 6, hidden_size: 5, bidirectional: true, batch_first: true}
data: {batch_size: 16, seq_len: 7, dataset_size: 10, drop_last: false}
expect:
  h0: [2, 16, 5]
""",
    "drop_last": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2}
data: {batch_size: 16, seq_len: 7, dataset_size: 50, drop_last: true}
expect:
  h0: [2, 16, 5]
""",
    "dataset_divides": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2}
data: {batch_size: 16, seq_len: 7, dataset_size: 48}
expect:
  h0: [2, 16, 5]
""",
    "empty_epoch": """\
lstm: {input_size: 6, hidden_size: 5}
data: {batch_size: 16, seq_len: 7, dataset_size: 10, drop_last: true}
""",
    # encoder → decoder: the decoder's (h0, c0) are the encoder's (hn, cn), through the bridge
    "seq2seq_concat": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 10, num_layers: 2}
  bridge: concat
  seq_len: 9
""",
    "seq2seq_sum": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true, batch_first: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 5, num_layers: 2, batch_first: true}
  bridge: sum
  seq_len: 9
""",
    "seq2seq_linear": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 8, num_layers: 2}
  bridge: [concat, {linear: {in_features: 10, out_features: 8}}, tanh]
  seq_len: 9
""",
    "seq2seq_rows_wrong": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 5, num_layers: 2}
  seq_len: 9
""",
    "seq2seq_layers_wrong": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 3}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 5, num_layers: 2}
  seq_len: 9
""",
    "seq2seq_directions_as_layers": """\
lstm: {input_size: 6, hidden_size: 5, bidirectional: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 5, num_layers: 2}
  seq_len: 9
""",
    "seq2seq_layers_as_directions": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 5, bidirectional: true}
  seq_len: 9
""",
    "seq2seq_size_wrong": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 5, num_layers: 2}
  bridge: concat
  seq_len: 9
""",
    "seq2seq_bridge_in_wrong": """\
lstm: {input_size: 6, hidden_size: 5, num_layers: 2, bidirectional: true}
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 8, num_layers: 2}
  bridge: [concat, {linear: {in_features: 5, out_features: 8}}]
  seq_len: 9
""",
    "seq2seq_stack_encoder": """\
lstm:
  - {input_size: 6, hidden_size: 5, bidirectional: true}
  - join: sum
    hidden_size: 3
    num_layers: 2
data: {batch_size: 3, seq_len: 7}
decoder:
  lstm: {input_size: 4, hidden_size: 3, num_layers: 2}
  seq_len: 9
""",
}


class Raised(Exception):
    """torch raised at `stage`: the first line of its message is kept."""

    def __init__(self, stage: str, exc: Exception):
        super().__init__(stage)
        self.stage, self.message = stage, str(exc).strip().splitlines()[0]


def at(stage: str, fn, *args):
    try:
        return fn(*args)
    except (RuntimeError, ValueError) as exc:
        raise Raised(stage, exc) from None


def apply_step(torch, step, x, features_dim: int = -1):
    """One join/bridge step as the code writes it (on the last dimension)."""
    if isinstance(step, dict) and "linear" in step:
        spec = step["linear"]
        linear = torch.nn.Linear(spec.get("in_features", x.size(-1)), spec["out_features"])
        return linear(x)
    if step == "sum":  # deepspeech.pytorch's BatchRNN: (T, N, 2H) -> (T, N, H)
        return x.view(x.size(0), x.size(1), 2, -1).sum(2).view(x.size(0), x.size(1), -1)
    if step == "tanh":
        return torch.tanh(x)
    raise ValueError(f"step {step!r} not recorded")


def lstm_module(torch, spec: dict, input_size: int):
    return torch.nn.LSTM(input_size, spec["hidden_size"], num_layers=spec.get("num_layers", 1),
                         bidirectional=spec.get("bidirectional", False), batch_first=spec.get("batch_first", False))


def observe(text: str) -> dict:
    """Build and run what the config describes; the shapes torch produced, or where it raised."""
    import torch
    import yaml

    torch.manual_seed(0)
    doc = yaml.safe_load(text)
    data = doc.get("data", {})
    blocks = doc["lstm"] if isinstance(doc["lstm"], list) else [doc["lstm"]]
    batch, seq = data["batch_size"], data["seq_len"]
    shapes: dict = {}
    record: dict = {"shapes": shapes}
    try:
        with torch.no_grad():
            if "dataset_size" in data:
                return loader_run(torch, doc, record)
            first = blocks[0]
            x = torch.zeros(*((batch, seq) if first.get("batch_first") else (seq, batch)), first["input_size"])
            for k, spec in enumerate(blocks):
                steps = spec.get("join", [])
                for step in steps if isinstance(steps, list) else [steps]:
                    x = at(f"lstm[{k}].join", apply_step, torch, step, x)
                # a block without input_size reads whatever reaches it (what code passes as x.size(-1))
                lstm = lstm_module(torch, spec, spec.get("input_size", x.size(-1)))
                shapes[f"lstm[{k}].input"] = list(x.shape)
                if "lengths" in data:
                    packed = at("pack_padded_sequence", torch.nn.utils.rnn.pack_padded_sequence, x,
                                torch.tensor(data["lengths"]), spec.get("batch_first", False),
                                data.get("enforce_sorted", False))
                    out, (hn, cn) = at(f"lstm[{k}]", lstm, packed)
                    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=spec.get("batch_first", False))
                else:
                    out, (hn, cn) = at(f"lstm[{k}]", lstm, x)
                shapes[f"lstm[{k}].output"] = list(out.shape)
                shapes[f"lstm[{k}].hn"] = list(hn.shape)
                x = out
            if "decoder" in doc:
                decoder_run(torch, doc["decoder"], blocks[-1], hn, cn, batch, shapes)
    except Raised as exc:
        record.update(raised=exc.stage, error=exc.message)
    return record


def bridge(torch, step, state, encoder: dict, linears: dict):
    layers = encoder.get("num_layers", 1)
    if step in ("concat", "sum"):
        view = state.view(layers, 2, state.size(1), state.size(2))
        return torch.cat((view[:, 0], view[:, 1]), dim=-1) if step == "concat" else view.sum(1)
    if isinstance(step, dict):  # one Linear per state, as bridges build them
        spec = step["linear"]
        key = (id(step), state.size(-1))
        linears.setdefault(key, torch.nn.Linear(spec.get("in_features", state.size(-1)), spec["out_features"]))
        return linears[key](state)
    return apply_step(torch, step, state)


def decoder_run(torch, decoder: dict, encoder: dict, hn, cn, batch: int, shapes: dict) -> None:
    steps = decoder.get("bridge", [])
    linears: dict = {}
    for step in steps if isinstance(steps, list) else [steps]:
        hn = at("decoder.bridge", bridge, torch, step, hn, encoder, linears)
        cn = at("decoder.bridge", bridge, torch, step, cn, encoder, linears)
    spec = decoder["lstm"]
    lstm = lstm_module(torch, spec, spec["input_size"])
    seq = decoder["seq_len"]
    y = torch.zeros(*((batch, seq) if spec.get("batch_first") else (seq, batch)), spec["input_size"])
    shapes["decoder.h0"] = list(hn.shape)
    shapes["decoder.input"] = list(y.shape)
    out, (hn, cn) = at("decoder.lstm", lstm, y, (hn, cn))
    shapes["decoder.output"] = list(out.shape)
    shapes["decoder.hn"] = list(hn.shape)


def loader_run(torch, doc: dict, record: dict) -> dict:
    """A training epoch: DataLoader(TensorDataset(dataset_size sequences), batch_size, drop_last),
    the model called with the h0/c0 of `expect`, built once."""
    data, spec = doc["data"], doc["lstm"]
    lstm = lstm_module(torch, spec, spec["input_size"])
    dataset = torch.utils.data.TensorDataset(torch.zeros(data["dataset_size"], data["seq_len"], spec["input_size"]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=data["batch_size"], drop_last=data.get("drop_last", False))
    expect = doc.get("expect", {})
    state = None
    if "h0" in expect:
        h0 = torch.zeros(*expect["h0"])
        state = (h0, torch.zeros(*expect.get("c0", expect["h0"])))
    record["batches"] = 0
    for i, (x,) in enumerate(loader, start=1):
        x = x if spec.get("batch_first") else x.transpose(0, 1)
        record["batches"] = i
        record["shapes"][f"batch {i}"] = list(x.shape)
        at(f"batch {i} of {len(loader)}", lstm, x, state) if state is not None else lstm(x)
    return record


def main() -> None:
    import torch

    records = {name: {"yaml": text, "torch": observe(text)} for name, text in CASES.items()}
    OUT.write_text(json.dumps({"torch": torch.__version__, "records": records}, indent=1) + "\n")
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
