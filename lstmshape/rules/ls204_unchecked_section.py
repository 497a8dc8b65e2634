"""A section lstmshape does not check for this framework: an error, never silently passed.

`head`, `expect` and `data.lengths` are checked against torch.nn.LSTM's shapes. For a keras or
onnx config lstmshape does not check them yet, and a gate that passes what it did not look at is
worse than no gate: the config is refused at that section instead. Check the model around the
LSTM in torch terms (the same network: `lstmshape infer CONFIG --as torch` shows its settings),
or remove the section.

Failing example::

    framework: keras
    lstm:
      input_dim: 10
      units: 20
    expect:
      state_h: [32, 20]

Passing example::

    framework: keras
    lstm:
      input_dim: 10
      units: 20
      return_state: true
"""

from .. import codes

CODE = codes.UNCHECKED_SECTION
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
