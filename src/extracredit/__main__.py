"""Run the command line as ``python -m extracredit``."""

import sys

from extracredit.cli import main

sys.exit(main())
