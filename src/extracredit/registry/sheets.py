"""The ``sheets`` registry backend: the registry's tabs in Google Sheets, read and written through gspread."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import gspread
import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from extracredit.core.model import Table
from extracredit.errors import RegistryError
from extracredit.registry.schema import CellWrite
from extracredit.retry import Done, GaveUp, RetryPolicy, TransientError
from extracredit.text import messages, usage

T = TypeVar("T")
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
CREDENTIALS_VARIABLE = "EXTRACREDIT_GOOGLE_CREDENTIALS"
KEY_FILE_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"  # Google's own: the path of a key file
REQUEST_TIMEOUT = 20.0
RETRYABLE = frozenset({429, 500, 502, 503, 504})
# The class edits the claims sheet; everything else lives in the staff sheet.
CLAIMS_SHEET_TABS = frozenset({"Claims"})
_KEY_IN_URL = re.compile(r"/spreadsheets/d/([a-zA-Z0-9-_]+)")
_KEY = re.compile(r"^[a-zA-Z0-9-_]{20,}$")
_BAD_RANGE = re.compile(r"Unable to parse range: ('(?:[^']|'')*'|[^')!\s]+)")
# A formula is read as its text and written back never; dates come as serial numbers, so the
# sheet's locale cannot change how a date reads.
READ_PARAMS: dict[str, Any] = {"valueRenderOption": "FORMULA", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}


class SheetsError(RegistryError):
    """Google Sheets could not be reached, refused, or answered with something unusable."""


def spreadsheet_key(text: str) -> str:
    """The key of a spreadsheet given as its key or its URL."""
    found = _KEY_IN_URL.search(text)
    key = found.group(1) if found else text.strip()
    if not _KEY.match(key):
        raise SheetsError(messages.sheets_bad_key(text))
    return key


def quote_tab(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_text(value: Any) -> str:
    """A cell as text, whatever JSON type Sheets returned it as (no float noise, no exponent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def classify(error: Exception) -> TransientError | None:
    """Which failures of a Sheets request are worth another try."""
    if isinstance(error, APIError):
        status = error.response.status_code
        if status in RETRYABLE:
            header = error.response.headers.get("Retry-After", "")
            wait = float(header) if header.strip().isdigit() else None
            return TransientError(f"HTTP {status}", wait)
        return None
    if isinstance(error, requests.exceptions.Timeout):
        return TransientError("timed out")
    if isinstance(error, requests.exceptions.ConnectionError):
        return TransientError("connection failed")
    if isinstance(error, ValueError):
        return TransientError("malformed response")
    return None


def _describe(error: BaseException) -> str:
    if isinstance(error, APIError):
        return f"HTTP {error.response.status_code}: {error.error.get('message', '')}".rstrip(": ")
    return str(error) or type(error).__name__


def credentials_from_environment() -> Any:
    """A service-account key from EXTRACREDIT_GOOGLE_CREDENTIALS, else application defaults."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError
    from google.oauth2.service_account import Credentials

    secret = os.environ.get(CREDENTIALS_VARIABLE, "").strip()
    if secret:
        try:
            info = json.loads(secret)
            return Credentials.from_service_account_info(info, scopes=list(SCOPES))  # type: ignore[no-untyped-call]
        except (ValueError, KeyError, TypeError):
            raise SheetsError(messages.SHEETS_BAD_CREDENTIALS) from None
    key_file = os.environ.get(KEY_FILE_VARIABLE, "")
    try:
        credentials, _ = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError:
        if key_file:  # google-auth reads nothing else once the variable names a file
            raise SheetsError(_bad_key_file(key_file)) from None
        raise SheetsError(messages.SHEETS_NO_CREDENTIALS) from None
    except (ValueError, TypeError, KeyError, AttributeError):
        # google-auth trips over a key file whose JSON is not an object.
        if not key_file:
            raise
        raise SheetsError(_bad_key_file(key_file)) from None
    return credentials


def _bad_key_file(path: str) -> str:
    return usage.sheets_bad_key_file(KEY_FILE_VARIABLE, path, exists=os.path.exists(path))


def connect(credentials: Any, timeout: float = REQUEST_TIMEOUT) -> gspread.Client:
    client = gspread.Client(auth=credentials, http_client=HTTPClient)
    client.http_client.set_timeout(timeout)
    return client


class SheetsRegistry:
    """The claims sheet (tab Claims) and the staff sheet (the other tabs); one may be both."""

    def __init__(self, client: gspread.Client, claims_key: str, staff_key: str,
                 policy: RetryPolicy | None = None, settle: float = REQUEST_TIMEOUT) -> None:
        self.http: HTTPClient = client.http_client
        self.claims_key = spreadsheet_key(claims_key)
        self.staff_key = spreadsheet_key(staff_key)
        self.policy = policy or RetryPolicy()
        self.settle = settle

    def key_of(self, tab: str) -> str:
        return self.claims_key if tab in CLAIMS_SHEET_TABS else self.staff_key

    def _call(self, call: Callable[[], T], before_retry: Callable[[], None] | None = None,
              write: bool = False) -> T:
        def classify_call(error: Exception) -> TransientError | None:
            transient = classify(error)
            if write and transient is not None and isinstance(error, requests.exceptions.Timeout):
                # A write that timed out may still land: wait it out before looking again.
                return TransientError(transient.reason, self.settle)
            return transient

        try:
            return self.policy.run(call, classify_call, before_retry)
        except GaveUp as error:
            cause = error.__cause__ if error.__cause__ is not None else error
            raise SheetsError(messages.sheets_failed(
                f"{_describe(cause)}, after {error.attempts} attempts")) from None
        except APIError as error:
            raise SheetsError(messages.sheets_failed(_describe(error))) from None
        except SheetsError:
            raise
        except Exception as error:
            raise SheetsError(messages.sheets_failed(_describe(error))) from None

    # Reading ----------------------------------------------------------------------------------

    def read(self, tabs: Sequence[str]) -> dict[str, Table]:
        """Every tab asked for, in one batchGet per spreadsheet; a missing tab reads as absent."""
        by_key: dict[str, list[str]] = {}
        for tab in tabs:
            by_key.setdefault(self.key_of(tab), []).append(tab)
        tables: dict[str, Table] = {}
        for key, wanted in by_key.items():
            tables.update(self._read_sheet(key, wanted))
        return tables

    def _read_sheet(self, key: str, tabs: list[str]) -> dict[str, Table]:
        remaining = list(tabs)
        while remaining:
            try:
                answer = self._call(lambda: self.http.values_batch_get(
                    key, [quote_tab(tab) for tab in remaining], params=dict(READ_PARAMS)))
            except SheetsError as error:
                missing = self._missing_tab(str(error), remaining)
                if missing is None:
                    raise
                remaining.remove(missing)
                continue
            ranges = answer.get("valueRanges") or []
            if len(ranges) != len(remaining):
                raise SheetsError(messages.sheets_failed("the answer does not match the ranges"))
            return {tab: _table(tab, value_range.get("values") or [])
                    for tab, value_range in zip(remaining, ranges, strict=True)}
        return {}

    @staticmethod
    def _missing_tab(error: str, tabs: Sequence[str]) -> str | None:
        found = _BAD_RANGE.search(error)
        if found is None:
            return None
        named = found.group(1).strip()
        return next((tab for tab in tabs if named in (quote_tab(tab), tab)), None)

    # Writing ----------------------------------------------------------------------------------

    def write_cells(self, writes: Sequence[CellWrite]) -> None:
        """All the cells in one values:batchUpdate per spreadsheet, as RAW text (never formulas)."""
        by_key: dict[str, list[dict[str, Any]]] = {}
        for write in writes:
            first = column_letter(write.column)
            last = column_letter(write.column + len(write.values) - 1)
            by_key.setdefault(self.key_of(write.tab), []).append({
                "range": f"{quote_tab(write.tab)}!{first}{write.row}:{last}{write.row}",
                "majorDimension": "ROWS",
                "values": [list(write.values)],
            })
        for key, data in by_key.items():
            body = {"valueInputOption": "RAW", "data": data}
            self._call(lambda k=key, b=body: self.http.values_batch_update(k, b),  # type: ignore[misc]
                       write=True)

    def append_rows(self, tab: str, rows: Sequence[Sequence[str]],
                    landed: Callable[[], bool] | None = None) -> None:
        """Append rows below the tab's table (INSERT_ROWS, RAW).

        ``landed`` re-reads the tab and says whether these rows are there already: an append
        that may or may not have happened (a timeout, a 5xx) is reconciled, never repeated blind.
        """
        key = self.key_of(tab)

        def check() -> None:
            if landed is not None and landed():
                raise Done(None)

        params: dict[str, Any] = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
        body = {"majorDimension": "ROWS", "values": [list(row) for row in rows]}
        self._call(lambda: self.http.values_append(key, quote_tab(tab), params, body),
                   before_retry=check if landed is not None else None, write=True)

    def replace_tab(self, tab: str, rows: Sequence[Sequence[str]], shown: Table | None = None) -> None:
        """Replace a tab's whole content in one request (a tab the tool owns, such as Tally).

        Given the tab as it was just read (``shown``), the rows are written as values over it,
        padded with blanks to cover all it held: no request is then needed for the tab's id.
        """
        key = self.key_of(tab)
        if shown is not None:
            height = max(len(rows), 1 + len(shown.rows))
            width = max([1, len(shown.header), *(len(row) for row in rows),
                         *(len(cells) for _, cells in shown.rows)])
            values = [[*row, *[""] * (width - len(row))] for row in rows]
            values += [[""] * width for _ in range(height - len(rows))]
            body = {"valueInputOption": "RAW", "data": [{
                "range": f"{quote_tab(tab)}!A1:{column_letter(width - 1)}{height}",
                "majorDimension": "ROWS", "values": values}]}
            self._call(lambda: self.http.values_batch_update(key, body), write=True)
            return
        sheet_id = self._sheet_id(key, tab)
        cells = [{"values": [{"userEnteredValue": {"stringValue": value}} for value in row]}
                 for row in rows]
        body = {"requests": [
            {"updateCells": {"range": {"sheetId": sheet_id}, "fields": "userEnteredValue"}},
            {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                             "rows": cells, "fields": "userEnteredValue"}},
        ]}
        self._call(lambda: self.http.batch_update(key, body), write=True)

    def sheet_titles(self, key: str) -> dict[str, int]:
        """The tabs of one spreadsheet: title -> sheetId."""
        metadata = self._call(lambda: self.http.fetch_sheet_metadata(
            key, params={"fields": "sheets.properties"}))
        return {sheet["properties"]["title"]: sheet["properties"]["sheetId"]
                for sheet in metadata.get("sheets") or []}

    def _sheet_id(self, key: str, tab: str) -> int:
        titles = self.sheet_titles(key)
        if tab not in titles:
            raise SheetsError(messages.sheets_no_tab(tab))
        return titles[tab]

    def batch_update(self, key: str, requests_body: Mapping[str, Any]) -> Any:
        return self._call(lambda: self.http.batch_update(key, requests_body), write=True)


def _table(tab: str, values: list[list[Any]]) -> Table:
    header = tuple(cell_text(cell) for cell in values[0]) if values else ()
    rows = tuple((index, tuple(cell_text(cell) for cell in cells))
                 for index, cells in enumerate(values[1:], start=2))
    return Table(tab, header, rows)
