"""Registry rows: untrusted cells become claims, roster and ledger entries, or located problems."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from extracredit.core.cells import normalize_login, parse_time
from extracredit.core.model import Problem
from extracredit.errors import RegistryError
from extracredit.registry.files import parse_csv
from extracredit.registry.parse import build_registry
from extracredit.text.problems import fix, what

NY = ZoneInfo("America/New_York")
CLAIMS_HEADER = "Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"


@pytest.mark.parametrize(("cell", "login"), [
    ("alice", "alice"), ("@alice", "alice"), ("  @Alice ", "Alice"),
    ("https://github.com/alice", "alice"), ("http://www.github.com/alice/", "alice"),
    ("github.com/alice?tab=repositories", "alice"), ("a-b-c", "a-b-c"),
    ("", None), ("alice smith", None), ("-alice", None), ("a--b", None), ("=HYPERLINK(x)", None),
])
def test_normalize_login(cell: str, login: str | None) -> None:
    assert normalize_login(cell) == login


@pytest.mark.parametrize(("cell", "expected"), [
    ("2023-09-14 13:05", datetime(2023, 9, 14, 13, 5, tzinfo=NY)),
    ("2023-09-14T13:05:00Z", datetime.fromisoformat("2023-09-14T13:05:00+00:00")),
    ("9/14/2023 13:05:09", datetime(2023, 9, 14, 13, 5, 9, tzinfo=NY)),
    ("9/14/2023", datetime(2023, 9, 14, tzinfo=NY)),
    ("45183.5", datetime(2023, 9, 14, 12, tzinfo=NY)),
    ("14 Sept", None), ("13/45/2023", None), ("", None),
])
def test_parse_time(cell: str, expected: datetime | None) -> None:
    assert parse_time(cell, NY) == expected



def in_words(problem: Problem) -> tuple[str, int, str, str, str, str | None]:
    """A problem as the Problems tab shows it: place, words, fix, and the row's login."""
    return problem.tab, problem.row, problem.column, what(problem), fix(problem), problem.login

def registry(claims_csv: str, roster_csv: str | None = None, ledger_csv: str | None = None):  # type: ignore[no-untyped-def]
    tables = {"Claims": parse_csv("Claims", claims_csv)}
    if roster_csv is not None:
        tables["Roster"] = parse_csv("Roster", roster_csv)
    if ledger_csv is not None:
        tables["Ledger"] = parse_csv("Ledger", ledger_csv)
    return build_registry(tables, NY)


def test_claim_row_cells_are_cleaned() -> None:
    result = registry(CLAIMS_HEADER + 'c-0007, 2023-09-14 13:05 ,@Alice,ab1234, Alice A ,'
                      ' Typo ,"./docs/a.md;\n01-1.md",fix,In Review,,123,\n')
    [claim] = result.claims
    assert (claim.id, claim.row, claim.github, claim.netid, claim.kind) == (
        "C-0007", 2, "Alice", "ab1234", "typo")
    assert claim.targets == ("docs/a.md", "01-1.md")
    assert (claim.status, claim.github_id) == ("in review", 123)
    assert result.problems == ()


def test_row_numbers_count_blank_rows_and_multiline_cells() -> None:
    text = (CLAIMS_HEADER
            + ',2023-09-14,alice,ab1,A,typo,"a.md\nb.md",p,,,,\n'
            + "\n"
            + ",2023-09-15,bob,cd2,B,typos,c.md,p,,,,\n")
    result = registry(text)
    assert [c.row for c in result.claims] == [2]
    assert [in_words(p) for p in result.problems] == [
        ("Claims", 4, "Kind", "'typos' is not a kind (typo, bug, material or translation)",
         "write 'typo'", "bob")]


def test_broken_rows_are_reported_and_the_rest_still_works() -> None:
    text = (CLAIMS_HEADER
            + "C-0001,soon,alice,ab1,A,typo,a.md,p,,,,\n"
            + "C-0002,2023-09-14,alice smith,ab1,A,typo,a.md,p,,,,\n"
            + "C-0003,2023-09-14,carol,,C,bug,,=HYPERLINK(\"x\"),maybe,,,\n"
            + "C-0001,2023-09-14,dan,dd4,D,material,d.md,p,,,,\n"
            + "C-0005,2023-09-14,erin,ee5,E,material,e.md,p,withdrawn,,,\n")
    result = registry(text)
    # Row 2 cannot be read, so row 5 is the only claim with C-0001: an unreadable row (anyone's)
    # cannot take an id from a readable one.
    assert [c.id for c in result.claims] == ["C-0001", "C-0005"]
    assert [(p.row, p.column, what(p)) for p in result.problems] == [
        (2, "Submitted", "'soon' is not a date and time"),
        (3, "GitHub", "'alice smith' is not a GitHub username"),
        (4, "NetID", "is empty"),
        (4, "Target", "is empty"),
        (4, "Status", "'maybe' is not a status"),
        (4, "Plan", "holds a formula; it is read as text and never evaluated"),
    ]


def test_an_id_on_two_readable_rows_stays_with_the_first() -> None:
    text = (CLAIMS_HEADER
            + "C-0001,2023-09-14,alice,ab1,A,typo,a.md,p,,,,\n"
            + "C-0001,2023-09-15,dan,dd4,D,material,d.md,p,,,,\n")
    result = registry(text)
    assert [c.id for c in result.claims] == ["C-0001", None]
    assert [(p.row, p.column, what(p)) for p in result.problems] == [
        (3, "Claim", "'C-0001' is already used on row 2")]


def test_leading_zeros_and_extra_columns_are_kept_as_text() -> None:
    header = "Extra,NetID,Name,GitHub,GitHub ID\n"
    result = registry(CLAIMS_HEADER, roster_csv=header + "x,00123,Zed,zed,0042\n")
    [entry] = result.roster
    assert (entry.netid, entry.github_id) == ("00123", 42)


def test_form_timestamp_header_stands_for_submitted() -> None:
    header = "Timestamp,GitHub,NetID,Name,Kind,Target,Plan\n"
    result = registry(header + "9/14/2023 13:05:09,alice,ab1,A,typo,a.md,p\n")
    assert result.claims[0].submitted == datetime(2023, 9, 14, 13, 5, 9, tzinfo=NY)


_CLAIMS_HEADER = ("Claim, Submitted, GitHub, NetID, Name, Kind, Target, Plan, Status, PR, GitHub ID, "
                  "Updated")
_HEADER_FIX = f"put the header back in row 1 (sorting the whole tab moves it): {_CLAIMS_HEADER}"
_ALL_REQUIRED = "'Submitted', 'GitHub', 'NetID', 'Kind', 'Target'"


@pytest.mark.parametrize(("claims_csv", "message"), [
    ("Claim,When,GitHub,NetID,Kind,Target\n",
     "row 1 of the Claims tab does not hold the header: no column 'Submitted' (it has 6 cells; the "
     f"columns found are Claim, GitHub, NetID, Kind, Target); {_HEADER_FIX}"),
    # The header sorted into the data: row 1 is a student's row, and not one cell of it is quoted.
    ("C-0001,2023-09-06 09:00,alice,qq9876,Zyxwv Qanary,material,01-1.md,,,,,\n" + CLAIMS_HEADER,
     f"row 1 of the Claims tab does not hold the header: no column {_ALL_REQUIRED} (it has 7 "
     f"cells, none of them a known column); {_HEADER_FIX}"),
    ("\n" + CLAIMS_HEADER,
     f"row 1 of the Claims tab does not hold the header: no column {_ALL_REQUIRED} (row 1 is "
     f"empty); {_HEADER_FIX}"),
    ('"Kind\n::error::x",Submitted\n',
     "row 1 of the Claims tab does not hold the header: no column 'GitHub', 'NetID', 'Kind', "
     f"'Target' (it has 2 cells; the columns found are Submitted); {_HEADER_FIX}"),
])
def test_missing_header_names_the_row_and_columns_never_a_cell(claims_csv: str,
                                                                message: str) -> None:
    with pytest.raises(RegistryError) as raised:
        registry(claims_csv)
    assert str(raised.value) == message


def test_duplicate_header_is_reported() -> None:
    result = registry("Submitted,GitHub,NetID,Kind,Target,Kind\n2023-09-14,a,b,typo,x.md,bug\n")
    assert result.claims[0].kind == "typo"
    assert [in_words(p) for p in result.problems] == [("Claims", 1, "Kind",
                                       "the header names this column twice; only the first is read",
                                       "rename or delete the second column", None)]


def test_ledger_rows() -> None:
    ledger = ("When,Actor,PR,Decision,Credit,Reason,Source\n"
              "2023-10-01 10:00,ta1,https://github.com/o/r/pull/3/,credit,0.75,good,manual\n"
              "2023-10-02 10:00,ta1,https://github.com/o/r/pull/4,credit,lots,,manual\n"
              "2023-10-02 10:00,ta1,https://github.com/o/r/pull/5,approve,,,manual\n")
    result = registry(CLAIMS_HEADER, ledger_csv=ledger)
    [entry] = result.ledger
    assert (entry.pr_url, entry.decision, entry.credit) == (
        "https://github.com/o/r/pull/3", "credit", Decimal("0.75"))
    assert [(p.row, p.column) for p in result.problems] == [(3, "Credit"), (4, "Decision")]


def test_registry_without_claims_tab() -> None:
    with pytest.raises(RegistryError) as raised:
        build_registry({}, NY)
    assert str(raised.value) == ("the registry has no Claims tab (claims.csv); create it with "
                                 "`extracredit registry init`")
