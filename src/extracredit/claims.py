"""Claims: whose they are, what files they cover, which one a PR carries, and which are duplicates."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from extracredit.model import Account, PullRequest, parse_pr_ref
from extracredit.registry import Claim, LedgerEntry, Registry, RosterEntry

_GLOB_CHARS = frozenset("*?[")
PullKey = tuple[str, int]  # (owner/repo in lower case, PR number)
_PULL_URL = re.compile(r"github\.com/(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/pulls?/"
                       r"(?P<number>\d+)(?!\d)", re.IGNORECASE)
CLAIM_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])C-(\d{1,6})(?![0-9])", re.IGNORECASE)


# Targets ---------------------------------------------------------------------------------------

def _is_glob(entry: str) -> bool:
    return any(char in _GLOB_CHARS for char in entry)


def is_literal(entry: str) -> bool:
    """A literal file path: no glob, not a folder."""
    return not _is_glob(entry) and not entry.endswith("/")


@lru_cache(maxsize=4096)
def _glob_regex(entry: str) -> re.Pattern[str]:
    parts = []
    index = 0
    while index < len(entry):
        char = entry[index]
        if entry.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if entry.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts) + r"\Z")


def entry_matches(entry: str, path: str) -> bool:
    """Does one target entry match one repo path (compared case-sensitively)?"""
    if entry.endswith("/"):
        return path.startswith(entry)
    if "/" not in entry:
        name = path.rsplit("/", 1)[-1]
        return bool(_glob_regex(entry).match(name)) if _is_glob(entry) else name == entry
    if _is_glob(entry):
        return bool(_glob_regex(entry).match(path))
    return path == entry


def covers(claim: Claim, path: str) -> bool:
    return any(entry_matches(entry, path) for entry in claim.targets)


def targets_overlap(first: Sequence[str], second: Sequence[str],
                    repo_files: Iterable[str] = ()) -> bool:
    """Two target lists overlap when one names a path the other matches (DESIGN.md, Targets)."""
    for one in first:
        for other in second:
            if one == other:
                return True
            if is_literal(other) and entry_matches(one, other):
                return True
            if is_literal(one) and entry_matches(other, one):
                return True
            if one.endswith("/") and other.endswith("/") and (
                    one.startswith(other) or other.startswith(one)):
                return True
    files = list(repo_files)
    if files:
        mine = {path for path in files if any(entry_matches(entry, path) for entry in first)}
        return any(entry_matches(entry, path) for path in mine for entry in second)
    return False


# Identity --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Directory:
    """Who is a student, found by numeric account id first and by login second."""

    by_id: Mapping[int, str]
    by_login: Mapping[str, str]

    def resolve(self, account: Account) -> str | None:
        if account.id is not None and account.id in self.by_id:
            return self.by_id[account.id]
        return self.by_login.get(account.login.lower())


def build_directory(roster: Sequence[RosterEntry], claims: Sequence[Claim]) -> Directory:
    by_id: dict[int, str] = {}
    by_login: dict[str, str] = {}
    for entry in roster:
        if entry.github_id is not None:
            by_id.setdefault(entry.github_id, entry.netid.lower())
        if entry.github:
            by_login.setdefault(entry.github.lower(), entry.netid.lower())
    for claim in claims:
        if claim.github_id is not None:
            by_id.setdefault(claim.github_id, claim.owner)
        if claim.github:
            by_login.setdefault(claim.github.lower(), claim.owner)
    return Directory(by_id, by_login)


# Which claim a PR carries ----------------------------------------------------------------------

@dataclass(frozen=True)
class Carried:
    claim: Claim | None
    named_foreign: tuple[str, ...]  # claim ids the body names that are someone else's
    named_unknown: tuple[str, ...]  # claim ids the body names that the registry lacks
    uncovered: tuple[str, ...]  # changed files the carried claim does not cover
    has_claims: bool  # whether the author has any active claim at all


def claim_ids_in(text: str) -> list[str]:
    return [f"C-{int(digits):04d}" for digits in CLAIM_ID_IN_TEXT.findall(text or "")]


def _ordered(claims: Iterable[Claim]) -> list[Claim]:
    return sorted(claims, key=lambda claim: (claim.submitted, claim.row))


def carried_claim(pr: PullRequest, owner: str | None, claims: Sequence[Claim]) -> Carried:
    """The claim a PR carries: the one its body names, else the earliest that covers a file."""
    mine = _ordered(c for c in claims if owner is not None and c.owner == owner and c.active)
    by_id = {c.id: c for c in claims if c.id}
    chosen: Claim | None = None
    foreign: list[str] = []
    unknown: list[str] = []
    for claim_id in dict.fromkeys(claim_ids_in(pr.body)):
        named = by_id.get(claim_id)
        if named is None:
            unknown.append(claim_id)
        elif named in mine:
            chosen = chosen or named
        elif named.owner != owner:
            foreign.append(claim_id)
    if chosen is None:
        chosen = next((c for c in mine if any(covers(c, path) for path in pr.filenames)), None)
    uncovered: tuple[str, ...] = ()
    if chosen is not None:
        uncovered = tuple(path for path in pr.filenames if not covers(chosen, path))
    return Carried(chosen, tuple(foreign), tuple(unknown), uncovered, bool(mine))


# Holding and duplicates ------------------------------------------------------------------------

@dataclass(frozen=True)
class Activity:
    """What is known of the PRs carrying one claim."""

    first_pr_opened: datetime | None = None
    decided_at: datetime | None = None
    in_review: tuple[str, ...] = ()  # URLs of open PRs carrying it


def activity_from_record(claims: Sequence[Claim]) -> dict[Claim, Activity]:
    """What the registry's tool columns say (the sync job keeps them); used where PRs are unknown."""
    activity = {}
    for claim in claims:
        if claim.status in ("in review", "accepted"):
            decided = claim.updated if claim.status == "accepted" else None
            in_review = claim.pr_urls if claim.status == "in review" else ()
            # The record does not say when the PR opened; the sync marks only timely ones in review.
            activity[claim] = Activity(claim.submitted, decided, in_review)
    return activity


def activity_from_pulls(claims: Sequence[Claim], pulls: Sequence[PullRequest],
                        directory: Directory,
                        ledger_decided: Mapping[str, datetime]) -> dict[Claim, Activity]:
    """What the PRs themselves show: when a PR carrying each claim opened, and when it was decided."""
    opened: dict[Claim, datetime] = {}
    decided: dict[Claim, datetime] = {}
    in_review: dict[Claim, list[str]] = defaultdict(list)
    for pr in pulls:
        owner = directory.resolve(pr.user)
        carried = carried_claim(pr, owner, claims).claim
        if carried is None:
            continue
        if carried not in opened or pr.created_at < opened[carried]:
            opened[carried] = pr.created_at
        moments = [moment for moment in (pr.decided_at, ledger_decided.get(pr.html_url))
                   if moment is not None]
        if moments:
            when = min(moments)
            if carried not in decided or when < decided[carried]:
                decided[carried] = when
        elif pr.is_open:
            in_review[carried].append(pr.html_url)
    return {claim: Activity(opened[claim], decided.get(claim), tuple(in_review.get(claim, ())))
            for claim in opened}


def expiry(claim: Claim, expire_after: timedelta) -> datetime:
    """When a claim without a timely PR stops holding: N x 24 hours, across clock changes."""
    return claim.submitted.astimezone(UTC) + expire_after


def holds(claim: Claim, at: datetime, activity: Activity | None, expire_after: timedelta) -> bool:
    """Does a claim hold its targets at a moment (DESIGN.md, Duplicates)?"""
    if not claim.active or at < claim.submitted:
        return False
    activity = activity or Activity()
    if activity.decided_at is not None and activity.decided_at <= at:
        return False
    expires = expiry(claim, expire_after)
    opened_in_time = (activity.first_pr_opened is not None
                      and activity.first_pr_opened <= expires)
    return at < expires or opened_in_time


def find_duplicates(claims: Sequence[Claim], activity: Mapping[Claim, Activity],
                    expire_after: timedelta) -> dict[Claim, Claim]:
    """Map each duplicate claim to the earlier claim of another student that held its targets."""
    duplicates: dict[Claim, Claim] = {}
    holders: dict[str, list[Claim]] = defaultdict(list)
    for claim in _ordered(c for c in claims if c.active):
        for earlier in holders[claim.kind]:
            if (earlier.owner != claim.owner
                    and holds(earlier, claim.submitted, activity.get(earlier), expire_after)
                    and targets_overlap(earlier.targets, claim.targets)):
                duplicates[claim] = earlier
                break
        else:
            holders[claim.kind].append(claim)
    return duplicates


def others_on_files(pr: PullRequest, owner: str | None, registry: Registry,
                    activity: Mapping[Claim, Activity], at: datetime,
                    expire_after: timedelta) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Other students' claims that hold files this PR changes, and their open PRs on them."""
    holding: list[Claim] = []
    reviewing: list[tuple[Claim, str]] = []
    for claim in _ordered(registry.claims):
        if claim.owner == owner or not any(covers(claim, path) for path in pr.filenames):
            continue
        known = activity.get(claim)
        if holds(claim, at, known, expire_after):
            holding.append(claim)
        for url in known.in_review if known else ():
            if url != pr.html_url:
                reviewing.append((claim, url))
    return holding, reviewing


# The Ledger and PR decisions -----------------------------------------------------------------

def pull_key_of(text: str) -> PullKey | None:
    """The PR a Ledger cell names: a PR URL (any case, extra path) or OWNER/REPO#N."""
    match = _PULL_URL.search(text)
    if match is not None:
        return match["repo"].lower(), int(match["number"])
    parsed = parse_pr_ref(text)
    return (parsed[0].lower(), parsed[1]) if parsed else None


def pull_key(pr: PullRequest) -> PullKey:
    return pr.repo.lower(), pr.number


def latest_ledger(ledger: Sequence[LedgerEntry]) -> dict[PullKey, LedgerEntry]:
    """The deciding Ledger row of each PR: the latest When; on equal When, the row further down."""
    latest: dict[PullKey, LedgerEntry] = {}
    for entry in ledger:
        key = pull_key_of(entry.pr_url)
        if key is None:
            continue
        known = latest.get(key)
        if known is None or (entry.when, entry.row) > (known.when, known.row):
            latest[key] = entry
    return latest


def first_ledger_decisions(ledger: Sequence[LedgerEntry]) -> dict[PullKey, datetime]:
    """When the Ledger first decided each PR (the earliest When): it ends a claim's hold."""
    first: dict[PullKey, datetime] = {}
    for entry in ledger:
        key = pull_key_of(entry.pr_url)
        if key is not None and (key not in first or entry.when < first[key]):
            first[key] = entry.when
    return first


def claim_activity(registry: Registry, pulls: Sequence[PullRequest],
                   directory: Directory) -> dict[Claim, Activity]:
    """What is known of each claim's PRs: the record, overridden by the PRs where they show it."""
    activity = activity_from_record(registry.claims)
    first = first_ledger_decisions(registry.ledger)
    decided = {pr.html_url: first[pull_key(pr)] for pr in pulls if pull_key(pr) in first}
    activity.update(activity_from_pulls(registry.claims, pulls, directory, decided))
    return activity


