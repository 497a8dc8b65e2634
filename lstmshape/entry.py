"""The console script's home before 0.2 (`lstmshape.entry:main`); kept for one release so that an
environment installed from an older version keeps working. It is `lstmshape.cli.main`."""

from .cli import main

__all__ = ["main"]
