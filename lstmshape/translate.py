"""`infer --as`: the same network in another framework, or, at the setting that prevents it, why
that framework cannot express it (LS201), with notes on how each setting carries over (LS202).
What each framework can express is its Framework's `translating`; the notes whose words depend on
both frameworks are frameworks.translation's STEPS. Pure: no numpy, no framework imported."""

from __future__ import annotations

from dataclasses import replace

from .codes import NOT_EXPRESSIBLE, TRANSLATION_NOTE
from .problems import ERROR, NOTE, Problem, json_path
from .settings import CELLS, FRAMEWORKS, Config
from .frameworks import Framework, of
from .frameworks.translation import BEFORE, STEPS


class Translation:
    """One translation under way: its target (the name, as messages write it) and the problems
    (LS201) and notes (LS202) found; `block`: the block of a stack being translated (its settings
    and messages are that block's)."""

    def __init__(self, config: Config, target: str, block: int | None = None):
        self.config = config
        self.target = target
        self.block = block
        self.problems: list[Problem] = []

    def at(self, key: str | None) -> tuple:
        origins = self.config.origins
        section = ("lstm",) if self.block is None else ("lstm", self.block)
        if key is not None and section + (key,) in origins:
            return origins[section + (key,)]
        return section

    def add(self, key: str | None, code: str, severity: str, message: str) -> None:
        parts = self.at(key)
        doc = self.config.source
        file, line, col, path = (doc.place(parts, key=parts == ("lstm",)) if doc is not None
                                 else (self.config.path, 1, 1, json_path(parts)))
        if self.block is not None:
            message = f"lstm[{self.block}]: {message}"
        self.problems.append(Problem(file, line, col, code, severity, message, path))

    def error(self, key: str | None, message: str) -> None:
        self.add(key, NOT_EXPRESSIBLE, ERROR, message)

    def note(self, key: str | None, message: str) -> None:
        self.add(key, TRANSLATION_NOTE, NOTE, message)


def translate(config: Config, target: str) -> tuple[Config | None, list[Problem]]:
    """`config` expressed in `target`, with notes on how settings carry over; None (and LS201
    errors naming each setting) when the target cannot express it."""
    if target not in FRAMEWORKS:
        raise ValueError(f"unknown framework {target!r}; expected one of {', '.join(FRAMEWORKS)}")
    if config.framework == target:
        return config, []
    source, to = of(config.framework), of(target)
    t = Translation(config, target)
    # an input declared on the (first) layer (Keras) fixes the batch and time the target is called with
    data = source.translating.input_data(config.blocks[0], config.data)
    if data.unbatched:
        t.note("unbatched", f"{target} input is always batched: add a batch axis of 1 (x[None]); "
               f"batch_size becomes 1")
        data = replace(data, unbatched=False, batch_size=1)
    left = (["the joins between blocks"] if config.joins else []) + (["the decoder"] if config.decoder else [])
    if left:
        t.note(None, f"--as translates the LSTM blocks only: build {' and '.join(left)} in {target} by hand")
    problems, built = list(t.problems), []
    pair = (source.name, to.name)
    for k, block in enumerate(config.blocks):  # a stack: every block, each at its own settings
        t = Translation(config, target, k if config.listed else None)
        spec = source.translating.describe(block)
        for step in BEFORE.get(pair, ()):
            step(block, spec, t)
        common_blockers(spec, source, to, t)
        for step in STEPS[pair]:
            step(block, spec, t)
        lstm = None if any(p.is_error for p in t.problems) else to.translating.build(spec)
        problems += t.problems
        built.append(lstm)
    if any(p.is_error for p in problems) or None in built:
        return None, problems
    return replace(config, blocks=tuple(built), data=data, framework=target), problems


def cell_blockers(spec: dict, source: Framework, to: Framework, t: Translation) -> None:
    """What a GRU or RNN cannot take along: torch's GRU exists only with the reset gate applied after
    the recurrent matmul; the RNN's relu is an activation argument lstmshape does not carry."""
    if spec["cell"] == "gru" and not spec["reset_after"] and to.translating.reset_key is None:
        key = source.translating.reset_key
        t.error(key, f"{key} {source.translating.reset_words[0]} has no equivalent in torch.nn.GRU, which applies "
                     "the reset gate after the recurrent matmul, r ⊙ (W_hn h + b_hn) (reset_after true / "
                     "linear_before_reset 1)")
    elif spec["cell"] == "gru" and to.translating.reset_key is not None and source.translating.reset_key is None:
        t.note("cell", f"nn.GRU is {to.translating.reset_key} {to.translating.reset_words[1]} in {to.name}: the reset "
                       "gate applies to W_hn h + b_hn; gates r, z, n become z, r, h")
    if spec["cell"] == "rnn" and spec["nonlinearity"] == "relu" and to.translating.relu_rnn:
        t.note("nonlinearity", f"nonlinearity relu: build {to.translating.relu_rnn}; the shapes do not change")


def common_blockers(spec: dict, source: Framework, to: Framework, t: Translation) -> None:
    """What the target's cell cannot express at all (LS201), whatever the source."""
    cell_blockers(spec, source, to, t)
    name = to.operator(CELLS[spec["cell"]])
    if spec.get("proj_size"):
        t.error("proj_size", f"proj_size {spec['proj_size']} has no equivalent in {name}: it has no projection "
                             "(weight_hr); h would have to keep hidden_size features")
    if spec.get("peepholes"):
        t.error("peepholes", f"peepholes (input P) have no equivalent in {name}: its cell state never feeds "
                             "the gates")
    if spec.get("input_forget"):
        t.error("input_forget", f"input_forget (coupled input and forget gates, f = 1 − i) has no equivalent "
                                f"in {name}")
    merge = spec.get("merge_mode", "concat")
    if spec["direction"] == "bidirectional" and merge in ("sum", "mul", "ave"):
        t.error("merge_mode", f"merge_mode {merge!r} has no equivalent: {to.translating.merge_refusal}")
    elif spec["direction"] == "bidirectional" and merge is None:
        t.note("merge_mode", f"merge_mode null: {to.translating.directions_split} (H = {spec['hidden']})")
