"""A key appears twice in one mapping; YAML loaders keep only the last.

PyYAML and most loaders silently keep the last value, so the first one, often the one you are
reading, has no effect. Reported at the second key, with the line and column of the first.
Reading goes on with the last value, so the file's other problems are reported too.

In a file read through a mapping (`--from`, or a [tool.lstmshape] group) it is an error only on
a mapped path: a key the mapping reads, any key inside a section mapped whole, or a key a mapped
path runs through (`model:` twice under `--from lstm=model.encoder`). Elsewhere it is a warning:
lstmshape reads neither value, and the training script's loader keeps the last one as PyYAML does
(`--strict` still fails on it).

Failing example::

    lstm:
      input_size: 10
      hidden_size: 20
      hidden_size: 40

Passing example::

    lstm:
      input_size: 10
      hidden_size: 40
"""

from .. import codes

CODE = codes.DUPLICATE_KEY
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
