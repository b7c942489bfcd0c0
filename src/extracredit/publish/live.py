"""One live check published: the PR read from GitHub, decided by a Decider, the changes written.

This is the half of a check a student waits on, and it loads neither the rules nor the registry:
a ``Decider`` hands it the verdict already worded (``publish/deciding.py`` decides in this
process; ``jobs/forked.py`` in a process of its own, started before PyGithub loads).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from extracredit.core.model import STAFF_ASSOCIATIONS, PullRequest
from extracredit.errors import EXIT_UNDECIDED, GitHubError
from extracredit.forge import actions
from extracredit.forge.actions import ActionsEnv
from extracredit.forge.base import Forge
from extracredit.publish.writes import apply, plan
from extracredit.text import messages
from extracredit.text.changes import CLAIM_CONTEXT, TITLE_CONTEXT, Changes, Report, Status

NoteLevel = Literal["error", "warning"]


@dataclass(frozen=True)
class Decided:
    """One PR decided, for publishing: what it should show, and every line the job prints
    about it, already worded."""

    report: Report
    summary_line: str  # the verdict in one log line
    exit_code: int
    notes: tuple[tuple[NoteLevel, str], ...] = ()  # annotations about the registry, shown first
    outputs: tuple[tuple[str, str], ...] = ()  # the step's outputs
    job_summary: str = ""
    fix: str | None = None  # what the student must fix, as an error annotation (exit 1 only)


class Decider(Protocol):
    """What decides the PRs a live check publishes."""

    def config_error(self) -> str | None:
        """Why the configuration cannot be used, worded; None when it can."""

    def decide(self, pr: PullRequest, has_write_access: bool, now: datetime) -> Decided:
        """Decide one PR (only when ``config_error`` is None)."""


def check_live(forge: Forge, number: int, decider: Decider, *, dry_run: bool, env: ActionsEnv,
               annotate: bool = False) -> int:
    """Decide one live PR and publish what changed; the exit code of that check. With
    ``annotate`` (the PR check, whose failure the student sees), an exit 1 also puts what to
    fix in an error annotation."""
    try:
        pr, comment_count = forge.live(number)
        config_error = decider.config_error()
        if config_error is not None:
            return _publish_config_error(forge, pr, config_error, dry_run)
        has_write = (forge.has_write_access(pr.user.login)
                     if pr.author_association in STAFF_ASSOCIATIONS else False)
        decided = decider.decide(pr, has_write, datetime.now(UTC))
        for level, note in decided.notes:
            actions.say_annotation(level, note)
        report = decided.report
        planned = plan(forge, pr, report, comment_count=comment_count,
                       commenting=report.comment is not None)
        actions.say(decided.summary_line)
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
    if env.output:
        actions.write_outputs(env.output, dict(decided.outputs))
    if env.step_summary:
        actions.append_summary(env.step_summary, decided.job_summary)
    if annotate and decided.fix is not None:
        actions.say_annotation("error", decided.fix)
    return decided.exit_code


def _publish_config_error(forge: Forge, pr: PullRequest, error: str, dry_run: bool) -> int:
    actions.say_annotation("error", error)
    statuses = tuple(Status(context, "error", messages.CONFIG_BROKEN_STATUS)
                     for context in (TITLE_CONTEXT, CLAIM_CONTEXT))
    changes = Changes("none", None, statuses, (), ())
    if not dry_run:
        forge.apply(pr, changes, None)
    return EXIT_UNDECIDED
