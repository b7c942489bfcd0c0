"""Untrusted cells parsed into claims, roster and ledger, every unreadable one a Problem."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from zoneinfo import ZoneInfo

from extracredit.core.cells import (
    CLAIM_ID,
    github_id,
    nearest,
    normalize_login,
    parse_credit,
    parse_time,
    read_any_time,
    split_targets,
)
from extracredit.core.identity import bind_to_roster
from extracredit.core.model import Claim, LedgerEntry, Problem, Registry, RosterEntry, Table
from extracredit.core.sightings import VANISHED_ROWS, Sighting, read_sightings, settle
from extracredit.core.vocab import DECISIONS, KINDS, STATUSES, ProblemCode
from extracredit.errors import RegistryError
from extracredit.registry.schema import CLAIMS_COLUMNS, COLUMN_ALIASES, REQUIRED_COLUMNS, TAB_COLUMNS
from extracredit.text import messages

_URLS_SPLIT = re.compile(r"[\s,;]+")
_CLAIM_CELLS = ("GitHub", "Kind", "Target", "Status", "Name", "Plan", "Claim", "NetID", "PR", "Updated",
                "Submitted", "GitHub ID")


class _Row:
    """Cells of one row looked up by column name, with the row's problems collected."""

    __slots__ = ("cells", "index", "problems", "row", "table")  # a large course has 100,000 rows

    def __init__(self, table: Table, row: int, cells: tuple[str, ...],
                 index: Mapping[str, int]) -> None:
        self.table, self.row, self.cells, self.index = table, row, cells, index
        self.problems: list[Problem] = []

    def get(self, column: str) -> str:
        position = self.index.get(column)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def many(self, columns: Sequence[str]) -> list[str]:
        """``get`` of several columns at once (a large course has 100,000 rows to read)."""
        cells, count, index = self.cells, len(self.cells), self.index
        return [cells[at].strip() if at is not None and at < count else ""
                for at in map(index.get, columns)]

    def report(self, column: str, code: ProblemCode, login: str | None = None, **values: object) -> None:
        self.problems.append(Problem(self.table.name, self.row, column, code, tuple(values.items()), login))

    def time(self, column: str, zone: ZoneInfo, login: str | None = None) -> datetime | None:
        """The column's time; None, with the problem reported, when it is not one the rules can use."""
        text = self.get(column)
        moment = parse_time(text, zone)
        if moment is None:
            code: ProblemCode = "time-out-of-range" if read_any_time(text, zone) else "bad-time"
            self.report(column, code, login, value=text)
        return moment

    def account_id(self, column: str, login: str | None = None) -> int | None:
        """The column's GitHub account id; a cell that holds something else is reported."""
        text = self.get(column)
        number = github_id(text)
        if text and number is None:
            self.report(column, "bad-github-id", login, value=text)
        return number


def _picker(index: Mapping[str, int], columns: Sequence[str]) -> Callable[[_Row], list[str]]:
    """``_Row.many(columns)`` for the rows of one tab, the columns located once: when the tab
    has them all, a row long enough to hold them has them taken at once."""
    positions = [index.get(column) for column in columns]
    if len(positions) < 2 or None in positions:
        return lambda row: row.many(columns)
    located = [at for at in positions if at is not None]
    take, past = itemgetter(*located), max(located)

    def pick(row: _Row) -> list[str]:
        cells = row.cells
        return list(map(str.strip, take(cells))) if len(cells) > past else row.many(columns)

    return pick


def column_index(table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Locate the known columns by header name; report blank, duplicate and missing headers."""
    index: dict[str, int] = {}
    problems: list[Problem] = []
    known = TAB_COLUMNS.get(table.name, ())
    for position, raw in enumerate(table.header):
        name = COLUMN_ALIASES.get(raw.strip(), raw.strip())
        if not name:
            continue
        match = next((column for column in known if column.lower() == name.lower()), None)
        if match is None:
            continue
        if match in index:
            problems.append(Problem(table.name, 1, match, "header-duplicate"))
            continue
        index[match] = position
    missing = [column for column in REQUIRED_COLUMNS.get(table.name, ()) if column not in index]
    if missing:
        filled = sum(1 for cell in table.header if cell.strip())
        raise RegistryError(messages.header_missing(
            table.name, missing, filled, list(index), columns=known,
            meant=header_near_misses(table.header, missing, index, known)))
    return index, problems


# The shape of a column's name: one or a few words. A header cell of that shape may be named back
# to the TA as the column it was probably meant to be; no other cell text ever is.
_HEADER_WORD = re.compile(r"[A-Za-z][A-Za-z _-]{0,23}")
# Row 1 reads as a header, and not as a row of data sorted to the top, when it holds at least
# this many of the tab's columns: a row of data holds none (no student cell is a column's name).
_HEADER_QUORUM = 2
_NEAR_MISS = 0.8  # difflib's ratio: 'Submited' for 'Submitted' (0.94), 'Net ID' for 'NetID' (0.91)


def header_near_misses(header: Sequence[str], missing: Sequence[str], index: Mapping[str, int],
                       known: Sequence[str]) -> dict[str, str]:
    """For each missing column, the cell of row 1 probably meant as it (a close match, such as a
    typo), when row 1 is clearly the header. Only cells of the shape of a column's name qualify,
    so nothing but a near miss of a column's name is ever quoted."""
    if len(index) < _HEADER_QUORUM:
        return {}
    names = {column.lower() for column in known}
    candidates: dict[str, str] = {}
    for position, raw in enumerate(header):
        cell = raw.strip()
        if (position not in index.values() and _HEADER_WORD.fullmatch(cell)
                and cell.lower() not in names):
            candidates.setdefault(cell.lower(), cell)
    meant: dict[str, str] = {}
    for column in missing:
        close = nearest(column.lower(), candidates, cutoff=_NEAR_MISS)
        if close is not None:
            meant[column] = candidates.pop(close)
    return meant


def _rows(table: Table) -> tuple[list[_Row], list[Problem]]:
    index, problems = column_index(table)
    rows = [_Row(table, number, cells, index) for number, cells in table.rows
            if any(map(str.strip, cells))]
    return rows, problems


def parse_claims(table: Table, zone: ZoneInfo) -> tuple[list[Claim], list[Problem]]:
    rows, problems = _rows(table)
    claims: list[Claim] = []
    # One string for the cells a registry repeats (logins, NetIDs, names, kinds, targets): a
    # large course's claims keep them for the whole run, not the Claims tab itself.
    shared: dict[str, str] = {}
    share = shared.setdefault
    # A login cell and a Target cell read once each however many rows repeat them.
    logins: dict[str, str | None] = {}
    target_lists: dict[str, tuple[str, ...]] = {}
    # A time cell read once however many rows repeat it, and one moment for them all: a shared
    # moment also keeps its hash, which every claim's own hash asks for.
    times: dict[str, datetime] = {}
    pick = _picker(rows[0].index if rows else {}, _CLAIM_CELLS)
    for row in rows:
        # Each cell read once: a large course has 100,000 rows.
        (github, kind_cell, target, status_cell, name, plan, claim_cell, netid_cell, urls,
         updated, submitted_cell, id_cell) = pick(row)
        if github in logins:
            login = logins[github]
        else:
            login = logins[github] = normalize_login(github)
        claim_id = claim_cell.upper() or None
        if claim_id and not CLAIM_ID.match(claim_id):
            row.report("Claim", "bad-claim-id", login, value=claim_id)
            claim_id = None
        # An id on two rows is settled by core.sightings.settle, which knows which row was seen.
        submitted = times.get(submitted_cell)
        if submitted is None:
            submitted = row.time("Submitted", zone, login)
            if submitted is not None:
                times[submitted_cell] = submitted
        if login is None:
            row.report("GitHub", "bad-login", value=github)
        netid = netid_cell or None
        if netid is None:
            row.report("NetID", "empty", login)
        kind = kind_cell.lower()
        if kind not in KINDS:
            row.report("Kind", "bad-kind", login, value=kind_cell)
        targets = target_lists.get(target)
        if targets is None:
            targets = target_lists[target] = tuple(share(entry, entry) for entry in split_targets(target))
        if not targets:
            row.report("Target", "empty", login)
        # Empty means open; it is kept empty so that the sync writes the word in.
        status = " ".join(status_cell.lower().split())
        if status and status not in STATUSES:
            row.report("Status", "bad-status", login, value=status_cell)
            status = ""
        if plan.startswith("=") or target.startswith("=") or name.startswith("="):
            for column, cell in (("Plan", plan), ("Target", target), ("Name", name)):
                if cell.startswith("="):
                    row.report(column, "formula", login)
        account = row.account_id("GitHub ID", login) if id_cell else None
        problems.extend(row.problems)
        if submitted is None or login is None or kind not in KINDS or not targets:
            continue
        updated_at = times.get(updated) if updated else None
        if updated and updated_at is None:
            updated_at = parse_time(updated, zone)
            if updated_at is not None:
                times[updated] = updated_at
        claims.append(Claim(
            id=claim_id,
            row=row.row,
            submitted=submitted,
            github=share(login, login),
            github_id=account,
            netid=share(netid, netid) if netid else netid,
            name=share(name, name),
            kind=share(kind, kind),
            targets=targets,
            plan=share(plan, plan),
            status=share(status, status),
            pr_urls=tuple(url for url in _URLS_SPLIT.split(urls) if url) if urls else (),
            updated=updated_at,
        ))
    return claims, problems


def parse_roster(table: Table) -> tuple[list[RosterEntry], list[Problem]]:
    rows, problems = _rows(table)
    roster = []
    for row in rows:
        netid = row.get("NetID")
        login = normalize_login(row.get("GitHub")) if row.get("GitHub") else None
        if row.get("GitHub") and login is None:
            row.report("GitHub", "bad-login", value=row.get("GitHub"))
        account = row.account_id("GitHub ID")
        if not netid:
            row.report("NetID", "empty")
            problems.extend(row.problems)
            continue
        problems.extend(row.problems)
        roster.append(RosterEntry(row.row, netid, row.get("Name"), login, account))
    return roster, problems


def parse_ledger(table: Table, zone: ZoneInfo) -> tuple[list[LedgerEntry], list[Problem]]:
    rows, problems = _rows(table)
    ledger = []
    for row in rows:
        when = row.time("When", zone)
        decision = row.get("Decision").lower()
        if decision not in DECISIONS:
            row.report("Decision", "bad-decision", value=row.get("Decision"))
        credit: Decimal | None = None
        if decision == "credit":
            credit = parse_credit(row.get("Credit"))
            if credit is None:
                row.report("Credit", "bad-credit", value=row.get("Credit"))
        pr_url = row.get("PR")
        if not pr_url:
            row.report("PR", "empty")
        problems.extend(row.problems)
        if row.problems:
            continue
        assert when is not None
        ledger.append(LedgerEntry(row.row, when, row.get("Actor"), pr_url.rstrip("/"), decision,
                                  credit, row.get("Reason"), row.get("Source")))
    return ledger, problems


def _frozen_claims(sightings: Mapping[str, Sighting], live: Table, claims: Sequence[Claim],
                   zone: ZoneInfo) -> dict[str, Claim]:
    """Each seen claim as its sighting recorded it, parsed like the live tab. A column the record
    lacks (an older log) is taken from the claim's live row, when one carries its id."""
    header = [name.strip() for name in live.header]
    live_rows = dict(live.rows)
    row_of: dict[str, int] = {}
    for claim in claims:
        if claim.id:
            row_of.setdefault(claim.id, claim.row)
    groups: dict[tuple[str, ...], list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for sighting in sightings.values():
        if sighting.accepted:
            continue
        row = row_of.get(sighting.claim_id)
        cells: dict[str, str] = {}
        if row is not None:
            cells.update((name, cell) for name, cell in zip(header, live_rows.get(row, ()), strict=False)
                         if name)
        cells.update(sighting.cells)
        cells["Claim"] = sighting.claim_id
        names = tuple(sorted(cells))
        number = row if row is not None else VANISHED_ROWS + sighting.log_row
        groups[names].append((number, tuple(cells[name] for name in names)))
    frozen: dict[str, Claim] = {}
    for names, rows in groups.items():
        try:
            parsed, _ = parse_claims(Table("Claims", names, tuple(rows)), zone)
        except RegistryError:
            continue  # a record that lacks a column the live tab does not supply either
        frozen.update((claim.id, claim) for claim in parsed if claim.id)
    return frozen


def build_registry(tables: Mapping[str, Table], zone: ZoneInfo) -> Registry:
    """Turn the tabs as read into the registry the rules use, keeping every problem found.

    The Claims log is the record of every claim seen (core.sightings): a seen claim counts as it
    was recorded, whatever the class has done to the Claims tab since, even to its header."""
    problems: list[Problem] = []
    claims: list[Claim] = []
    roster: list[RosterEntry] = []
    ledger: list[LedgerEntry] = []
    if "Claims" not in tables:
        raise RegistryError(messages.TAB_MISSING_CLAIMS)
    sightings = read_sightings(tables.get("Claims log"), zone)
    try:
        claims, found = parse_claims(tables["Claims"], zone)
    except RegistryError:
        if not sightings:
            raise
        # The header was broken (by anyone): the claims seen so far still count, as recorded.
        claims, found = [], [Problem("Claims", 1, "", "header-unreadable",
                                     (("columns", ", ".join(CLAIMS_COLUMNS)),))]
    problems.extend(found)
    frozen = _frozen_claims(sightings, tables["Claims"], claims, zone) if sightings else {}
    claims, found = settle(claims, sightings, frozen)
    problems.extend(found)
    if "Roster" in tables:
        roster, found = parse_roster(tables["Roster"])
        problems.extend(found)
    everyone = claims
    claims, found, unrostered = bind_to_roster(claims, roster)
    problems.extend(found)
    if "Ledger" in tables:
        ledger, found = parse_ledger(tables["Ledger"], zone)
        problems.extend(found)
    extra = {name: table for name, table in tables.items() if name not in TAB_COLUMNS}
    counted = set(claims)
    unbound = tuple(claim for claim in everyone if claim not in counted)
    recorded = {claim_id: sighting.activity for claim_id, sighting in sightings.items()
                if sighting.activity is not None}
    return Registry(tuple(claims), tuple(roster), tuple(ledger), tuple(problems), extra, unbound,
                    unrostered, recorded)
