"""The registry's tabs: column contracts, and untrusted cells parsed into claims, roster and ledger."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol
from zoneinfo import ZoneInfo

from extracredit.core.config import KINDS
from extracredit.text import messages

CLAIMS_COLUMNS = ("Claim", "Submitted", "GitHub", "NetID", "Name", "Kind", "Target", "Plan",
                  "Status", "PR", "GitHub ID", "Updated")
ROSTER_COLUMNS = ("NetID", "Name", "GitHub", "GitHub ID")
LEDGER_COLUMNS = ("When", "Actor", "PR", "Decision", "Credit", "Reason", "Source")
TALLY_COLUMNS = ("NetID", "Name", "GitHub", "Accepted PRs", "Raw credit", "Credit", "Capped",
                 "Notes", "Updated")
PROBLEMS_COLUMNS = ("Tab", "Row", "Column", "Problem", "Fix", "Found")
CHECKS_COLUMNS = ("Repo", "PR", "Head SHA", "Fingerprint", "Comment ID", "Updated")
CLAIMS_LOG_COLUMNS = ("Claim", "First seen", "Row")
# Every tab, in the order a new registry shows them.
TAB_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "Claims": CLAIMS_COLUMNS,
    "Roster": ROSTER_COLUMNS,
    "Ledger": LEDGER_COLUMNS,
    "Tally": TALLY_COLUMNS,
    "Problems": PROBLEMS_COLUMNS,
    "Checks": CHECKS_COLUMNS,
    "Claims log": CLAIMS_LOG_COLUMNS,
}
# Columns of the Claims tab that only the tool writes.
TOOL_CLAIMS_COLUMNS = ("Claim", "Status", "PR", "GitHub ID", "Updated")
# Columns that must be present in a tab's header row; the rest may be missing.
REQUIRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "Claims": ("Submitted", "GitHub", "NetID", "Kind", "Target"),
    "Roster": ("NetID", "GitHub"),
    "Ledger": ("When", "PR", "Decision"),
}
# A Google Form writes its own header for the submission time.
COLUMN_ALIASES: Mapping[str, str] = {"Timestamp": "Submitted"}

STATUSES = ("open", "in review", "accepted", "rejected", "expired", "withdrawn")
INACTIVE_STATUSES = frozenset({"withdrawn", "rejected"})
DECISIONS = ("accept", "reject", "credit")

_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_PROFILE = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/", re.IGNORECASE)
_CLAIM_ID = re.compile(r"^C-\d{1,6}$", re.IGNORECASE)
_FORM_TIME = re.compile(
    r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_TARGET_SPLIT = re.compile(r"[,;\n\r]+")
# Sheets counts days from 1899-12-30; cells read unformatted arrive as such serial numbers.
_SHEETS_EPOCH = datetime(1899, 12, 30)


class RegistryError(Exception):
    """The registry could not be read at all (unreachable, unreadable, or its header is wrong)."""


@dataclass(frozen=True)
class Problem:
    """One broken cell or row, located as the spreadsheet shows it."""

    tab: str
    row: int
    column: str
    problem: str
    fix: str
    login: str | None = None  # the row's own GitHub login, so its owner can be told


@dataclass(frozen=True)
class Table:
    """A tab as read: its header and its data rows, numbered as the sheet numbers them."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Claim:
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

    @property
    def owner(self) -> str:
        """Who the claim belongs to: the NetID, else (until a TA fixes the row) the login."""
        if self.netid:
            return self.netid.lower()
        return "@" + (self.github or "").lower()

    @property
    def label(self) -> str:
        return self.id or f"row {self.row}"

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES


@dataclass(frozen=True)
class RosterEntry:
    row: int
    netid: str
    name: str
    github: str | None
    github_id: int | None


@dataclass(frozen=True)
class LedgerEntry:
    row: int
    when: datetime
    actor: str
    pr_url: str
    decision: str
    credit: Decimal | None
    reason: str
    source: str


@dataclass(frozen=True)
class Registry:
    claims: tuple[Claim, ...] = ()
    roster: tuple[RosterEntry, ...] = ()
    ledger: tuple[LedgerEntry, ...] = ()
    problems: tuple[Problem, ...] = ()
    extra: Mapping[str, Table] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class CellWrite:
    """Values for a run of cells in one row of a tab, starting at a column (0-based)."""

    tab: str
    row: int
    column: int
    values: tuple[str, ...]


class RegistryBackend(Protocol):
    """Where the registry lives: a folder of CSV files, or Google Sheets."""

    def read(self, tabs: Sequence[str]) -> Mapping[str, Table]:
        """Read the named tabs; a tab that does not exist reads as absent from the result."""
        ...

    def write_cells(self, writes: Sequence[CellWrite]) -> None:
        """Write cells in place, as text (never as formulas), in one request per spreadsheet."""
        ...

    def append_rows(self, tab: str, rows: Sequence[Sequence[str]],
                    landed: Callable[[], bool] | None = None) -> None:
        """Append rows after the tab's last row; ``landed`` says whether a retried append is there."""
        ...

    def replace_tab(self, tab: str, rows: Sequence[Sequence[str]], shown: Table | None = None) -> None:
        """Replace a tool-owned tab's whole content (header included); ``shown`` is the tab as
        just read, if it was (a backend may then write over it with fewer requests)."""
        ...


def normalize_login(cell: str) -> str | None:
    """``alice``, ``@alice`` and ``https://github.com/alice`` all name ``alice``; None if not a login."""
    text = cell.strip()
    text = _PROFILE.sub("", text).strip("/").lstrip("@").strip()
    if "/" in text or "?" in text:
        text = text.split("/")[0].split("?")[0]
    return text if _LOGIN.match(text) else None


def parse_time(cell: str, zone: ZoneInfo) -> datetime | None:
    """Read a typed or Form timestamp (or a Sheets serial number); naive times are in ``zone``."""
    text = cell.strip()
    if not text:
        return None
    moment: datetime | None = None
    form = _FORM_TIME.match(text)
    if form:
        try:
            moment = datetime(int(form["y"]), int(form["m"]), int(form["d"]),
                              int(form["H"] or 0), int(form["M"] or 0), int(form["S"] or 0))
        except ValueError:
            return None
    elif re.fullmatch(r"\d{4,6}(?:\.\d+)?", text):
        moment = _SHEETS_EPOCH + timedelta(days=float(text))
    else:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def split_targets(cell: str) -> tuple[str, ...]:
    entries = []
    for part in _TARGET_SPLIT.split(cell):
        entry = part.strip().strip("`'\"").strip()
        while entry.startswith("./"):
            entry = entry[2:]
        entry = entry.lstrip("/")
        if entry:
            entries.append(entry)
    return tuple(entries)


def _github_id(cell: str) -> int | None:
    text = cell.strip()
    return int(text) if text.isdigit() else None


class _Row:
    """Cells of one row looked up by column name, with the row's problems collected."""

    def __init__(self, table: Table, row: int, cells: tuple[str, ...],
                 index: Mapping[str, int]) -> None:
        self.table, self.row, self.cells, self.index = table, row, cells, index
        self.problems: list[Problem] = []

    def get(self, column: str) -> str:
        position = self.index.get(column)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def report(self, column: str, problem: str, fix: str, login: str | None = None) -> None:
        self.problems.append(Problem(self.table.name, self.row, column, problem, fix, login))


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
            problems.append(Problem(table.name, 1, match, messages.HEADER_DUPLICATE,
                                    messages.HEADER_DUPLICATE_FIX))
            continue
        index[match] = position
    missing = [column for column in REQUIRED_COLUMNS.get(table.name, ()) if column not in index]
    if missing:
        raise RegistryError(messages.header_missing(table.name, missing, table.header))
    return index, problems


def _rows(table: Table) -> tuple[list[_Row], list[Problem]]:
    index, problems = column_index(table)
    rows = [_Row(table, number, cells, index) for number, cells in table.rows
            if any(cell.strip() for cell in cells)]
    return rows, problems


def parse_claims(table: Table, zone: ZoneInfo) -> tuple[list[Claim], list[Problem]]:
    rows, problems = _rows(table)
    claims: list[Claim] = []
    seen_ids: dict[str, int] = {}
    for row in rows:
        login = normalize_login(row.get("GitHub"))
        claim_id = row.get("Claim").upper() or None
        if claim_id and not _CLAIM_ID.match(claim_id):
            row.report("Claim", messages.cell_bad_claim_id(claim_id), messages.FIX_CLAIM_ID, login)
            claim_id = None
        if claim_id and claim_id in seen_ids:
            row.report("Claim", messages.cell_repeated_claim_id(claim_id, seen_ids[claim_id]),
                       messages.FIX_CLAIM_ID, login)
            claim_id = None
        if claim_id:
            seen_ids[claim_id] = row.row
        submitted = parse_time(row.get("Submitted"), zone)
        if submitted is None:
            row.report("Submitted", messages.cell_bad_time(row.get("Submitted")),
                       messages.FIX_TIME, login)
        if login is None:
            row.report("GitHub", messages.cell_bad_login(row.get("GitHub")), messages.FIX_LOGIN)
        netid = row.get("NetID") or None
        if netid is None:
            row.report("NetID", messages.CELL_EMPTY, messages.FIX_NETID, login)
        kind = row.get("Kind").lower()
        if kind not in KINDS:
            row.report("Kind", messages.cell_bad_kind(row.get("Kind")), messages.fix_kind(kind, KINDS),
                       login)
        targets = split_targets(row.get("Target"))
        if not targets:
            row.report("Target", messages.CELL_EMPTY, messages.FIX_TARGET, login)
        # Empty means open; it is kept empty so that the sync writes the word in.
        status = " ".join(row.get("Status").lower().split())
        if status and status not in STATUSES:
            row.report("Status", messages.cell_bad_status(row.get("Status")),
                       messages.FIX_STATUS, login)
            status = ""
        for column in ("Plan", "Target", "Name"):
            if row.get(column).startswith("="):
                row.report(column, messages.CELL_FORMULA, messages.FIX_FORMULA, login)
        problems.extend(row.problems)
        if submitted is None or login is None or kind not in KINDS or not targets:
            continue
        claims.append(Claim(
            id=claim_id,
            row=row.row,
            submitted=submitted,
            github=login,
            github_id=_github_id(row.get("GitHub ID")),
            netid=netid,
            name=row.get("Name"),
            kind=kind,
            targets=targets,
            plan=row.get("Plan"),
            status=status,
            pr_urls=tuple(url for url in re.split(r"[\s,;]+", row.get("PR")) if url),
            updated=parse_time(row.get("Updated"), zone),
        ))
    return claims, problems


def parse_roster(table: Table) -> tuple[list[RosterEntry], list[Problem]]:
    rows, problems = _rows(table)
    roster = []
    for row in rows:
        netid = row.get("NetID")
        login = normalize_login(row.get("GitHub")) if row.get("GitHub") else None
        if row.get("GitHub") and login is None:
            row.report("GitHub", messages.cell_bad_login(row.get("GitHub")), messages.FIX_LOGIN)
        if not netid:
            row.report("NetID", messages.CELL_EMPTY, messages.FIX_NETID)
            problems.extend(row.problems)
            continue
        problems.extend(row.problems)
        roster.append(RosterEntry(row.row, netid, row.get("Name"), login,
                                  _github_id(row.get("GitHub ID"))))
    return roster, problems


def parse_ledger(table: Table, zone: ZoneInfo) -> tuple[list[LedgerEntry], list[Problem]]:
    rows, problems = _rows(table)
    ledger = []
    for row in rows:
        when = parse_time(row.get("When"), zone)
        if when is None:
            row.report("When", messages.cell_bad_time(row.get("When")), messages.FIX_TIME)
        decision = row.get("Decision").lower()
        if decision not in DECISIONS:
            row.report("Decision", messages.cell_bad_decision(row.get("Decision")),
                       messages.FIX_DECISION)
        credit: Decimal | None = None
        if decision == "credit":
            try:
                credit = Decimal(row.get("Credit"))
                if not credit.is_finite() or credit < 0:
                    raise InvalidOperation
            except InvalidOperation:
                row.report("Credit", messages.cell_bad_credit(row.get("Credit")),
                           messages.FIX_CREDIT)
                credit = None
        pr_url = row.get("PR")
        if not pr_url:
            row.report("PR", messages.CELL_EMPTY, messages.FIX_PR_URL)
        problems.extend(row.problems)
        if row.problems:
            continue
        assert when is not None
        ledger.append(LedgerEntry(row.row, when, row.get("Actor"), pr_url.rstrip("/"), decision,
                                  credit, row.get("Reason"), row.get("Source")))
    return ledger, problems


def build_registry(tables: Mapping[str, Table], zone: ZoneInfo) -> Registry:
    """Turn the tabs as read into the registry the rules use, keeping every problem found."""
    problems: list[Problem] = []
    claims: list[Claim] = []
    roster: list[RosterEntry] = []
    ledger: list[LedgerEntry] = []
    if "Claims" not in tables:
        raise RegistryError(messages.TAB_MISSING_CLAIMS)
    claims, found = parse_claims(tables["Claims"], zone)
    problems.extend(found)
    if "Roster" in tables:
        roster, found = parse_roster(tables["Roster"])
        problems.extend(found)
    if "Ledger" in tables:
        ledger, found = parse_ledger(tables["Ledger"], zone)
        problems.extend(found)
    extra = {name: table for name, table in tables.items() if name not in TAB_COLUMNS}
    return Registry(tuple(claims), tuple(roster), tuple(ledger), tuple(problems), extra)
