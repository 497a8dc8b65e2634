"""The shape traps that apply to one LSTM: what `infer --explain` warns a reader about.

Each trap is a real, common bug (the kind that ends in "Expected hidden[0] size ...") stated for
this config's own numbers, so the reader can copy the fix. Keras and ONNX layers have traps of
their own (layouts, merged directions, gate orders).
"""

from __future__ import annotations

from .frameworks.keras import KerasShapes
from .frameworks.onnx import OnnxShapes
from .frameworks.torch import TorchShapes


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def traps(result: TorchShapes | KerasShapes | OnnxShapes) -> list[str]:
    """Every trap for one result, in the order a reader should meet them."""
    if not isinstance(result, TorchShapes):
        return framework_traps(result)
    return torch_traps(result)


def torch_traps(result: TorchShapes) -> list[str]:
    lstm, data = result.lstm, result.data
    d, h_out = lstm.num_directions, lstm.h_out
    hn = result["hn"].shape
    module = lstm.kind.torch
    # the states this cell has: an LSTM's h and c, a GRU's or RNN's h alone
    initial, final, states = ("h0/c0", "hn/cn", "h0/c0/hn/cn") if lstm.has_cell_state else ("h0", "hn", "h0/hn")
    out = []
    features = d * h_out
    if not lstm.has_cell_state:
        out.append(
            f"nn.{module} has no cell state: it returns output, hn (not output, (hn, cn)) and takes h0 alone; "
            f"its weights stack {lstm.gates} gate{'s' if lstm.gates > 1 else ''} ({lstm.kind.torch_gates}), "
            f"{lstm.gates * lstm.hidden_size} = {lstm.gates} × hidden_size rows, not 4."
        )
    if d == 2 or lstm.proj_size:
        out.append(
            f"A Linear layer after this {module} needs in_features = num_directions × H_out = {features}, "
            f"not hidden_size {lstm.hidden_size}."
        )
    else:
        out.append(f"A Linear layer after this {module} needs in_features = {features} (its output features).")
    if data.unbatched:
        out.append(
            f"Unbatched input is 2-D: {initial} must be 2-D too, {_shape(hn)}; batch_first has no effect."
        )
    elif lstm.batch_first:
        out.append(
            f"batch_first=True changes input and output only: {states} stay "
            f"(num_directions × num_layers, batch, H) = {_shape(hn)}, never batch-first."
        )
        if hn[0] == hn[1]:
            out.append(
                f"batch {hn[1]} equals num_directions × num_layers {hn[0]}: an h0 built batch-first "
                "has the right shape and torch accepts it silently, mixing up batch rows and layers."
            )
    if lstm.num_layers > 1 or d == 2:
        last = f"hn[-{d}:]" if d == 2 else "hn[-1]"
        out.append(
            f"hn rows are layer-major: row = layer × {d} + direction; the last layer's state is {last}; "
            f"hn.view(num_layers={lstm.num_layers}, num_directions={d}, ...) separates them."
        )
    if d == 2:
        step = "output[:, -1]" if lstm.batch_first and not data.unbatched else "output[-1]"
        out.append(
            f"Bidirectional: the final state is torch.cat((hn[-2], hn[-1]), dim=-1) ({features} features). "
            f"{step} is not: its second half is the backward direction after one step only "
            f"(the backward final state sits at time step 0)."
        )
    if lstm.proj_size:
        out.append(
            f"proj_size {lstm.proj_size}: h0/hn have {lstm.proj_size} features but c0/cn keep "
            f"hidden_size {lstm.hidden_size}; weight_hh is (4 × hidden_size, proj_size)."
        )
    out.append(f"{final} do not depend on seq_len; output does not depend on num_layers.")
    return out


def keras_argument_traps(result: KerasShapes) -> list[str]:
    """What the Keras layer arguments that change no shape do change: the fused kernel, the states kept."""
    lstm, args, out = result.lstm, result.lstm.arguments, []
    slow = [f"{name} {value!r}" for name, value, fused in (
        ("activation", args.activation, "tanh"), ("recurrent_activation", args.recurrent_activation, "sigmoid"),
        ("recurrent_dropout", args.recurrent_dropout, 0.0), ("unroll", args.unroll, False)) if value != fused]
    slow += [] if lstm.use_bias else ["use_bias False"]
    if slow:
        out.append("On a GPU Keras runs the fused cuDNN kernel only with activation tanh, recurrent_activation "
                   "sigmoid, recurrent_dropout 0, unroll False and use_bias True; here " + ", ".join(slow) +
                   (" rule" if len(slow) > 1 else " rules") + " it out, so Keras runs the step-by-step loop (same "
                   "shapes, slower; use_cudnn=True raises).")
    if args.dropout or args.recurrent_dropout:
        out.append("dropout / recurrent_dropout act in training only (fit, or training=True) and change no shape.")
    if args.stateful:
        batch, states = result.data.batch_size, "h and c" if lstm.has_cell_state else "h"
        out.append(f"stateful: {states} persist between calls as ({batch}, {lstm.units}) variables: every batch must "
                   f"have {batch} rows (drop a last partial batch), keep batches in order (shuffle=False) and call "
                   "reset_state() between independent sequences.")
    return out


def framework_traps(result: KerasShapes | OnnxShapes) -> list[str]:
    """What to watch for when using (or porting) this layer."""
    lstm = result.lstm
    out = []
    if isinstance(result, KerasShapes):
        main = result.outputs[0]
        out.append(f"A Dense layer after it sees {main.shape[-1]} features" +
                   (" (merge_mode concat doubles units)" if lstm.bidirectional and lstm.merge_mode == "concat" else "")
                   + ".")
        if lstm.return_state:
            out.append(f"return_state: the call returns {len(result.outputs)} tensors ("
                       + ", ".join(t.name for t in result.outputs) + "); unpack them all.")
        if lstm.go_backwards:
            out.append("go_backwards: the returned sequence is in reading order (last time step first); "
                       "flip it along axis 1 to line it up with the input.")
        if lstm.bidirectional and not lstm.return_sequences:
            out.append("Bidirectional without return_sequences: the backward half is the backward layer's "
                       "final state (it read the whole sequence), not its output at the last step.")
        if lstm.num_layers > 1:
            states = "h/c" if lstm.has_cell_state else "h"
            out.append(f"Stacked: inner layers return sequences and no state; only the last layer's {states} come back.")
        out += keras_argument_traps(result)
        if lstm.cell == "lstm":
            out.append("Keras weights: kernel is (input, 4·units) — the transpose of torch's weight_ih — with gates "
                       "i, f, c, o and a single bias (torch has two, ONNX packs two in B).")
        elif lstm.cell == "gru":
            bias = ("bias (2, 3·units) holds the input and recurrent biases (torch's bias_ih, bias_hh)"
                    if lstm.reset_after else
                    "reset_after=False applies the reset gate before the recurrent matmul: not torch's GRU "
                    "(torch and ONNX linear_before_reset=1 apply it after), so its weights do not convert")
            out.append("Keras GRU weights: kernel is (input, 3·units), the transpose of torch's weight_ih, with "
                       f"gates z, r, h (torch: r, z, n); {bias}.")
        else:
            out.append("Keras SimpleRNN weights: kernel is (input, units), the transpose of torch's weight_ih, "
                       "and a single bias (torch's bias_ih + bias_hh).")
    else:
        layout = lstm.layout
        seq_axes = "(seq, num_directions, batch, hidden)" if layout == 0 else "(batch, seq, num_directions, hidden)"
        out.append(f"Y is 4-D {seq_axes}: reshape before a MatMul/Gemm "
                   + ("(Transpose(perm=[0, 2, 1, 3]) then Reshape([0, 0, -1]))." if layout == 0
                      else "(Reshape([0, 0, -1]))."))
        states = "initial_h/initial_c and Y_h/Y_c" if lstm.has_cell_state else "initial_h and Y_h"
        out.append(f"{states} follow layout: "
                   + ("(num_directions, batch, hidden)." if layout == 0 else "(batch, num_directions, hidden)."))
        if lstm.cell == "lstm":
            out.append("Gate order is i, o, f, c (torch: i, f, g, o; Keras: i, f, c, o); B is (num_directions, "
                       "8·hidden) = Wb ++ Rb.")
        elif lstm.cell == "gru":
            out.append("Gate order is z, r, h (torch: r, z, n; Keras: z, r, h); B is (num_directions, 6·hidden) "
                       "= Wb ++ Rb; " + ("linear_before_reset 1 is torch's GRU." if lstm.linear_before_reset else
                                          "linear_before_reset 0 (the default) is not torch's GRU: torch computes "
                                          "r ⊙ (R_h h + Rb_h), which is linear_before_reset 1."))
        else:
            out.append("The RNN node has one gate: W is (num_directions, hidden, input); B is (num_directions, "
                       "2·hidden) = Wb ++ Rb.")
        if lstm.direction == "reverse":
            out.append("direction reverse: Y is indexed by the original time step (unlike Keras go_backwards).")
        if lstm.input_forget or lstm.peepholes:
            out.append("input_forget/peepholes have no PyTorch or Keras equivalent.")
    return out
