"""Holds and duplicates: when a claim holds its targets, and which later claims are duplicates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice

from extracredit.core.claims import carried_claim, index_claims
from extracredit.core.identity import Directory
from extracredit.core.ledger import first_ledger_decisions, pull_key
from extracredit.core.model import (
    Activity,
    Claim,
    PullRequest,
    Registry,
)
from extracredit.core.targets import TargetIndex, entry_matches, holding_targets


def activity_from_record(registry: Registry) -> dict[Claim, Activity]:
    """What the sync last recorded of each claim's PRs in the Claims log (staff sheet); used
    where the PRs are not listed. The Claims tab's own Status and PR columns are a display for the
    class, which anyone can overwrite: they are never read as activity."""
    recorded = registry.activity
    if not recorded:
        return {}
    return {claim: recorded[claim.id] for claim in registry.claims
            if claim.id is not None and claim.id in recorded}


def activity_from_pulls(claims: Sequence[Claim], pulls: Sequence[PullRequest],
                        directory: Directory,
                        ledger_decided: Mapping[str, datetime], *,
                        carried_by: Sequence[Claim | None] | None = None) -> dict[Claim, Activity]:
    """What the PRs themselves show: when a PR carrying each claim opened, and when it was decided.
    ``carried_by``: the claim each of ``pulls`` carries, when the caller knows it already."""
    opened: dict[Claim, datetime] = {}
    decided: dict[Claim, datetime] = {}
    in_review: dict[Claim, list[str]] = defaultdict(list)
    for number, pr in enumerate(pulls):
        if carried_by is not None:
            carried = carried_by[number]
        else:
            carried = carried_claim(pr, directory.resolve(pr.user), claims).claim
        if carried is None:
            continue
        first = opened.get(carried)
        if first is None or pr.created_at < first:
            opened[carried] = pr.created_at
        # The earlier of GitHub's decision and the Ledger's, GitHub's on a tie.
        when = pr.decided_at
        if ledger_decided:
            logged = ledger_decided.get(pr.html_url)
            if logged is not None and (when is None or logged < when):
                when = logged
        if when is not None:
            known = decided.get(carried)
            if known is None or when < known:
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
    ends = _hold_ends(claim, activity, expire_after)
    withdrawn = claim.withdrawn_at
    if withdrawn is None:
        return ends
    return withdrawn if ends is None else min(ends, withdrawn)


def _hold_ends(claim: Claim, activity: Activity | None, expire_after: timedelta) -> datetime | None:
    expires = expiry(claim, expire_after)
    if activity is None:
        return expires
    opened = activity.first_pr_opened
    if opened is not None and opened <= expires:
        return activity.decided_at
    decided = activity.decided_at
    return expires if decided is None else min(decided, expires)


def holds(claim: Claim, at: datetime, activity: Activity | None, expire_after: timedelta) -> bool:
    """Does a claim hold its targets at a moment (registry/README.md, How claims are used)?"""
    if at < claim.submitted:
        return False
    if not claim.active and (claim.withdrawn_at is None or at >= claim.withdrawn_at):
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
        # An over-broad entry (the whole repository) holds nothing.
        self.targets.add(len(self.claims), holding_targets(claim))
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
    duplicates = _judge(index.held, activity, expire_after)
    index.duplicates = (expire_after, dict(activity), duplicates)
    return dict(duplicates)


def _judge(held: Iterable[Claim], activity: Mapping[Claim, Activity],
           expire_after: timedelta) -> dict[Claim, Claim]:
    """The duplicates among ``held`` (earliest first), each judged against the earlier holders
    among them alone."""
    duplicates: dict[Claim, Claim] = {}
    holders: dict[str, _Holders] = {}
    for claim in held:
        owner = claim.owner
        kind_holders = holders.get(claim.kind)
        if kind_holders is None:
            kind_holders = holders[claim.kind] = _Holders()
        earlier = kind_holders.earliest(claim.targets, owner, claim.submitted)
        if earlier is not None:
            if claim.active:  # a claim withdrawn since is not judged, and held nothing
                duplicates[claim] = earlier
        else:
            # Looked up only when there is activity: hashing a claim hashes every field.
            record = activity.get(claim) if activity else None
            kind_holders.add(claim, owner, hold_ends(claim, record, expire_after))
    return duplicates


def prepare_duplicates(claims: Sequence[Claim]) -> None:
    """Build what ``duplicates_of`` looks claims up in, ahead of the first question: a process
    that waits for its PR does it meanwhile."""
    index_claims(claims).holding()


def duplicates_of(claims: Sequence[Claim], activity: Mapping[Claim, Activity],
                  expire_after: timedelta, wanted: Iterable[Claim]) -> dict[Claim, Claim]:
    """``find_duplicates`` for the ``wanted`` claims alone (those it finds duplicates), judging
    only the claims their answers depend on.

    A claim is a duplicate through the earlier claims of its kind whose targets overlap its own
    and that held them, and whether those held depends, in turn, on theirs. So the claims judged
    are that closure, found by lookups in an index of every held claim that change nothing, and
    they are judged in order as ``find_duplicates`` judges them all: no holder outside the closure
    overlaps a claim within it.
    """
    wanted = tuple(wanted)
    index = index_claims(claims)
    holding = index.holding()
    held = index.held
    todo = [place for claim in wanted for place in holding.places.get(claim, ())]
    closure = set(todo)
    while todo:
        place = todo.pop()
        claim = held[place]
        targets = holding.by_kind[claim.kind]
        for entry in claim.targets:
            for numbers in targets.overlapping(entry):
                for number in numbers:
                    if number >= place:
                        break  # the numbers are in order: the rest came later
                    if number not in closure:
                        closure.add(number)
                        todo.append(number)
    duplicates = _judge((held[place] for place in sorted(closure)), activity, expire_after)
    return {claim: duplicates[claim] for claim in wanted if claim in duplicates}


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
        held = holding_targets(claim)
        if holds(claim, at, known, expire_after) and any(
                entry_matches(entry, path) for entry in held for path in pr.filenames):
            holding.append(claim)
        for url in known.in_review if known else ():
            if url != pr.html_url:
                reviewing.append((claim, url))
    return holding, reviewing



def claim_activity(registry: Registry, pulls: Sequence[PullRequest],
                   directory: Directory, *,
                   carried_by: Sequence[Claim | None] | None = None) -> dict[Claim, Activity]:
    """What is known of each claim's PRs: the record, overridden by the PRs where they show it.
    ``carried_by``: the claim each of ``pulls`` carries, when the caller knows it already."""
    activity = activity_from_record(registry)
    first = first_ledger_decisions(registry.ledger)
    decided = {}
    if first:
        decided = {pr.html_url: first[pull_key(pr)] for pr in pulls if pull_key(pr) in first}
    activity.update(activity_from_pulls(registry.claims, pulls, directory, decided,
                                        carried_by=carried_by))
    return activity
