"""A value lstmshape reads is an interpolation, !ref or tagged object it cannot resolve.

Real configs spell some numbers indirectly: OmegaConf interpolations (`${model.d_model}`, relative
`${.d_model}`, resolved with the omegaconf library as Hydra and Lightning resolve them) and
HyperPyYAML references (`!ref <rnn_neurons>`). lstmshape resolves those it reads, in the file they
are written in. It reports, at the value: a key that is not in this file (Hydra may compose it
from another one), an interpolation cycle, a resolver call (`${oc.env:X}`, never run), Hydra's
mandatory `???`, a `!ref` expression (`!ref <a> * 3`, never evaluated) and a tagged object
(`!new:`, `!name:`, never constructed) where a number is needed. Give such a value with `--set`.

Failing example::

    lstm:
      input_size: 256
      hidden_size: ${.input_sise}

Passing example::

    lstm:
      input_size: 256
      hidden_size: ${.input_size}
"""

from .. import codes

CODE = codes.UNRESOLVED_VALUE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
