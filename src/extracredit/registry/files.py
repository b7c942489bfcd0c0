"""The ``files`` registry backend: the registry's tabs as CSV files in one folder."""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from extracredit.core.model import Table
from extracredit.errors import RegistryError
from extracredit.registry.schema import TAB_COLUMNS, CellWrite
from extracredit.text import messages

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


def table_rows(table: Table) -> list[list[str]]:
    """A table back as rows, blank rows kept where the sheet has them."""
    rows = [list(table.header)]
    for number, cells in table.rows:
        while len(rows) < number - 1:
            rows.append([])
        rows.append(list(cells))
    return rows


def render_csv(rows: Sequence[Sequence[str]]) -> str:
    """CSV text as a spreadsheet exports it; the same rows always give the same bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write_whole(path: Path, text: str) -> None:
    """Write a whole file at once (a temporary file renamed over it), never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}.", newline="") as handle:
        handle.write(text)
    os.replace(handle.name, path)


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

    def _rows(self, tab: str) -> list[list[str]]:
        path = self.folder / TAB_FILES[tab]
        if not path.exists():
            return [list(TAB_COLUMNS[tab])]
        return table_rows(parse_csv(tab, path.read_text(encoding="utf-8")))

    def _save(self, tab: str, rows: Sequence[Sequence[str]]) -> None:
        write_whole(self.folder / TAB_FILES[tab], render_csv(rows))

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the folder's lock: two writers (a /credit and the sync) each read a tab, change
        it and write it whole, and without the lock the later write loses the earlier one's rows.
        The lock is the folder itself, so no file is left behind; it ends with the process."""
        self.folder.mkdir(parents=True, exist_ok=True)  # as writing a tab always did
        descriptor = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def write_cells(self, writes: Sequence[CellWrite]) -> None:
        with self._exclusive():
            self._write_cells(writes)

    def _write_cells(self, writes: Sequence[CellWrite]) -> None:
        by_tab: dict[str, list[CellWrite]] = {}
        for write in writes:
            by_tab.setdefault(write.tab, []).append(write)
        for tab, tab_writes in by_tab.items():
            rows = self._rows(tab)
            for write in tab_writes:
                while len(rows) < write.row:
                    rows.append([])
                row = rows[write.row - 1]
                end = write.column + len(write.values)
                row.extend([""] * (end - len(row)))
                row[write.column:end] = write.values
            self._save(tab, rows)

    def append_rows(self, tab: str, rows: Sequence[Sequence[str]],
                    landed: Callable[[], bool] | None = None) -> None:
        # A local write either happens or raises: ``landed`` (for appends that time out) is not needed.
        with self._exclusive():
            existing = self._rows(tab)
            while existing and not any(cell.strip() for cell in existing[-1]) and len(existing) > 1:
                existing.pop()
            self._save(tab, existing + [list(row) for row in rows])

    def replace_tab(self, tab: str, rows: Sequence[Sequence[str]], shown: Table | None = None) -> None:
        with self._exclusive():
            self._save(tab, rows)
