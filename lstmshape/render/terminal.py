"""The one way every reporter makes a rich console, so they all behave alike: no escape code at
all under NO_COLOR (rich alone would still print bold), and a reader that closes the pipe
(`| head`) ends the run quietly with exit 0 instead of rich's exit 1."""

from __future__ import annotations

import os
from typing import TextIO


def console(stream: TextIO, **options):
    """A rich Console writing to `stream` (rich is imported here, only when output needs it)."""
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:  # rich would exit 1: let lstmshape.cli end the run quietly
            raise BrokenPipeError

    if os.environ.get("NO_COLOR"):
        options["force_terminal"] = False
    return PipedConsole(file=stream, **options)
