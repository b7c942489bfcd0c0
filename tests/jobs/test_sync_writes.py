"""The sync's writes happen once: a Claims-log append that timed out is looked for before it is
tried again (the real gspread client, the fake Sheets API behind Prism), and a run that could not
finish (no GITHUB_TOKEN for --recheck, a PR cache that cannot be written) writes nothing."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from extracredit.cli import main
from extracredit.core.config import parse_config
from extracredit.jobs.sync import SYNC_TABS, sync
from extracredit.registry.schema import CLAIMS_COLUMNS, CLAIMS_LOG_COLUMNS
from extracredit.registry.sheets import SheetsRegistry
from extracredit.retry import RetryPolicy

from fakes.sheets import SheetsFake

NY = ZoneInfo("America/New_York")
ROOT = Path(__file__).parent.parent.parent
SNAPSHOT = ROOT / "registry" / "demo" / "semester.json"
CLAIMS_KEY = "1ClaimsSheetKey000000000000000000000000000"
STAFF_KEY = "1StaffSheetKey0000000000000000000000000000"
APPEND = "POST /v4/spreadsheets/{spreadsheetId}/values/{range}:append"
CONFIG = f"""
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [Atcold/NYU-DLFL23]
registry: {{backend: sheets, claims: {CLAIMS_KEY}, staff: {STAFF_KEY}}}
"""


def claim(login: str, day: int) -> list[str]:
    return ["", f"2023-09-{day:02d} 09:00", login, f"{login}1", login.title(), "typo",
            f"docs/{login}.md", "fix", "", "", "", ""]


def test_a_claims_log_append_that_timed_out_is_not_repeated(sheets_fake: SheetsFake,
                                                            sheets_api: Any) -> None:
    """Three new claims, a Claims log that already has a row, and an append whose answer comes
    after the client gave up: the rows landed, so the retry finds them and appends nothing."""
    sheets_fake.add_spreadsheet(CLAIMS_KEY, {"Claims": [
        list(CLAIMS_COLUMNS), ["C-0001", "2023-09-06 09:00", "alice", "aa1", "Alice", "typo",
                               "docs/a.md", "fix", "open", "", "", ""],
        claim("bob", 7), claim("carol", 8), claim("dave", 9)]})
    sheets_fake.add_spreadsheet(STAFF_KEY, {
        "Roster": [["NetID", "GitHub"]], "Ledger": [["When", "PR", "Decision"]],
        "Problems": [["Tab"]], "Checks": [["Repo"]],
        "Claims log": [list(CLAIMS_LOG_COLUMNS), ["C-0001", "2023-09-06T09:00:00-04:00", "{}"]]})
    sheets_fake.fault(APPEND, "timeout", delay=1.0)
    registry = SheetsRegistry(sheets_api.client(timeout=0.5), CLAIMS_KEY, STAFF_KEY,
                              policy=RetryPolicy(sleep=lambda seconds: None), settle=0.0)
    # The client's retry waits out the write before looking: this test waits in the fake instead.
    tables = registry.read(SYNC_TABS)
    _, assigned, _, logged, _ = sync(registry, parse_config(CONFIG), tables, [],
                                     datetime(2023, 9, 20, tzinfo=NY))
    assert (assigned, logged) == (3, 3)
    log = sheets_fake.values(STAFF_KEY, "Claims log")
    assert [row[0] for row in log[1:]] == ["C-0001", "C-0002", "C-0003", "C-0004"]
    assert sheets_fake.counts[APPEND] == 1


def fingerprint(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir())}


@pytest.fixture
def files_course(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "registry" / "demo", tmp_path / "registry")
    (tmp_path / "registry" / "semester.json").unlink()
    config = (ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8")
    (tmp_path / "course.yml").write_text(
        config.replace("path: registry/demo", f"path: {tmp_path / 'registry'}"), encoding="utf-8")
    return tmp_path


def test_a_recheck_without_a_token_writes_nothing(files_course: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    before = fingerprint(files_course / "registry")
    code = main(["sync", "--recheck", "--snapshot", str(SNAPSHOT), "--config",
                 str(files_course / "course.yml")])
    assert code == 2
    assert fingerprint(files_course / "registry") == before
    assert capsys.readouterr().err == (
        "extracredit: GITHUB_TOKEN is not set; outside GitHub Actions set GITHUB_TOKEN to a token "
        "that can read the course's PRs (`gh auth token` prints yours), or read the PRs from "
        "--snapshot FILE (--recheck needs the token all the same: it publishes on GitHub)\n")


def test_a_pr_cache_that_cannot_be_written_stops_the_run_before_any_write(
        files_course: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "test")
    cache = files_course / "cache"
    cache.mkdir()  # a folder where the file should be
    before = fingerprint(files_course / "registry")
    assert main(["sync", "--prs-cache", str(cache), "--config", str(files_course / "course.yml")]) == 2
    assert fingerprint(files_course / "registry") == before
    assert capsys.readouterr().err == (
        f"extracredit: cannot write the PR cache {cache} (it is a folder); nothing was written to "
        "the registry: pass another --prs-cache FILE\n")
