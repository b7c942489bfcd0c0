"""Which claim a PR carries: the one its body names, else the earliest that covers a file."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from operator import attrgetter

from extracredit.core.model import (
    Activity,
    Claim,
    PullRequest,
)
from extracredit.core.targets import FewTargets, TargetIndex, covers, holding_targets, numbers_in

CLAIM_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])C-(\d{1,6})(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Carried:
    """The claim a PR carries, and what its body names that it cannot carry."""

    claim: Claim | None
    named_foreign: tuple[str, ...]  # claim ids the body names that are someone else's
    named_unknown: tuple[str, ...]  # claim ids the body names that the registry lacks
    uncovered: tuple[str, ...]  # changed files the carried claim does not cover
    has_claims: bool  # whether the author has any active claim at all
    named_unusable: tuple[str, ...] = ()  # the author's claim ids named that it may not carry
    too_late: tuple[str, ...] = ()  # the author's claims on these files, submitted after it opened


def claim_ids_in(text: str) -> list[str]:
    if "-" not in (text or ""):
        return []  # no id can be there: most bodies are read for nothing else
    return [f"C-{int(digits):04d}" for digits in CLAIM_ID_IN_TEXT.findall(text or "")]


def _ordered(claims: Iterable[Claim]) -> list[Claim]:
    return sorted(claims, key=attrgetter("order"))


@dataclass(frozen=True)
class Holding:
    """What every held claim could hold against a later one: its holding targets, filed by kind
    under its place in ``ClaimIndex.held``, and each claim's places there. Only read once built,
    so one PR's lookups leave it as the next PR's find it."""

    by_kind: dict[str, TargetIndex]
    places: dict[Claim, list[int]]  # a list: equal claims (a row twice) have a place each


def _holding(held: Sequence[Claim]) -> Holding:
    by_kind: dict[str, TargetIndex] = {}
    places: dict[Claim, list[int]] = {}
    for place, claim in enumerate(held):
        targets = by_kind.get(claim.kind)
        if targets is None:
            targets = by_kind[claim.kind] = TargetIndex()
        targets.add(place, holding_targets(claim))
        places.setdefault(claim, []).append(place)
    return Holding(by_kind, places)


class ClaimIndex:
    """One registry's claims arranged for the questions asked of them once per PR: a student's
    active claims, the claim with an id, the claims whose targets match a path."""

    def __init__(self, claims: Sequence[Claim]) -> None:
        self.claims = claims
        self.ordered = _ordered(claims)
        self.by_id = {claim.id: claim for claim in claims if claim.id}
        # The active claims, earliest first; and the same by owner below. The claims that can
        # hold targets: the active ones, and those withdrawn at a known moment (they held until
        # then). Both in one pass: a large course has 100,000 claims.
        self.active: list[Claim] = []
        self.held: list[Claim] = []
        for claim in self.ordered:
            if claim.active:
                self.active.append(claim)
                self.held.append(claim)
            elif claim.withdrawn_at is not None:
                self.held.append(claim)
        self.active_of: dict[str, list[Claim]] = defaultdict(list)
        for claim in self.active:
            self.active_of[claim.owner].append(claim)
        self._targets: TargetIndex | None = None
        self._targets_of: dict[str, FewTargets] = {}  # a student's active claims' targets
        self.duplicates: tuple[timedelta, Mapping[Claim, Activity], dict[Claim, Claim]] | None = None
        self._holding: Holding | None = None

    def holding(self) -> Holding:
        """The held claims' holding targets by kind, built the first time they are asked for."""
        if self._holding is None:
            self._holding = _holding(self.held)
        return self._holding

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

    def active_covering(self, owner: str, paths: Iterable[str]) -> list[Claim]:
        """``owner``'s active claims that cover one of ``paths``, earliest submitted first: the
        claims of ``active_of`` a PR changing ``paths`` may carry, found through an index of that
        student's targets alone (a student has a few dozen claims, a course thousands)."""
        mine = self.active_of.get(owner)
        if not mine:
            return []
        targets = self._targets_of.get(owner)
        if targets is None:
            targets = self._targets_of[owner] = FewTargets()
            for number, claim in enumerate(mine):
                targets.add(number, claim.targets)
        paths = tuple(dict.fromkeys(paths))
        found, loose = targets.matching(paths)
        for number in numbers_in(loose & ~found):
            if any(covers(mine[number], path) for path in paths):
                found |= 1 << number
        return [mine[number] for number in numbers_in(found)]


_last_index: list[ClaimIndex] = []


def index_claims(claims: Sequence[Claim]) -> ClaimIndex:
    """The index of a registry's claims. A command asks about one registry many times (once per
    PR), so the index of the last tuple asked about is kept; a tuple cannot change meanwhile."""
    if _last_index and _last_index[0].claims is claims and isinstance(claims, tuple):
        return _last_index[0]
    index = ClaimIndex(claims)
    _last_index[:] = [index]
    return index


def may_carry(pr: PullRequest, claim: Claim) -> bool:
    """A PR may carry a claim submitted before it was opened (a PR that came first was not the
    planned work), and only one that covers at least one of the files it changes."""
    return may_carry_files(pr, claim, pr.filenames)


def may_carry_files(pr: PullRequest, claim: Claim, filenames: Sequence[str]) -> bool:
    """``may_carry``, with the PR's file names already at hand."""
    return claim.submitted <= pr.created_at and any(covers(claim, path) for path in filenames)


def carried_claim(pr: PullRequest, owner: str | None, claims: Sequence[Claim]) -> Carried:
    """The claim a PR carries: the one its body names, else the earliest that covers a file.
    Either way, only a claim it ``may_carry``."""
    index = index_claims(claims)
    filenames = pr.filenames
    mine = index.active_of.get(owner, []) if owner is not None else []
    by_id = index.by_id
    chosen: Claim | None = None
    foreign: list[str] = []
    unknown: list[str] = []
    unusable: list[str] = []
    for claim_id in dict.fromkeys(claim_ids_in(pr.body)):
        named = by_id.get(claim_id)
        if named is None:
            unknown.append(claim_id)
        elif named.owner == owner and named.active:
            if may_carry_files(pr, named, filenames):
                chosen = chosen or named
            else:
                unusable.append(claim_id)
        elif named.owner != owner:
            foreign.append(claim_id)
    # The author's claims covering a file of the PR, earliest first, as ``mine`` orders them:
    # the first submitted before the PR opened is the one it may carry.
    covering = index.active_covering(owner, filenames) if mine and owner is not None else []
    if chosen is None:
        chosen = next((c for c in covering if c.submitted <= pr.created_at), None)
    uncovered: tuple[str, ...] = ()
    too_late: tuple[str, ...] = ()
    if chosen is not None:
        uncovered = tuple(path for path in filenames if not covers(chosen, path))
    else:
        too_late = tuple(c.label for c in covering if c.submitted > pr.created_at)
    return Carried(chosen, tuple(foreign), tuple(unknown), uncovered, bool(mine), tuple(unusable),
                   too_late)


def carried_claims(pulls: Sequence[PullRequest], owners: Sequence[str | None],
                   claims: Sequence[Claim]) -> list[Claim | None]:
    """The claim each PR carries, as ``carried_claim(pr, owner, claims).claim`` gives it: all a
    tally needs of it, for a course's PRs at once (without the problems a check words)."""
    index = index_claims(claims)
    return [_carried(pr, owner, index) for pr, owner in zip(pulls, owners, strict=True)]


def _carried(pr: PullRequest, owner: str | None, index: ClaimIndex) -> Claim | None:
    if owner is None:
        return None  # every claim has an owner: none is a PR's without one
    filenames = pr.filenames
    for claim_id in dict.fromkeys(claim_ids_in(pr.body)):
        named = index.by_id.get(claim_id)
        if (named is not None and named.owner == owner and named.active
                and may_carry_files(pr, named, filenames)):
            return named
    if owner not in index.active_of:
        return None
    return next((c for c in index.active_covering(owner, filenames) if c.submitted <= pr.created_at),
                None)
