"""First sightings: what each claim said when the tool first saw it, and the order that gives.

The claims sheet is open to the whole class, so what a claim says now is only what someone typed
last. The sync records each claim the first time it sees it (the Claims log, in the staff sheet);
from then on the identity, kind, targets and Submitted time of that record count, and a later edit
of those cells is a Problem until a TA accepts it. A claim's place in the order of claims is
bounded by its sighting: it cannot come before the claims that were seen before it (at the sync
before its own) nor after the moment it was seen, so a typed Submitted can reorder a claim only
among the claims first seen in the same sync.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from extracredit.core.cells import parse_time
from extracredit.core.model import Claim, Problem, Table

BASELINE_KEY = "(baseline)"  # in a Claims log row: seen at the first sync, not when it was added
# What a claim says that a sighting freezes (the columns students type; the tool's own are not).
FROZEN_COLUMNS = ("Submitted", "GitHub", "NetID", "Kind", "Target")
ACCEPTED_COLUMN = "accepted edit"
_MAX_ROW_TEXT = 100_000  # a Claims log cell longer than this is not a row the tool wrote
# Where a seen claim whose row is gone from the Claims tab stands in the order of rows.
VANISHED_ROWS = 1_000_000


@dataclass(frozen=True)
class Sighting:
    """One claim's first sighting, as the Claims log records it."""

    claim_id: str
    first_seen: datetime
    log_row: int
    cells: Mapping[str, str]  # the Claims row as first seen, by header name
    baseline: bool  # seen at the first sync of an old registry: not when it was added
    accepted: bool  # a TA accepted the edits made since: the row as it is now counts


def read_sightings(log: Table | None, zone: ZoneInfo) -> dict[str, Sighting]:
    """The first sighting of each claim id (the first log row wins); unreadable rows are skipped."""
    if log is None:
        return {}
    header = [cell.strip().lower() for cell in log.header]
    try:
        at_claim, at_seen, at_row = header.index("claim"), header.index("first seen"), header.index("row")
    except ValueError:
        return {}
    at_accepted = header.index(ACCEPTED_COLUMN) if ACCEPTED_COLUMN in header else None
    sightings: dict[str, Sighting] = {}
    for number, cells in log.rows:
        if len(cells) <= max(at_claim, at_seen, at_row):
            continue
        moment = parse_time(cells[at_seen], zone)
        recorded = _recorded_row(cells[at_row])
        claim_id = cells[at_claim].strip().upper()
        if moment is None or recorded is None or not claim_id or claim_id in sightings:
            continue
        accepted = at_accepted is not None and at_accepted < len(cells) and bool(cells[at_accepted].strip())
        sightings[claim_id] = Sighting(claim_id, moment, number, recorded,
                                       BASELINE_KEY in recorded, accepted)
    return sightings


def _recorded_row(text: str) -> dict[str, str] | None:
    if len(text) > _MAX_ROW_TEXT:
        return None
    try:
        row = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(row, dict):
        return None
    return {str(key): value for key, value in row.items() if isinstance(value, str)}


def _recorded_columns(sighting: Sighting) -> set[str]:
    """The frozen columns the sighting recorded (a header the Form renamed counts as its column)."""
    names = {name.strip().lower() for name in sighting.cells}
    return {column for column in FROZEN_COLUMNS if column.lower() in names
            or (column == "Submitted" and "timestamp" in names)}


def settle(live: Sequence[Claim], sightings: Mapping[str, Sighting],
           frozen: Mapping[str, Claim]) -> tuple[list[Claim], list[Problem]]:
    """The claims as they count, from the Claims tab as read (``live``) and the Claims log.

    A seen claim counts as it was recorded (``frozen``, by id): its identity, kind, targets and
    Submitted; only its Status is read from the tab. When two rows carry its id, the one that
    still says what was recorded is its row. A seen claim whose row is gone still counts. Every
    claim's Submitted is bounded by its sighting. Edits since, and ids on two rows, are Problems.
    """
    rows = _one_row_per_id(live, frozen)
    problems = list(rows.problems)
    batches = sorted({s.first_seen for s in sightings.values() if not s.baseline})
    latest = max((s.first_seen for s in sightings.values()), default=None)
    settled: list[Claim] = []
    present: set[str] = set()
    for claim in rows.claims:
        sighting = sightings.get(claim.id or "")
        if sighting is None:
            # Not seen yet: it was added after the last sync that recorded a claim.
            settled.append(_bounded(claim, latest, None))
            continue
        present.add(sighting.claim_id)
        counted = claim
        original = frozen.get(sighting.claim_id)
        if original is not None and not sighting.accepted:
            counted, edits = _frozen(claim, original, _recorded_columns(sighting))
            problems += [Problem("Claims", claim.row, column, "edited-after-seen", (), original.github)
                         for column in edits]
        settled.append(_bounded(counted, _before(batches, sighting), sighting.first_seen))
    for claim_id, original in frozen.items():
        sighting = sightings[claim_id]
        if claim_id not in present:
            problems.append(Problem("Claims log", sighting.log_row, "Claim", "vanished",
                                    (("claim", claim_id),), original.github))
            settled.append(_bounded(original, _before(batches, sighting), sighting.first_seen))
    return settled, problems


@dataclass(frozen=True)
class _Rows:
    claims: list[Claim]
    problems: list[Problem]


def _one_row_per_id(live: Sequence[Claim], frozen: Mapping[str, Claim]) -> _Rows:
    """Keep each id on one row: for a seen claim, the first row whose NetID and login are the
    recorded ones (else the first row); for another, the first row. The others lose the id."""
    rows_of: dict[str, list[Claim]] = {}
    for claim in live:
        if claim.id:
            rows_of.setdefault(claim.id, []).append(claim)
    keeper: dict[str, Claim] = {}
    for claim_id, rows in rows_of.items():
        original = frozen.get(claim_id)
        same = [row for row in rows if original is not None and _identity(row) == _identity(original)]
        keeper[claim_id] = (same or rows)[0]
    claims: list[Claim] = []
    problems: list[Problem] = []
    for claim in live:
        if claim.id and keeper[claim.id] is not claim:
            problems.append(Problem("Claims", claim.row, "Claim", "repeated-claim-id",
                                    (("value", claim.id), ("first_row", keeper[claim.id].row)),
                                    claim.github))
            claim = replace(claim, id=None)
        claims.append(claim)
    return _Rows(claims, problems)


def _identity(claim: Claim) -> tuple[str, str]:
    return (claim.netid or "").lower(), (claim.github or "").lower()


def _frozen(claim: Claim, original: Claim, recorded: set[str]) -> tuple[Claim, list[str]]:
    now = {"Submitted": claim.submitted, "GitHub": (claim.github or "").lower(),
           "NetID": (claim.netid or "").lower(), "Kind": claim.kind, "Target": claim.targets}
    then = {"Submitted": original.submitted, "GitHub": (original.github or "").lower(),
            "NetID": (original.netid or "").lower(), "Kind": original.kind, "Target": original.targets}
    edits = [column for column in FROZEN_COLUMNS if column in recorded and now[column] != then[column]]
    changes: dict[str, object] = {}
    if "Submitted" in recorded:
        changes["submitted"] = original.submitted
    if "GitHub" in recorded:
        changes["github"] = original.github
    if "NetID" in recorded:
        changes["netid"] = original.netid
    if "Kind" in recorded:
        changes["kind"] = original.kind
    if "Target" in recorded:
        changes["targets"] = original.targets
    return replace(claim, **changes), edits  # type: ignore[arg-type]


def _before(batches: Sequence[datetime], sighting: Sighting) -> datetime | None:
    """The sync before the one that saw a claim (none for the baseline of a first sync)."""
    if sighting.baseline:
        return None
    index = bisect_left(batches, sighting.first_seen)
    return batches[index - 1] if index else None


def _bounded(claim: Claim, earliest: datetime | None, latest: datetime | None) -> Claim:
    moment = claim.submitted
    if earliest is not None and moment < earliest:
        moment = earliest
    if latest is not None and moment > latest:
        moment = latest
    return claim if moment == claim.submitted else replace(claim, submitted=moment)
