"""The options of ``extracredit init``, apart from the command, so that the command line can list
them without importing what init needs to run."""

from __future__ import annotations

import argparse
from pathlib import Path

from extracredit.text import setup as setup_words

DEFAULT_TAG = "DLFL23"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``extracredit init`` to the command line's subcommands."""
    init = commands.add_parser("init", help=setup_words.INIT_HELP, description=setup_words.INIT_DESCRIPTION)
    init.add_argument("--tag", default=DEFAULT_TAG, help=setup_words.INIT_TAG_HELP)
    init.add_argument("--repo", metavar="OWNER/REPO", help=setup_words.INIT_REPO_HELP)
    init.add_argument("--spreadsheet", metavar="KEY_OR_URL", help=setup_words.INIT_SPREADSHEET_HELP)
    init.add_argument("--staff", metavar="KEY_OR_URL", help=setup_words.INIT_STAFF_HELP)
    init.add_argument("--ref", metavar="SHA", help=setup_words.INIT_REF_HELP)
    init.add_argument("--wif-provider", metavar="PROVIDER", help=setup_words.INIT_WIF_PROVIDER_HELP)
    init.add_argument("--wif-service-account", metavar="EMAIL",
                      help=setup_words.INIT_WIF_SERVICE_ACCOUNT_HELP)
    init.add_argument("--force", action="store_true", help=setup_words.INIT_FORCE_HELP)
    init.add_argument("--dir", type=Path, default=Path("."), metavar="PATH",
                      help=setup_words.INIT_DIR_HELP)
