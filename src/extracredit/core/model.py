"""Plain data about pull requests, as the core sees them (no client objects)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

STAFF_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_PR_REF = re.compile(r"^\s*(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)#(?P<number>\d+)\s*$")


@dataclass(frozen=True)
class Account:
    login: str
    id: int | None
    type: str = "User"

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot" or self.login.endswith("[bot]")


@dataclass(frozen=True)
class ChangedFile:
    filename: str
    status: str = "modified"
    additions: int = 0
    deletions: int = 0


@dataclass(frozen=True)
class PullRequest:
    repo: str
    number: int
    title: str
    body: str
    state: str
    draft: bool
    created_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    html_url: str
    author_association: str
    user: Account
    labels: tuple[str, ...]
    head_sha: str
    files: tuple[ChangedFile, ...]
    updated_at: datetime | None = None  # GitHub's last change to it: what a later listing starts from

    @property
    def ref(self) -> str:
        return f"{self.repo}#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def filenames(self) -> tuple[str, ...]:
        return tuple(changed.filename for changed in self.files)

    @property
    def decided_at(self) -> datetime | None:
        """When GitHub decided the PR (merged or closed), if it did."""
        return self.merged_at or self.closed_at


def parse_pr_ref(text: str) -> tuple[str, int] | None:
    """Split ``OWNER/REPO#N`` into its parts; None when it is not of that form."""
    match = _PR_REF.match(text)
    if match is None:
        return None
    return match["repo"], int(match["number"])
