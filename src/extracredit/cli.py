"""The command line: ``main(argv) -> int`` parses and hands each command to its module."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from extracredit import __version__
from extracredit.backend import load_config
from extracredit.config import DEFAULT_CONFIG_PATH, ConfigError
from extracredit.errors import EXIT_FIX, EXIT_OK, EXIT_UNDECIDED, UserError
from extracredit.titles import check_title


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extracredit",
        description="Check extra-credit pull requests against the course's title rule and "
                    "claims registry.",
        epilog="Exit status: 0 all good (or not an extra-credit PR), 1 the student must fix "
               "something, 2 the check could not decide (bad input, registry or GitHub error).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    title = commands.add_parser(
        "title", help="apply the title rule to one title",
        description="Apply the title rule and print {verdict, problem, suggestion} as JSON. "
                    "Exit 0 when the title passes, 1 when it does not.")
    title.add_argument("title", help="the PR title, quoted")
    title.add_argument("--config", default=DEFAULT_CONFIG_PATH,
                       help=f"course configuration (default: {DEFAULT_CONFIG_PATH})")

    check = commands.add_parser(
        "check", help="check one PR (offline from a snapshot, or live in GitHub Actions)",
        description="Decide a PR's title and claim. With --snapshot, offline: print the comment "
                    "the bot would post. Without it, inside GitHub Actions: read the event, "
                    "decide from the live PR and publish one comment, two statuses and labels.")
    check.add_argument("--snapshot", type=Path, metavar="FILE",
                       help="a snapshot JSON file of the course's PRs (offline mode)")
    check.add_argument("--pr", action="append", default=[], metavar="OWNER/REPO#N",
                       help="the PR to check; may be repeated (offline: required unless --all)")
    check.add_argument("--all", action="store_true",
                       help="offline: check every open PR in the snapshot")
    check.add_argument("--registry", type=Path, metavar="DIR",
                       help="a folder of registry CSV files (overrides the configuration)")
    check.add_argument("--config", default=DEFAULT_CONFIG_PATH,
                       help=f"course configuration (default: {DEFAULT_CONFIG_PATH})")
    check.add_argument("--json", action="store_true",
                       help="print the verdict as JSON instead of the comment")
    check.add_argument("--dry-run", action="store_true",
                       help="live mode: publish nothing, print what would be published")
    return parser




def _title(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    result = check_title(args.title, config.tag)
    print(json.dumps({
        "verdict": "pass" if result.passed else "fail",
        "problem": result.problem,
        "suggestion": result.suggestion,
    }, ensure_ascii=False))
    return EXIT_OK if result.passed else EXIT_FIX




def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "title":
            return _title(args)
        # Imported here so that `extracredit title` starts without PyGithub.
        from extracredit import checking

        return checking.run(args)
    except (ConfigError, UserError) as error:
        print(f"extracredit: {error}", file=sys.stderr)
        return EXIT_UNDECIDED
    except KeyboardInterrupt:
        print("extracredit: interrupted", file=sys.stderr)
        return 130
