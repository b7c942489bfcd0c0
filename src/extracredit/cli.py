"""The command line: ``extracredit title`` and ``extracredit check`` (``main(argv) -> int``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extracredit import __version__, messages
from extracredit.config import DEFAULT_CONFIG_PATH, Config, ConfigError, parse_config
from extracredit.titles import check_title

if TYPE_CHECKING:
    from extracredit.model import PullRequest
    from extracredit.registry import Registry
    from extracredit.verdict import CheckVerdict

EXIT_OK, EXIT_FIX, EXIT_UNDECIDED = 0, 1, 2
CHECK_TABS = ("Claims", "Roster", "Ledger")


class UserError(Exception):
    """A problem the person running the command can fix; printed as one paragraph, exit 2."""


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


def load_config(path: str) -> Config:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(messages.config_unreadable(path, error.strerror or str(error))) from None
    return parse_config(text, path)


def _title(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    result = check_title(args.title, config.tag)
    print(json.dumps({
        "verdict": "pass" if result.passed else "fail",
        "problem": result.problem,
        "suggestion": result.suggestion,
    }, ensure_ascii=False))
    return EXIT_OK if result.passed else EXIT_FIX


def read_registry(config: Config, folder: Path | None) -> Registry:
    """Read the registry the configuration names (or the folder given); RegistryError if not."""
    from extracredit.files import FilesRegistry
    from extracredit.registry import RegistryError, build_registry

    if folder is None:
        if config.registry.backend != "files" or config.registry.path is None:
            raise RegistryError(messages.SHEETS_UNAVAILABLE)
        folder = Path(config.registry.path)
    return build_registry(FilesRegistry(folder).read(CHECK_TABS), config.zone)


def verdict_json(verdict: CheckVerdict) -> dict[str, Any]:
    return {
        "pr": verdict.pr,
        "title": {"verdict": verdict.title.outcome, "problem": verdict.title.problem},
        "claim": {"verdict": verdict.claim.outcome, "problem": verdict.claim.problem,
                  "claim": verdict.claim.claim_id},
    }


def _offline(args: argparse.Namespace, config: Config) -> int:
    from extracredit.model import parse_pr_ref
    from extracredit.registry import RegistryError
    from extracredit.report import build_report
    from extracredit.snapshot import SnapshotError, load_snapshot
    from extracredit.verdict import decide

    try:
        snapshot = load_snapshot(args.snapshot)
    except SnapshotError as error:
        raise UserError(str(error)) from None
    wanted: list[PullRequest] = []
    for ref in args.pr:
        parsed = parse_pr_ref(ref)
        if parsed is None:
            raise UserError(messages.BAD_PR_REF.format(ref))
        found = snapshot.find(*parsed)
        if found is None:
            raise UserError(messages.PR_NOT_IN_SNAPSHOT.format(
                pr=ref, path=args.snapshot, count=len(snapshot.all_pulls()),
                repos=", ".join(snapshot.pulls) or "no repo"))
        wanted.append(found)
    if args.all:
        wanted.extend(pr for pr in snapshot.all_pulls() if pr.is_open and pr not in wanted)
    if not wanted:
        raise UserError(messages.NOTHING_TO_CHECK)
    registry: Registry | None
    try:
        registry, registry_error = read_registry(config, args.registry), None
    except RegistryError as error:
        registry, registry_error = None, str(error)
        print(messages.REGISTRY_UNREADABLE.format(reason=error), file=sys.stderr)
    if registry is not None and registry.problems:
        print(messages.registry_problems_count(len(registry.problems)), file=sys.stderr)
    worst = EXIT_OK
    known = snapshot.all_pulls()
    summary = []
    for pr in wanted:
        verdict = decide(pr, registry, config, snapshot.taken_at, known_pulls=known,
                         registry_error=registry_error)
        worst = max(worst, verdict.exit_code)
        summary.append(messages.summary_line(verdict))
        if args.json:
            print(json.dumps(verdict_json(verdict), ensure_ascii=False))
            continue
        report = build_report(verdict)
        if len(wanted) > 1:
            print(f"\n{'=' * 78}\n{messages.summary_line(verdict)}\n{'=' * 78}")
        if report.comment is None:
            print(messages.SKIP_DESCRIPTIONS[verdict.skip or "outsider"])
        else:
            print(report.comment)
    if len(wanted) > 1 and not args.json:
        print(f"\n{messages.offline_summary_header(len(wanted))}")
        print("\n".join(summary))
    return worst


def _live(args: argparse.Namespace, config: Config | None, config_error: str | None) -> int:
    from extracredit import actions
    from extracredit.github import GitHub, GitHubError, connect
    from extracredit.model import parse_pr_ref
    from extracredit.registry import RegistryError
    from extracredit.report import build_report, plan_changes
    from extracredit.verdict import decide

    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise UserError(messages.MISSING_ENV.format(name="GITHUB_TOKEN"))
    targets: list[tuple[str, int]] = []
    for ref in args.pr:
        parsed = parse_pr_ref(ref)
        if parsed is None:
            raise UserError(messages.BAD_PR_REF.format(ref))
        targets.append(parsed)
    if not targets:
        event_path = os.environ.get("GITHUB_EVENT_PATH")
        if not event_path:
            raise UserError(messages.MISSING_ENV.format(name="GITHUB_EVENT_PATH"))
        event_name = os.environ.get("GITHUB_EVENT_NAME", "")
        try:
            trigger = actions.trigger_from_event(event_name, actions.read_event(event_path),
                                                 os.environ.get("GITHUB_REPOSITORY", ""))
        except actions.EventError as error:
            raise UserError(str(error)) from None
        if not trigger.run:
            print(messages.EVENT_IGNORED.format(event=event_name, action=trigger.action))
            return EXIT_OK
        targets.append((trigger.repo, trigger.number))

    timeout = int(_env_number("EXTRACREDIT_GITHUB_TIMEOUT", 10))
    client = connect(token, throttle=_env_number("EXTRACREDIT_GITHUB_THROTTLE", 0.25),
                     timeout=timeout)
    worst = EXIT_OK
    for repo, number in targets:
        github = GitHub(client, repo, settle=timeout)
        try:
            pr = github.pull(number)
            if config is None:
                return _publish_config_error(github, pr, config_error or "", args.dry_run)
            has_write = (github.has_write_access(pr.user.login)
                         if pr.author_association in ("OWNER", "MEMBER", "COLLABORATOR")
                         else False)
            registry: Registry | None
            try:
                registry, registry_error = read_registry(config, args.registry), None
            except RegistryError as error:
                registry, registry_error = None, str(error)
                print(actions.annotation("error", messages.REGISTRY_UNREADABLE.format(
                    reason=error)))
            if registry is not None and registry.problems:
                print(actions.annotation("warning", messages.registry_problems_count(
                    len(registry.problems))))
            verdict = decide(pr, registry, config, datetime.now(UTC),
                             has_write_access=has_write, registry_error=registry_error)
            report = build_report(verdict, config.registry.claims)
            existing, comment = github.existing(pr)
            changes = plan_changes(report, existing, comment.html_url if comment else None)
            print(messages.summary_line(verdict))
            if args.dry_run:
                print(messages.DRY_RUN_HEADER)
                print(messages.describe_changes(changes))
            elif not changes.nothing:
                github.apply(pr, changes, comment)
                print(messages.describe_changes(changes))
            else:
                print(messages.NOTHING_CHANGED)
        except GitHubError as error:
            print(actions.annotation("error", str(error)))
            return EXIT_UNDECIDED
        _write_action_files(verdict)
        worst = max(worst, verdict.exit_code)
    return worst


def _env_number(name: str, default: float) -> float:
    """A numeric setting from the environment (seconds); a bad value is an error that names it."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UserError(messages.bad_env_number(name, text)) from None
    if value < 0:
        raise UserError(messages.bad_env_number(name, text))
    return value


def _write_action_files(verdict: CheckVerdict) -> None:
    from extracredit import actions

    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        actions.write_outputs(output, {
            "title": verdict.title.outcome,
            "claim": verdict.claim.outcome,
            "claim-id": verdict.claim.claim_id or "",
        })
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        actions.append_summary(summary, messages.job_summary(verdict))


def _publish_config_error(github: Any, pr: PullRequest, error: str, dry_run: bool) -> int:
    from extracredit import actions
    from extracredit.report import Changes, Status

    print(actions.annotation("error", error))
    statuses = tuple(Status(context, "error", messages.CONFIG_BROKEN_STATUS)
                     for context in (messages.TITLE_CONTEXT, messages.CLAIM_CONTEXT))
    changes = Changes("none", None, statuses, (), ())
    if not dry_run:
        github.apply(pr, changes, None)
    return EXIT_UNDECIDED


def _check(args: argparse.Namespace) -> int:
    if args.snapshot is not None:
        if not args.pr and not args.all:
            raise UserError(messages.NOTHING_TO_CHECK)
        return _offline(args, load_config(args.config))
    if args.all:
        raise UserError(messages.ALL_NEEDS_SNAPSHOT)
    try:
        config, config_error = load_config(args.config), None
    except ConfigError as error:
        if not os.environ.get("GITHUB_ACTIONS"):
            raise
        config, config_error = None, str(error)
    return _live(args, config, config_error)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "title":
            return _title(args)
        return _check(args)
    except (ConfigError, UserError) as error:
        print(f"extracredit: {error}", file=sys.stderr)
        return EXIT_UNDECIDED
    except KeyboardInterrupt:
        print("extracredit: interrupted", file=sys.stderr)
        return 130
