"""The one way a verdict reaches a PR: decide, report, plan the least writes, apply them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from extracredit.core.config import Config
from extracredit.core.model import STAFF_ASSOCIATIONS, PullRequest, Registry, Table
from extracredit.core.titles import check_title
from extracredit.core.verdict import CheckVerdict, course_of, decide
from extracredit.errors import EXIT_UNDECIDED, GitHubError, RegistryError
from extracredit.forge import actions
from extracredit.forge.actions import ActionsEnv
from extracredit.forge.base import Forge, ForgeFor, OurComment
from extracredit.forge.progress import track
from extracredit.registry.opening import read_registry
from extracredit.registry.parse import column_index
from extracredit.registry.schema import CHECKS_COLUMNS
from extracredit.text import comment as verdict_words
from extracredit.text import messages
from extracredit.text import progress as progress_words
from extracredit.text.report import Changes, Report, Status, build_report, plan_changes


@dataclass(frozen=True)
class Plan:
    """The least writes that bring a PR to what a report wants, and our comment as it is now."""

    changes: Changes
    comment: OurComment | None

    @property
    def comment_url(self) -> str | None:
        return self.comment.html_url if self.comment else None


def plan(forge: Forge, pr: PullRequest, report: Report, *, comment_count: int = -1,
         commenting: bool = False) -> Plan:
    """Read what the PR shows (``comment_count`` and ``commenting`` spare reads whose answer is
    known, see ``Forge.existing``) and plan the writes."""
    existing, comment = forge.existing(pr, comment_count=comment_count, commenting=commenting)
    return Plan(plan_changes(report, existing, comment.html_url if comment else None), comment)


def apply(forge: Forge, pr: PullRequest, planned: Plan) -> str | None:
    """Write what was planned (nothing, when nothing changed); our comment's URL after it."""
    if planned.changes.nothing:
        return planned.comment_url
    return forge.apply(pr, planned.changes, planned.comment)


def report_for(verdict: CheckVerdict, config: Config) -> Report:
    """What the verdict wants the PR to show; the comment links the course's registry."""
    return build_report(verdict, config.registry.claims)


def _registry_or_error(config: Config, folder: Path | None) -> tuple[Registry | None, str | None]:
    try:
        return read_registry(config, folder), None
    except RegistryError as error:
        return None, str(error)


def check_live(forge: Forge, number: int, config: Config | None, config_error: str | None,
               registry_folder: Path | None, *, dry_run: bool, env: ActionsEnv,
               annotate: bool = False) -> int:
    """Decide one live PR and publish what changed; the exit code of that check. With
    ``annotate`` (the PR check, whose failure the student sees), an exit 1 also puts what to
    fix in an error annotation."""
    with ThreadPoolExecutor(max_workers=1) as background:
        # The registry is read while GitHub is asked about the PR: a student waits for the
        # slower of the two, not for both one after the other.
        reading = background.submit(_registry_or_error, config, registry_folder) if config else None
        try:
            pr, comment_count = forge.live(number)
            if config is None or reading is None:
                return _publish_config_error(forge, pr, config_error or "", dry_run)
            has_write = (forge.has_write_access(pr.user.login)
                         if pr.author_association in STAFF_ASSOCIATIONS else False)
            registry, registry_error = reading.result()
            if registry_error is not None:
                actions.say_annotation("error", messages.REGISTRY_UNREADABLE.format(
                    reason=registry_error))
            if registry is not None and registry.problems:
                actions.say_annotation("warning", messages.registry_problems_count(
                    len(registry.problems)))
            verdict = decide(pr, registry, config, datetime.now(UTC),
                             has_write_access=has_write, registry_error=registry_error)
            report = report_for(verdict, config)
            planned = plan(forge, pr, report, comment_count=comment_count,
                           commenting=report.comment is not None)
            actions.say(verdict_words.summary_line(verdict))
            if dry_run:
                actions.say(messages.DRY_RUN_HEADER)
                actions.say_lines(messages.change_lines(planned.changes))
            elif not planned.changes.nothing:
                apply(forge, pr, planned)
                actions.say_lines(messages.change_lines(planned.changes))
            else:
                actions.say(messages.NOTHING_CHANGED)
        except GitHubError as error:
            actions.say_annotation("error", str(error))
            if env.output:  # the step's outputs say "undecided" too, never nothing
                actions.write_outputs(env.output, {"title": "error", "claim": "error",
                                                   "claim-id": ""})
            return EXIT_UNDECIDED
    _write_action_files(verdict, env)
    fix = verdict_words.fix_annotation(verdict) if annotate else None
    if fix is not None:
        actions.say_annotation("error", fix)
    return verdict.exit_code


def _write_action_files(verdict: CheckVerdict, env: ActionsEnv) -> None:
    if env.output:
        actions.write_outputs(env.output, {
            "title": verdict.title.outcome,
            "claim": verdict.claim.outcome,
            "claim-id": verdict.claim.claim_id or "",
        })
    if env.step_summary:
        actions.append_summary(env.step_summary, verdict_words.job_summary(verdict))


def _publish_config_error(forge: Forge, pr: PullRequest, error: str, dry_run: bool) -> int:
    actions.say_annotation("error", error)
    statuses = tuple(Status(context, "error", messages.CONFIG_BROKEN_STATUS)
                     for context in (verdict_words.TITLE_CONTEXT, verdict_words.CLAIM_CONTEXT))
    changes = Changes("none", None, statuses, (), ())
    if not dry_run:
        forge.apply(pr, changes, None)
    return EXIT_UNDECIDED


@dataclass(frozen=True)
class Published:
    """What the Checks tab remembers of one PR: the verdict last published for a head."""

    head_sha: str
    fingerprint: str
    comment_id: str


def published(checks: Table | None) -> dict[tuple[str, int], Published]:
    if checks is None:
        return {}
    index, _ = column_index(checks)
    memory = {}
    for _, cells in checks.rows:
        def cell(name: str, cells: tuple[str, ...] = cells) -> str:
            at = index.get(name)
            return cells[at].strip() if at is not None and at < len(cells) else ""
        # Any cell may hold anything: a PR number is ASCII digits (``²`` passes isdigit, not int).
        if cell("Repo") and re.fullmatch(r"[0-9]{1,9}", cell("PR")):
            memory[(cell("Repo"), int(cell("PR")))] = Published(
                cell("Head SHA"), cell("Fingerprint"), cell("Comment ID"))
    return memory


def recheck(forge_for: ForgeFor, config: Config, registry: Registry,
            pulls: Sequence[PullRequest], checks: Table | None,
            now: datetime) -> tuple[list[list[str]], int, int]:
    """Re-check every open extra-credit PR; publish only where the verdict or head changed.

    Returns the Checks tab's new rows, how many PRs were published and how many skipped.
    """
    memory = published(checks)
    stamp = now.astimezone(config.zone).isoformat(timespec="seconds")
    rows: dict[tuple[str, int], list[str]] = {
        key: [key[0], str(key[1]), old.head_sha, old.fingerprint, old.comment_id, ""]
        for key, old in memory.items()}
    done = skipped = 0
    course = course_of(registry, config, pulls)
    # Only open PRs with the tag: a title without it is the PR check's to report, on the edit
    # that fixes it.
    candidates = [pr for pr in pulls if pr.is_open and pr.repo in config.repos
                  and check_title(pr.title, config.tag, config.term).passed]
    for pr in track(candidates, progress_words.RECHECKING):
        verdict = decide(pr, registry, config, now, known_pulls=pulls, course=course)
        if verdict.skip is not None:
            continue
        report = report_for(verdict, config)
        key = (pr.repo, pr.number)
        old = memory.get(key)
        if old is not None and (old.head_sha, old.fingerprint) == (pr.head_sha,
                                                                  report.fingerprint):
            skipped += 1
            continue
        forge = forge_for(pr.repo)
        url = apply(forge, pr, plan(forge, pr, report))
        comment_id = url.rsplit("#issuecomment-", 1)[-1] if url and "#issuecomment-" in url else ""
        rows[key] = [pr.repo, str(pr.number), pr.head_sha, report.fingerprint, comment_id, stamp]
        done += 1
    ordered = [rows[key] for key in sorted(rows)]
    return [list(CHECKS_COLUMNS), *ordered], done, skipped
