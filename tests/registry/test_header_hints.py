"""A typo in a header cell gets a did-you-mean, as a typo in a configuration key does; but the
class can edit every cell, so a cell is named only when it is a header cell: row 1 clearly the
header (it holds other columns), the cell the shape of a column's name, and a near miss of one."""

from __future__ import annotations

import csv
import difflib
import io
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extracredit.core.model import Table
from extracredit.errors import RegistryError
from extracredit.registry.files import parse_csv
from extracredit.registry.parse import build_registry
from extracredit.text.problems import fix

NY = ZoneInfo("America/New_York")
CLAIMS = "Claim, Submitted, GitHub, NetID, Name, Kind, Target, Plan, Status, PR, GitHub ID, Updated"
START = "row 1 of the {tab} tab does not hold the header: no column "


def refusal(claims_csv: str, roster_csv: str | None = None) -> str:
    tables = {"Claims": parse_csv("Claims", claims_csv)}
    if roster_csv is not None:
        tables["Roster"] = parse_csv("Roster", roster_csv)
    with pytest.raises(RegistryError) as raised:
        build_registry(tables, NY)
    return str(raised.value)


@pytest.mark.parametrize(("claims_csv", "roster_csv", "message"), [
    ("Claim,Submited,GitHub,NetID,Kind,Target\n", None,
     START.format(tab="Claims") + "'Submitted' (it has 6 cells; the columns found are Claim, "
     "GitHub, NetID, Kind, Target); did you mean 'Submitted' for the header cell 'Submited'? Write "
     f"each column's name exactly; the header is {CLAIMS}"),
    ("Submitted, Git Hub ,NetID,Kinds,Target,Plan\n", None,
     START.format(tab="Claims") + "'GitHub', 'Kind' (it has 6 cells; the columns found are "
     "Submitted, NetID, Target, Plan); did you mean 'GitHub' for the header cell 'Git Hub', "
     "'Kind' for the header cell 'Kinds'? Write each column's name exactly; the header is "
     f"{CLAIMS}"),
    ("Submitted,GitHub,NetID,Kind,Target\n", "Net ID,Name,GitHub,GitHub ID\n",
     START.format(tab="Roster") + "'NetID' (it has 4 cells; the columns found are Name, GitHub, "
     "GitHub ID); did you mean 'NetID' for the header cell 'Net ID'? Write each column's name "
     "exactly; the header is NetID, Name, GitHub, GitHub ID"),
    # Not a near miss: no guess, the header to write.
    ("Claim,When,GitHub,NetID,Kind,Target\n", None,
     START.format(tab="Claims") + "'Submitted' (it has 6 cells; the columns found are Claim, "
     "GitHub, NetID, Kind, Target); put the header back in row 1 (sorting the whole tab moves "
     f"it): {CLAIMS}"),
    # A near miss, but not the shape of a column's name: not quoted.
    ("Claim,Submitted2,GitHub,NetID,Kind,Target\n", None,
     START.format(tab="Claims") + "'Submitted' (it has 6 cells; the columns found are Claim, "
     "GitHub, NetID, Kind, Target); put the header back in row 1 (sorting the whole tab moves "
     f"it): {CLAIMS}"),
    # One column only: row 1 is not clearly the header, so its near miss is not quoted.
    ("Submited,GitHub\n", None,
     START.format(tab="Claims") + "'Submitted', 'NetID', 'Kind', 'Target' (it has 2 cells; the "
     "columns found are GitHub); put the header back in row 1 (sorting the whole tab moves it): "
     f"{CLAIMS}"),
], ids=["typo", "two-typos", "roster", "far-miss", "not-a-header-word", "no-quorum"])
def test_a_near_miss_in_the_header_is_named(claims_csv: str, roster_csv: str | None,
                                            message: str) -> None:
    assert refusal(claims_csv, roster_csv) == message


def test_a_row_of_data_sorted_into_row_1_is_never_quoted() -> None:
    """Sorting the whole tab puts a student's row first. 'Kindt' (a name) is a near miss of Kind,
    'Targets' (a plan) of Target: neither is quoted, since row 1 holds no column at all."""
    header = "Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
    row = "C-0001,2023-09-06 09:00,alice,qq9876,Kindt,material,01-1.md,Targets,,,,\n"
    message = refusal(row + header)
    assert "Kindt" not in message
    assert "Targets" not in message
    assert "did you mean" not in message


def test_the_fix_for_a_broken_header_after_claims_were_seen_is_the_header() -> None:
    log = parse_csv("Claims log", "Claim,First seen,Row,Accepted edit,Withdrawn,Activity\n"
                    'C-0001,2023-09-06T09:00:00-04:00,"{""GitHub"": ""alice""}",,,\n')
    registry = build_registry({"Claims": parse_csv("Claims", "Nothing,here\n"), "Claims log": log},
                              NY)
    [problem] = [p for p in registry.problems if p.code == "header-unreadable"]
    assert fix(problem) == f"restore the header row: {CLAIMS}"


COLUMNS = ["GitHub", "NetID", "Kind", "Target"]  # Submitted is the one missing
QUOTED = re.compile(r"the header cell '([^']*)'")


@given(st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_only_near_misses_of_a_column_name_are_ever_quoted(cells: list[str]) -> None:
    """Whatever else row 1 holds, a quoted cell is one of its cells, of a column name's shape,
    and close to the missing column's name; and no other cell's text follows a quote."""
    header = [*COLUMNS, *cells]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    table = parse_csv("Claims", buffer.getvalue())
    if table.header != tuple(header) and list(table.header) != header:
        return  # a cell csv cannot round-trip (a lone carriage return): not this test's point
    try:
        build_registry({"Claims": table}, NY)
    except RegistryError as error:
        message = str(error)
    else:
        return  # a cell spelled Submitted (or Timestamp): the header is whole
    for quoted in QUOTED.findall(message):
        assert quoted in [cell.strip() for cell in cells]
        assert re.fullmatch(r"[A-Za-z][A-Za-z _-]{0,23}", quoted)
        assert difflib.SequenceMatcher(None, quoted.lower(), "submitted").ratio() >= 0.8
    assert message.count("'") == 2 * (1 + len(QUOTED.findall(message)) * 2)


def test_the_table_row_1_is_the_header() -> None:
    assert parse_csv("Claims", "a,b\nc,d\n") == Table("Claims", ("a", "b"), ((2, ("c", "d")),))
