"""A key appears twice in one mapping; YAML loaders keep only the last.

PyYAML and most loaders silently keep the last value, so the first one, often the one you are
reading, has no effect. Reported at the second key, with the line and column of the first.

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
