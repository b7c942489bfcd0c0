"""The files backend serialises its writers: two processes appending to the Ledger at once (a
/credit and a TA's script, or two /credit runs) keep every row, each written once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from extracredit.registry.files import FilesRegistry
from extracredit.registry.schema import LEDGER_COLUMNS

ROWS_EACH = 100
WRITER = """
import sys
from pathlib import Path
from extracredit.registry.files import FilesRegistry

registry, name, count = FilesRegistry(Path(sys.argv[1])), sys.argv[2], int(sys.argv[3])
for number in range(count):
    registry.append_rows("Ledger", [["2023-10-01T10:00:00-04:00", name, f"https://github.com/o/r/pull/{number}",
                                     "accept", "", "", f"{name}:{number}"]])
"""


def test_two_processes_appending_at_once_lose_no_row(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "ledger.csv").write_text(",".join(LEDGER_COLUMNS) + "\n", encoding="utf-8")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), name, str(ROWS_EACH)])
               for name in ("first", "second")]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    ledger = FilesRegistry(folder).read(("Ledger",))["Ledger"]
    sources = [cells[-1] for _, cells in ledger.rows]
    assert len(sources) == 2 * ROWS_EACH
    assert sorted(sources) == sorted(f"{name}:{number}" for name in ("first", "second")
                                     for number in range(ROWS_EACH))
    assert sorted(path.name for path in folder.iterdir()) == ["ledger.csv"]  # no lock file left
