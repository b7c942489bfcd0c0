"""The ``check`` command: one PR's verdict, offline from a snapshot or live in GitHub Actions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extracredit.core.model import PullRequest, Registry, parse_pr_ref
from extracredit.errors import (
    EXIT_OK,
    EXIT_UNDECIDED,
    ConfigError,
    EventError,
    MissingEnvironment,
    RegistryError,
    SnapshotError,
    UserError,
)
from extracredit.forge import actions
from extracredit.forge.actions import ActionsEnv
from extracredit.publish.live import Decider, check_live
from extracredit.text import messages

# What the rules, the registry and their words need is imported where it is used: a live check
# started as a process of its own loads them in the process that decides (jobs/forked.py), not
# in the one that loads PyGithub.
if TYPE_CHECKING:
    import argparse

    from extracredit.core.config import Config
    from extracredit.core.verdict import CheckVerdict


@dataclass(frozen=True)
class CheckArgs:
    """`extracredit check` as the check action writes it (live, a configuration, perhaps a
    registry folder and --dry-run), read without argparse: see cli._plain_check."""

    config: str
    registry: Path | None = None
    dry_run: bool = False
    snapshot: Path | None = None
    pr: tuple[str, ...] = ()
    all: bool = False
    json: bool = False


def verdict_json(verdict: CheckVerdict) -> dict[str, Any]:
    return {
        "pr": verdict.pr,
        "title": {"verdict": verdict.title.outcome, "problem": verdict.title.problem},
        "claim": {"verdict": verdict.claim.outcome, "problem": verdict.claim.problem,
                  "claim": verdict.claim.claim_id},
    }


def _offline(args: argparse.Namespace | CheckArgs, config: Config) -> int:
    # Imported here: a live check neither reads a snapshot nor prints a report of its own.
    from extracredit.core.verdict import course_of, decide
    from extracredit.forge.snapshot import load_snapshot
    from extracredit.registry.opening import read_registry
    from extracredit.text import comment as verdict_words
    from extracredit.text.report import build_report

    assert args.snapshot is not None  # run() sends only a check with a snapshot here
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
        actions.say(messages.REGISTRY_UNREADABLE.format(reason=error), stderr=True)
    if registry is not None and registry.problems:
        actions.say(messages.registry_problems_count(len(registry.problems)), stderr=True)
    worst = EXIT_OK
    known = snapshot.all_pulls()
    course = course_of(registry, config, known) if registry is not None else None
    summary = []
    for pr in wanted:
        verdict = decide(pr, registry, config, snapshot.taken_at, known_pulls=known,
                         registry_error=registry_error, course=course)
        worst = max(worst, verdict.exit_code)
        summary.append(verdict_words.summary_line(verdict))
        if args.json:
            actions.say(json.dumps(verdict_json(verdict), ensure_ascii=False))
            continue
        report = build_report(verdict)
        if len(wanted) > 1:
            actions.say_lines(["", "=" * 78, verdict_words.summary_line(verdict), "=" * 78])
        if report.comment is None:
            actions.say(verdict_words.SKIP_DESCRIPTIONS[verdict.skip or "outsider"])
        else:
            actions.say(report.comment)
    if len(wanted) > 1 and not args.json:
        actions.say_lines(["", messages.offline_summary_header(len(wanted)), *summary])
    return worst


def _targets(args: argparse.Namespace | CheckArgs, env: ActionsEnv) -> list[tuple[str, int]]:
    """The PRs to check: those named, else the event's (none when it is not one to check)."""
    targets: list[tuple[str, int]] = []
    for ref in args.pr:
        parsed = parse_pr_ref(ref)
        if parsed is None:
            raise UserError(messages.BAD_PR_REF.format(ref))
        targets.append(parsed)
    if not targets:
        if not env.event_path:
            raise MissingEnvironment("GITHUB_EVENT_PATH")
        try:
            trigger = actions.trigger_from_event(env.event_name, actions.read_event(env.event_path),
                                                 env.repository)
        except EventError as error:
            raise UserError(str(error)) from None
        if not trigger.run:
            actions.say(messages.EVENT_IGNORED.format(event=env.event_name, action=trigger.action))
            return []
        targets.append((trigger.repo, trigger.number))
    return targets


def _live(args: argparse.Namespace | CheckArgs, targets: list[tuple[str, int]],
          decider: Decider, env: ActionsEnv) -> int:
    # A check writes four times at most: spacing its writes out would only keep the student
    # waiting. Runs that write for many PRs (sync, commands) keep the default spacing.
    # Imported here: an offline check (--snapshot) does not pay for loading PyGithub.
    from extracredit.forge.github import connect_from_environment

    forge_for = connect_from_environment(env, throttle=0.0)
    worst = EXIT_OK
    for repo, number in targets:
        code = check_live(forge_for(repo), number, decider, dry_run=args.dry_run, env=env,
                          annotate=True)
        worst = max(worst, code)
        if code == EXIT_UNDECIDED:
            break
    return worst


def run(args: argparse.Namespace | CheckArgs, *, own_process: bool = False) -> int:
    """Run ``extracredit check`` as parsed by the command line. ``own_process``: the process
    runs this command only (``python -m extracredit``), so a live check in GitHub Actions may
    decide in a forked process while this one loads PyGithub (jobs/forked.py)."""
    if args.snapshot is not None:
        from extracredit.registry.config_file import load_config


        if not args.pr and not args.all:
            raise UserError(messages.NOTHING_TO_CHECK)
        return _offline(args, load_config(args.config))
    if args.all:
        raise UserError(messages.ALL_NEEDS_SNAPSHOT)
    env = actions.read_environment()
    if own_process and env.running:
        from extracredit.jobs import forked

        if forked.can_fork():
            # In Actions a broken configuration is published, not raised: nothing needs it
            # before the PRs to check are known.
            targets = _targets(args, env)
            if not targets:
                return EXIT_OK
            with forked.ForkedDecider(args.config, args.registry) as decider:
                return _live(args, targets, decider, env)
    from extracredit.publish.deciding import InlineDecider
    from extracredit.registry.config_file import load_config
    from extracredit.text import config as config_words

    try:
        config, config_error = load_config(args.config), None
    except ConfigError as error:
        if not env.running:
            raise
        config, config_error = None, config_words.describe(error)
    targets = _targets(args, env)
    if not targets:
        return EXIT_OK
    with InlineDecider(config, config_error, args.registry) as inline:
        return _live(args, targets, inline, env)
