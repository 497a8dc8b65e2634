"""What `infer --as` says of a setting carried from one framework to another, where the words
depend on both (Keras' return_sequences in torch, ONNX's sequence_lens in Keras, whose biases
lstmshape.convert splits or sums): STEPS, keyed by the (source, target) pair of framework names.
What depends on one framework alone is its Framework's `translating`. Each step is given the
block, its framework-free description (Translating.describe) and the translation under way
(`note(key, message)`, `error(key, message)`, `problems`, `target`)."""

from __future__ import annotations

from functools import partial


def keras_two_biases(spec: dict) -> bool:
    """A GRU applying the reset gate after the matmul: Keras keeps its input and recurrent biases apart."""
    return spec["cell"] == "gru" and spec["reset_after"]


def final_states(spec: dict) -> str:
    return "Y_h / Y_c are" if spec["cell"] == "lstm" else "Y_h is"


# Keras activations (at Keras 3's defaults) and the ONNX recurrent node's activation computing the same
ONNX_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu", "softsign": "Softsign",
                    "softplus": "Softplus", None: "Affine (alpha 1, beta 0)", "linear": "Affine (alpha 1, beta 0)",
                    "elu": "Elu (alpha 1)", "leaky_relu": "LeakyRelu (alpha 0.2)",
                    "hard_sigmoid": "HardSigmoid (alpha 1/6, beta 0.5)"}


def activation_in_torch(lstm, key: str, shown: str, value, t) -> None:
    t.error(key, f"{key} {shown} has no equivalent in torch.nn.{lstm.kind.torch}, whose activations are "
                 "fixed (tanh" + (" and sigmoid gates)" if lstm.cell != "rnn" else " or relu)"))


def activation_in_onnx(lstm, key: str, shown: str, value, t) -> None:
    if value in ONNX_ACTIVATIONS:
        t.note(key, f"{key} {shown}: set the ONNX node's activations attribute ({ONNX_ACTIVATIONS[value]} in its "
                    "place, per direction; alphas and betas in activation_alpha / activation_beta); the shapes "
                    "do not change")
    else:
        t.error(key, f"{key} {shown} has no equivalent among the ONNX {lstm.kind.onnx} node's activations "
                     "(Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, "
                     "Softsign, Softplus)")


def keras_layer_arguments(lstm, spec: dict, t, activation, dropped: str, carry: str) -> None:
    """The Keras layer arguments of one layer (or block) that change no shape, carried to the
    target (a note) or refused there (LS201): `activation` judges a non-default activation,
    `dropped` says what becomes of dropout, `carry` how the states pass from batch to batch."""
    args = lstm.arguments
    defaults = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    for key, default in defaults.items():
        value = getattr(args, key)
        if value == default:
            continue
        activation(lstm, key, "null (linear)" if value is None else repr(value), value, t)
    for key in ("dropout", "recurrent_dropout"):
        if getattr(args, key):
            t.note(key, f"{key} {getattr(args, key)} is training-only and changes no shape: {dropped}")
    if args.stateful:
        t.note("stateful", f"stateful: Keras carries the states from batch to batch; {carry}")


keras_arguments_to_torch = partial(
    keras_layer_arguments, activation=activation_in_torch,
    dropped="torch.nn.LSTM's dropout acts between stacked layers only and it has no recurrent dropout",
    carry="pass the last batch's hn/cn (detached) as h0/c0")
keras_arguments_to_onnx = partial(keras_layer_arguments, activation=activation_in_onnx, dropped="exported graphs drop it",
                                  carry="feed Y_h/Y_c back as initial_h/initial_c")


def reverse_to_torch(lstm, spec: dict, t) -> None:
    if spec["direction"] == "reverse":
        key = spec["direction_key"]
        what = "go_backwards" if key == "go_backwards" else "direction 'reverse'"
        t.error(key, f"{what} has no equivalent in torch.nn.LSTM, which runs forward or both ways; flip "
                     "the input along time (x.flip(time_dim)) and run a forward LSTM with the same weights")


def keras_outputs_in_torch(lstm, spec: dict, t) -> None:
    t.note(None, "Keras input is (batch, seq_len, features): batch_first=True")
    if not spec["return_sequences"]:
        last = "torch.cat((hn[-2], hn[-1]), dim=-1)" if spec["direction"] == "bidirectional" else "hn[-1]"
        t.note("return_sequences", f"return_sequences false: Keras' output is torch's {last} "
                                   "(torch always returns every step's output and every layer's final state)")
    if spec["layers"] > 1 and spec["return_state"]:
        t.note("return_state", "Keras returns the last layer's states only: torch's "
                               + ("hn/cn hold" if spec["cell"] == "lstm" else "hn holds") + " every layer's; "
                               "the last layer's are hn[-2:] / hn[-1:] (bidirectional / not)")


def keras_bias_to_torch(lstm, spec: dict, t) -> None:
    if not spec["bias"]:
        return
    if keras_two_biases(spec):
        t.note(spec["bias_key"], "Keras GRU's bias rows (input, recurrent) are torch's bias_ih and bias_hh: "
                                 "lstmshape.convert moves them exactly")
    else:
        summed_bias_to_torch(spec, t, "Keras' single bias as (bias, zeros)")


def onnx_bias_to_torch(lstm, spec: dict, t) -> None:
    if spec["bias"]:
        summed_bias_to_torch(spec, t, "ONNX B as (Wb, Rb)")


def summed_bias_to_torch(spec: dict, t, split: str) -> None:
    summed = " that are summed" if spec["cell"] != "gru" else ""  # a GRU's b_hn sits inside r ⊙ (...)
    t.note(spec["bias_key"], f"torch has two bias vectors (bias_ih, bias_hh){summed}; lstmshape.convert "
                             "splits " + split)


def sequence_lens_to_torch(lstm, spec: dict, t) -> None:
    if spec["sequence_lens"]:
        t.note("sequence_lens", "sequence_lens: pack the batch with "
                                "torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)")


def layout_to_keras(what: str, key: str):
    def note(lstm, spec: dict, t) -> None:
        if not spec["batch_first"]:
            t.note(key, f"{what}: Keras input is always (batch, seq_len, features); transpose the first two axes")
    return note


def reverse_to_keras(lstm, spec: dict, t) -> None:
    if spec["direction"] == "reverse":
        t.note("direction", "direction 'reverse' → go_backwards=True: Keras returns the sequence in the order it "
                            "read it (last step first), while ONNX Y is indexed by the original time step: flip "
                            "Keras' output along axis 1 to compare; " + final_states(spec) + " the same")


def torch_outputs_in_keras(lstm, spec: dict, t) -> None:
    torch_returns, keras_states = ("(output, (hn, cn))", "h and c") if spec["cell"] == "lstm" else ("(output, hn)", "h")
    t.note(None, f"return_sequences=True and return_state=True reproduce torch's {torch_returns}; Keras returns "
                 f"the last layer's {keras_states} only"
                 + (", forward then backward" if spec["direction"] == "bidirectional" else ""))
    if spec.get("dropout"):
        t.note("dropout", f"dropout {spec['dropout']} (training only): torch applies it to the inputs of layers "
                          "2..n; in Keras set LSTM(dropout=...) on those layers")


def sequence_lens_to_keras(lstm, spec: dict, t) -> None:
    if spec["sequence_lens"]:
        t.note("sequence_lens", "sequence_lens: Keras masks padded steps instead (keras.layers.Masking, or "
                                "mask= when calling the layer)")


def bias_to_keras(pair: str):
    def note(lstm, spec: dict, t) -> None:
        if not spec["bias"]:
            return
        if keras_two_biases(spec):
            t.note(spec["bias_key"], f"Keras GRU (reset_after) keeps two bias rows: lstmshape.convert moves {pair} "
                                     "into them exactly")
        else:
            t.note(spec["bias_key"], "Keras has one bias vector: lstmshape.convert sums " + " + ".join(pair.split(", ")))
    return note


def reverse_to_onnx(lstm, spec: dict, t) -> None:
    if spec["direction"] == "reverse":
        t.note("go_backwards", "go_backwards → direction 'reverse': ONNX Y is indexed by the original time step, "
                               "while Keras returns the sequence in the order it read it (last step first): "
                               "flip one along time to compare; " + final_states(spec) + " the same")


def keras_outputs_in_onnx(lstm, spec: dict, t) -> None:
    t.note(None, "Keras input is (batch, seq_len, features): layout 1")
    t.note(None, "the ONNX node always returns Y (every step, 4-D), Y_h" + (" and Y_c" if spec["cell"] == "lstm" else ""))


def torch_layout_in_onnx(lstm, spec: dict, t) -> None:
    t.note("batch_first", f"batch_first {str(spec['batch_first']).lower()} → layout {int(spec['batch_first'])} "
                          "(torch.onnx.export itself always emits layout 0 and transposes batch-first input)")
    if spec.get("dropout"):
        t.note("dropout", f"dropout {spec['dropout']} is training-only; exported graphs drop it")


def keras_bias_to_onnx(lstm, spec: dict, t) -> None:
    if not spec["bias"]:
        return
    if keras_two_biases(spec):
        t.note("use_bias", "ONNX B = Wb ++ Rb is Keras GRU's two bias rows: lstmshape.convert moves them exactly")
    else:
        t.note("use_bias", "ONNX has two bias vectors (B = Wb ++ Rb): lstmshape.convert uses Keras' bias as Wb "
                           "and zeros as Rb")


# (source, target) → the steps that carry a block across, in the order their notes print: the
# source's layer arguments first (before what both frameworks' cells allow), then the rest
BEFORE = {("keras", "torch"): (keras_arguments_to_torch,), ("keras", "onnx"): (keras_arguments_to_onnx,)}
STEPS = {
    ("keras", "torch"): (reverse_to_torch, keras_outputs_in_torch, keras_bias_to_torch),
    ("onnx", "torch"): (reverse_to_torch, sequence_lens_to_torch, onnx_bias_to_torch),
    ("torch", "keras"): (layout_to_keras("batch_first false", "batch_first"), reverse_to_keras, torch_outputs_in_keras,
                         bias_to_keras("bias_ih, bias_hh")),
    ("onnx", "keras"): (layout_to_keras("layout 0", "layout"), reverse_to_keras, sequence_lens_to_keras,
                        bias_to_keras("Wb, Rb")),
    ("torch", "onnx"): (reverse_to_onnx, torch_layout_in_onnx),
    ("keras", "onnx"): (reverse_to_onnx, keras_outputs_in_onnx, keras_bias_to_onnx),
}
