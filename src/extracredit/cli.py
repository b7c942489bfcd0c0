"""The command line: ``main(argv) -> int`` parses and hands each command to its module."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from extracredit import __version__
from extracredit.core.vocab import DEFAULT_CONFIG_PATH
from extracredit.errors import (
    EXIT_FIX,
    EXIT_OK,
    EXIT_UNDECIDED,
    ConfigError,
    ExtraCreditError,
    MissingEnvironment,
    UserError,
)
from extracredit.forge.actions import running_in_actions, say
from extracredit.text import messages

if TYPE_CHECKING:
    import argparse

    from extracredit.jobs.check import CheckArgs

# The commands that run as one short process per PR event: the cyclic collector stays off in them.
SHORT_COMMANDS = frozenset({"title", "check", "command"})


def _parser() -> argparse.ArgumentParser:
    # Imported here: `extracredit title` in its plain forms is read without them (_plain_title).
    import argparse

    from extracredit.jobs import init_options

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
                    "Exit 0 when the title passes, 1 when it does not. A title that starts "
                    "with '-' goes after '--', options before it: extracredit title -- \"-x\".")
    title.add_argument("title", help="the PR title, quoted (after -- when it starts with '-')")
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
    sync = commands.add_parser(
        "sync", help="bring the registry up to date (the one job that writes it)",
        description="Read the registry and the course's PRs, then write what the tool owns: "
                    "claim ids, each claim's Status, PR and GitHub ID, first sightings in the "
                    "Claims log, and the lint's Problems. Rows are found again by claim id "
                    "right before writing, so rows people sort or insert meanwhile are safe.")
    sync.add_argument("--snapshot", type=Path, metavar="FILE",
                      help="use the PRs of a snapshot instead of listing them on GitHub")
    sync.add_argument("--prs-cache", type=Path, metavar="FILE",
                      help="a snapshot of the course's PRs kept between runs: when it exists, "
                           "only the PRs GitHub changed since are listed and files are fetched "
                           "only for heads it does not hold; written back after a successful "
                           "run (the nightly workflow keeps it in the Actions cache)")
    sync.add_argument("--recheck", action="store_true",
                      help="also re-check every open extra-credit PR, publishing only where "
                           "the verdict or the head changed (the nightly run; needs "
                           "GITHUB_TOKEN)")
    _registry_options(sync)

    command = commands.add_parser(
        "command", help="obey /credit and /recheck in a PR comment (in GitHub Actions)",
        description="For an issue_comment event: `/credit accept|reject|N [reason]` from a user "
                    "with write access (asked of the API) appends a Ledger row keyed by the "
                    "comment's id and re-runs the check; `/recheck` from anyone re-runs it. "
                    "Others get one polite reply; nothing is recorded. The bot never repeats "
                    "an amount in public.")
    _registry_options(command)

    tally_command = commands.add_parser(
        "tally", help="every student's extra credit, capped, with the evidence (TAs only)",
        description="Apply the credit rules to the course's PRs (a snapshot, or live) and "
                    "write tally.csv, gradebook.csv and unmatched.csv to --out; with a sheets "
                    "registry, also the private Tally tab. In GitHub Actions only aggregates "
                    "reach the log and the job summary. The same inputs give the same bytes.")
    tally_command.add_argument("--snapshot", type=Path, metavar="FILE",
                               help="grade from a snapshot instead of the live PRs")
    tally_command.add_argument("--out", type=Path, metavar="DIR",
                               help="folder for tally.csv, gradebook.csv and unmatched.csv")
    tally_command.add_argument("--brightspace", action="store_true",
                               help="also write brightspace.csv (Brightspace grade import)")
    _registry_options(tally_command)

    freeze = commands.add_parser(
        "snapshot", help="freeze the course's PRs as JSON (for a reproducible tally)",
        description="List the PRs of the course repos since the window opened (100 per "
                    "request, newest first) and their changed files where the title carries "
                    "the tag. With --since, files already frozen for the same head are reused.")
    freeze.add_argument("--repo", action="append", metavar="OWNER/REPO",
                        help="a repo to freeze (default: the configured repos); may be repeated")
    freeze.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    freeze.add_argument("--since", type=Path, metavar="FILE",
                        help="a previous snapshot whose files can be reused")
    freeze.add_argument("--config", default=DEFAULT_CONFIG_PATH,
                        help=f"course configuration (default: {DEFAULT_CONFIG_PATH})")

    init_options.add_parser(commands)

    registry = commands.add_parser(
        "registry", help="TA tools for the registry: lint, init, export, import",
        description="Keep the registry healthy: find problems, set up tabs, back it up.")
    actions = registry.add_subparsers(dest="action", required=True, metavar="ACTION")
    lint = actions.add_parser(
        "lint", help="list every problem in the registry, with how to fix it",
        description="Print one line per problem (tab, row as the sheet numbers it, column, what "
                    "is wrong, how to fix it). Exit 0 clean, 1 problems found, 2 unreadable. "
                    "In GitHub Actions only the count is printed; the details go to the "
                    "private Problems tab.")
    lint.add_argument("--repo-files", type=Path, metavar="FILE",
                      help="the course repo's file list (e.g. from `git ls-files`), to flag "
                           "targets that match no file")
    _registry_options(lint)
    init = actions.add_parser(
        "init", help="create the missing tabs, headers, formats and drop-downs (idempotent)",
        description="Create missing tabs with their header rows; freeze the header, keep NetID "
                    "and GitHub ID as plain text, add drop-downs for Kind and Status, and mark "
                    "the tool's columns. Running it again changes nothing.")
    init.add_argument("--claims", metavar="KEY", help="the claims spreadsheet (key or URL)")
    init.add_argument("--staff", metavar="KEY", help="the staff spreadsheet (key or URL)")
    _registry_options(init)
    export = actions.add_parser("export", help="copy every tab to a folder of CSV files",
                                description="Write each tab as a CSV file (a backup, or a "
                                            "move to the files backend).")
    export.add_argument("--to", type=Path, required=True, metavar="DIR")
    _registry_options(export)
    load = actions.add_parser("import", help="fill the registry from a folder of CSV files",
                              description="Replace each tab named by a CSV file in DIR. Tabs "
                                          "that already hold rows are refused unless --force.")
    load.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR")
    load.add_argument("--force", action="store_true", help="replace tabs that hold rows")
    _registry_options(load)
    return parser


def _registry_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--registry", type=Path, metavar="DIR",
                         help="a folder of registry CSV files (overrides the configuration)")
    command.add_argument("--config", default=DEFAULT_CONFIG_PATH,
                         help=f"course configuration (default: {DEFAULT_CONFIG_PATH})")


def _plain_title(argv: Sequence[str]) -> tuple[str, str] | None:
    """The title and configuration of `extracredit title TITLE [--config PATH]` (the option
    before or after the title), the forms the workflows write, read without argparse; None for
    anything else, which argparse reads. The title check runs on every PR event, and building
    the parser of every command took a fifth of its start-up. No value here starts with '-', so
    argparse would read these arguments the same way."""
    if len(argv) < 2 or argv[0] != "title":
        return None
    rest, config = list(argv[1:]), DEFAULT_CONFIG_PATH
    if len(rest) == 3 and rest[0] == "--config":
        config, rest = rest[1], rest[2:]
    elif len(rest) == 3 and rest[1] == "--config":
        config, rest = rest[2], rest[:1]
    if len(rest) != 1 or rest[0].startswith("-") or config.startswith("-"):
        return None
    return rest[0], config


# The options of `extracredit check` that the check action writes, each taking a value or not.
_PLAIN_CHECK_OPTIONS = {"--config": True, "--registry": True, "--dry-run": False}


def _plain_check(argv: Sequence[str]) -> CheckArgs | None:
    """`extracredit check` with only --config, --registry and --dry-run, each at most once and
    in any order (the forms the check action writes), read without argparse; None for anything
    else, which argparse reads. The live check runs on every PR event, and building the parser
    of every command cost it more than loading what the check itself needs. No value here
    starts with '-', so argparse would read these arguments the same way."""
    if not argv or argv[0] != "check":
        return None
    given: dict[str, str | None] = {}
    rest = list(argv[1:])
    while rest:
        option = rest.pop(0)
        if option not in _PLAIN_CHECK_OPTIONS or option in given:
            return None
        value = None
        if _PLAIN_CHECK_OPTIONS[option]:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        given[option] = value
    from extracredit.jobs.check import CheckArgs

    config, registry = given.get("--config"), given.get("--registry")
    return CheckArgs(config=DEFAULT_CONFIG_PATH if config is None else config,
                     registry=None if registry is None else Path(registry),
                     dry_run="--dry-run" in given)


def _title(title: str, config_path: str) -> int:
    # Imported here: a live check's publishing half loads neither the rules nor the configuration.
    from extracredit.core.titles import check_title
    from extracredit.registry.config_file import load_config

    config = load_config(config_path)
    result = check_title(title, config.tag, config.term)
    say(json.dumps({
        "verdict": "pass" if result.passed else "fail",
        "problem": result.problem,
        "suggestion": result.suggestion,
    }, ensure_ascii=False))
    return EXIT_OK if result.passed else EXIT_FIX


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Run one command; its exit code. ``own_process``: nothing else runs in this process
    (``python -m extracredit``), so a command may start processes of its own from it."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    plain = _plain_title(arguments)
    plain_check = None if plain is not None else _plain_check(arguments)
    args = None
    if plain is not None:
        command = "title"
    elif plain_check is not None:
        command = "check"
    else:
        args = _parser().parse_args(arguments)
        command = str(args.command)
    if command not in SHORT_COMMANDS:
        gc.enable()  # off while python -m extracredit started (__main__.py); these build a lot
    try:
        if plain is not None:
            return _title(*plain)
        if plain_check is not None:
            from extracredit.jobs import check as checking

            return checking.run(plain_check, own_process=own_process)
        assert args is not None
        if args.command == "title":
            return _title(args.title, args.config)
        # Each command's module is imported only for that command: `extracredit title` starts
        # without PyGithub, gspread or what init needs, and a check without the tally's modules.
        if args.command == "check":
            from extracredit.jobs import check as checking

            return checking.run(args, own_process=own_process)
        if args.command == "sync":
            from extracredit.jobs import sync as syncing

            return syncing.run(args)
        if args.command == "command":
            from extracredit.jobs import command as commanding

            return commanding.run(args)
        if args.command == "init":
            from extracredit.jobs import init as initializing

            return initializing.run(args)
        if args.command == "tally":
            from extracredit.jobs import tally as tallying

            return tallying.run(args)
        if args.command == "snapshot":
            from extracredit.jobs import snapshot as snapshotting

            return snapshotting.run(args)
        from extracredit.jobs import registry as registry_tools

        return registry_tools.run(args)
    except ConfigError as error:
        from extracredit.text import config as config_words

        say(f"extracredit: {config_words.describe(error)}", stderr=True)
        return EXIT_UNDECIDED
    except MissingEnvironment as error:
        from extracredit.text.usage import missing_env

        say(f"extracredit: {missing_env(error.variable, command)}", stderr=True)
        return EXIT_UNDECIDED
    except UserError as error:
        say(f"extracredit: {error}", stderr=True)
        return EXIT_UNDECIDED
    except ExtraCreditError as error:  # worded for people, like a UserError
        say(f"extracredit: {error}", stderr=True)
        return error.exit_code
    except KeyboardInterrupt:
        say("extracredit: interrupted", stderr=True)
        return 130
    except Exception as error:
        if not running_in_actions():
            raise
        # The log is public and an exception's message may quote a cell: name its type and the
        # code it came through, never its message.
        import traceback

        say(f"extracredit: {messages.internal_error(type(error).__name__)}", stderr=True)
        for frame in traceback.format_tb(error.__traceback__):
            for line in frame.rstrip("\n").split("\n"):
                say(line, stderr=True)
        return EXIT_UNDECIDED
