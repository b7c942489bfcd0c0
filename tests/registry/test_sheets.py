"""The Google Sheets registry through the real gspread client, the fake Sheets API and Prism:
one behaviour suite shared with the files backend, the production auth path, faults, a sync
racing a /credit append and a person editing rows, and the TA tools."""

from __future__ import annotations

import csv
import json
import random
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.cli import main
from extracredit.core.config import parse_config
from extracredit.core.slash import Credit
from extracredit.errors import RegistryError
from extracredit.jobs.command import record_credit
from extracredit.jobs.sync import SYNC_TABS, sync
from extracredit.registry.files import FilesRegistry
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import CLAIMS_COLUMNS, LEDGER_COLUMNS, CellWrite, RegistryBackend
from extracredit.registry.sheets import SheetsRegistry, spreadsheet_key
from extracredit.retry import RetryPolicy

from fakes.sheets import SheetsFake

NY = ZoneInfo("America/New_York")
CLAIMS_KEY = "1ClaimsSheetKey000000000000000000000000000"
STAFF_KEY = "1StaffSheetKey0000000000000000000000000000"
BATCH_GET = "GET /v4/spreadsheets/{spreadsheetId}/values:batchGet"
BATCH_UPDATE_VALUES = "POST /v4/spreadsheets/{spreadsheetId}/values:batchUpdate"
APPEND = "POST /v4/spreadsheets/{spreadsheetId}/values/{range}:append"
STRUCTURE = "POST /v4/spreadsheets/{spreadsheetId}:batchUpdate"
METADATA = "GET /v4/spreadsheets/{spreadsheetId}"
TOKEN = "POST /token"
CLAIM_ROWS = [
    list(CLAIMS_COLUMNS),
    ["C-0001", "2023-09-10 09:00", "@alice", "00123", "Alice", "typo", "docs/a.md", "fix", "",
     "", "", ""],
    ["", "9/11/2023 10:00:00", "bob", "bb2", "Bob", "typo", "a.md", "=HYPERLINK(\"x\")", "", "",
     "", ""],
    [],
    ["C-0007", "2023-09-12", "https://github.com/carol", "cc3", "Carol", "bug", "c.md", "p",
     "withdrawn", "", "", ""],
]
ROSTER_ROWS = [["NetID", "Name", "GitHub", "GitHub ID"], ["00123", "Alice", "alice", "11"],
               ["bb2", "Bob", "bob", "12"], ["cc3", "Carol", "carol", "13"]]
LEDGER_ROWS = [list(LEDGER_COLUMNS)]
CONFIG = f"""
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [Atcold/NYU-DLFL23]
registry: {{backend: sheets, claims: "https://docs.google.com/spreadsheets/d/{CLAIMS_KEY}/edit",
           staff: {STAFF_KEY}}}
"""
NO_WAIT = RetryPolicy(sleep=lambda seconds: None)


def seed(fake: SheetsFake) -> None:
    fake.add_spreadsheet(CLAIMS_KEY, {"Claims": CLAIM_ROWS})
    fake.add_spreadsheet(STAFF_KEY, {"Roster": ROSTER_ROWS, "Ledger": LEDGER_ROWS,
                                     "Problems": [["Tab"]], "Tally": [["NetID"]],
                                     "Claims log": [["Claim"]]})


def write_files(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, rows in (("claims.csv", CLAIM_ROWS), ("roster.csv", ROSTER_ROWS),
                       ("ledger.csv", LEDGER_ROWS), ("problems.csv", [["Tab"]]),
                       ("tally.csv", [["NetID"]]), ("claims-log.csv", [["Claim"]])):
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.fixture(params=["files", "sheets"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RegistryBackend]:
    """The same registry in each backend: the behaviour suite below runs against both."""
    if request.param == "files":
        write_files(tmp_path / "registry")
        yield FilesRegistry(tmp_path / "registry")
        return
    fake: SheetsFake = request.getfixturevalue("sheets_fake")
    route = request.getfixturevalue("sheets_api")
    seed(fake)
    yield SheetsRegistry(route.client(), CLAIMS_KEY, STAFF_KEY, policy=NO_WAIT, settle=0.2)


# The behaviour both backends share ---------------------------------------------------------------

def test_both_backends_read_the_same_registry(backend: RegistryBackend) -> None:
    tables = backend.read(("Claims", "Roster", "Ledger"))
    assert tables["Claims"].header == CLAIMS_COLUMNS
    assert [number for number, _ in tables["Claims"].rows] == [2, 3, 4, 5]
    assert tables["Claims"].rows[0][1][3] == "00123"
    assert tables["Claims"].rows[1][1][7] == '=HYPERLINK("x")'
    registry = build_registry(tables, NY)
    assert [(c.id, c.row, c.github, c.netid) for c in registry.claims] == [
        ("C-0001", 2, "alice", "00123"), (None, 3, "bob", "bb2"), ("C-0007", 5, "carol", "cc3")]
    assert registry.roster[0].github_id == 11
    assert [(p.row, p.column) for p in registry.problems] == [(3, "Plan")]


def test_a_missing_tab_reads_as_absent(backend: RegistryBackend) -> None:
    assert set(backend.read(("Claims", "Checks", "Tally"))) == {"Claims", "Tally"}


def test_writes_land_as_text_in_both_backends(backend: RegistryBackend) -> None:
    backend.write_cells([CellWrite("Claims", 3, 0, ("C-0008",)),
                         CellWrite("Claims", 3, 8, ("in review", "=not a formula", "22"))])
    backend.append_rows("Ledger", [["2023-10-01T10:00:00-04:00", "ta", "u", "credit", "0.5",
                                    "+1 good", "command:9"]])
    backend.replace_tab("Tally", [["NetID", "Credit"], ["00123", "0.50"]])
    tables = backend.read(("Claims", "Ledger", "Tally"))
    row = dict(tables["Claims"].rows)[3]
    assert (row[0], row[8], row[9], row[10]) == ("C-0008", "in review", "=not a formula", "22")
    assert tables["Ledger"].rows == ((2, ("2023-10-01T10:00:00-04:00", "ta", "u", "credit", "0.5",
                                          "+1 good", "command:9")),)
    assert tables["Tally"].header == ("NetID", "Credit")
    assert tables["Tally"].rows == ((2, ("00123", "0.50")),)


def test_sync_is_idempotent_in_both_backends(backend: RegistryBackend) -> None:
    config = parse_config(CONFIG)
    now = datetime(2023, 9, 20, tzinfo=NY)
    first = sync(backend, config, backend.read(SYNC_TABS), [], now)
    assert first[:2] == (2, 1)
    again = sync(backend, config, backend.read(SYNC_TABS), [], now)
    assert again[:2] == (0, 0)
    claims = dict(backend.read(("Claims",))["Claims"].rows)
    assert (claims[2][0], claims[2][8]) == ("C-0001", "open")
    assert (claims[3][0], claims[3][8]) == ("C-0008", "open")
    assert claims[5][8] == "withdrawn"


# Google Sheets only ---------------------------------------------------------------------------------

def test_a_check_reads_each_spreadsheet_once(sheets_fake: SheetsFake, sheets_api: Any) -> None:
    seed(sheets_fake)
    registry = SheetsRegistry(sheets_api.client(), CLAIMS_KEY, STAFF_KEY, policy=NO_WAIT)
    registry.read(("Claims", "Roster", "Ledger"))
    assert sheets_fake.counts[BATCH_GET] == 2
    assert sheets_fake.total() == 2
    one_sheet = SheetsRegistry(sheets_api.client(), STAFF_KEY, STAFF_KEY, policy=NO_WAIT)
    sheets_fake.counts.clear()
    one_sheet.read(("Roster", "Ledger"))
    assert sheets_fake.total() == 1


def test_the_production_auth_path(sheets_fake: SheetsFake, sheets_api: Any,
                                  service_account_info: dict[str, str], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    seed(sheets_fake)
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", json.dumps(service_account_info))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code = main(["registry", "lint", "--config", str(tmp_path / "course.yml")])
    out = capsys.readouterr().out
    assert code == 1
    assert "Claims row 3, Plan: holds a formula" in out
    assert service_account_info["private_key"] not in out
    assert sheets_fake.counts[TOKEN] == 1
    assert sheets_fake.counts[BATCH_GET] == 2


def test_bad_credentials_are_a_clear_error(sheets_fake: SheetsFake, sheets_api: Any,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", '{"type": "service_account", "x": 1}')
    assert main(["registry", "lint", "--config", str(tmp_path / "course.yml")]) == 2
    assert capsys.readouterr().out == (
        "the registry could not be read: EXTRACREDIT_GOOGLE_CREDENTIALS is not a service-account "
        "key (JSON); paste the whole key file into the secret\n")


@pytest.mark.parametrize("kind", ["429-retry-after", "429", "500", "502", "503", "504", "timeout"])
def test_transient_read_faults_are_retried(kind: str, sheets_fake: SheetsFake,
                                           sheets_api: Any) -> None:
    seed(sheets_fake)
    sheets_fake.fault(BATCH_GET, kind, delay=1.5)
    registry = SheetsRegistry(sheets_api.client(timeout=1), CLAIMS_KEY, STAFF_KEY, policy=NO_WAIT)
    assert "Claims" in registry.read(("Claims",))
    assert sheets_fake.counts[BATCH_GET] == 2


@pytest.mark.parametrize(("kind", "reason"), [
    ("401", "The credentials do not contain the necessary fields"), ("403", "HTTP 403"),
    ("404", "HTTP 404")])
def test_refusals_are_not_retried(kind: str, reason: str, sheets_fake: SheetsFake,
                                  sheets_api: Any) -> None:
    seed(sheets_fake)
    sheets_fake.fault(BATCH_GET, kind)
    registry = SheetsRegistry(sheets_api.client(), CLAIMS_KEY, STAFF_KEY, policy=NO_WAIT)
    with pytest.raises(RegistryError, match=f"Google Sheets did not answer as expected \\({reason}"):
        registry.read(("Claims",))
    assert sheets_fake.counts[BATCH_GET] == 1


def test_a_registry_that_stays_down_gives_up_with_the_reason(sheets_fake: SheetsFake,
                                                             sheets_api: Any) -> None:
    seed(sheets_fake)
    sheets_fake.fault(BATCH_GET, "503", times=10)
    registry = SheetsRegistry(sheets_api.client(), CLAIMS_KEY, STAFF_KEY, policy=NO_WAIT)
    with pytest.raises(RegistryError) as raised:
        registry.read(("Claims",))
    assert str(raised.value).endswith(", after 4 attempts)")
    assert sheets_fake.counts[BATCH_GET] == 4


def test_an_append_that_timed_out_is_reconciled_not_repeated(sheets_fake: SheetsFake,
                                                             sheets_api: Any) -> None:
    seed(sheets_fake)
    sheets_fake.fault(APPEND, "timeout", delay=1.5)
    registry = SheetsRegistry(sheets_api.client(timeout=1), CLAIMS_KEY, STAFF_KEY,
                              policy=RetryPolicy(), settle=1.0)
    credit = Credit("accept", None, "")
    when = datetime(2023, 10, 1, 10, tzinfo=NY)
    assert record_credit(registry, credit, when, "ta", "https://github.com/o/r/pull/1", 42)
    assert not record_credit(registry, credit, when, "ta", "https://github.com/o/r/pull/1", 42)
    assert sheets_fake.values(STAFF_KEY, "Ledger")[1:] == [
        ["2023-10-01T10:00:00-04:00", "ta", "https://github.com/o/r/pull/1", "accept", "", "",
         "command:42"]]
    assert sheets_fake.counts[APPEND] == 1


def test_sync_racing_a_credit_append_and_a_person_inserting_a_row(sheets_fake: SheetsFake,
                                                                  sheets_api: Any) -> None:
    """The sync's first read is slow; meanwhile a TA's /credit appends to the Ledger and a
    person inserts a row above the claims. Nothing is lost, nothing doubled, no row mixed up."""
    seed(sheets_fake)
    config = parse_config(CONFIG)
    registry = SheetsRegistry(sheets_api.client(), CLAIMS_KEY, STAFF_KEY, policy=NO_WAIT)
    tables = registry.read(SYNC_TABS)  # the sync's first read
    rows = sheets_fake.values(CLAIMS_KEY, "Claims")  # then a person inserts a row on top
    rows.insert(1, ["", "2023-09-13", "dan", "dd4", "Dan", "typo", "d.md", "new", "", "", "", ""])
    sheets_fake.add_spreadsheet(CLAIMS_KEY, {"Claims": rows})
    sheets_fake.fault(APPEND, "timeout", delay=0.5)  # and a TA's /credit lands slowly

    def ta() -> None:
        other = SheetsRegistry(sheets_api.client(timeout=0.3), CLAIMS_KEY, STAFF_KEY,
                               policy=RetryPolicy(), settle=0.5)
        record_credit(other, Credit("reject", None, "dup"), datetime(2023, 9, 20, tzinfo=NY),
                      "ta", "https://github.com/Atcold/NYU-DLFL23/pull/3", 77)

    racer = threading.Thread(target=ta)
    racer.start()
    sync(registry, config, tables, [], datetime(2023, 9, 20, tzinfo=NY))
    racer.join()
    claims = sheets_fake.values(CLAIMS_KEY, "Claims")
    by_login = {row[2]: row for row in claims[1:] if len(row) > 2}
    assert by_login["dan"][0] == ""  # the person's new row: untouched, an id next time
    assert (by_login["@alice"][0], by_login["@alice"][8]) == ("C-0001", "open")
    assert (by_login["bob"][0], by_login["bob"][8]) == ("C-0008", "open")
    assert by_login["https://github.com/carol"][8] == "withdrawn"
    ledger = sheets_fake.values(STAFF_KEY, "Ledger")
    assert [row[-1] for row in ledger[1:]] == ["command:77"]


def test_init_sets_up_tabs_once(sheets_fake: SheetsFake, sheets_api: Any, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch, service_account_info: dict[str, str],
                                capsys: pytest.CaptureFixture[str]) -> None:
    sheets_fake.add_spreadsheet(CLAIMS_KEY, {"Sheet1": []})
    sheets_fake.add_spreadsheet(STAFF_KEY, {"Roster": ROSTER_ROWS})
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", json.dumps(service_account_info))
    argv = ["registry", "init", "--config", str(tmp_path / "course.yml")]
    assert main(argv) == 0
    assert capsys.readouterr().out == "set up 2 spreadsheets\n"
    assert sheets_fake.tabs(CLAIMS_KEY) == ["Sheet1", "Claims"]
    assert sheets_fake.tabs(STAFF_KEY) == ["Roster", "Ledger", "Tally", "Problems", "Checks",
                                           "Claims log"]
    assert sheets_fake.values(CLAIMS_KEY, "Claims") == [list(CLAIMS_COLUMNS)]
    assert sheets_fake.values(STAFF_KEY, "Roster") == ROSTER_ROWS  # a header that was there stays
    assert sheets_fake.tab_properties(CLAIMS_KEY, "Claims")["gridProperties"]["frozenRowCount"] == 1
    netid = sheets_fake.cell(CLAIMS_KEY, "Claims", "D2")
    assert netid.format is not None
    assert netid.format["numberFormat"]["type"] == "TEXT"
    kind = sheets_fake.cell(CLAIMS_KEY, "Claims", "F5")
    assert kind.validation is not None
    assert [v["userEnteredValue"] for v in kind.validation["condition"]["values"]] == [
        "typo", "bug", "material", "translation"]
    assert len(sheets_fake.protected_ranges(CLAIMS_KEY, "Claims")) == 5
    sheets_fake.counts.clear()
    assert main(argv) == 0
    assert capsys.readouterr().out == "the registry is already set up: nothing changed\n"
    assert sheets_fake.counts[STRUCTURE] == 0
    assert sheets_fake.counts[BATCH_UPDATE_VALUES] == 0


def test_export_then_import_round_trips(sheets_fake: SheetsFake, sheets_api: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        service_account_info: dict[str, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    seed(sheets_fake)
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", json.dumps(service_account_info))
    config = ["--config", str(tmp_path / "course.yml")]
    assert main(["registry", "export", "--to", str(tmp_path / "backup"), *config]) == 0
    exported = FilesRegistry(tmp_path / "backup").read(("Claims",))["Claims"]
    assert [number for number, _ in exported.rows] == [2, 3, 4, 5]
    assert main(["registry", "import", "--from", str(tmp_path / "backup"), *config]) == 2
    assert "already hold rows; nothing was imported" in capsys.readouterr().err
    sheets_fake.add_spreadsheet(CLAIMS_KEY, {"Claims": [list(CLAIMS_COLUMNS)]})
    assert main(["registry", "import", "--from", str(tmp_path / "backup"), "--force", *config]) == 0
    assert sheets_fake.values(CLAIMS_KEY, "Claims")[1][3] == "00123"
    assert sheets_fake.values(CLAIMS_KEY, "Claims")[2][7] == '=HYPERLINK("x")'


def test_spreadsheet_keys_and_urls() -> None:
    assert spreadsheet_key(f"https://docs.google.com/spreadsheets/d/{CLAIMS_KEY}/edit#gid=0") == \
        CLAIMS_KEY
    assert spreadsheet_key(f"  {STAFF_KEY} ") == STAFF_KEY
    with pytest.raises(RegistryError, match="neither a spreadsheet key nor a Google Sheets URL"):
        spreadsheet_key("my sheet")


ADVERSARIAL = ["=1/0", '=HYPERLINK("a")', "'=x", "00123", "@", "\n", "C-", "C-0001", "9/99/2023",
               "  ", "", "typo", "@alice", "https://github.com/bob", "docs/", "**", "45183.5",
               "\u202eevil", "<script>", "a" * 500]


def adversarial_cell(rng: random.Random) -> Any:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(ADVERSARIAL)
    if kind == 1:
        return rng.randint(-10**12, 10**12)
    if kind == 2:
        return rng.uniform(-1e6, 1e6)
    if kind == 3:
        return rng.random() < 0.5
    return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(12)))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32))
def test_a_thousand_adversarial_rows_never_crash_the_reader(
        sheets_fake: SheetsFake, sheets_api: Any, seed_value: int) -> None:
    rng = random.Random(seed_value)  # hypothesis picks (and shrinks) the seed of 1,000 rows
    rows = [[adversarial_cell(rng) for _ in range(rng.randrange(13))] for _ in range(1000)]
    sheets_fake.add_spreadsheet(CLAIMS_KEY, {"Claims": [list(CLAIMS_COLUMNS), *rows]})
    registry = SheetsRegistry(sheets_api.client(), CLAIMS_KEY, CLAIMS_KEY, policy=NO_WAIT)
    built = build_registry(registry.read(("Claims",)), NY)
    assert len(built.claims) <= 1000
    assert all(2 <= problem.row <= 1001 for problem in built.problems)


def test_the_check_uses_the_sheets_registry(sheets_fake: SheetsFake, sheets_api: Any,
                                            service_account_info: dict[str, str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    seed(sheets_fake)
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    snapshot = {"taken_at": "2023-09-20T12:00:00-04:00", "repos": {"Atcold/NYU-DLFL23": {"pulls": [{
        "number": 4, "title": "[DLFL23] Fix", "body": "", "state": "open", "draft": False,
        "created_at": "2023-09-15T10:00:00Z", "closed_at": None, "merged_at": None,
        "html_url": "https://github.com/Atcold/NYU-DLFL23/pull/4", "author_association": "NONE",
        "user": {"login": "alice", "id": 11, "type": "User"}, "labels": [],
        "head": {"sha": "a" * 40}, "files": [{"filename": "docs/a.md", "status": "modified",
                                              "additions": 1, "deletions": 1}]}]}}}
    (tmp_path / "snapshot.json").write_text(json.dumps(snapshot), encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", json.dumps(service_account_info))
    code = main(["check", "--snapshot", str(tmp_path / "snapshot.json"), "--pr",
                 "Atcold/NYU-DLFL23#4", "--json", "--config", str(tmp_path / "course.yml")])
    assert json.loads(capsys.readouterr().out) == {
        "pr": "Atcold/NYU-DLFL23#4", "title": {"verdict": "pass", "problem": None},
        "claim": {"verdict": "pass", "problem": None, "claim": "C-0001"}}
    assert code == 0
    assert sheets_fake.counts[BATCH_GET] == 2
    assert {key for key in sheets_fake.counts if key.startswith("POST /v4")} == set()


def test_concurrent_reads_of_two_spreadsheets_never_cross(sheets_fake: SheetsFake,
                                                          sheets_api: Any) -> None:
    """gspread writes the ranges into the params it is given: shared params once crossed them."""
    seed(sheets_fake)
    failures: list[str] = []

    def read_many(key: str, tab: str) -> None:
        registry = SheetsRegistry(sheets_api.client(), key, key, policy=NO_WAIT)
        for _ in range(20):
            try:
                if tab not in registry.read((tab,)):
                    failures.append(f"{tab} missing")
            except RegistryError as error:
                failures.append(str(error))

    readers = [threading.Thread(target=read_many, args=(CLAIMS_KEY, "Claims")),
               threading.Thread(target=read_many, args=(STAFF_KEY, "Ledger"))]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert failures == []


@pytest.mark.parametrize("kind", ["429", "500", "503", "504", "timeout"])
@pytest.mark.parametrize("route", [BATCH_UPDATE_VALUES, STRUCTURE, APPEND])
def test_transient_write_faults_are_retried_and_land_once(route: str, kind: str,
                                                          sheets_fake: SheetsFake,
                                                          sheets_api: Any) -> None:
    seed(sheets_fake)
    sheets_fake.fault(route, kind, delay=1.2)
    registry = SheetsRegistry(sheets_api.client(timeout=1), CLAIMS_KEY, STAFF_KEY,
                              policy=RetryPolicy(), settle=0.5)
    if route == BATCH_UPDATE_VALUES:
        registry.write_cells([CellWrite("Claims", 3, 0, ("C-0008",))])
        assert sheets_fake.values(CLAIMS_KEY, "Claims")[2][0] == "C-0008"
    elif route == STRUCTURE:
        registry.replace_tab("Tally", [["NetID", "Credit"], ["00123", "0.50"]])
        assert sheets_fake.values(STAFF_KEY, "Tally") == [["NetID", "Credit"], ["00123", "0.50"]]
    else:
        record_credit(registry, Credit("accept", None, ""), datetime(2023, 10, 1, tzinfo=NY),
                      "ta", "https://github.com/o/r/pull/1", 5)
        assert [row[-1] for row in sheets_fake.values(STAFF_KEY, "Ledger")[1:]] == ["command:5"]
    assert sheets_fake.counts[route] == (1 if route == APPEND and kind == "timeout" else 2)


def test_a_token_endpoint_hiccup_is_retried(sheets_fake: SheetsFake, sheets_api: Any,
                                            service_account_info: dict[str, str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seed(sheets_fake)
    (tmp_path / "course.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", json.dumps(service_account_info))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sheets_fake.fault(TOKEN, "503")
    assert main(["registry", "lint", "--config", str(tmp_path / "course.yml")]) == 1
    assert sheets_fake.counts[TOKEN] == 2
