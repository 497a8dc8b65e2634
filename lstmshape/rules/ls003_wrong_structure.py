"""A section is not the mapping (or list) the format needs.

The top level is a mapping; `lstm` is a mapping of settings or a list of such mappings (a stack);
`data` is a mapping; `head` is a list of layers; `expect` is a mapping of tensor → list of
dimensions (a list of such mappings, one per block, for a stack).

Failing example::

    lstm: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
"""

from .. import codes

CODE = codes.WRONG_STRUCTURE
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
