"""The exit codes of every command, in one table (docs/output.md says the same)."""

CLEAN = 0  # no problem (warnings allowed unless --strict)
PROBLEMS = 1  # a config has problems, or a verification failed
USAGE = 2  # a bad option, a missing file: the command could not run as asked
INTERNAL = 3  # a bug in lstmshape (LSTMSHAPE_DEBUG=1 shows the traceback)
INTERRUPTED = 130  # Ctrl-C
