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


def _folders_of(path: str) -> list[str]:
    """The folders an entry or path lies in, as folder entries: ``a/b/c`` gives ``a/``, ``a/b/``."""
    return [path[:at + 1] for at, char in enumerate(path) if char == "/"]


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _glob_folder(glob: str) -> str:
    """The folder every path a glob matches lies in ("" when it starts with a wildcard)."""
    first = min((at for at in map(glob.find, _GLOB_CHARS) if at != -1), default=len(glob))
    return glob[:glob.rfind("/", 0, first) + 1]


def _positions() -> defaultdict[str, list[int]]:
    return defaultdict(list)


class TargetIndex:
    """Target entries filed by path, file name and folder, so that the entries that may overlap
    an entry, or match a path, are found without comparing against all the others.

    Each entry is filed under a number (a claim's position). A lookup returns lists of numbers:
    every entry that overlaps is in one of them; some that are there may not overlap, so callers
    confirm with the exact rule (``targets_overlap``, ``covers``).
    """

    def __init__(self) -> None:
        self.exact = _positions()  # entry -> numbers
        self.literal_names = _positions()  # a literal entry's file name -> numbers
        self.literals_in = _positions()  # folder -> numbers of literal entries inside it
        self.literal_paths_in: defaultdict[str, dict[str, None]] = defaultdict(dict)  # "" = root
        self.folders_in = _positions()  # folder -> numbers of folder entries it is or holds
        self.name_globs = _positions()  # a glob without "/" -> numbers
        self.path_globs_in: defaultdict[str, dict[str, None]] = defaultdict(dict)

    def add(self, number: int, entries: Iterable[str]) -> None:
        for entry in dict.fromkeys(entries):
            self.exact[entry].append(number)
            if entry.endswith("/"):
                for folder in _folders_of(entry):
                    self.folders_in[folder].append(number)
            elif _is_glob(entry):
                if "/" in entry:
                    self.path_globs_in[_glob_folder(entry)][entry] = None
                else:
                    self.name_globs[entry].append(number)
            else:
                self.literal_names[_name(entry)].append(number)
                self.literal_paths_in[""][entry] = None
                for folder in _folders_of(entry):
                    self.literals_in[folder].append(number)
                    self.literal_paths_in[folder][entry] = None

    def matching(self, path: str) -> list[list[int]]:
        """Numbers of entries that may match the repo path ``path``."""
        name = _name(path)
        found = [self.exact.get(path), self.exact.get(name)]
        found += [self.exact.get(folder) for folder in _folders_of(path)]
        found += [numbers for glob, numbers in self.name_globs.items()
                  if _glob_regex(glob).match(name)]
        for folder in ("", *_folders_of(path)):
            found += [self.exact.get(glob) for glob in self.path_globs_in.get(folder, ())
                      if _glob_regex(glob).match(path)]
        return [numbers for numbers in found if numbers]

    def overlapping(self, entry: str) -> list[list[int]]:
        """Numbers of entries that may overlap ``entry`` (``targets_overlap`` without repo files)."""
        if entry.endswith("/"):
            found = [self.literals_in.get(entry), self.folders_in.get(entry)]
            found += [self.exact.get(folder) for folder in _folders_of(entry)]
        elif not _is_glob(entry):
            found = [*self.matching(entry), self.exact.get(entry)]
            if "/" not in entry:
                found.append(self.literal_names.get(entry))
        elif "/" not in entry:
            pattern = _glob_regex(entry)
            found = [self.exact.get(entry)]
            found += [numbers for name, numbers in self.literal_names.items() if pattern.match(name)]
        else:
            pattern = _glob_regex(entry)
            found = [self.exact.get(entry)]
            found += [self.exact.get(path) for path in self.literal_paths_in.get(
                _glob_folder(entry), ()) if pattern.match(path)]
        return [numbers for numbers in found if numbers]


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


class ClaimIndex:
    """One registry's claims arranged for the questions asked of them once per PR: a student's
    active claims, the claim with an id, the claims whose targets match a path."""

    def __init__(self, claims: Sequence[Claim]) -> None:
        self.claims = claims
        self.ordered = _ordered(claims)
        self.by_id = {claim.id: claim for claim in claims if claim.id}
        self.active_of: dict[str, list[Claim]] = defaultdict(list)
        for claim in self.ordered:
            if claim.active:
                self.active_of[claim.owner].append(claim)
        self._targets: TargetIndex | None = None
        self.duplicates: tuple[timedelta, Mapping[Claim, Activity], dict[Claim, Claim]] | None = None

    def covering(self, paths: Iterable[str]) -> list[Claim]:
        """Every claim that covers one of ``paths``, earliest submitted first."""
        if self._targets is None:
            self._targets = TargetIndex()
            for number, claim in enumerate(self.ordered):
                self._targets.add(number, claim.targets)
        paths = tuple(dict.fromkeys(paths))
        numbers = {number for path in paths for found in self._targets.matching(path)
                   for number in found}
        found_claims = (self.ordered[number] for number in sorted(numbers))
        return [claim for claim in found_claims if any(covers(claim, path) for path in paths)]


_last_index: list[ClaimIndex] = []


def index_claims(claims: Sequence[Claim]) -> ClaimIndex:
    """The index of a registry's claims. A command asks about one registry many times (once per
    PR), so the index of the last tuple asked about is kept; a tuple cannot change meanwhile."""
    if _last_index and _last_index[0].claims is claims and isinstance(claims, tuple):
        return _last_index[0]
    index = ClaimIndex(claims)
    _last_index[:] = [index]
    return index


def carried_claim(pr: PullRequest, owner: str | None, claims: Sequence[Claim]) -> Carried:
    """The claim a PR carries: the one its body names, else the earliest that covers a file."""
    index = index_claims(claims)
    mine = index.active_of.get(owner, []) if owner is not None else []
    by_id = index.by_id
    chosen: Claim | None = None
    foreign: list[str] = []
    unknown: list[str] = []
    for claim_id in dict.fromkeys(claim_ids_in(pr.body)):
        named = by_id.get(claim_id)
        if named is None:
            unknown.append(claim_id)
        elif named.owner == owner and named.active:
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


def hold_ends(claim: Claim, activity: Activity | None, expire_after: timedelta) -> datetime | None:
    """When an active claim stops holding its targets: when its PR was decided, or when it
    expired with no PR opened in time; None while neither is known to happen."""
    activity = activity or Activity()
    expires = expiry(claim, expire_after)
    opened_in_time = (activity.first_pr_opened is not None
                      and activity.first_pr_opened <= expires)
    ends = [moment for moment in (activity.decided_at, None if opened_in_time else expires)
            if moment is not None]
    return min(ends, default=None)


def holds(claim: Claim, at: datetime, activity: Activity | None, expire_after: timedelta) -> bool:
    """Does a claim hold its targets at a moment (DESIGN.md, Duplicates)?"""
    if not claim.active or at < claim.submitted:
        return False
    ends = hold_ends(claim, activity, expire_after)
    return ends is None or at < ends


def find_duplicates(claims: Sequence[Claim], activity: Mapping[Claim, Activity],
                    expire_after: timedelta) -> dict[Claim, Claim]:
    """Map each duplicate claim to the earlier claim of another student that held its targets.

    Claims are taken earliest first. Each is compared only with the earlier holders of its kind
    whose targets may overlap its own, found through an index of their entries; a holder whose
    hold has ended is dropped from the index for good, since every later claim comes later still.
    So the work grows with the number of claims, not with the number of pairs.
    """
    index = index_claims(claims)
    if index.duplicates is not None:
        known_after, known_activity, known = index.duplicates
        if known_after == expire_after and (known_activity is activity or known_activity == activity):
            return dict(known)
    duplicates: dict[Claim, Claim] = {}
    holders: dict[str, list[tuple[Claim, datetime | None]]] = defaultdict(list)
    targets: dict[str, TargetIndex] = defaultdict(TargetIndex)
    for claim in index.ordered:
        if not claim.active:
            continue
        at, owner = claim.submitted, claim.owner
        kind_holders = holders[claim.kind]
        candidates: set[int] = set()
        for entry in dict.fromkeys(claim.targets):
            for numbers in targets[claim.kind].overlapping(entry):
                if any((ends := kind_holders[n][1]) is not None and ends <= at for n in numbers):
                    numbers[:] = [n for n in numbers
                                  if (ends := kind_holders[n][1]) is None or at < ends]
                candidates.update(numbers)
        for number in sorted(candidates):
            earlier = kind_holders[number][0]
            if earlier.owner != owner and targets_overlap(earlier.targets, claim.targets):
                duplicates[claim] = earlier
                break
        else:
            targets[claim.kind].add(len(kind_holders), claim.targets)
            kind_holders.append((claim, hold_ends(claim, activity.get(claim), expire_after)))
    index.duplicates = (expire_after, dict(activity), duplicates)
    return dict(duplicates)


def others_on_files(pr: PullRequest, owner: str | None, registry: Registry,
                    activity: Mapping[Claim, Activity], at: datetime,
                    expire_after: timedelta) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Other students' claims that hold files this PR changes, and their open PRs on them."""
    holding: list[Claim] = []
    reviewing: list[tuple[Claim, str]] = []
    for claim in index_claims(registry.claims).covering(pr.filenames):
        if claim.owner == owner:
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


