"""A Keras block of a stack follows one that does not return sequences: it gets a 2-D input.

With `lstm` given as a list of Keras blocks (layers called one after the other), a layer without
`return_sequences` returns only its last step, (batch, units), and the next recurrent layer needs
(batch, seq_len, features): Keras refuses to build it ("expected ndim=3, found ndim=2"). Only the
last block may leave `return_sequences` false. Found while reading the config, at the earlier
block's `return_sequences` (or the block, when the default false applies); the message names both
blocks.

Failing example::

    framework: keras
    lstm:
      - {input_dim: 10, units: 20}
      - {units: 8}

Passing example::

    framework: keras
    lstm:
      - {input_dim: 10, units: 20, return_sequences: true}
      - {units: 8}
"""

from .. import codes

CODE = codes.STACK_2D_INPUT
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
