"""The file is not one safe, readable YAML document.

Reported at the parser's line and column for invalid YAML, and for everything that is not a
config at all: an empty file, non-UTF-8 bytes, a NUL byte (a binary file), more than one document,
a file over 1 MiB, nesting deeper than 64 levels, an alias expanding to more than 50,000 values
(a "billion laughs" bomb, refused without being expanded), a tag that would construct an object
(`!!python/object`: lstmshape constructs none), an unreadable file.

Failing example::

    lstm:
      input_size: [10
      hidden_size: 20

Passing example::

    lstm:
      input_size: 10
      hidden_size: 20
"""

from .. import codes

CODE = codes.INVALID_YAML
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None
