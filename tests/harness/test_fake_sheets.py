"""Tests of the Google Sheets harness itself: the fake, driven by the real gspread client through
Prism (so every request and response is also checked against Google's published description,
as patched by scripts/refresh_sheets_spec.py), its seeding, fault, reader and counter API, the
OAuth token endpoint of the production auth path, and the routing of subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import types
from typing import Any

import google.auth.crypt
import google.auth.exceptions
import google.auth.jwt
import gspread
import pytest
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.http_client import BackOffHTTPClient
from gspread.utils import InsertDataOption, ValidationConditionType

from fakes.prism import PrismProxy
from fakes.pythonpath.gspread_loopback import RefusedOutsideLoopback, SheetsRoute
from fakes.sheets import (
    FAULT_KINDS,
    JWT_BEARER,
    SHEETS_ROUTE_KEYS,
    SPEC_PATH,
    TOKEN_ROUTE,
    Formula,
    SheetsFake,
)

KEY = "1CkPlaNsOfTheClassZ9xY8wV7uT6sR5qP4oN3mL2k"
STAFF_KEY = "1StAfFoNlYaB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2u"
HEADER = ["Claim", "Submitted", "GitHub", "NetID", "Name", "Kind"]
BOOK = "GET /v4/spreadsheets/{spreadsheetId}"
BATCH_UPDATE = "POST /v4/spreadsheets/{spreadsheetId}:batchUpdate"
BATCH_GET = "GET /v4/spreadsheets/{spreadsheetId}/values:batchGet"
VALUES_BATCH_UPDATE = "POST /v4/spreadsheets/{spreadsheetId}/values:batchUpdate"
VALUES_GET = "GET /v4/spreadsheets/{spreadsheetId}/values/{range}"
VALUES_UPDATE = "PUT /v4/spreadsheets/{spreadsheetId}/values/{range}"
APPEND = "POST /v4/spreadsheets/{spreadsheetId}/values/{range}:append"
CLEAR = "POST /v4/spreadsheets/{spreadsheetId}/values/{range}:clear"
BATCH_CLEAR = "POST /v4/spreadsheets/{spreadsheetId}/values:batchClear"
READ = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
SEPT_12 = 45181  # 2023-09-12 as a serial number (days since 1899-12-30)
ONE_OF_TYPO_OR_BUG = {
    "type": "ONE_OF_LIST",
    "values": [{"userEnteredValue": "typo"}, {"userEnteredValue": "bug"}],
}


def seed_registry(fake: SheetsFake, **options: Any) -> None:
    fake.add_spreadsheet(
        KEY,
        {
            "Claims": [
                HEADER,
                ["C-0001", SEPT_12, "@alice", "00123", "Alice A.", "typo"],
                ["C-0002", SEPT_12 + 0.5, "bob", 4567, "Bob B.", "bug"],
            ],
            "Claims log": [["When", "Claim"], ["2023-09-12 10:00", "C-0001"]],
        },
        title="Extra credit claims",
        **options,
    )


def api_error(error: APIError) -> tuple[int, dict[str, Any]]:
    return error.response.status_code, error.response.json()


def test_every_spec_operation_and_request_kind_is_served() -> None:
    spec = json.loads(SPEC_PATH.read_text())
    operations = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert operations == set(SHEETS_ROUTE_KEYS)
    kinds = set(spec["components"]["schemas"]["Request"]["properties"])
    served = {name.removeprefix("_request_") for name in dir(SheetsFake) if name.startswith("_request_")}
    assert kinds == served


def test_open_by_key_and_worksheet_metadata(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    seed_registry(sheets_fake)
    sheets_fake.add_tab(KEY, "It's hidden", row_count=50, column_count=8, frozen_rows=1, hidden=True)
    spreadsheet = sheets_api.client().open_by_key(KEY)

    assert (spreadsheet.id, spreadsheet.title) == (KEY, "Extra credit claims")
    assert (spreadsheet.locale, spreadsheet.timezone) == ("en_US", "America/New_York")
    assert spreadsheet.url == f"https://docs.google.com/spreadsheets/d/{KEY}"
    tabs = spreadsheet.worksheets()
    assert [(w.title, w.id, w.index) for w in tabs] == [
        ("Claims", 0, 0),
        ("Claims log", 1000000001, 1),
        ("It's hidden", 1000000002, 2),
    ]
    hidden = tabs[2]
    assert (hidden.row_count, hidden.col_count, hidden.frozen_row_count) == (50, 8, 1)
    assert hidden.isSheetHidden
    assert (tabs[0].row_count, tabs[0].col_count, tabs[0].frozen_row_count) == (1000, 26, 0)
    assert [w.title for w in spreadsheet.worksheets(exclude_hidden=True)] == ["Claims", "Claims log"]
    assert sheets_fake.tab_properties(KEY, "It's hidden") == {
        "sheetId": 1000000002,
        "title": "It's hidden",
        "index": 2,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 50, "columnCount": 8, "frozenRowCount": 1},
        "hidden": True,
    }
    # open_by_key fetches the metadata once, each worksheets() once more
    assert sheets_fake.counts == {BOOK: 3}
    assert [(r.target, r.authorization) for r in sheets_fake.received] == [
        (f"/v4/spreadsheets/{KEY}?includeGridData=false", "Bearer test")
    ] * 3


def test_batch_get_of_several_tabs_unformatted(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    seed_registry(sheets_fake)
    sheets_fake.add_tab(KEY, "Ledger", [["When", "Credit", "Id"], ["9/12/2023 10:30:00", "0.5", "00123"]],
                        value_input="USER_ENTERED")
    spreadsheet = sheets_api.client().open_by_key(KEY)

    answer = spreadsheet.values_batch_get(["'Claims'", "'Claims log'!A1:L", "Ledger!A2:C"], params=READ)
    assert answer == {
        "spreadsheetId": KEY,
        "valueRanges": [
            {
                "range": "Claims!A1:Z1000",
                "majorDimension": "ROWS",
                "values": [
                    HEADER,
                    ["C-0001", SEPT_12, "@alice", "00123", "Alice A.", "typo"],  # RAW "00123" stays text
                    ["C-0002", SEPT_12 + 0.5, "bob", 4567, "Bob B.", "bug"],
                ],
            },
            # seeded RAW: the timestamp stays text
            {"range": "'Claims log'!A1:L1000", "majorDimension": "ROWS",
             "values": [["When", "Claim"], ["2023-09-12 10:00", "C-0001"]]},
            # typed in: a date and time becomes a serial number, 00123 the number 123
            {"range": "Ledger!A2:C1000", "majorDimension": "ROWS",
             "values": [[SEPT_12 + 0.4375, 0.5, 123]]},
        ],
    }
    assert sheets_fake.counts[BATCH_GET] == 1
    assert sheets_fake.received[-1].target == (
        f"/v4/spreadsheets/{KEY}/values:batchGet?valueRenderOption=UNFORMATTED_VALUE"
        "&dateTimeRenderOption=SERIAL_NUMBER&ranges=%27Claims%27&ranges=%27Claims+log%27%21A1%3AL"
        "&ranges=Ledger%21A2%3AC"
    )


TYPED = ["2023-09-12", "2023-09-12 10:30", "00123", "3.50", "50%", "true", "=A1+1", "'=B1", "@alice"]
RENDERED = {
    ("FORMATTED_VALUE", "SERIAL_NUMBER"): [
        "2023-09-12", "2023-09-12 10:30:00", "123", "3.5", "50%", "TRUE", "", "=B1", "@alice"
    ],
    ("UNFORMATTED_VALUE", "SERIAL_NUMBER"): [
        SEPT_12, SEPT_12 + 0.4375, 123, 3.5, 0.5, True, "", "=B1", "@alice"
    ],
    ("UNFORMATTED_VALUE", "FORMATTED_STRING"): [
        "2023-09-12", "2023-09-12 10:30:00", 123, 3.5, 0.5, True, "", "=B1", "@alice"
    ],
    ("FORMULA", "SERIAL_NUMBER"): [
        SEPT_12, SEPT_12 + 0.4375, 123, 3.5, 0.5, True, "=A1+1", "=B1", "@alice"
    ],
}


@pytest.mark.parametrize(("value_render", "date_render"), RENDERED)
def test_render_options(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, value_render: str, date_render: str
) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Typed": [TYPED]}, value_input="USER_ENTERED")
    worksheet = sheets_api.client().open_by_key(KEY).sheet1

    values = worksheet.get(value_render_option=value_render, date_time_render_option=date_render)
    assert values == [RENDERED[value_render, date_render]]
    assert sheets_fake.values(KEY, "Typed") == [
        [SEPT_12, SEPT_12 + 0.4375, 123, 3.5, 0.5, True, "=A1+1", "=B1", "@alice"]
    ]
    assert isinstance(sheets_fake.values(KEY, "Typed")[0][6], Formula)
    assert [sheets_fake.cell(KEY, "Typed", cell).number_format for cell in ("A1", "B1", "C1", "E1")] == [
        {"type": "DATE", "pattern": "yyyy-mm-dd"},
        {"type": "DATE_TIME", "pattern": "yyyy-mm-dd h:mm:ss"},
        None,
        {"type": "PERCENT", "pattern": "0%"},
    ]


def test_batch_update_raw_and_user_entered(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Claims": [HEADER]})
    spreadsheet = sheets_api.client().open_by_key(KEY)
    row = ["=HYPERLINK(\"x\")", "2023-09-12", "@alice", "00123", 42, True]

    raw = spreadsheet.values_batch_update(
        {"valueInputOption": "RAW", "data": [{"range": "Claims!A2:F2", "values": [row]}]}
    )
    entered = spreadsheet.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {"range": "Claims!A3", "values": [row]},
                {"range": "Claims!B5:B6", "majorDimension": "COLUMNS", "values": [["9/12/2023", "x"]]},
            ],
        }
    )
    assert raw == {
        "spreadsheetId": KEY,
        "totalUpdatedRows": 1,
        "totalUpdatedColumns": 6,
        "totalUpdatedCells": 6,
        "totalUpdatedSheets": 1,
        "responses": [
            {"spreadsheetId": KEY, "updatedRange": "Claims!A2:F2", "updatedRows": 1, "updatedColumns": 6,
             "updatedCells": 6}
        ],
    }
    assert entered["totalUpdatedCells"] == 8
    assert [r["updatedRange"] for r in entered["responses"]] == ["Claims!A3:F3", "Claims!B5:B6"]
    stored = sheets_fake.values(KEY, "Claims")
    assert stored == [
        HEADER,
        ["=HYPERLINK(\"x\")", "2023-09-12", "@alice", "00123", 42, True],
        ["=HYPERLINK(\"x\")", SEPT_12, "@alice", 123, 42, True],
        [],
        ["", SEPT_12],
        ["", "x"],
    ]
    assert type(stored[1][0]) is str  # RAW keeps "=..." as text
    assert type(stored[2][0]) is Formula  # USER_ENTERED stores a formula
    assert sheets_fake.cell(KEY, "Claims", "B5").number_format == {"type": "DATE", "pattern": "M/d/yyyy"}
    assert sheets_fake.counts[VALUES_BATCH_UPDATE] == 2


def test_a_cell_formatted_as_text_keeps_what_is_typed(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute
) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Roster": [["NetID", "Name"]]})
    worksheet = sheets_api.client().open_by_key(KEY).sheet1
    worksheet.format("A2:A", {"numberFormat": {"type": "TEXT"}})

    worksheet.update([["00123", "=1+1"], ["2023-09-12", "2023-09-12"]], "A2", raw=False)
    assert sheets_fake.values(KEY, "Roster") == [
        ["NetID", "Name"],
        ["00123", "=1+1"],
        ["2023-09-12", SEPT_12],
    ]
    assert type(sheets_fake.values(KEY, "Roster")[1][1]) is Formula
    assert sheets_fake.cell(KEY, "Roster", "A3").number_format == {"type": "TEXT"}


def test_append_inserts_rows_after_the_last_non_empty_row(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute
) -> None:
    sheets_fake.add_spreadsheet(
        KEY,
        {"Ledger": [["When", "Actor", "PR"], ["2023-09-12", "ta", "#7"], [], ["2023-09-13", "ta", "#8"]]},
    )
    spreadsheet = sheets_api.client().open_by_key(KEY)
    rows = [["2023-09-14", "bot", "#9"], ["2023-09-15", "bot", "#10"]]

    answer = spreadsheet.values_append(
        "'Ledger'", {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}, {"values": rows}
    )
    assert answer == {
        "spreadsheetId": KEY,
        "tableRange": "Ledger!A1:C4",
        "updates": {"spreadsheetId": KEY, "updatedRange": "Ledger!A5:C6", "updatedRows": 2,
                    "updatedColumns": 3, "updatedCells": 6},
    }
    assert sheets_fake.values(KEY, "Ledger")[2:] == [[], ["2023-09-13", "ta", "#8"], *rows]
    assert sheets_fake.tab_properties(KEY, "Ledger")["gridProperties"]["rowCount"] == 1002  # rows inserted

    worksheet = spreadsheet.sheet1  # gspread's own helper, OVERWRITE: the grid keeps its size
    worksheet.append_row(["2023-09-16", "bot", "#11"], insert_data_option=InsertDataOption.overwrite)
    assert sheets_fake.values(KEY, "Ledger")[-1] == ["2023-09-16", "bot", "#11"]
    assert sheets_fake.tab_properties(KEY, "Ledger")["gridProperties"]["rowCount"] == 1002
    assert sheets_fake.counts[APPEND] == 2


def test_append_searches_the_table_in_the_ranges_columns(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute
) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Checks": [["Repo", "PR", "", "", "Note"]]})
    sheets_fake.add_tab(KEY, "Notes")
    spreadsheet = sheets_api.client().open_by_key(KEY)
    spreadsheet.values_update("Checks!E4", {"valueInputOption": "RAW"}, {"values": [["below the table"]]})

    answer = spreadsheet.values_append(
        "Checks!A:B", {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}, {"values": [["r", 7]]}
    )
    assert (answer["tableRange"], answer["updates"]["updatedRange"]) == ("Checks!A1:B1", "Checks!A2:B2")
    assert sheets_fake.values(KEY, "Checks") == [
        ["Repo", "PR", "", "", "Note"],
        ["r", 7],
        [],
        [],
        ["", "", "", "", "below the table"],  # a whole row was inserted above it
    ]
    empty = spreadsheet.values_append("Notes", {"valueInputOption": "RAW"}, {"values": [["first"]]})
    assert "tableRange" not in empty
    assert empty["updates"]["updatedRange"] == "Notes!A1"


def test_major_dimension_columns(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Tally": [["NetID", "Credit"], ["ab1", 1.5], ["cd2", 0.5]]})
    worksheet = sheets_api.client().open_by_key(KEY).sheet1

    assert worksheet.get("A1:B3", major_dimension="COLUMNS", value_render_option="UNFORMATTED_VALUE") == [
        ["NetID", "ab1", "cd2"],
        ["Credit", 1.5, 0.5],
    ]
    worksheet.update([["Capped", "no", "yes"]], "C1:C3", major_dimension="COLUMNS")
    assert sheets_fake.values(KEY, "Tally") == [["NetID", "Credit", "Capped"], ["ab1", 1.5, "no"],
                                                ["cd2", 0.5, "yes"]]


@pytest.mark.parametrize(
    ("given", "answered", "values"),
    [
        ("Claims", "Claims!A1:Z1000", [["a", "b", "c"], ["d"], [], ["", "", "f"]]),
        ("claims", "Claims!A1:Z1000", [["a", "b", "c"], ["d"], [], ["", "", "f"]]),
        ("A:B", "Claims!A1:B1000", [["a", "b"], ["d"]]),
        ("Claims!2:4", "Claims!A2:Z4", [["d"], [], ["", "", "f"]]),
        ("Claims!B1:C", "Claims!B1:C1000", [["b", "c"], [], [], ["", "f"]]),
        ("Claims!C4:A1", "Claims!A1:C4", [["a", "b", "c"], ["d"], [], ["", "", "f"]]),
        ("Claims!C4", "Claims!C4", [["f"]]),
        ("Claims!D1:E2", "Claims!D1:E2", []),
        ("'Claims log'!A1:L", "'Claims log'!A1:L1000", [["log"]]),
        ("Claims log!A1", "'Claims log'!A1", [["log"]]),
        ("'It''s mine'", "'It''s mine'!A1:Z1000", [["apostrophe"]]),
        ("'A1'!A1", "'A1'!A1", [["looks like a cell"]]),
    ],
)
def test_a1_ranges(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, given: str, answered: str, values: list[list[str]]
) -> None:
    sheets_fake.add_spreadsheet(
        KEY,
        {
            "Claims": [["a", "b", "c"], ["d"], [], [None, None, "f"]],
            "Claims log": [["log"]],
            "It's mine": [["apostrophe"]],
            "A1": [["looks like a cell"]],
        },
    )
    answer = sheets_api.client().open_by_key(KEY).values_get(given)

    assert answer == {"range": answered, "majorDimension": "ROWS", **({"values": values} if values else {})}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Nope", "Unable to parse range: Nope"),
        ("'Nope'!A1", "Unable to parse range: 'Nope'!A1"),
        ("Claims!A0", "Unable to parse range: Claims!A0"),
        ("Claims!1A", "Unable to parse range: Claims!1A"),
        ("Claims!A1:B2:C3", "Unable to parse range: Claims!A1:B2:C3"),
        ("'Claims", "Unable to parse range: 'Claims"),
        ("Claims!A1:A1001", "Range ('Claims'!A1:A1001) exceeds grid limits. Max rows: 1000, max columns: 26"),
    ],
)
def test_bad_ranges_are_400(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, given: str, message: str
) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Claims": [["a"]]})
    spreadsheet = sheets_api.client().open_by_key(KEY)

    with pytest.raises(APIError) as failed:
        spreadsheet.values_batch_get(["Claims", given])
    assert api_error(failed.value) == (
        400,
        {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}},
    )


def test_writes_must_fit_the_range_and_the_grid(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Claims": [["a"]]})
    spreadsheet = sheets_api.client().open_by_key(KEY)
    raw = {"valueInputOption": "RAW"}

    with pytest.raises(APIError) as too_wide:
        spreadsheet.values_update("Claims!A1:B1", raw, {"values": [["x", "y", "z"]]})
    with pytest.raises(APIError) as too_long:
        spreadsheet.values_update("Claims!A999", raw, {"values": [["x"], ["y"], ["z"]]})
    with pytest.raises(APIError) as no_option:
        spreadsheet.values_batch_update({"data": [{"range": "Claims!A1", "values": [["x"]]}]})
    assert [e.value.error["message"] for e in (too_wide, too_long, no_option)] == [
        "Requested writing within range ['Claims'!A1:B1], but tried writing to column [C]",
        "Range ('Claims'!A999:A1001) exceeds grid limits. Max rows: 1000, max columns: 26",
        "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED",
    ]
    assert sheets_fake.values(KEY, "Claims") == [["a"]]


def test_a_failing_batch_changes_nothing(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Claims": [["a"]]})
    spreadsheet = sheets_api.client().open_by_key(KEY)

    with pytest.raises(APIError) as duplicate:
        spreadsheet.batch_update(
            {"requests": [{"addSheet": {"properties": {"title": "Ledger"}}},
                          {"addSheet": {"properties": {"title": "LEDGER"}}}]}
        )
    assert duplicate.value.error["message"] == (
        'Invalid requests[1].addSheet: A sheet with the name "LEDGER" already exists. '
        "Please enter another name."
    )
    with pytest.raises(APIError):
        spreadsheet.values_batch_update(
            {"valueInputOption": "RAW", "data": [{"range": "Claims!A1", "values": [["changed"]]},
                                                 {"range": "Nope!A1", "values": [["x"]]}]}
        )
    assert sheets_fake.tabs(KEY) == ["Claims"]
    assert sheets_fake.values(KEY, "Claims") == [["a"]]


def test_unknown_spreadsheet_is_404_and_an_unshared_one_403(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute
) -> None:
    seed_registry(sheets_fake)
    sheets_fake.add_spreadsheet(STAFF_KEY, {"Ledger": []}, shared=False)
    client = sheets_api.client()

    with pytest.raises(SpreadsheetNotFound) as missing:
        client.open_by_key("1NoSuchSpreadsheetXXXXXXXXXXXXXXXXXXXXXXXXX")
    assert missing.value.args[0].json() == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }
    with pytest.raises(PermissionError) as denied:  # gspread turns a 403 on open into a bare PermissionError
        client.open_by_key(STAFF_KEY)
    assert isinstance(denied.value.__cause__, APIError)
    assert api_error(denied.value.__cause__) == (
        403,
        {"error": {"code": 403, "message": "The caller does not have permission",
                   "status": "PERMISSION_DENIED"}},
    )
    with pytest.raises(APIError) as read_denied:
        client.http_client.values_batch_get(STAFF_KEY, ["Ledger"])
    assert read_denied.value.code == 403
    sheets_fake.set_shared(STAFF_KEY, True)
    assert client.open_by_key(STAFF_KEY).sheet1.title == "Ledger"


def test_structural_requests_and_their_replies(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Claims": [HEADER, ["C-0001"]]})
    spreadsheet = sheets_api.client().open_by_key(KEY)

    answer = spreadsheet.batch_update(
        {
            "requests": [
                {"addSheet": {"properties": {"sheetId": 4242, "title": "Checks"}}},
                {"updateSheetProperties": {
                    "properties": {"sheetId": 4242, "gridProperties": {"frozenRowCount": 1}},
                    "fields": "gridProperties.frozenRowCount"}},
                {"repeatCell": {
                    "range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 3, "endColumnIndex": 4},
                    "cell": {"userEnteredFormat": {"numberFormat": {"type": "TEXT"}}},
                    "fields": "userEnteredFormat.numberFormat"}},
                {"setDataValidation": {
                    "range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 5, "endColumnIndex": 6},
                    "rule": {"condition": ONE_OF_TYPO_OR_BUG, "showCustomUi": True, "strict": False}}},
                {"addProtectedRange": {"protectedRange": {
                    "range": {"sheetId": 4242}, "description": "Written by the tool", "warningOnly": True}}},
                {"updateCells": {
                    "start": {"sheetId": 4242, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": [{"userEnteredValue": {"stringValue": "Repo"}},
                                         {"userEnteredValue": {"numberValue": 7}}]}],
                    "fields": "userEnteredValue"}},
            ]
        }
    )
    assert answer == {
        "spreadsheetId": KEY,
        "replies": [
            {"addSheet": {"properties": {"sheetId": 4242, "title": "Checks", "index": 1, "sheetType": "GRID",
                                         "gridProperties": {"rowCount": 1000, "columnCount": 26}}}},
            {},
            {},
            {},
            {"addProtectedRange": {"protectedRange": {
                "protectedRangeId": 1500000001, "range": {"sheetId": 4242},
                "description": "Written by the tool", "warningOnly": True, "requestingUserCanEdit": True}}},
            {},
        ],
    }
    assert sheets_fake.tab_properties(KEY, "Checks")["gridProperties"] == {
        "rowCount": 1000, "columnCount": 26, "frozenRowCount": 1
    }
    assert sheets_fake.values(KEY, "Checks") == [["Repo", 7]]
    assert sheets_fake.cell(KEY, "Claims", "D1000").number_format == {"type": "TEXT"}
    assert sheets_fake.cell(KEY, "Claims", "D1").number_format is None
    assert sheets_fake.cell(KEY, "Claims", "F2").validation == {
        "condition": ONE_OF_TYPO_OR_BUG,
        "showCustomUi": True,
        "strict": False,
    }
    assert [p["description"] for p in sheets_fake.protected_ranges(KEY, "Checks")] == ["Written by the tool"]

    # updateCells over a whole tab clears the field everywhere (how a tab is replaced in one batch)
    spreadsheet.batch_update({"requests": [
        {"updateCells": {"range": {"sheetId": 4242}, "fields": "userEnteredValue"}},
        {"updateCells": {"start": {"sheetId": 4242},
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                         "fields": "userEnteredValue"}},
    ]})
    assert sheets_fake.values(KEY, "Checks") == [["x"]]
    assert sheets_fake.counts[BATCH_UPDATE] == 2


def test_gspread_worksheet_helpers(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    sheets_fake.add_spreadsheet(KEY, {"Claims": [HEADER]})
    spreadsheet = sheets_api.client().open_by_key(KEY)
    worksheet = spreadsheet.sheet1

    worksheet.freeze(rows=1)
    worksheet.format("A2:A", {"numberFormat": {"type": "TEXT"}})
    worksheet.add_validation("F2:F", ValidationConditionType.one_of_list, ["typo", "bug"], showCustomUi=True)
    worksheet.add_protected_range("A1:F1", ["ta@example.edu"], description="header")
    worksheet.update_title("Claims 2023")
    ledger = spreadsheet.add_worksheet("Ledger", rows=10, cols=7, index=0)

    assert (ledger.id, ledger.index, ledger.row_count, ledger.col_count) == (1000000001, 0, 10, 7)
    assert sheets_fake.tabs(KEY) == ["Ledger", "Claims 2023"]
    assert sheets_fake.tab_properties(KEY, "Claims 2023")["gridProperties"]["frozenRowCount"] == 1
    assert sheets_fake.cell(KEY, "Claims 2023", "F9").validation == {
        "condition": ONE_OF_TYPO_OR_BUG,
        "showCustomUi": True,
        "strict": False,
    }
    assert sheets_fake.protected_ranges(KEY, "Claims 2023") == [
        {
            "protectedRangeId": 1500000001,
            "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0,
                      "endColumnIndex": 6},  # as gspread sent it
            "description": "header",
            "requestingUserCanEdit": True,
            "editors": {"users": ["ta@example.edu"]},
        }
    ]
    assert sheets_fake.counts == {BOOK: 2, BATCH_UPDATE: 6}  # sheet1 fetches the metadata again


def test_metadata_field_masks_and_grid_data(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    seed_registry(sheets_fake)
    client = sheets_api.client()
    client.open_by_key(KEY).sheet1.add_protected_range("J:L", warning_only=True, description="tool columns")

    masked = client.http_client.fetch_sheet_metadata(
        KEY, params={"fields": "sheets(properties(sheetId,title),protectedRanges(description))"}
    )
    assert masked == {
        "sheets": [
            {"properties": {"sheetId": 0, "title": "Claims"},
             "protectedRanges": [{"description": "tool columns"}]},
            {"properties": {"sheetId": 1000000001, "title": "Claims log"}},
        ]
    }
    # a Python bool in the query string is "True": the patched spec lets it through
    grid = client.http_client.fetch_sheet_metadata(
        KEY, params={"includeGridData": True, "ranges": "Claims!B2:D2"}
    )
    [sheet] = grid["sheets"]
    assert sheet["data"] == [
        {
            "startRow": 1,
            "startColumn": 1,
            "rowData": [{"values": [
                {"userEnteredValue": {"numberValue": SEPT_12}, "effectiveValue": {"numberValue": SEPT_12},
                 "formattedValue": "45181"},
                {"userEnteredValue": {"stringValue": "@alice"}, "effectiveValue": {"stringValue": "@alice"},
                 "formattedValue": "@alice"},
                {"userEnteredValue": {"stringValue": "00123"}, "effectiveValue": {"stringValue": "00123"},
                 "formattedValue": "00123"},
            ]}],
        }
    ]


def test_include_values_in_response_and_clearing(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    seed_registry(sheets_fake)
    worksheet = sheets_api.client().open_by_key(KEY).sheet1
    worksheet.format("B2:B3", {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}})

    answer = worksheet.update([["C-0003", "2023-09-14"]], "A4", raw=False, include_values_in_response=True)
    assert answer["updatedData"] == {"range": "Claims!A4:B4", "majorDimension": "ROWS",
                                     "values": [["C-0003", "2023-09-14"]]}
    assert worksheet.get("B2:B3") == [["2023-09-12"], ["2023-09-12"]]
    assert worksheet.batch_clear(["B2:C3"]) == {"spreadsheetId": KEY, "clearedRanges": ["Claims!B2:C3"]}
    assert sheets_fake.cell(KEY, "Claims", "B2").number_format == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert worksheet.clear() == {"spreadsheetId": KEY, "clearedRange": "Claims!A1:Z1000"}
    assert sheets_fake.values(KEY, "Claims") == []
    assert (sheets_fake.counts[CLEAR], sheets_fake.counts[BATCH_CLEAR]) == (1, 1)


def test_the_production_auth_path_gets_its_token_from_the_fake(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, service_account_info: dict[str, str]
) -> None:
    seed_registry(sheets_fake)
    client = gspread.service_account_from_dict(service_account_info)  # routed by sheets_api

    assert client.open_by_key(KEY).sheet1.get("A1") == [["Claim"]]
    [token] = sheets_fake.tokens
    assert token.client_email == service_account_info["client_email"]
    assert token.scopes == ("https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive")
    assert sheets_fake.counts == {TOKEN_ROUTE: 1, BOOK: 2, VALUES_GET: 1}  # sheet1 fetches metadata again
    bearer = f"Bearer {token.access_token}"
    assert [(r.route, r.authorization) for r in sheets_fake.received] == [
        (TOKEN_ROUTE, None),
        (BOOK, bearer),
        (BOOK, bearer),
        (VALUES_GET, bearer),
    ]

    # a 401 makes google-auth fetch a new token and send the request again
    sheets_fake.fault(VALUES_GET, "401")
    assert client.open_by_key(KEY).sheet1.get("B1") == [["Submitted"]]
    assert [t.access_token for t in sheets_fake.tokens] == ["ya29.fake-0001", "ya29.fake-0002"]
    assert sheets_fake.received[-1].authorization == "Bearer ya29.fake-0002"


def test_the_token_endpoint_checks_the_grant(
    sheets_fake: SheetsFake, service_account_info: dict[str, str]
) -> None:
    signer = google.auth.crypt.RSASigner.from_service_account_info(service_account_info)
    now = int(time.time())
    claims = {"iss": service_account_info["client_email"], "aud": "https://oauth2.googleapis.com/token",
              "scope": "https://www.googleapis.com/auth/spreadsheets", "iat": now, "exp": now + 3600}

    def grant(assertion: bytes | str, grant_type: str = JWT_BEARER) -> tuple[int, dict[str, Any]]:
        form = {"grant_type": grant_type, "assertion": assertion}
        response = requests.post(sheets_fake.token_uri, data=form, timeout=5)
        return response.status_code, response.json()

    good = google.auth.jwt.encode(signer, claims)
    assert grant(good) == (
        200, {"access_token": "ya29.fake-0001", "expires_in": 3600, "token_type": "Bearer"}
    )
    assert grant(good, "client_credentials") == (
        400,
        {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: client_credentials"},
    )
    header, payload, signature = good.decode().split(".")
    assert grant(f"{header}.{payload}.{signature[:-4]}AAAA") == (
        400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    )
    stranger = google.auth.jwt.encode(signer, {**claims, "iss": "someone@else.iam.gserviceaccount.com"})
    assert grant(stranger)[1]["error_description"] == "Invalid grant: account not found"
    too_long = google.auth.jwt.encode(signer, {**claims, "exp": now + 7200})
    assert grant(too_long)[1]["error_description"].startswith("Invalid JWT: Token must be a short-lived")
    assert sheets_fake.counts == {TOKEN_ROUTE: 5}


def test_a_failing_token_endpoint_fails_the_client(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, service_account_info: dict[str, str]
) -> None:
    seed_registry(sheets_fake)
    sheets_fake.fault(TOKEN_ROUTE, "403")

    with pytest.raises(google.auth.exceptions.RefreshError, match="access_denied"):
        gspread.service_account_from_dict(service_account_info).open_by_key(KEY)
    assert sheets_fake.counts == {TOKEN_ROUTE: 1}


# What gspread raises for each fault through Prism (the plain HTTPClient does not retry).
FAULTS_THROUGH_PRISM: dict[str, tuple[type[Exception], int]] = {
    "429-retry-after": (APIError, 429),
    "429": (APIError, 429),
    "500": (APIError, 500),
    "502": (APIError, 502),
    "503": (APIError, 503),
    "504": (APIError, 504),
    "403": (APIError, 403),
    "404": (APIError, 404),
    # google-auth answers a 401 by refreshing the token, which a static token cannot do
    "401": (google.auth.exceptions.RefreshError, 401),
    "drop": (APIError, 500),  # Prism answers for the upstream that hung up
    "malformed": (APIError, 500),  # Prism answers for the body it could not parse
}


def test_every_fault_kind_is_covered() -> None:
    assert set(FAULT_KINDS) == {*FAULTS_THROUGH_PRISM, "timeout"}


@pytest.mark.parametrize("kind", FAULTS_THROUGH_PRISM)
def test_faults_reach_the_client_through_prism(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, sheets_prism: PrismProxy, kind: str
) -> None:
    seed_registry(sheets_fake)
    spreadsheet = sheets_api.client().open_by_key(KEY)
    sheets_fake.fault(BATCH_GET, kind)

    exception, status = FAULTS_THROUGH_PRISM[kind]
    with pytest.raises(exception) as failed:
        spreadsheet.values_batch_get(["Claims!A1"])
    if isinstance(failed.value, APIError):
        assert failed.value.response.status_code == status
        headers, body = failed.value.response.headers, failed.value.response.json()
        if kind in {"drop", "malformed"}:
            assert body["type"] == "FetchError"
            assert failed.value.code == -1  # not Google's error body: gspread cannot read a code
            [violation] = sheets_prism.take_violations()
            assert "FetchError" in violation
        else:
            assert body["error"]["code"] == status
            assert failed.value.code == status
        assert ("Retry-After" in headers) == (kind == "429-retry-after")
        if kind.startswith("429"):
            assert body["error"]["status"] == "RESOURCE_EXHAUSTED"
            assert body["error"]["message"].startswith("Quota exceeded for quota metric 'Read requests'")

    assert spreadsheet.values_batch_get(["Claims!A1"])["valueRanges"][0]["values"] == [["Claim"]]  # once
    assert sheets_fake.counts[BATCH_GET] == 2


def test_a_write_that_times_out_still_lands(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    seed_registry(sheets_fake)
    client = sheets_api.client()
    spreadsheet = client.open_by_key(KEY)
    client.set_timeout(0.5)
    sheets_fake.fault(VALUES_UPDATE, "timeout", delay=1.0)

    with pytest.raises(requests.exceptions.ReadTimeout):
        spreadsheet.values_update("Claims!G2", {"valueInputOption": "RAW"}, {"values": [["open"]]})
    assert sheets_fake.values(KEY, "Claims")[1][6:] == ["open"]
    assert sheets_fake.counts[VALUES_UPDATE] == 1
    time.sleep(0.6)  # let the late answer go, so that Prism logs it before the test ends


def test_dropped_connection_and_malformed_body_as_gspread_sees_them_directly(
    sheets_fake: SheetsFake, sheets_api_direct: SheetsRoute
) -> None:
    seed_registry(sheets_fake)
    spreadsheet = sheets_api_direct.client().open_by_key(KEY)
    sheets_fake.fault(BATCH_GET, "drop")
    sheets_fake.fault(BATCH_GET, "malformed")

    with pytest.raises(requests.exceptions.ConnectionError):
        spreadsheet.values_batch_get(["Claims!A1"])
    with pytest.raises(requests.exceptions.JSONDecodeError):
        spreadsheet.values_batch_get(["Claims!A1"])
    assert spreadsheet.values_batch_get(["Claims!A1"])["valueRanges"][0]["values"] == [["Claim"]]


def test_gspread_backoff_client_waits_2_then_4_seconds_whatever_retry_after_says(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_registry(sheets_fake)
    waits: list[float] = []
    monkeypatch.setattr(gspread.http_client, "time", types.SimpleNamespace(sleep=waits.append))
    spreadsheet = sheets_api.client(http_client=BackOffHTTPClient).open_by_key(KEY)
    sheets_fake.fault(BATCH_GET, "429-retry-after", retry_after=30)
    sheets_fake.fault(BATCH_GET, "503")

    assert spreadsheet.values_batch_get(["Claims!A1"])["valueRanges"][0]["values"] == [["Claim"]]
    assert waits == [2, 4]
    sheets_fake.fault(BATCH_GET, "403")
    with pytest.raises(APIError):  # not retried
        spreadsheet.values_batch_get(["Claims!A1"])
    assert (waits, sheets_fake.counts[BATCH_GET]) == ([2, 4], 4)


def test_counters_received_and_reset(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    seed_registry(sheets_fake)
    client = sheets_api.client(token="token-1")
    spreadsheet = client.open_by_key(KEY)
    spreadsheet.values_batch_get(["Claims"])
    spreadsheet.sheet1.update([["x"]], "H1")
    sheets_fake.fault(BATCH_GET, "500")

    assert sheets_fake.counts == {BOOK: 2, BATCH_GET: 1, VALUES_UPDATE: 1}
    assert sheets_fake.total() == 4
    assert {r.authorization for r in sheets_fake.received} == {"Bearer token-1"}

    sheets_fake.reset()
    assert (sheets_fake.total(), dict(sheets_fake.counts), sheets_fake.received) == (0, {}, [])
    with pytest.raises(APIError) as gone:
        spreadsheet.values_batch_get(["Claims"])
    assert gone.value.code == 404
    seed_registry(sheets_fake)
    assert spreadsheet.values_batch_get(["Claims!A1"])["valueRanges"][0]["values"] == [["Claim"]]  # no 500


def test_fault_rejects_unknown_routes_and_kinds(sheets_fake: SheetsFake) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        sheets_fake.fault("GET /v4/spreadsheets/{spreadsheetId}/values:batchGetByDataFilter", "500")
    with pytest.raises(ValueError, match="unknown fault"):
        sheets_fake.fault(BATCH_GET, "418")


def test_a_request_without_credentials_is_401(sheets_fake: SheetsFake) -> None:
    seed_registry(sheets_fake)
    response = requests.get(f"{sheets_fake.url}/v4/spreadsheets/{KEY}", timeout=5)

    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_hosts_other_than_sheets_are_refused(sheets_fake: SheetsFake, sheets_api: SheetsRoute) -> None:
    client = sheets_api.client()

    with pytest.raises(RefusedOutsideLoopback, match=r"refused GET https://www\.googleapis\.com/drive/v3/"):
        client.list_spreadsheet_files()
    with pytest.raises(RefusedOutsideLoopback):
        client.http_client.session.get("http://example.com/")
    assert sheets_fake.total() == 0


def test_prism_flags_a_response_that_breaks_the_spec(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, sheets_prism: PrismProxy
) -> None:
    seed_registry(sheets_fake)
    client = sheets_api.client()
    sheets_fake.format_cells(KEY, "Claims", "B2", {"numberFormat": {"type": "MONEY"}})  # not a type

    with pytest.raises(APIError) as broken:
        client.http_client.fetch_sheet_metadata(
            KEY, params={"includeGridData": "true", "ranges": "Claims!B2"}
        )
    assert broken.value.response.status_code == 500
    locations = [v["location"] for v in broken.value.response.json()["validation"]]
    assert ["response", "body", "sheets", "0", "data", "0", "rowData", "0", "values", "0",
            "userEnteredFormat", "numberFormat", "type"] in locations
    [violation] = sheets_prism.take_violations()
    assert "VIOLATIONS" in violation


def test_prism_rejects_a_misspelled_field_and_a_bad_boolean(
    sheets_fake: SheetsFake, sheets_api: SheetsRoute, sheets_prism: PrismProxy
) -> None:
    seed_registry(sheets_fake)
    spreadsheet = sheets_api.client().open_by_key(KEY)

    with pytest.raises(APIError) as misspelled:
        spreadsheet.batch_update({"requests": [{"repeatCell": {
            "range": {"sheetId": 0}, "cell": {"userEnteredFormat": {"numberFormat": {"typ": "TEXT"}}},
            "fields": "userEnteredFormat.numberFormat"}}]})
    with pytest.raises(APIError) as not_a_boolean:
        spreadsheet.fetch_sheet_metadata(params={"includeGridData": "yes"})
    assert (misspelled.value.response.status_code, not_a_boolean.value.response.status_code) == (422, 422)
    assert (
        "Request body property requests.0.repeatCell.cell.userEnteredFormat.numberFormat "
        "must NOT have additional properties; found 'typ'"
    ) in [v["message"] for v in misspelled.value.response.json()["validation"]]
    assert sheets_fake.counts == {BOOK: 1}  # neither reached the fake
    assert len(sheets_prism.take_violations()) == 2


def test_a_subprocess_is_routed_through_prism(
    sheets_fake: SheetsFake, sheets_subprocess_env: dict[str, str], service_account_info: dict[str, str]
) -> None:
    seed_registry(sheets_fake)
    script = (
        "import json, os, gspread\n"
        "client = gspread.service_account_from_dict(json.loads(os.environ['KEY_JSON']))\n"
        f"print(client.open_by_key({KEY!r}).sheet1.acell('C2').value)\n"
        "try:\n"
        "    client.list_spreadsheet_files()\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**sheets_subprocess_env, "KEY_JSON": json.dumps(service_account_info)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout == "@alice\nRefusedOutsideLoopback\n"
    assert sheets_fake.counts == {TOKEN_ROUTE: 1, BOOK: 2, VALUES_GET: 1}


def test_subprocess_environments_combine(
    github_subprocess_env: dict[str, str], sheets_subprocess_env: dict[str, str]
) -> None:
    assert github_subprocess_env is sheets_subprocess_env
    assert {"EXTRACREDIT_TEST_GITHUB_PORT", "EXTRACREDIT_TEST_SHEETS_PORT"} <= set(sheets_subprocess_env)
