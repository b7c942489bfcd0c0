"""Plain data the rules work on: pull requests, claims, roster, ledger and problems (no client objects)."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter

from extracredit.core.vocab import INACTIVE_STATUSES, ProblemCode

STAFF_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_FILENAME = attrgetter("filename")
_NO_ID = 10**9  # a claim without an id comes after those with one, on a tie
_PR_REF = re.compile(r"^\s*(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)#(?P<number>\d+)\s*$")


@dataclass(frozen=True, slots=True)
class Account:
    """A GitHub account: its login, id and type."""

    login: str
    id: int | None
    type: str = "User"

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot" or self.login.endswith("[bot]")


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One file a PR changes."""

    filename: str
    status: str = "modified"
    additions: int = 0
    deletions: int = 0


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A PR as the check reads it, live or from a snapshot."""

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
        return tuple(map(_FILENAME, self.files))

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


@dataclass(frozen=True, slots=True)
class Table:
    """A tab as read: its header and its data rows, numbered as the sheet numbers them."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken cell or row, located as the spreadsheet shows it: a code and the values that
    explain it; the words are text's (``text.problems``)."""

    tab: str
    row: int
    column: str
    code: ProblemCode
    values: tuple[tuple[str, object], ...] = ()
    login: str | None = None  # the row's own GitHub login, so its owner can be told

    def value(self, name: str) -> object:
        return dict(self.values)[name]


@dataclass(frozen=True, slots=True)
class Claim:
    """One row of the Claims tab, parsed."""

    id: str | None
    row: int
    submitted: datetime
    github: str | None  # normalised login, as the student wrote it
    github_id: int | None
    netid: str | None
    name: str
    kind: str
    targets: tuple[str, ...]
    plan: str
    status: str
    pr_urls: tuple[str, ...]
    updated: datetime | None
    # When a withdrawn claim stopped holding its targets, where a sync saw it withdrawn; None for a
    # registry without a Claims log, where a withdrawal holds nothing ever.
    withdrawn_at: datetime | None = None
    # Who the claim belongs to: the NetID, else (until a TA fixes the row) the login. Worked out
    # once, and one string per student: the rules ask it of every claim many times over.
    owner: str = field(init=False, repr=False, compare=False)
    # Claims key the activity, duplicates and units of credit: hashing every field (targets, plan,
    # PR URLs) each time was much of a tally's time, and so was hashing an aware moment again.
    # Equal claims share these fields.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        owner = self.netid.lower() if self.netid else "@" + (self.github or "").lower()
        object.__setattr__(self, "owner", sys.intern(owner))
        object.__setattr__(self, "_hash", hash((self.row, self.id, self.submitted)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def label(self) -> str:
        return self.id or f"row {self.row}"

    @property
    def order(self) -> tuple[datetime, int, int]:
        """Its place among claims: Submitted, then (on a tie) its id, which the tool gave in row
        order and no one can move, then, for a claim without an id yet, its row."""
        number = int(self.id[2:]) if self.id and self.id[2:].isdecimal() else _NO_ID
        return self.submitted, number, self.row

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One student of the Roster tab."""

    row: int
    netid: str
    name: str
    github: str | None
    github_id: int | None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One decision of the Ledger tab."""

    row: int
    when: datetime
    actor: str
    pr_url: str
    decision: str
    credit: Decimal | None
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Activity:
    """What is known of the PRs carrying one claim."""

    first_pr_opened: datetime | None = None
    decided_at: datetime | None = None
    in_review: tuple[str, ...] = ()  # URLs of open PRs carrying it


@dataclass(frozen=True, slots=True)
class Registry:
    """The registry's tabs, parsed, and the problems found in them."""

    claims: tuple[Claim, ...] = ()
    roster: tuple[RosterEntry, ...] = ()
    ledger: tuple[LedgerEntry, ...] = ()
    problems: tuple[Problem, ...] = ()
    extra: Mapping[str, Table] = field(default_factory=dict, hash=False)
    # Claims left out because the Roster does not bind their NetID to their login: they count for
    # nothing, and the lint still reads them to say who is who.
    unbound: tuple[Claim, ...] = ()
    unrostered_logins: frozenset[str] = frozenset()
    # What the sync last recorded of each seen claim's PRs (by claim id), for a check that does
    # not list the course's PRs; kept in the staff sheet, where no student can write.
    activity: Mapping[str, Activity] = field(default_factory=dict, hash=False)
