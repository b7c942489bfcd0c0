"""Run the command line as ``python -m extracredit``."""

import gc
import sys

# A command is a short-lived process. The cyclic collector's passes over what the imports build
# (PyGithub's classes, our dataclasses) cost about a tenth of a live check and free nothing: the
# modules live as long as the process. cli.main turns the collector back on for the commands that
# build large, long-lived graphs.
gc.disable()

from extracredit.cli import main  # noqa: E402 (after the collector is off, on purpose)

code = main(own_process=True)
if not gc.isenabled():
    # The interpreter's exit still runs one full collection over every object the run made
    # (with the collector off, all of them still young): a sixth of a live check's wall time,
    # to free memory the process's end returns anyway. Frozen objects are left out of it; the
    # exit is otherwise the same (atexit handlers, flushes, modules torn down).
    gc.freeze()
sys.exit(code)
