"""The ``check`` command: one PR's verdict, offline from a snapshot or live in GitHub Actions."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extracredit.core.config import Config, ConfigError
from extracredit.core.model import STAFF_ASSOCIATIONS, PullRequest, parse_pr_ref
from extracredit.core.verdict import CheckVerdict, decide
from extracredit.errors import EXIT_OK, EXIT_UNDECIDED, UserError
from extracredit.forge import actions
from extracredit.forge.actions import ActionsEnv
from extracredit.forge.base import Forge, GitHubError
from extracredit.forge.github import connect_from_environment
from extracredit.forge.snapshot import SnapshotError, load_snapshot
from extracredit.registry.opening import load_config, read_registry
from extracredit.registry.tabs import Registry, RegistryError
from extracredit.text import messages
from extracredit.text.report import Changes, Status, build_report, plan_changes


def verdict_json(verdict: CheckVerdict) -> dict[str, Any]:
    return {
        "pr": verdict.pr,
        "title": {"verdict": verdict.title.outcome, "problem": verdict.title.problem},
        "claim": {"verdict": verdict.claim.outcome, "problem": verdict.claim.problem,
                  "claim": verdict.claim.claim_id},
    }


def _offline(args: argparse.Namespace, config: Config) -> int:
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


def _live(args: argparse.Namespace, config: Config | None, config_error: str | None,
          env: ActionsEnv) -> int:
    targets: list[tuple[str, int]] = []
    for ref in args.pr:
        parsed = parse_pr_ref(ref)
        if parsed is None:
            raise UserError(messages.BAD_PR_REF.format(ref))
        targets.append(parsed)
    if not targets:
        if not env.event_path:
            raise UserError(messages.MISSING_ENV.format(name="GITHUB_EVENT_PATH"))
        try:
            trigger = actions.trigger_from_event(env.event_name, actions.read_event(env.event_path),
                                                 env.repository)
        except actions.EventError as error:
            raise UserError(str(error)) from None
        if not trigger.run:
            print(messages.EVENT_IGNORED.format(event=env.event_name, action=trigger.action))
            return EXIT_OK
        targets.append((trigger.repo, trigger.number))

    # A check writes four times at most: spacing its writes out would only keep the student
    # waiting. Runs that write for many PRs (sync, commands) keep the default spacing.
    forge_for = connect_from_environment(env, throttle=0.0)
    worst = EXIT_OK
    for repo, number in targets:
        code = check_live(forge_for(repo), number, config, config_error, args.registry,
                          dry_run=args.dry_run, env=env)
        worst = max(worst, code)
        if code == EXIT_UNDECIDED:
            break
    return worst


def _registry_or_error(config: Config, folder: Path | None) -> tuple[Registry | None, str | None]:
    try:
        return read_registry(config, folder), None
    except RegistryError as error:
        return None, str(error)


def check_live(github: Forge, number: int, config: Config | None, config_error: str | None,
               registry_folder: Path | None, *, dry_run: bool, env: ActionsEnv) -> int:
    """Decide one live PR and publish what changed; the exit code of that check."""
    with ThreadPoolExecutor(max_workers=1) as background:
        # The registry is read while GitHub is asked about the PR: a student waits for the
        # slower of the two, not for both one after the other.
        reading = background.submit(_registry_or_error, config, registry_folder) if config else None
        try:
            pr, comment_count = github.live(number)
            if config is None or reading is None:
                return _publish_config_error(github, pr, config_error or "", dry_run)
            has_write = (github.has_write_access(pr.user.login)
                         if pr.author_association in STAFF_ASSOCIATIONS else False)
            registry, registry_error = reading.result()
            if registry_error is not None:
                print(actions.annotation("error", messages.REGISTRY_UNREADABLE.format(
                    reason=registry_error)))
            if registry is not None and registry.problems:
                print(actions.annotation("warning", messages.registry_problems_count(
                    len(registry.problems))))
            verdict = decide(pr, registry, config, datetime.now(UTC),
                             has_write_access=has_write, registry_error=registry_error)
            report = build_report(verdict, config.registry.claims)
            existing, comment = github.existing(pr, comment_count=comment_count,
                                                commenting=report.comment is not None)
            changes = plan_changes(report, existing, comment.html_url if comment else None)
            print(messages.summary_line(verdict))
            if dry_run:
                print(messages.DRY_RUN_HEADER)
                print(messages.describe_changes(changes))
            elif not changes.nothing:
                github.apply(pr, changes, comment)
                print(messages.describe_changes(changes))
            else:
                print(messages.NOTHING_CHANGED)
        except GitHubError as error:
            print(actions.annotation("error", str(error)))
            if env.output:  # the step's outputs say "undecided" too, never nothing
                actions.write_outputs(env.output, {"title": "error", "claim": "error",
                                                   "claim-id": ""})
            return EXIT_UNDECIDED
    _write_action_files(verdict, env)
    return verdict.exit_code


def _write_action_files(verdict: CheckVerdict, env: ActionsEnv) -> None:
    if env.output:
        actions.write_outputs(env.output, {
            "title": verdict.title.outcome,
            "claim": verdict.claim.outcome,
            "claim-id": verdict.claim.claim_id or "",
        })
    if env.step_summary:
        actions.append_summary(env.step_summary, messages.job_summary(verdict))


def _publish_config_error(github: Forge, pr: PullRequest, error: str, dry_run: bool) -> int:
    print(actions.annotation("error", error))
    statuses = tuple(Status(context, "error", messages.CONFIG_BROKEN_STATUS)
                     for context in (messages.TITLE_CONTEXT, messages.CLAIM_CONTEXT))
    changes = Changes("none", None, statuses, (), ())
    if not dry_run:
        github.apply(pr, changes, None)
    return EXIT_UNDECIDED


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit check`` as parsed by the command line."""
    if args.snapshot is not None:
        if not args.pr and not args.all:
            raise UserError(messages.NOTHING_TO_CHECK)
        return _offline(args, load_config(args.config))
    if args.all:
        raise UserError(messages.ALL_NEEDS_SNAPSHOT)
    env = actions.read_environment()
    try:
        config, config_error = load_config(args.config), None
    except ConfigError as error:
        if not env.running:
            raise
        config, config_error = None, str(error)
    return _live(args, config, config_error, env)
