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


def frozen_table(sightings: Mapping[str, Sighting], claims: Sequence[Claim], live: Table) -> Table:
    """The live Claims tab with, on each seen claim's row, the cells its sighting recorded in place
    of today's (where no TA accepted the edits), for the registry to parse exactly as it parses
    the live tab."""
    columns = {name.strip().lower(): position for position, name in enumerate(live.header)}
    live_rows = dict(live.rows)
    rows = []
    for claim in claims:
        sighting = sightings.get(claim.id or "")
        if sighting is None or sighting.accepted:
            continue
        cells = list(live_rows.get(claim.row, ()))
        cells += [""] * (len(live.header) - len(cells))
        for name, value in sighting.cells.items():
            position = columns.get(name.strip().lower())
            if position is not None:
                cells[position] = value
        rows.append((claim.row, tuple(cells)))
    return Table(live.name, live.header, tuple(rows))


def _recorded_columns(sighting: Sighting) -> set[str]:
    """The frozen columns the sighting recorded (a header the Form renamed counts as its column)."""
    names = {name.strip().lower() for name in sighting.cells}
    return {column for column in FROZEN_COLUMNS if column.lower() in names
            or (column == "Submitted" and "timestamp" in names)}


def settle(claims: Sequence[Claim], sightings: Mapping[str, Sighting],
           frozen: Mapping[int, Claim]) -> tuple[list[Claim], list[Problem]]:
    """Each claim as it counts: the values it was first seen with (``frozen``, by row) where a TA
    has not accepted an edit, and its Submitted time bounded by its sighting. Edits are Problems."""
    batches = sorted({s.first_seen for s in sightings.values() if not s.baseline})
    latest = max((s.first_seen for s in sightings.values()), default=None)
    settled: list[Claim] = []
    problems: list[Problem] = []
    for claim in claims:
        sighting = sightings.get(claim.id or "")
        if sighting is None:
            # Not seen yet: it was added after the last sync that recorded a claim.
            settled.append(_bounded(claim, latest, None))
            continue
        counted = claim
        original = frozen.get(claim.row)
        if original is not None and not sighting.accepted:
            counted, edits = _frozen(claim, original, _recorded_columns(sighting))
            problems += [Problem("Claims", claim.row, column, "edited-after-seen", (), original.github)
                         for column in edits]
        earlier = None if sighting.baseline else _before(batches, sighting.first_seen)
        settled.append(_bounded(counted, earlier, sighting.first_seen))
    return settled, problems


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


def _before(batches: Sequence[datetime], moment: datetime) -> datetime | None:
    """The latest batch strictly before ``moment`` (the sync before the one that saw it)."""
    index = bisect_left(batches, moment)
    return batches[index - 1] if index else None


def _bounded(claim: Claim, earliest: datetime | None, latest: datetime | None) -> Claim:
    moment = claim.submitted
    if earliest is not None and moment < earliest:
        moment = earliest
    if latest is not None and moment > latest:
        moment = latest
    return claim if moment == claim.submitted else replace(claim, submitted=moment)
