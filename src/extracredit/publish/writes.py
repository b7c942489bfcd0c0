"""The least writes that bring a PR to what a report wants: what it shows read, then changed."""

from __future__ import annotations

from dataclasses import dataclass

from extracredit.core.model import PullRequest
from extracredit.forge.base import Forge, OurComment
from extracredit.text.changes import Changes, Report, plan_changes


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
