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
from extracredit.core.model import Activity, Claim, Problem, Table

BASELINE_KEY = "(baseline)"  # in a Claims log row: seen at the first sync, not when it was added
# What a claim says that a sighting freezes (the columns students type; the tool's own are not).
FROZEN_COLUMNS = ("Submitted", "GitHub", "NetID", "Kind", "Target")
ACCEPTED_COLUMN = "accepted edit"
WITHDRAWN_COLUMN = "withdrawn"
ACTIVITY_COLUMN = "activity"
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
    withdrawn: bool = False  # a sync saw it withdrawn: it stays withdrawn, whatever a cell says
    withdrawn_at: datetime | None = None  # when that sync ran
    activity: Activity | None = None  # what the sync last saw of the PRs carrying it
    activity_text: str = ""  # that record as written, so that a sync rewrites only a change


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
    at_withdrawn = header.index(WITHDRAWN_COLUMN) if WITHDRAWN_COLUMN in header else None
    at_activity = header.index(ACTIVITY_COLUMN) if ACTIVITY_COLUMN in header else None
    sightings: dict[str, Sighting] = {}
    for number, cells in log.rows:
        if len(cells) <= max(at_claim, at_seen, at_row):
            continue
        moment = parse_time(cells[at_seen], zone)
        recorded = _recorded_row(cells[at_row])
        claim_id = cells[at_claim].strip().upper()
        if moment is None or recorded is None or not claim_id or claim_id in sightings:
            continue
        record = _cell(cells, at_activity)
        withdrawn = _cell(cells, at_withdrawn)
        sightings[claim_id] = Sighting(claim_id, moment, number, recorded, BASELINE_KEY in recorded,
                                       _flag(cells, at_accepted), bool(withdrawn),
                                       (parse_time(withdrawn, zone) or moment) if withdrawn else None,
                                       activity_from_text(record, zone), record)
    return sightings


def activity_text(activity: Activity | None) -> str:
    """An Activity as the Claims log records it (JSON; empty for none)."""
    if activity is None:
        return ""
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None
    return json.dumps({"opened": moment(activity.first_pr_opened), "decided": moment(activity.decided_at),
                       "review": list(activity.in_review)}, sort_keys=True)


def activity_from_text(text: str, zone: ZoneInfo) -> Activity | None:
    """The Activity a Claims log cell records; None for an empty or unreadable one."""
    if not text or len(text) > _MAX_ROW_TEXT:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    opened, decided, review = data.get("opened"), data.get("decided"), data.get("review")
    moments = [parse_time(value, zone) if isinstance(value, str) else None for value in (opened, decided)]
    urls = tuple(url for url in review if isinstance(url, str)) if isinstance(review, list) else ()
    return Activity(moments[0], moments[1], urls)


def _cell(cells: tuple[str, ...], at: int | None) -> str:
    return cells[at].strip() if at is not None and at < len(cells) else ""


def _flag(cells: tuple[str, ...], at: int | None) -> bool:
    return bool(_cell(cells, at))


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
    if not sightings and not frozen:
        return list(rows.claims), problems  # no claim seen yet (no Claims log): each as its row says
    # A seen claim no row carries by id may still be there, its id unreadable (a header renamed,
    # the cell edited): a row without an id that says exactly what was recorded is that claim.
    carried = {claim.id for claim in rows.claims if claim.id}
    missing = {_content(original): claim_id for claim_id, original in frozen.items()
               if claim_id not in carried}
    batches = sorted({s.first_seen for s in sightings.values()})
    latest = max((s.first_seen for s in sightings.values()), default=None)
    settled: list[Claim] = []
    present: set[str] = set()
    for claim in rows.claims:
        if claim.id is None and missing:
            found = missing.pop(_content(claim), None)
            claim = replace(claim, id=found) if found else claim
        sighting = sightings.get(claim.id or "")
        if sighting is None:
            # Not seen yet: it was added after the last sync that recorded a claim.
            settled.append(_withdrawn(_bounded(claim, latest, None), None, latest))
            continue
        present.add(sighting.claim_id)
        counted = replace(claim, status=_status(claim, sighting, rows.twins.get(sighting.claim_id, ())))
        original = frozen.get(sighting.claim_id)
        if original is not None and not sighting.accepted:
            counted, edits = _frozen(counted, original, _recorded_columns(sighting))
            problems += [Problem("Claims", claim.row, column, "edited-after-seen", (), original.github)
                         for column in edits]
        settled.append(_withdrawn(_bounded(counted, _before(batches, sighting), sighting.first_seen),
                                  sighting, latest))
    for claim_id, original in frozen.items():
        sighting = sightings[claim_id]
        if claim_id not in present:
            problems.append(Problem("Claims log", sighting.log_row, "Claim", "vanished",
                                    (("claim", claim_id),), original.github))
            status = "withdrawn" if sighting.withdrawn else ""
            settled.append(_withdrawn(_bounded(replace(original, status=status),
                                               _before(batches, sighting), sighting.first_seen),
                                      sighting, latest))
    return settled, problems


@dataclass(frozen=True)
class _Rows:
    """The Claims tab's rows with each id kept on one row, and the problems that found."""

    claims: list[Claim]
    problems: list[Problem]
    # For a seen id on two rows or more that all say what was recorded: the statuses of the others.
    twins: dict[str, tuple[str, ...]]


def _status(claim: Claim, sighting: Sighting, twins: Sequence[str]) -> str:
    """A seen claim's status: withdrawn for good once a sync saw it withdrawn; else what its row
    says, except that a copy of its row cannot withdraw it (every copy must say withdrawn)."""
    if sighting.withdrawn:
        return "withdrawn"
    if claim.status == "withdrawn" and any(status != "withdrawn" for status in twins):
        return ""
    return claim.status


def _one_row_per_id(live: Sequence[Claim], frozen: Mapping[str, Claim]) -> _Rows:
    """Keep each id on one row: for a seen claim, the first row whose NetID and login are the
    recorded ones (else the first row); for another, the first row. The others lose the id."""
    rows_of: dict[str, list[Claim]] = {}
    for claim in live:
        if claim.id:
            rows_of.setdefault(claim.id, []).append(claim)
    keeper: dict[str, Claim] = {}
    twins: dict[str, tuple[str, ...]] = {}
    for claim_id, rows in rows_of.items():
        original = frozen.get(claim_id)
        same = [row for row in rows if original is not None and _identity(row) == _identity(original)]
        keeper[claim_id] = (same or rows)[0]
        if len(same) > 1:
            twins[claim_id] = tuple(row.status for row in same[1:])
    claims: list[Claim] = []
    problems: list[Problem] = []
    for claim in live:
        if claim.id and keeper[claim.id] is not claim:
            problems.append(Problem("Claims", claim.row, "Claim", "repeated-claim-id",
                                    (("value", claim.id), ("first_row", keeper[claim.id].row)),
                                    claim.github))
            claim = replace(claim, id=None)
        claims.append(claim)
    return _Rows(claims, problems, twins)


def _content(claim: Claim) -> tuple[object, ...]:
    """What a claim says, all that a sighting freezes."""
    return (*_identity(claim), claim.kind, claim.targets, claim.submitted)


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


def _withdrawn(claim: Claim, sighting: Sighting | None, latest: datetime | None) -> Claim:
    """When a withdrawn claim stopped holding: when a sync first saw it withdrawn, else (not seen
    withdrawn yet) after the last sync; a withdrawal cannot free the files for claims made before."""
    if claim.active:
        return claim
    if sighting is not None and sighting.withdrawn_at is not None:
        return replace(claim, withdrawn_at=sighting.withdrawn_at)
    return replace(claim, withdrawn_at=latest) if latest is not None else claim


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
