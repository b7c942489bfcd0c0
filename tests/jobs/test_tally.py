"""Grading live: snapshot and tally against the fake GitHub and the fake Sheets behind Prism,
with the request counts the tally issue bounds."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from extracredit.cli import main
from extracredit.registry.schema import CLAIMS_COLUMNS, CLAIMS_LOG_COLUMNS, LEDGER_COLUMNS
from extracredit.text.progress import duration

from fakes.github import GitHubFake
from fakes.sheets import SheetsFake

REPO = "Atcold/NYU-DLFL23"
KEY = "1RegistrySheetKey00000000000000000000000000"
LIST = "GET /repos/{owner}/{repo}/pulls"
FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"
BATCH_GET = "GET /v4/spreadsheets/{spreadsheetId}/values:batchGet"
CONFIG = f"""
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [{REPO}]
registry: {{backend: sheets, claims: {KEY}}}
"""


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_fake: GitHubFake,
           github_api: Any, sheets_fake: SheetsFake, sheets_api: Any,
           service_account_info: dict[str, str]) -> Path:
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    for name, value in {"GITHUB_TOKEN": "test", "EXTRACREDIT_GITHUB_THROTTLE": "0",
                        "EXTRACREDIT_GOOGLE_CREDENTIALS": json.dumps(service_account_info)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    github_fake.add_repo(REPO)
    for number in range(1, 131):  # 130 tagged PRs by one student, and one more page of others
        github_fake.add_pull(REPO, number, title=f"[DLFL23] Fix typo {number}", user_login="alice",
                             user_id=11, files=[(f"docs/f{number}.md", "modified", 1, 1)],
                             merged_at="2023-10-02T10:00:00Z", created_at="2023-10-01T10:00:00Z")
    for number in range(131, 231):
        github_fake.add_pull(REPO, number, title="Docs", user_login="visitor",
                             created_at="2023-10-03T10:00:00Z")
    github_fake.add_pull(REPO, 231, title="[DLFL23] Old", user_login="alice", user_id=11,
                         created_at="2023-08-01T10:00:00Z")
    sheets_fake.add_spreadsheet(KEY, {
        "Claims": [list(CLAIMS_COLUMNS),
                   ["C-0001", "2023-09-06 09:00", "alice", "aa1", "Alice", "typo", "docs/", "p"]],
        "Roster": [["NetID", "Name", "GitHub", "GitHub ID"], ["aa1", "Alice", "alice", "11"]],
        "Ledger": [list(LEDGER_COLUMNS)],
        "Claims log": [list(CLAIMS_LOG_COLUMNS)],
        "Tally": [["NetID", "Name"], ["zz1", "Old row"], ["zz2", "Old row"], ["zz3"]]})
    return tmp_path


def test_snapshot_then_an_incremental_one_then_the_tally(
        course: Path, github_fake: GitHubFake, sheets_fake: SheetsFake,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = ["--config", str(course / "course.yml")]
    assert main(["snapshot", "--out", str(course / "first.json"), *config]) == 0
    assert github_fake.counts[LIST] == 3  # 231 PRs, 100 a page, newest first
    assert github_fake.counts[FILES] == 130  # only tagged PRs in the window need their files
    frozen = json.loads((course / "first.json").read_text("utf-8"))
    assert len(frozen["repos"][REPO]["pulls"]) == 230  # stops before the window opens
    github_fake.counts.clear()
    github_fake.edit_pull(REPO, 7, head_sha="7" * 40)  # one PR got a new push
    assert main(["snapshot", "--since", str(course / "first.json"),
                 "--out", str(course / "second.json"), *config]) == 0
    assert github_fake.counts[FILES] == 1
    github_fake.counts.clear()
    sheets_fake.counts.clear()
    assert main(["tally", "--snapshot", str(course / "second.json"),
                 "--out", str(course / "out"), *config]) == 0
    assert github_fake.total() == 0
    # One read (the Tally tab with the rest, so that its extent is known) and one write over it.
    assert dict(sheets_fake.counts) == {BATCH_GET: 1, "POST /token": 1,
                                        "POST /v4/spreadsheets/{spreadsheetId}/values:batchUpdate": 1}
    tally = sheets_fake.values(KEY, "Tally")
    assert all(not any(row) for row in tally[2:])  # what the last tally held is gone
    assert tally[0] == ["NetID", "Name", "GitHub", "Accepted PRs", "Raw credit", "Credit",
                        "Capped", "Notes", "Updated"]
    assert tally[1][:3] == ["aa1", "Alice", "alice"]
    assert (tally[1][4], tally[1][5], tally[1][6]) == ("0.50", "0.50", "no")
    assert capsys.readouterr().out.splitlines()[-1] == (
        "tally: 1 of 1 students have credit; 0 at the cap; 0 tagged PRs by non-students "
        "(unmatched.csv)")


def test_a_used_up_rate_limit_is_waited_out_with_a_message(
        course: Path, github_fake: GitHubFake, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    waits: list[float] = []
    monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
        sleep=waits.append, monotonic=time.monotonic))
    github_fake.fault(LIST, "429")  # X-RateLimit-Remaining: 0, reset a minute from now
    assert main(["snapshot", "--out", str(course / "s.json"), "--config",
                 str(course / "course.yml")]) == 0
    assert len(waits) == 1
    assert 55 <= waits[0] <= 62
    err = capsys.readouterr().err
    assert "GitHub: rate limit used up; waiting until " in err
    # In minutes and seconds, as long as the wait it announces (under a minute read "0 min").
    assert f"UTC ({duration(waits[0])}) before going on" in err
