"""Where the tool's columns of each claim are written: its row found again in the Claims tab as it is now."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extracredit.core.lifecycle import ClaimRecord
from extracredit.core.model import Table
from extracredit.registry.parse import column_index
from extracredit.registry.schema import TOOL_CLAIMS_COLUMNS, CellWrite


@dataclass(frozen=True)
class RowPlan:
    """The writes that bring the Claims tab's tool columns up to date, and what was skipped."""

    writes: tuple[CellWrite, ...]
    updated: int
    skipped: tuple[str, ...]  # claim labels whose row moved away or vanished


_IDENTITY = ("Submitted", "GitHub", "NetID", "Kind", "Target")


def _identity(index: dict[str, int], cells: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(cells[index[c]].strip() if c in index and index[c] < len(cells) else ""
                 for c in _IDENTITY)


def plan_row_writes(records: Sequence[ClaimRecord], read: Table, current: Table,
                    stamp: str) -> RowPlan:
    """Locate each changed claim in the Claims tab as it is *now* (people sort and insert rows
    while the tool works): by its id, or, for a row that had none, by its own cells."""
    read_index, _ = column_index(read)
    index, _ = column_index(current)
    by_id: dict[str, list[int]] = defaultdict(list)
    by_identity: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for number, cells in current.rows:
        at = index.get("Claim")
        claim_cell = cells[at].strip().upper() if at is not None and at < len(cells) else ""
        if claim_cell:
            by_id[claim_cell].append(number)
        else:
            by_identity[_identity(index, cells)].append(number)
    read_rows = dict(read.rows)
    writes: list[CellWrite] = []
    skipped: list[str] = []
    updated = 0
    for record in records:
        if not record.changed:
            continue
        claim = record.claim
        if claim.id:
            rows = by_id.get(claim.id, [])
        else:
            rows = by_identity.get(_identity(read_index, read_rows.get(claim.row, ())), [])
        if len(rows) != 1:
            skipped.append(claim.label)
            continue
        row = rows[0]
        values = {"Claim": record.id, "Status": record.status, "PR": " ".join(record.pr_urls),
                  "GitHub ID": "" if record.github_id is None else str(record.github_id),
                  "Updated": stamp}
        for column in TOOL_CLAIMS_COLUMNS:
            if column in index:
                writes.append(CellWrite("Claims", row, index[column], (values[column],)))
        updated += 1
    return RowPlan(tuple(writes), updated, tuple(skipped))


def _cell(cells: tuple[str, ...], at: int | None) -> str:
    return cells[at].strip() if at is not None and at < len(cells) else ""


def roster_id_writes(read: Table, current: Table, ids: Mapping[int, int]) -> list[CellWrite]:
    """The GitHub ID cells to fill in on the Roster, each on the row that still holds the same
    NetID and login as when it was read (a TA may have sorted the tab meanwhile)."""
    read_index, _ = column_index(read)
    index, _ = column_index(current)
    at = index.get("GitHub ID")
    if at is None:
        return []
    read_rows, current_rows = dict(read.rows), dict(current.rows)
    writes = []
    for row, account_id in sorted(ids.items()):
        before, now = read_rows.get(row, ()), current_rows.get(row, ())
        same = all(_cell(before, read_index.get(c)).lower() == _cell(now, index.get(c)).lower()
                   for c in ("NetID", "GitHub"))
        if same and not _cell(now, at):
            writes.append(CellWrite("Roster", row, at, (str(account_id),)))
    return writes


def log_cell_writes(log: Table, values: Mapping[tuple[int, str], str]) -> list[CellWrite]:
    """Cells of the Claims log by (row, column name); a column that a log from an older version
    lacks gets its header after the last column."""
    header = [cell.strip().lower() for cell in log.header]
    positions = {name.lower(): at for at, name in enumerate(header)}
    writes = []
    for name in dict.fromkeys(name for _, name in sorted(values)):
        if name.lower() not in positions:
            positions[name.lower()] = len(positions)
            writes.append(CellWrite("Claims log", 1, positions[name.lower()], (name,)))
    writes += [CellWrite("Claims log", row, positions[name.lower()], (value,))
               for (row, name), value in sorted(values.items())]
    return writes


def accepted_edit_writes(log: Table, accepted: Mapping[int, str]) -> list[CellWrite]:
    """For each Claims log row where a TA accepted a claim's edits (log row -> the claim's row as
    it is now, as JSON): the new record, and the Accepted edit cell emptied."""
    header = [cell.strip().lower() for cell in log.header]
    if "row" not in header or "accepted edit" not in header:
        return []
    at_row, at_accepted = header.index("row"), header.index("accepted edit")
    writes = []
    for log_row, recorded in sorted(accepted.items()):
        writes.append(CellWrite("Claims log", log_row, at_row, (recorded,)))
        writes.append(CellWrite("Claims log", log_row, at_accepted, ("",)))
    return writes
