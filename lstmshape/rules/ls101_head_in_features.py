"""The first head layer's in_features differs from the feature size of the LSTM tensor fed to it.

`head[0].linear.input` says what the code feeds the Linear layer: `output` (the default, every
time step: num_directions × H_out features), `last_step` (output[:, -1] or output[-1]: the same
features), `hn_last` (hn[-1]: H_out features, one direction of the last layer) or `hn_concat`
(torch.cat((hn[-2], hn[-1]), dim=-1): 2 × H_out features). H_out is proj_size when projecting,
else hidden_size. With a stack, the head is fed by the last block.

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectional: true
    head:
      - linear: {in_features: 20, out_features: 3}

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
      bidirectional: true
    head:
      - linear: {in_features: 40, out_features: 3}
"""

from .. import codes
from .context import features, n

CODE = codes.HEAD_IN_FEATURES
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity


def fed(block, source: str) -> tuple[int, str] | None:
    """Features of the tensor `source` and how they come about (None: hn_concat without 2 directions)."""
    name = "proj_size" if block.proj_size > 0 else "hidden_size"
    if source in ("output", "last_step"):
        what = "output" if source == "output" else "the last time step of output"
        return block.num_directions * block.h_out, f"{what} has {features(block)}"
    if source == "hn_last":
        return block.h_out, f"hn[-1] has {n(block.h_out)} features ({name} {n(block.h_out)}: one direction of the last layer)"
    if not block.bidirectional:
        return None  # LS103
    return 2 * block.h_out, (f"cat(hn[-2], hn[-1]) has {n(2 * block.h_out)} features "
                             f"(2 directions × {name} {n(block.h_out)})")


def check(context):
    head = context.config.head
    linears = [layer for layer in head if layer.kind == "linear"]
    if not linears:
        return
    first = linears[0]
    source = head[0].input if head[0].kind == "linear" else "output"
    block = context.blocks[-1]
    got = fed(block, source)
    if got is None or first.in_features == got[0]:
        return
    want, why = got
    hint = ""
    if source in ("output", "last_step", "hn_concat") and block.bidirectional and first.in_features == want // 2:
        hint = f": a bidirectional {block.kind.torch} doubles the feature size"
    elif block.proj_size and first.in_features in (block.hidden_size, block.num_directions * block.hidden_size):
        hint = ": with proj_size the LSTM's h and output have proj_size features, not hidden_size"
    elif source == "hn_last" and block.bidirectional and first.in_features == 2 * block.h_out:
        hint = ": hn[-1] is only the backward direction; feed cat(hn[-2], hn[-1]) (input: hn_concat) for both"
    where = first.parts[1]
    yield context.problem(
        first.parts + ("linear", "in_features"), ID, SEVERITY,
        f"head[{where}].in_features is {n(first.in_features)} but {why}{hint}",
    )
