"""The registry's tabs and columns as the contract names them, and what a backend must do."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from extracredit.core.model import Table

CLAIMS_COLUMNS = ("Claim", "Submitted", "GitHub", "NetID", "Name", "Kind", "Target", "Plan",
                  "Status", "PR", "GitHub ID", "Updated")
ROSTER_COLUMNS = ("NetID", "Name", "GitHub", "GitHub ID")
LEDGER_COLUMNS = ("When", "Actor", "PR", "Decision", "Credit", "Reason", "Source")
TALLY_COLUMNS = ("NetID", "Name", "GitHub", "Accepted PRs", "Raw credit", "Credit", "Capped",
                 "Notes", "Updated")
PROBLEMS_COLUMNS = ("Tab", "Row", "Column", "Problem", "Fix", "Found")
CHECKS_COLUMNS = ("Repo", "PR", "Head SHA", "Fingerprint", "Comment ID", "Updated")
CLAIMS_LOG_COLUMNS = ("Claim", "First seen", "Row", "Accepted edit", "Withdrawn", "Activity")
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
