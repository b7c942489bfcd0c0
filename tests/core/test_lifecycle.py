"""Claim lifecycle and the sync's row writes: statuses from PRs and the Ledger, rows found again."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from extracredit.cli import main
from extracredit.core.config import parse_config
from extracredit.core.lifecycle import ClaimRecord, lifecycle, new_ids
from extracredit.core.model import Account, ChangedFile, PullRequest
from extracredit.registry.files import FilesRegistry, parse_csv
from extracredit.registry.parse import build_registry
from extracredit.registry.rows import plan_row_writes
from extracredit.registry.schema import CellWrite

NY = ZoneInfo("America/New_York")
ROOT = Path(__file__).parent.parent.parent
DEMO = ROOT / "registry" / "demo"
SNAPSHOT = DEMO / "semester.json"
CONFIG_TEXT = (ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8")
HEADER = "Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
ROWS = (
    "C-0001,2023-09-10 09:00,alice,aa1,Alice,typo,a.md,p,,,,\n"
    "C-0002,2023-09-10 10:00,bob,bb2,Bob,typo,b.md,p,in review,,,\n"
    ",2023-09-11 09:00,carol,cc3,Carol,bug,c.md,p,,,,\n"
    "C-0004,2023-09-12 09:00,dan,dd4,Dan,typo,d.md,p,withdrawn,,,\n"
    "C-0005,2023-09-12 09:00,erin,ee5,Erin,typo,e.md,p,,,,\n"
)


def pull(number: int, login: str, user_id: int, files: tuple[str, ...], *, state: str = "open",
         merged: bool = False, labels: tuple[str, ...] = (), day: int = 15) -> PullRequest:
    opened = datetime(2023, 9, day, 12, tzinfo=NY)
    return PullRequest("Atcold/NYU-DLFL23", number, "[DLFL23] x", "", state, False, opened,
                       opened if state == "closed" else None, opened if merged else None,
                       f"https://github.com/Atcold/NYU-DLFL23/pull/{number}", "NONE",
                       Account(login, user_id), labels, "f" * 40,
                       tuple(ChangedFile(name) for name in files))


def records(ledger: str = "") -> dict[str, ClaimRecord]:
    config = parse_config(CONFIG_TEXT)
    tables = {"Claims": parse_csv("Claims", HEADER + ROWS)}
    if ledger:
        tables["Ledger"] = parse_csv("Ledger", "When,Actor,PR,Decision,Credit,Reason,Source\n"
                                     + ledger)
    registry = build_registry(tables, NY)
    pulls = [pull(1, "alice", 11, ("a.md",), state="closed", merged=True),
             pull(2, "bob", 22, ("b.md",), state="closed"),
             pull(3, "carol", 33, ("c.md",)),
             pull(4, "dan", 44, ("d.md",))]
    found = lifecycle(registry, pulls, config, datetime(2023, 10, 30, tzinfo=NY))
    return {record.claim.github or "": record for record in found}


def test_statuses_follow_the_prs() -> None:
    found = records()
    assert (found["alice"].status, found["alice"].pr_urls, found["alice"].github_id) == (
        "accepted", ("https://github.com/Atcold/NYU-DLFL23/pull/1",), 11)
    assert found["bob"].status == "open"  # closed unmerged, undecided: the claim is free again
    assert (found["carol"].id, found["carol"].status) == ("C-0006", "in review")
    assert found["dan"].status == "withdrawn"
    assert (found["erin"].status, found["erin"].pr_urls) == ("expired", ())


def test_ledger_reject_rejects_and_a_rerun_does_not_flip() -> None:
    found = records("2023-09-20 10:00,ta,https://github.com/Atcold/NYU-DLFL23/pull/2,reject,,,manual\n")
    assert found["bob"].status == "rejected"


def test_new_ids_follow_the_highest_in_use_in_row_order() -> None:
    registry = build_registry({"Claims": parse_csv("Claims", HEADER + ROWS
                                                   + ",2023-09-13,fay,ff6,F,typo,f.md,p,,,,\n"
                                                   + "C-0040,2023-09-13,gil,gg7,G,typo,g.md,p,,,,\n")}, NY)
    assert sorted(new_ids(registry.claims).values()) == ["C-0041", "C-0042"]


def test_rows_are_found_again_after_people_sorted_and_inserted_rows() -> None:
    read = parse_csv("Claims", HEADER + ROWS)
    registry = build_registry({"Claims": read}, NY)
    config = parse_config(CONFIG_TEXT)
    found = lifecycle(registry, [pull(3, "carol", 33, ("c.md",))], config,
                      datetime(2023, 9, 30, tzinfo=NY))
    lines = ROWS.splitlines(keepends=True)
    moved = HEADER + "C-0099,2023-09-12,zed,zz9,Z,typo,z.md,p,,,,\n" + "".join(reversed(lines))
    moved = moved.replace("C-0005,", "")  # someone cleared Erin's id meanwhile: not hers any more
    plan = plan_row_writes(found, read, parse_csv("Claims", moved), "STAMP")
    rows_written = {write.row for write in plan.writes}
    assert rows_written == {5, 6, 7}  # carol (a new id), bob and alice, where they are now
    assert CellWrite("Claims", 5, 0, ("C-0006",)) in plan.writes
    assert CellWrite("Claims", 5, 8, ("in review",)) in plan.writes
    assert CellWrite("Claims", 6, 8, ("expired",)) in plan.writes
    assert plan.skipped == ("C-0005",)


def test_sync_on_the_demo_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "registry"
    shutil.copytree(DEMO, folder)
    argv = ["sync", "--registry", str(folder), "--snapshot", str(SNAPSHOT),
            "--config", str(ROOT / ".github" / "extra-credit.yml")]
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "sync: 80 PRs read; 57 claim rows updated (2 new ids); 58 first sightings logged; "
        "9 registry problems\n")
    first = {name: (folder / name).read_bytes() for name in ("claims.csv", "claims-log.csv")}
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "sync: 80 PRs read; 0 claim rows updated (0 new ids); 0 first sightings logged; "
        "9 registry problems\n")
    assert {name: (folder / name).read_bytes() for name in first} == first
    claims = FilesRegistry(folder).read(["Claims"])["Claims"]
    assert claims.header[0] == "Claim"
    assert all(cells[0].startswith("C-") for _, cells in claims.rows if any(cells))
    untouched = FilesRegistry(DEMO).read(["Claims"])["Claims"]
    # Only the tool's columns changed: the students' cells are exactly as they were.
    for (number, before), (again, after) in zip(untouched.rows, claims.rows, strict=True):
        assert number == again
        assert before[1:8] == after[1:8]
