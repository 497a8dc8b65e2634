"""`infer --as`: the same network in another framework, or, at the setting that prevents it, why
that framework cannot express it (LS201), with notes on how each setting carries over (LS202).
Pure: no numpy, no framework imported."""

from __future__ import annotations

from dataclasses import replace

from .codes import NOT_EXPRESSIBLE, TRANSLATION_NOTE
from .problems import ERROR, NOTE, Problem, json_path
from .settings import FRAMEWORKS, Config, KerasLSTM, OnnxLSTM, TorchLSTM
from .frameworks.keras import declared_data


class Translation:
    """One translation under way: its target and the problems (LS201) and notes (LS202) found;
    `block`: the block of a stack being translated (its settings and messages are that block's)."""

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
    source = config.framework
    if target not in FRAMEWORKS:
        raise ValueError(f"unknown framework {target!r}; expected one of {', '.join(FRAMEWORKS)}")
    if source == target:
        return config, []
    t = Translation(config, target)
    # a Keras input declared on the (first) layer fixes the batch and time the target is called with
    data = declared_data(config.blocks[0], config.data)[0] if source == "keras" else config.data
    if data.unbatched:
        t.note("unbatched", f"{target} input is always batched: add a batch axis of 1 (x[None]); "
               f"batch_size becomes 1")
        data = replace(data, unbatched=False, batch_size=1)
    left = (["the joins between blocks"] if config.joins else []) + (["the decoder"] if config.decoder else [])
    if left:
        t.note(None, f"--as translates the LSTM blocks only: build {' and '.join(left)} in {target} by hand")
    problems, built = list(t.problems), []
    for k, block in enumerate(config.blocks):  # a stack: every block, each at its own settings
        t = Translation(config, target, k if config.listed else None)
        if source == "keras":
            keras_arguments(block, t)
        lstm = {"torch": to_torch, "keras": to_keras, "onnx": to_onnx}[target](neutral(config, t, block), t)
        problems += t.problems
        built.append(lstm)
    if any(p.is_error for p in problems) or None in built:
        return None, problems
    return replace(config, blocks=tuple(built), data=data, framework=target), problems


def neutral(config: Config, t: Translation, lstm=None) -> dict:
    """The framework-free description of `lstm` (by default the config's, block 0 of a stack):
    sizes, direction ('forward', 'reverse', 'bidirectional'), batch_first, bias, and the settings
    only some frameworks have."""
    lstm = config.blocks[0] if lstm is None else lstm
    source = config.framework
    # the cell, and whether a GRU applies the reset gate after the recurrent matmul (torch's way)
    cell = {"cell": lstm.cell, "nonlinearity": getattr(lstm, "nonlinearity", "tanh"),
            "reset_after": {"torch": True, "keras": getattr(lstm, "reset_after", True),
                            "onnx": bool(getattr(lstm, "linear_before_reset", 0))}[source]}
    return cell | framework_spec(lstm, source)


def framework_spec(lstm, source: str) -> dict:
    if source == "torch":
        return {
            "input": lstm.input_size, "hidden": lstm.hidden_size, "layers": lstm.num_layers,
            "direction": "bidirectional" if lstm.bidirectional else "forward",
            "direction_key": "bidirectional", "batch_first": lstm.batch_first, "bias": lstm.bias,
            "bias_key": "bias", "proj_size": lstm.proj_size, "dropout": lstm.dropout, "source": source,
        }
    if source == "keras":
        if lstm.bidirectional:
            direction, key = "bidirectional", "bidirectional"
        else:
            direction, key = ("reverse", "go_backwards") if lstm.go_backwards else ("forward", None)
        return {
            "input": lstm.input_dim, "hidden": lstm.units, "layers": lstm.num_layers,
            "direction": direction, "direction_key": key, "batch_first": True, "bias": lstm.use_bias,
            "bias_key": "use_bias", "merge_mode": lstm.merge_mode if lstm.bidirectional else "concat",
            "return_sequences": lstm.return_sequences, "return_state": lstm.return_state, "source": source,
        }
    return {
        "input": lstm.input_size, "hidden": lstm.hidden_size, "layers": lstm.num_layers,
        "direction": lstm.direction, "direction_key": "direction", "batch_first": lstm.layout == 1,
        "bias": lstm.bias, "bias_key": "bias", "peepholes": lstm.peepholes,
        "input_forget": lstm.input_forget, "sequence_lens": lstm.sequence_lens, "source": source,
    }


RESET_KEY = {"keras": "reset_after", "onnx": "linear_before_reset"}


def cell_blockers(spec: dict, t: Translation) -> None:
    """What a GRU or RNN cannot take along: torch's GRU exists only with the reset gate applied after
    the recurrent matmul; the RNN's relu is an activation argument lstmshape does not carry."""
    source, target = spec["source"], t.target
    if spec["cell"] == "gru" and not spec["reset_after"] and target == "torch":
        key = RESET_KEY[source]
        value = "false" if source == "keras" else "0"
        t.error(key, f"{key} {value} has no equivalent in torch.nn.GRU, which applies the reset gate after the "
                     "recurrent matmul, r ⊙ (W_hn h + b_hn) (reset_after true / linear_before_reset 1)")
    elif spec["cell"] == "gru" and target != "torch" and source == "torch":
        t.note("cell", f"nn.GRU is {RESET_KEY[target]} {'true' if target == 'keras' else '1'} in {target}: the reset "
                       "gate applies to W_hn h + b_hn; gates r, z, n become z, r, h")
    if spec["cell"] == "rnn" and spec["nonlinearity"] == "relu":
        what = {"keras": "keras.layers.SimpleRNN(activation='relu')",
                "onnx": "the RNN node's activations=['Relu'] (per direction)"}.get(target)
        if what:
            t.note("nonlinearity", f"nonlinearity relu: build {what}; the shapes do not change")


def common_blockers(spec: dict, t: Translation) -> None:
    cell_blockers(spec, t)
    module = {"lstm": ("LSTM", "LSTM", "LSTM"), "gru": ("GRU", "GRU", "GRU"),
              "rnn": ("RNN", "SimpleRNN", "RNN")}[spec["cell"]]
    name = {"torch": f"torch.nn.{module[0]}", "keras": f"keras.layers.{module[1]}",
            "onnx": f"the ONNX {module[2]} operator"}[t.target]
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
        what = {"torch": "torch.nn.LSTM always concatenates the two directions",
                "onnx": "the ONNX LSTM node returns the two directions separately in Y (an Add/Mul after it "
                        "would be needed, which lstmshape does not emit)"}[t.target]
        t.error("merge_mode", f"merge_mode {merge!r} has no equivalent: {what}")
    elif spec["direction"] == "bidirectional" and merge is None:
        split = {"torch": "output[..., :H] is the forward and output[..., H:] the backward output",
                 "onnx": "Y[:, 0] / Y[:, :, 0] (layout 0 / 1) is the forward and index 1 the backward output"}[t.target]
        t.note("merge_mode", f"merge_mode null: {split} (H = {spec['hidden']})")


# Keras activations (at Keras 3's defaults) and the ONNX recurrent node's activation computing the same
ONNX_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu", "softsign": "Softsign",
                    "softplus": "Softplus", None: "Affine (alpha 1, beta 0)", "linear": "Affine (alpha 1, beta 0)",
                    "elu": "Elu (alpha 1)", "leaky_relu": "LeakyRelu (alpha 0.2)",
                    "hard_sigmoid": "HardSigmoid (alpha 1/6, beta 0.5)"}


def keras_arguments(lstm: KerasLSTM, t: Translation) -> None:
    """The Keras layer arguments of one layer (or block) that change no shape, carried to
    `t.target` (a note) or refused there (LS201)."""
    args = lstm.arguments
    defaults = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    for key, default in defaults.items():
        value = getattr(args, key)
        if value == default:
            continue
        shown = "null (linear)" if value is None else repr(value)
        if t.target == "torch":
            t.error(key, f"{key} {shown} has no equivalent in torch.nn.{lstm.kind.torch}, whose activations are "
                         "fixed (tanh" + (" and sigmoid gates)" if lstm.cell != "rnn" else " or relu)"))
        elif value in ONNX_ACTIVATIONS:
            t.note(key, f"{key} {shown}: set the ONNX node's activations attribute ({ONNX_ACTIVATIONS[value]} in its "
                        "place, per direction; alphas and betas in activation_alpha / activation_beta); the shapes "
                        "do not change")
        else:
            t.error(key, f"{key} {shown} has no equivalent among the ONNX {lstm.kind.onnx} node's activations "
                         "(Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, "
                         "Softsign, Softplus)")
    for key in ("dropout", "recurrent_dropout"):
        if getattr(args, key):
            where = ("torch.nn.LSTM's dropout acts between stacked layers only and it has no recurrent dropout"
                     if t.target == "torch" else "exported graphs drop it")
            t.note(key, f"{key} {getattr(args, key)} is training-only and changes no shape: {where}")
    if args.stateful:
        carry = ("pass the last batch's hn/cn (detached) as h0/c0" if t.target == "torch"
                 else "feed Y_h/Y_c back as initial_h/initial_c")
        t.note("stateful", f"stateful: Keras carries the states from batch to batch; {carry}")


def keras_two_biases(spec: dict) -> bool:
    """A GRU applying the reset gate after the matmul: Keras keeps its input and recurrent biases apart."""
    return spec["cell"] == "gru" and spec["reset_after"]


def final_states(spec: dict) -> str:
    return "Y_h / Y_c are" if spec["cell"] == "lstm" else "Y_h is"


def to_torch(spec: dict, t: Translation) -> TorchLSTM | None:
    common_blockers(spec, t)
    if spec["direction"] == "reverse":
        key = spec["direction_key"]
        what = "go_backwards" if key == "go_backwards" else "direction 'reverse'"
        t.error(key, f"{what} has no equivalent in torch.nn.LSTM, which runs forward or both ways; flip "
                     "the input along time (x.flip(time_dim)) and run a forward LSTM with the same weights")
    if spec["source"] == "keras":
        t.note(None, "Keras input is (batch, seq_len, features): batch_first=True")
        if not spec["return_sequences"]:
            last = "torch.cat((hn[-2], hn[-1]), dim=-1)" if spec["direction"] == "bidirectional" else "hn[-1]"
            t.note("return_sequences", f"return_sequences false: Keras' output is torch's {last} "
                                       "(torch always returns every step's output and every layer's final state)")
        if spec["layers"] > 1 and spec["return_state"]:
            t.note("return_state", "Keras returns the last layer's states only: torch's "
                                   + ("hn/cn hold" if spec["cell"] == "lstm" else "hn holds") + " every layer's; "
                                   "the last layer's are hn[-2:] / hn[-1:] (bidirectional / not)")
    if spec["source"] == "onnx" and spec["sequence_lens"]:
        t.note("sequence_lens", "sequence_lens: pack the batch with "
                                "torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)")
    if spec["source"] != "torch" and spec["bias"]:
        if spec["source"] == "keras" and keras_two_biases(spec):
            t.note(spec["bias_key"], "Keras GRU's bias rows (input, recurrent) are torch's bias_ih and bias_hh: "
                                     "lstmshape.convert moves them exactly")
        else:
            summed = " that are summed" if spec["cell"] != "gru" else ""  # a GRU's b_hn sits inside r ⊙ (...)
            t.note(spec["bias_key"], f"torch has two bias vectors (bias_ih, bias_hh){summed}; lstmshape.convert "
                                     "splits " + ("Keras' single bias as (bias, zeros)" if spec["source"] == "keras"
                                                  else "ONNX B as (Wb, Rb)"))
    if any(p.is_error for p in t.problems):
        return None
    return TorchLSTM(spec["input"], spec["hidden"], spec["layers"], spec["direction"] == "bidirectional",
                      spec["batch_first"], 0, spec["bias"], 0.0, cell=spec["cell"], nonlinearity=spec["nonlinearity"])


def to_keras(spec: dict, t: Translation) -> KerasLSTM | None:
    common_blockers(spec, t)
    if not spec["batch_first"]:
        what = "batch_first false" if spec["source"] == "torch" else "layout 0"
        key = "batch_first" if spec["source"] == "torch" else "layout"
        t.note(key, f"{what}: Keras input is always (batch, seq_len, features); transpose the first two axes")
    go_backwards = spec["direction"] == "reverse"
    if go_backwards:
        t.note("direction", "direction 'reverse' → go_backwards=True: Keras returns the sequence in the order it "
                            "read it (last step first), while ONNX Y is indexed by the original time step: flip "
                            "Keras' output along axis 1 to compare; " + final_states(spec) + " the same")
    if spec["source"] == "torch":
        if spec["cell"] == "lstm":
            t.note(None, "return_sequences=True and return_state=True reproduce torch's (output, (hn, cn)); Keras "
                         "returns the last layer's h and c only" + (", forward then backward"
                                                                    if spec["direction"] == "bidirectional" else ""))
        else:
            t.note(None, "return_sequences=True and return_state=True reproduce torch's (output, hn); Keras "
                         "returns the last layer's h only" + (", forward then backward"
                                                              if spec["direction"] == "bidirectional" else ""))
        if spec.get("dropout"):
            t.note("dropout", f"dropout {spec['dropout']} (training only): torch applies it to the inputs of layers "
                              "2..n; in Keras set LSTM(dropout=...) on those layers")
    if spec["source"] == "onnx" and spec["sequence_lens"]:
        t.note("sequence_lens", "sequence_lens: Keras masks padded steps instead (keras.layers.Masking, or "
                                "mask= when calling the layer)")
    if spec["source"] != "keras" and spec["bias"]:
        pair = "bias_ih, bias_hh" if spec["source"] == "torch" else "Wb, Rb"
        if keras_two_biases(spec):
            t.note(spec["bias_key"], f"Keras GRU (reset_after) keeps two bias rows: lstmshape.convert moves {pair} "
                                     "into them exactly")
        else:
            t.note(spec["bias_key"], "Keras has one bias vector: lstmshape.convert sums " + " + ".join(pair.split(", ")))
    if any(p.is_error for p in t.problems):
        return None
    return KerasLSTM(spec["input"], spec["hidden"], spec["layers"], return_sequences=True, return_state=True,
                     go_backwards=go_backwards, use_bias=spec["bias"],
                     bidirectional=spec["direction"] == "bidirectional",
                     merge_mode="concat", cell=spec["cell"], reset_after=spec["reset_after"])


def to_onnx(spec: dict, t: Translation) -> OnnxLSTM | None:
    common_blockers(spec, t)
    if spec["direction"] == "reverse":
        t.note("go_backwards", "go_backwards → direction 'reverse': ONNX Y is indexed by the original time step, "
                               "while Keras returns the sequence in the order it read it (last step first): "
                               "flip one along time to compare; " + final_states(spec) + " the same")
    if spec["source"] == "keras":
        t.note(None, "Keras input is (batch, seq_len, features): layout 1")
        t.note(None, "the ONNX node always returns Y (every step, 4-D), Y_h" + (" and Y_c" if spec["cell"] == "lstm" else ""))
    if spec["source"] == "torch":
        t.note("batch_first", f"batch_first {str(spec['batch_first']).lower()} → layout {int(spec['batch_first'])} "
                              "(torch.onnx.export itself always emits layout 0 and transposes batch-first input)")
        if spec.get("dropout"):
            t.note("dropout", f"dropout {spec['dropout']} is training-only; exported graphs drop it")
    if spec["bias"] and spec["source"] == "keras":
        if keras_two_biases(spec):
            t.note("use_bias", "ONNX B = Wb ++ Rb is Keras GRU's two bias rows: lstmshape.convert moves them exactly")
        else:
            t.note("use_bias", "ONNX has two bias vectors (B = Wb ++ Rb): lstmshape.convert uses Keras' bias as Wb "
                               "and zeros as Rb")
    if any(p.is_error for p in t.problems):
        return None
    return OnnxLSTM(spec["input"], spec["hidden"], spec["layers"], spec["direction"], int(spec["batch_first"]),
                    bias=spec["bias"], cell=spec["cell"],
                    linear_before_reset=int(spec["reset_after"]) if spec["cell"] == "gru" else 0)
