"""What a PR shows of a check (comment, statuses, labels) and the least change to get there.

Apart from the verdict's words (text/report.py builds a Report from a verdict): what plans and
applies the writes needs this module only, so the half of a live check that talks to GitHub loads
neither the rules nor the comment's words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

COMMENT_MARKER = "<!-- extracredit:check -->"
STATE_PREFIX = "<!-- extracredit:state "
STATE_SUFFIX = " -->"
TITLE_CONTEXT = "extra-credit/title"
CLAIM_CONTEXT = "extra-credit/claim"

StatusState = Literal["success", "failure", "error", "pending"]


@dataclass(frozen=True)
class Status:
    """One commit status as the report wants it."""

    context: str
    state: StatusState
    description: str


@dataclass(frozen=True)
class Report:
    """Everything one check wants a PR to show."""

    comment: str | None  # None: the PR gets statuses only (bots, staff, outsiders)
    statuses: tuple[Status, ...]
    labels: frozenset[str]  # labels this verdict wants on the PR
    managed: frozenset[str]  # labels this tool may add and remove
    head_sha: str = ""  # the commit the statuses are for

    @property
    def fingerprint(self) -> str:
        payload = json.dumps({
            "comment": self.comment,
            "statuses": [[s.context, s.state, s.description] for s in self.statuses],
            "labels": sorted(self.labels),
        }, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Existing:
    """What the PR shows now, as read from GitHub."""

    comment_id: int | None
    comment_body: str | None
    statuses: Mapping[str, tuple[str, str, str | None]]  # context -> (state, description, url)
    labels: frozenset[str]


@dataclass(frozen=True)
class Changes:
    """The writes that bring a PR from what it shows to what the verdict wants."""

    comment: Literal["create", "edit", "keep", "none"]
    comment_body: str | None
    statuses: tuple[Status, ...]  # to post
    add_labels: tuple[str, ...]
    remove_labels: tuple[str, ...]

    @property
    def nothing(self) -> bool:
        return (self.comment in ("keep", "none") and not self.statuses and not self.add_labels
                and not self.remove_labels)


def state_line(labels: Sequence[str], head_sha: str = "") -> str:
    """The hidden line that remembers which labels this tool put on the PR, and the commit it
    last published statuses for (statuses belong to a commit: after a push there are none)."""
    state: dict[str, object] = {"labels": sorted(labels)}
    if head_sha:
        state["head"] = head_sha
    return STATE_PREFIX + json.dumps(state) + STATE_SUFFIX


def _state(comment_body: str | None) -> dict[str, object]:
    for line in (comment_body or "").splitlines():
        if line.startswith(STATE_PREFIX) and line.endswith(STATE_SUFFIX):
            try:
                state = json.loads(line[len(STATE_PREFIX):-len(STATE_SUFFIX)])
            except ValueError:
                return {}
            return state if isinstance(state, dict) else {}
    return {}


def labels_we_set(comment_body: str | None) -> frozenset[str]:
    labels = _state(comment_body).get("labels")
    if isinstance(labels, list):
        return frozenset(label for label in labels if isinstance(label, str))
    return frozenset()


def published_head(comment_body: str | None) -> str | None:
    """The commit our comment says statuses were last published for (None: not recorded)."""
    head = _state(comment_body).get("head")
    return head if isinstance(head, str) and head else None


def plan_changes(report: Report, existing: Existing, comment_url: str | None) -> Changes:
    """The least set of writes; labels someone else set are never removed."""
    ours_before = labels_we_set(existing.comment_body) & report.managed
    add = sorted(report.labels - existing.labels)
    remove = sorted((ours_before - report.labels) & existing.labels)
    ours_after = sorted((ours_before - set(remove)) | set(add))
    if report.comment is None:
        body = None
        comment: Literal["create", "edit", "keep", "none"] = "keep" if existing.comment_id else "none"
    else:
        body = report.comment + "\n" + state_line(ours_after, report.head_sha)
        if existing.comment_id is None:
            comment = "create"
        elif existing.comment_body != body:
            comment = "edit"
        else:
            comment = "keep"
    statuses = []
    for status in report.statuses:
        current = existing.statuses.get(status.context)
        wanted_url = comment_url if report.comment is not None else None
        if current is None or current[0] != status.state or current[1] != status.description or (
                wanted_url is not None and current[2] != wanted_url):
            statuses.append(status)
    return Changes(comment, body, tuple(statuses), tuple(add), tuple(remove))
