"""Claims: whose they are, what files they cover, which one a PR carries, and which are duplicates."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice
from operator import attrgetter
from typing import NamedTuple

from extracredit.core.model import Account, PullRequest, parse_pr_ref
from extracredit.registry.tabs import Claim, LedgerEntry, Registry, RosterEntry

_GLOB_CHARS = frozenset("*?[")
PullKey = tuple[str, int]  # (owner/repo in lower case, PR number)
_PULL_URL = re.compile(r"github\.com/(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/pulls?/"
                       r"(?P<number>\d+)(?!\d)", re.IGNORECASE)
CLAIM_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])C-(\d{1,6})(?![0-9])", re.IGNORECASE)


# Targets ---------------------------------------------------------------------------------------

def _is_glob(entry: str) -> bool:
    return not _GLOB_CHARS.isdisjoint(entry)


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
    folders = []
    at = path.find("/")
    while at != -1:
        folders.append(path[:at + 1])
        at = path.find("/", at + 1)
    return folders


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _glob_folder(glob: str) -> str:
    """The folder every path a glob matches lies in ("" when it starts with a wildcard)."""
    first = min((at for at in map(glob.find, _GLOB_CHARS) if at != -1), default=len(glob))
    return glob[:glob.rfind("/", 0, first) + 1]


class _Shape(NamedTuple):
    """What filing or finding an entry (or a repo path) needs to know of it."""

    folder: bool  # a folder entry: ends with "/"
    glob: bool  # a glob that is not a folder entry
    name: str  # the part after the last "/"
    folders: tuple[str, ...]  # the folders it lies in, itself too when it is a folder
    glob_folder: str  # for a glob: the folder every path it matches lies in


@lru_cache(maxsize=1 << 16)
def _shape(entry: str) -> _Shape:
    """An entry's shape. A registry names the same files over and over (every file of a crowded
    course about 80 times), so each distinct entry is taken apart once, not once per lookup."""
    folder = entry.endswith("/")
    glob = not folder and _is_glob(entry)
    return _Shape(folder, glob, _name(entry), tuple(_folders_of(entry)),
                  _glob_folder(entry) if glob else "")


def _positions() -> defaultdict[str, list[int]]:
    return defaultdict(list)


class _Tested:
    """Which strings of a list that only ever grows pass a test. Each string is tested once, the
    first time it is asked about: a glob looked up again is not matched again against every
    file name it was matched against before, only against those filed since."""

    __slots__ = ("passed", "tested")

    def __init__(self) -> None:
        self.passed: list[str] = []
        self.tested = 0

    def among(self, strings: list[str], test: Callable[[str], object]) -> list[str]:
        if self.tested < len(strings):
            self.passed += filter(test, islice(strings, self.tested, None))
            self.tested = len(strings)
        return self.passed


def _tested(known: dict[str, _Tested], key: str) -> _Tested:
    found = known.get(key)
    if found is None:
        found = known[key] = _Tested()
    return found


class TargetIndex:
    """Target entries filed by path, file name and folder, so that the entries that overlap an
    entry, or match a path, are found without comparing against all the others.

    Each entry is filed under a number (a claim's position), numbers filed in increasing order,
    so each list of numbers is in that order too. A lookup returns lists of numbers, and the
    lookups are exact: every entry that overlaps (``targets_overlap`` without repo files) or
    matches (``entry_matches``) is in one of the lists, and every entry there does. A number
    may come more than once. A caller may drop numbers from the lists it is given, for good.
    """

    def __init__(self) -> None:
        self.exact = _positions()  # entry -> numbers
        self.literal_names = _positions()  # a literal entry's file name -> numbers
        self.literals_in = _positions()  # folder -> numbers of literal entries inside it
        # Distinct literal entries, by folder ("" = all), and their distinct file names: what
        # a glob is matched against.
        self.literal_paths_in: defaultdict[str, list[str]] = defaultdict(list)
        self.literal_name_list: list[str] = []
        self.folders_in = _positions()  # folder -> numbers of folder entries it is or holds
        self.name_globs: list[str] = []  # distinct globs without "/"
        self.path_globs_in: defaultdict[str, list[str]] = defaultdict(list)  # by their glob folder
        # What was found matching so far, per glob and per file name: see _Tested.
        self._literals_of_glob: dict[str, _Tested] = {}
        self._globs_of_name: dict[str, _Tested] = {}

    def add(self, number: int, entries: Iterable[str]) -> None:
        for entry in dict.fromkeys(entries):
            # Tested against "exact", not the list, which a caller may have emptied meanwhile.
            new = entry not in self.exact
            self.exact[entry].append(number)
            shape = _shape(entry)
            if shape.folder:
                for folder in shape.folders:
                    self.folders_in[folder].append(number)
            elif shape.glob:
                if new:
                    if "/" in entry:
                        self.path_globs_in[shape.glob_folder].append(entry)
                    else:
                        self.name_globs.append(entry)
            else:
                if shape.name not in self.literal_names:
                    self.literal_name_list.append(shape.name)
                self.literal_names[shape.name].append(number)
                if new:
                    self.literal_paths_in[""].append(entry)
                for folder in shape.folders:
                    self.literals_in[folder].append(number)
                    if new:
                        self.literal_paths_in[folder].append(entry)

    def matching(self, path: str) -> list[list[int]]:
        """Numbers of the entries that match the repo path ``path``."""
        return [numbers for numbers in self._matching(path) if numbers]

    def _matching(self, path: str) -> list[list[int] | None]:
        """The lists ``matching`` gives, with the absent and empty ones still among them."""
        get = self.exact.get
        _, _, name, folders, _ = _shape(path)
        found = [get(path), get(name), *map(get, folders)]
        if self.name_globs:
            globs = _tested(self._globs_of_name, name).among(
                self.name_globs, lambda glob: _glob_regex(glob).match(name))
            found += map(get, globs)
        # Not remembered per path, unlike the rest: a path is tested only against the globs of
        # its own folders, a handful, and remembering each path's answers would keep an object
        # per path alive, which the garbage collector then sweeps again and again.
        for folder in ("", *folders):
            for glob in self.path_globs_in.get(folder, ()):
                if _glob_regex(glob).match(path):
                    found.append(get(glob))
        return found

    def overlapping(self, entry: str) -> list[list[int]]:
        """Numbers of the entries that overlap ``entry`` (``targets_overlap`` without repo files)."""
        get = self.exact.get
        shape = _shape(entry)
        if shape.folder:
            found = [self.literals_in.get(entry), self.folders_in.get(entry), *map(get, shape.folders)]
        elif not shape.glob:
            found = self._matching(entry)
            if "/" not in entry:
                found.append(self.literal_names.get(entry))
        elif "/" not in entry:
            names = _tested(self._literals_of_glob, entry).among(
                self.literal_name_list, _glob_regex(entry).match)
            found = [get(entry), *map(self.literal_names.get, names)]
        else:
            paths = _tested(self._literals_of_glob, entry).among(
                self.literal_paths_in.get(shape.glob_folder, []), _glob_regex(entry).match)
            found = [get(entry), *map(get, paths)]
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
    return sorted(claims, key=attrgetter("submitted", "row"))


class ClaimIndex:
    """One registry's claims arranged for the questions asked of them once per PR: a student's
    active claims, the claim with an id, the claims whose targets match a path."""

    def __init__(self, claims: Sequence[Claim]) -> None:
        self.claims = claims
        self.ordered = _ordered(claims)
        self.by_id = {claim.id: claim for claim in claims if claim.id}
        # The active claims, earliest first, and their owners: Claim.owner is worked out anew
        # each time it is read, and duplicate detection needs it for every claim. Two lists,
        # not a list of pairs: 50,000 pairs that outlive a few collections make the garbage
        # collector sweep every object in the process, more than once per registry.
        self.active = [claim for claim in self.ordered if claim.active]
        self.active_owners = [claim.owner for claim in self.active]
        self.active_of: dict[str, list[Claim]] = defaultdict(list)
        for claim, owner in zip(self.active, self.active_owners, strict=True):
            self.active_of[owner].append(claim)
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
    expires = expiry(claim, expire_after)
    if activity is None:
        return expires
    opened = activity.first_pr_opened
    if opened is not None and opened <= expires:
        return activity.decided_at
    decided = activity.decided_at
    return expires if decided is None else min(decided, expires)


def holds(claim: Claim, at: datetime, activity: Activity | None, expire_after: timedelta) -> bool:
    """Does a claim hold its targets at a moment (DESIGN.md, Duplicates)?"""
    if not claim.active or at < claim.submitted:
        return False
    ends = hold_ends(claim, activity, expire_after)
    return ends is None or at < ends


_NEVER = datetime.max.replace(tzinfo=UTC)  # the end of a hold with no end known: after every moment


class _Holders:
    """The claims of one kind that hold their targets, numbered in the order they came, with
    their targets indexed, their owners, and when their holds end."""

    def __init__(self) -> None:
        self.targets = TargetIndex()
        self.claims: list[Claim] = []
        self.owners: list[str] = []
        # As hold_ends gives them, not turned into UTC: two moments in one time zone compare by
        # the clock (in the hour repeated when summer time ends too), and holds compares them so.
        self.ends: list[datetime] = []

    def add(self, claim: Claim, owner: str, ends: datetime | None) -> None:
        self.targets.add(len(self.claims), claim.targets)
        self.claims.append(claim)
        self.owners.append(owner)
        self.ends.append(_NEVER if ends is None else ends)

    def earliest(self, entries: Iterable[str], owner: str, at: datetime) -> Claim | None:
        """The earliest holder at ``at`` of someone other than ``owner`` with a target
        overlapping one of ``entries``. The index's lookups are exact, so whoever is found
        overlaps: no pair is compared again."""
        best = len(self.claims)
        for entry in entries:
            for numbers in self.targets.overlapping(entry):
                best = _first_holder(numbers, self.owners, self.ends, owner, at, best)
        return self.claims[best] if best < len(self.claims) else None


def _first_holder(numbers: list[int], owners: list[str], ends: list[datetime], owner: str,
                  at: datetime, before: int) -> int:
    """The first of ``numbers`` (below ``before``, else ``before``) whose holder is not ``owner``
    and still holds at ``at``: the numbers are in the order filed, so it is the earliest.

    The holders passed on the way whose holds have ended are dropped from the list for good,
    since every later claim comes later still. The rest is left for later lookups: a lookup
    reads only as far as it needs, yet each ended holder is read past at most once.
    """
    found, read, ended = before, 0, False
    for number in numbers:
        if number >= before:
            break
        read += 1
        if ends[number] <= at:
            ended = True
        elif owners[number] != owner:
            found = number
            break
    if ended:
        numbers[:read] = [number for number in islice(numbers, read) if at < ends[number]]
    return found


def find_duplicates(claims: Sequence[Claim], activity: Mapping[Claim, Activity],
                    expire_after: timedelta) -> dict[Claim, Claim]:
    """Map each duplicate claim to the earlier claim of another student that held its targets.

    Claims are taken earliest first. Each is compared only with the earlier holders of its kind
    whose targets overlap its own, found through an index of their entries; a holder whose hold
    has ended is dropped from the index for good. So the work grows with the number of claims,
    not with the number of pairs.
    """
    index = index_claims(claims)
    if index.duplicates is not None:
        known_after, known_activity, known = index.duplicates
        if known_after == expire_after and (known_activity is activity or known_activity == activity):
            return dict(known)
    duplicates: dict[Claim, Claim] = {}
    holders: dict[str, _Holders] = {}
    for claim, owner in zip(index.active, index.active_owners, strict=True):
        kind_holders = holders.get(claim.kind)
        if kind_holders is None:
            kind_holders = holders[claim.kind] = _Holders()
        earlier = kind_holders.earliest(claim.targets, owner, claim.submitted)
        if earlier is not None:
            duplicates[claim] = earlier
        else:
            # Looked up only when there is activity: hashing a claim hashes every field.
            record = activity.get(claim) if activity else None
            kind_holders.add(claim, owner, hold_ends(claim, record, expire_after))
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


