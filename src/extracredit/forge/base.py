"""What publishing and the commands ask of a forge (GitHub), in the project's own dataclasses only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from extracredit.core.model import PullRequest
from extracredit.text.changes import Changes, Existing


@dataclass(frozen=True)
class OurComment:
    """The comment this tool keeps on a PR, as the forge last showed it."""

    id: int
    body: str
    html_url: str


class Forge(Protocol):
    """One repository's PRs: what the check, the commands and the nightly recheck read and write."""

    def live(self, number: int) -> tuple[PullRequest, int]:
        """The live PR with its changed files, and how many comments it has (-1: unknown)."""
        ...

    def pull(self, number: int) -> PullRequest:
        """The live PR with its changed files."""
        ...

    def permission(self, login: str) -> str:
        """The user's permission on the repo (admin, maintain, write, triage, read, none)."""
        ...

    def has_write_access(self, login: str) -> bool:
        ...

    def react(self, comment_id: int, content: str) -> None:
        """Add a reaction to an issue comment (adding the same one twice is harmless)."""
        ...

    def reply_once(self, number: int, marker: str, body: str) -> bool:
        """Post a reply carrying a hidden marker, unless one is there already; True if posted."""
        ...

    def existing(self, pr: PullRequest, *, comment_count: int = -1,
                 commenting: bool = False) -> tuple[Existing, OurComment | None]:
        """What the PR shows now (our comment, statuses, labels), and our comment itself."""
        ...

    def apply(self, pr: PullRequest, changes: Changes, comment: OurComment | None) -> str | None:
        """Write the changes; returns our comment's URL (None: the PR has none)."""
        ...


ForgeFor = Callable[[str], Forge]
"""A repository's forge by its ``owner/name``; every one shares one client and its settings."""
