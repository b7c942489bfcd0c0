"""The ``files`` registry backend: the registry's tabs as CSV files in one folder."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from extracredit import messages
from extracredit.registry import RegistryError, Table

TAB_FILES: Mapping[str, str] = {
    "Claims": "claims.csv",
    "Roster": "roster.csv",
    "Ledger": "ledger.csv",
    "Tally": "tally.csv",
    "Problems": "problems.csv",
    "Checks": "checks.csv",
    "Claims log": "claims-log.csv",
}


def parse_csv(name: str, text: str) -> Table:
    """Read CSV text into a table whose row numbers are the file's own (header = row 1)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows: list[tuple[int, tuple[str, ...]]] = []
    header: tuple[str, ...] | None = None
    # Each record is one spreadsheet row (a blank line reads as an empty record), so the row
    # number is the record's position, even when a quoted cell spans several lines.
    for number, cells in enumerate(reader, start=1):
        if header is None:
            header = tuple(cells)
            continue
        rows.append((number, tuple(cells)))
    return Table(name, header or (), tuple(rows))


class FilesRegistry:
    """A folder of CSV files named after the tabs (``claims.csv``, ``roster.csv``, ...)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, tabs: Sequence[str]) -> dict[str, Table]:
        if not self.folder.is_dir():
            raise RegistryError(messages.registry_folder_missing(str(self.folder)))
        tables = {}
        for tab in tabs:
            path = self.folder / TAB_FILES[tab]
            if not path.exists():
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise RegistryError(messages.registry_file_unreadable(path.name, error)) from None
            try:
                tables[tab] = parse_csv(tab, text)
            except csv.Error as error:
                raise RegistryError(messages.registry_file_unreadable(path.name, error)) from None
        return tables
