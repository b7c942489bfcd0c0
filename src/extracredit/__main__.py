"""Run the command line as ``python -m extracredit``."""

import gc
import sys

# A command is a short-lived process. The cyclic collector's passes over what the imports build
# (PyGithub's classes, our dataclasses) cost about a tenth of a live check and free nothing: the
# modules live as long as the process. cli.main turns the collector back on for the commands that
# build large, long-lived graphs.
gc.disable()

from extracredit.cli import main  # noqa: E402 (after the collector is off, on purpose)

sys.exit(main())
