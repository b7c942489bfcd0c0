"""A stateful fake of the Google Sheets API v4, served over HTTP on 127.0.0.1 for the tests, with
Google's OAuth token endpoint beside it.

It implements the operations of ``tests/contract/sheets.json`` (the ones gspread sends for the
project) with Google's behaviour where the project relies on it: spreadsheets by key with their
tabs (``sheetId``, title, index, grid size, frozen rows), cells holding strings, numbers,
booleans and formulas, number formats, data validation and protected ranges; A1 ranges as the
API reads them (``'Claims log'!A1:L``, ``Claims``, ``A:C``, ``Claims!2:5``, quoted titles with
spaces and apostrophes); ``valueRenderOption``, ``dateTimeRenderOption``, ``majorDimension``;
``valueInputOption`` RAW (text stays text) and USER_ENTERED (what a person typing would get:
``=...`` is a formula, ``00123`` is the number 123, ``2023-09-12`` is a date, i.e. a serial number
with a date format, unless the cell is formatted as plain text); trailing empty rows and cells
left out of answers; ``values:append`` finding the table and inserting rows after its last
non-empty row; the structural ``batchUpdate`` requests (all or nothing, with their replies); the
API's error bodies (``{"error": {"code", "message", "status"}}``). Responses are checked by Prism
(in front of it, in proxy mode) against the patched official description.

Formulas are stored, never evaluated: a formula's value (FORMATTED_VALUE, UNFORMATTED_VALUE) is
its ``Formula.result``, the empty string unless a test seeded another; FORMULA gives its text.
Number formats other than dates, times, percents and fixed decimals render as "General". The API
does not enforce data validation or protection on the caller's writes, and neither does the fake.

``POST /token`` is the OAuth 2.0 token endpoint a service account's ``token_uri`` names: it takes
a JWT-bearer grant, checks the assertion's RS256 signature against the key registered with
``add_service_account``, and issues a bearer token. Sheets requests need an ``Authorization``
header (any bearer is accepted; each is recorded in ``received``).

Tests seed state with ``add_spreadsheet``/``add_tab``/``set_shared``, inject failures per route
with ``fault``, read what the client did with ``values``/``cell``/``tab_properties``/
``protected_ranges``/``received``/``tokens``, and count calls with ``counts`` and ``total``.
``latency`` (seconds, default 0) delays every answer as a round trip to Google would; concurrent
requests wait in parallel.
Routes are named by the spec's operation, e.g. ``"GET /v4/spreadsheets/{spreadsheetId}"``, and
``"POST /token"``.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fakes.server import JsonHandler, LoopbackServer
from fakes.server import Reply as _Reply

SPEC_PATH = Path(__file__).resolve().parent.parent / "contract" / "sheets.json"
API = "https://sheets.googleapis.com"

FAULT_KINDS = (
    "429-retry-after",  # 429 RESOURCE_EXHAUSTED with Retry-After
    "429",  # 429 RESOURCE_EXHAUSTED, no Retry-After (what Sheets usually sends)
    "500",
    "502",
    "503",
    "504",
    "timeout",  # do the work (a write lands), then answer only after `delay` seconds
    "drop",  # close the connection without answering (nothing is done)
    "malformed",  # 200 with a truncated JSON body (nothing is done)
    "401",
    "403",
    "404",
)
VALUE_INPUT_OPTIONS = ("RAW", "USER_ENTERED")
VALUE_RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_TIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
DEFAULT_ROWS = 1000  # a new tab's grid, as in Google Sheets
DEFAULT_COLUMNS = 26
MAX_TOKEN_LIFETIME = 3600  # seconds; Google refuses longer-lived JWT grants
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# The audiences Google's token endpoint accepts in a JWT grant (google-auth sends the first,
# whatever the key's token_uri).
TOKEN_AUDIENCES = (
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
)

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_FAULT_MESSAGES = {
    "401": "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    "403": "The caller does not have permission",
    "404": "Requested entity was not found.",
    "500": "Internal error encountered.",
    "502": "Bad Gateway",
    "503": "The service is currently unavailable.",
    "504": "Deadline expired before operation could complete.",
}
_QUOTA_MESSAGE = (
    "Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute per "
    "user' of service 'sheets.googleapis.com' for consumer 'project_number:{project}'."
)
_PROJECT_NUMBER = 123456789012
_MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
# The OAuth endpoint answers in RFC 6749's shape, not the API's.
_TOKEN_FAULTS = {
    "429": ("rate_limit_exceeded", "Rate Limit Exceeded"),
    "500": ("internal_failure", "Backend Error"),
    "502": ("internal_failure", "Backend Error"),
    "503": ("temporarily_unavailable", "Service Unavailable"),
    "504": ("internal_failure", "Backend Error"),
    "401": ("invalid_client", "The OAuth client was not found."),
    "403": ("access_denied", "Access denied."),
    "404": ("not_found", "Not Found"),
}
_FIRST_EXTRA_SHEET_ID = 1_000_000_001  # sheetIds are int32; the first tab of a spreadsheet is 0
_FIRST_PROTECTED_RANGE_ID = 1_500_000_001
_EPOCH = datetime(1899, 12, 30)  # day 0 of Google's (Lotus 1-2-3) serial numbers
_DATE_TYPES = ("DATE", "TIME", "DATE_TIME")
_CELL_FIELDS = ("userEnteredValue", "userEnteredFormat", "dataValidation", "note")
_EXTRA_SHEET_PROPERTIES = ("tabColor", "tabColorStyle", "rightToLeft")  # kept and echoed as given


class Formula(str):
    """A formula cell as the fake stores it: equal to its text (``=...``), with the ``result``
    that FORMATTED_VALUE and UNFORMATTED_VALUE show (the fake evaluates nothing)."""

    result: Any

    def __new__(cls, text: str, result: Any = "") -> Formula:
        if not text.startswith("="):
            raise ValueError(f"a formula starts with '=': {text!r}")
        formula = super().__new__(cls, text)
        formula.result = result
        return formula

    def __repr__(self) -> str:
        return f"Formula({str(self)!r})"


@dataclass(frozen=True)
class CellState:
    """One cell as the fake holds it (what ``SheetsFake.cell`` returns).

    ``value`` is None (empty), a str, an int or float (dates are serial numbers), a bool or a
    ``Formula``; ``format`` is the cell's ``userEnteredFormat``; ``validation`` its
    ``DataValidationRule``; all as the API's JSON.
    """

    value: Any
    format: Mapping[str, Any]
    validation: Mapping[str, Any] | None
    note: str | None

    @property
    def number_format(self) -> Mapping[str, Any] | None:
        return self.format.get("numberFormat")


class Received(NamedTuple):
    """One request the fake received: its route, method, target and ``Authorization`` header."""

    route: str
    method: str
    target: str
    authorization: str | None


class IssuedToken(NamedTuple):
    """An access token ``POST /token`` issued, to whom, for which scopes."""

    access_token: str
    client_email: str
    scopes: tuple[str, ...]


@dataclass
class _Cell:
    value: Any = None
    format: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] | None = None
    note: str | None = None

    def empty(self) -> bool:
        return self.value is None and not self.format and self.validation is None and self.note is None


@dataclass
class _Tab:
    sheet_id: int
    title: str
    rows: int
    columns: int
    frozen_rows: int = 0
    frozen_columns: int = 0
    hidden: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # other SheetProperties, echoed back
    cells: dict[tuple[int, int], _Cell] = field(default_factory=dict)  # by (row, column), 0-based
    protected: list[dict[str, Any]] = field(default_factory=list)  # ProtectedRange JSON

    def value_at(self, row: int, column: int) -> Any:
        cell = self.cells.get((row, column))
        return None if cell is None else cell.value

    def cell_for_write(self, row: int, column: int) -> _Cell:
        return self.cells.setdefault((row, column), _Cell())

    def prune(self) -> None:
        for key in [key for key, cell in self.cells.items() if cell.empty()]:
            del self.cells[key]


@dataclass
class _Book:
    key: str
    title: str
    shared: bool
    locale: str
    time_zone: str
    tabs: list[_Tab] = field(default_factory=list)  # in index order


@dataclass(frozen=True)
class _Area:
    """A rectangle of one tab: half-open indexes, ``None`` for "to the end of the grid".

    ``anchor`` marks a single cell given alone (``A1``): a write may extend from it.
    """

    tab: _Tab
    top: int
    bottom: int | None
    left: int
    right: int | None
    anchor: bool = False

    def clipped(self) -> tuple[int, int, int, int]:
        bottom = self.tab.rows if self.bottom is None else min(self.bottom, self.tab.rows)
        right = self.tab.columns if self.right is None else min(self.right, self.tab.columns)
        return self.top, bottom, self.left, right


@dataclass
class _Fault:
    kind: str
    remaining: int
    delay: float
    retry_after: int


class _ApiError(Exception):
    """Ends a request with the API's error body."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def reply(self) -> _Reply:
        body = {"error": {"code": self.code, "message": self.message, "status": _STATUS_NAMES[self.code]}}
        return _Reply(self.code, body)


class _OAuthError(Exception):
    """Ends a token request with RFC 6749's error body."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.reply = _Reply(status, {"error": error, "error_description": description})


class _Route(NamedTuple):
    key: str  # the spec operation, e.g. "GET /v4/spreadsheets/{spreadsheetId}"
    method: str
    pattern: re.Pattern[str]
    handler: str  # name of the SheetsFake method that serves it
    write: bool


def _route(method: str, template: str, handler: str, write: bool = False) -> _Route:
    parts = re.split(r"(\{\w+\})", template)
    pattern = "".join(
        f"(?P<{part[1:-1]}>{'.+' if part == '{range}' else '[^/:]+'})"
        if part.startswith("{")
        else re.escape(part)
        for part in parts
    )
    return _Route(f"{method} {template}", method, re.compile(f"{pattern}$"), handler, write)


_BOOK = "/v4/spreadsheets/{spreadsheetId}"
ROUTES = (
    _route("GET", _BOOK, "_get_spreadsheet"),
    _route("POST", f"{_BOOK}:batchUpdate", "_batch_update", write=True),
    _route("GET", f"{_BOOK}/values:batchGet", "_values_batch_get"),
    _route("POST", f"{_BOOK}/values:batchUpdate", "_values_batch_update", write=True),
    _route("POST", f"{_BOOK}/values:batchClear", "_values_batch_clear", write=True),
    _route("GET", f"{_BOOK}/values/{{range}}", "_values_get"),
    _route("PUT", f"{_BOOK}/values/{{range}}", "_values_update", write=True),
    _route("POST", f"{_BOOK}/values/{{range}}:append", "_values_append", write=True),
    _route("POST", f"{_BOOK}/values/{{range}}:clear", "_values_clear", write=True),
    _route("POST", "/token", "_token"),
)
ROUTE_KEYS = tuple(route.key for route in ROUTES)
TOKEN_ROUTE = "POST /token"
SHEETS_ROUTE_KEYS = tuple(key for key in ROUTE_KEYS if key != TOKEN_ROUTE)


# -- A1 notation ------------------------------------------------------------------------------


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def quote_title(title: str, *, always: bool = False) -> str:
    """A tab title as the API writes it in a range: bare when it is a plain name."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(
        r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*", title
    )
    if plain and not always:
        return title
    return "'" + title.replace("'", "''") + "'"


def a1(tab: _Tab, top: int, bottom: int, left: int, right: int, *, always_quote: bool = False) -> str:
    """``Title!A1:B2`` for the half-open rectangle (``Title!A1`` for one cell)."""
    start = f"{column_letters(left)}{top + 1}"
    end = f"{column_letters(right - 1)}{bottom}"
    cells = start if (bottom - top, right - left) == (1, 1) else f"{start}:{end}"
    return f"{quote_title(tab.title, always=always_quote)}!{cells}"


_CELL_REF = re.compile(r"(?P<column>[A-Za-z]{1,3})?(?P<row>[1-9][0-9]{0,6})?")


def _split_title(text: str) -> tuple[str | None, str | None]:
    """``'Claims log'!A1:B`` -> ("Claims log", "A1:B"); ``A1:B`` -> (None, "A1:B")."""
    if text.startswith("'"):
        title: list[str] = []
        position = 1
        while position < len(text):
            char = text[position]
            if char == "'":
                if text[position + 1 : position + 2] == "'":
                    title.append("'")
                    position += 2
                    continue
                rest = text[position + 1 :]
                if not rest:
                    return "".join(title), None
                if rest.startswith("!") and len(rest) > 1:
                    return "".join(title), rest[1:]
                raise ValueError(text)
            title.append(char)
            position += 1
        raise ValueError(text)
    if "!" in text:
        title_text, _, cells = text.rpartition("!")
        if not title_text or not cells:
            raise ValueError(text)
        return title_text, cells
    return None, text


def _parse_cells(tab: _Tab, text: str) -> _Area:
    """The rectangle of ``A1``, ``A1:B2``, ``A:C``, ``A2:C``, ``2:5`` on ``tab``."""
    ends = text.split(":")
    if len(ends) > 2:
        raise ValueError(text)
    parsed = []
    for end in ends:
        found = _CELL_REF.fullmatch(end)
        if found is None or not end:
            raise ValueError(text)
        column = column_index(found["column"]) if found["column"] else None
        row = int(found["row"]) - 1 if found["row"] else None
        parsed.append((column, row))
    if len(parsed) == 1:
        column, row = parsed[0]
        if column is None or row is None:
            raise ValueError(text)
        return _Area(tab, row, row + 1, column, column + 1, anchor=True)
    (c1, r1), (c2, r2) = parsed
    if c1 is None and c2 is None:  # rows, e.g. 2:5
        if r1 is None or r2 is None:
            raise ValueError(text)
        return _Area(tab, min(r1, r2), max(r1, r2) + 1, 0, None)
    if c1 is None or c2 is None:  # A1:5
        raise ValueError(text)
    left, right = min(c1, c2), max(c1, c2) + 1
    if r1 is not None and r2 is not None:
        return _Area(tab, min(r1, r2), max(r1, r2) + 1, left, right)
    # A2:C runs to the last row, A:C5 starts at the first, A:C is whole columns
    return _Area(tab, r1 or 0, None if r2 is None else r2 + 1, left, right)


def _find_tab(book: _Book, title: str) -> _Tab | None:
    exact = [tab for tab in book.tabs if tab.title == title]
    folded = [tab for tab in book.tabs if tab.title.casefold() == title.casefold()]
    return (exact or folded or [None])[0]


def parse_range(book: _Book, text: str) -> _Area:
    """A range of ``book`` in A1 notation, or the API's 400 ``Unable to parse range``."""
    unparsable = _ApiError(400, f"Unable to parse range: {text}")
    try:
        title, cells = _split_title(text)
    except ValueError:
        raise unparsable from None
    if title is None:  # a tab's title, or cells of the first tab
        assert cells is not None
        tab = _find_tab(book, cells)
        if tab is not None:
            return _Area(tab, 0, None, 0, None)
        if not book.tabs:
            raise unparsable
        tab = book.tabs[0]
    else:
        found = _find_tab(book, title)
        if found is None:
            raise unparsable
        tab = found
    if cells is None:
        return _Area(tab, 0, None, 0, None)
    try:
        return _parse_cells(tab, cells)
    except ValueError:
        raise unparsable from None


def _grid_range(book: _Book, grid: Mapping[str, Any], where: str) -> _Area:
    """A ``GridRange`` (sheetId and optional half-open indexes) as an area of ``book``."""
    sheet_id = grid.get("sheetId") or 0
    tab = next((t for t in book.tabs if t.sheet_id == sheet_id), None)
    if tab is None:
        raise _ApiError(400, f"Invalid {where}: No grid with id: {sheet_id}")
    top = grid.get("startRowIndex") or 0
    left = grid.get("startColumnIndex") or 0
    bottom = grid.get("endRowIndex")
    right = grid.get("endColumnIndex")
    if (bottom is not None and bottom > tab.rows) or (right is not None and right > tab.columns):
        raise _ApiError(
            400,
            f"Invalid {where}: Range ({quote_title(tab.title, always=True)}!"
            f"{column_letters(left)}{top + 1}:{column_letters((right or tab.columns) - 1)}"
            f"{bottom or tab.rows}) exceeds grid limits. Max rows: {tab.rows}, max columns: {tab.columns}",
        )
    return _Area(tab, top, bottom, left, right)


# -- values in and out ------------------------------------------------------------------------


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_PERCENT = re.compile(r"(?P<number>[+-]?(?:[0-9]+(?:\.(?P<decimals>[0-9]*))?|\.[0-9]+))%")
_ISO_DATE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?: (?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?)?"
)
_US_DATE = re.compile(
    r"(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4})"
    r"(?: (?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?)?"
)
_DATE_PATTERNS = {  # (input form, with a time) -> the format Sheets gives the cell (en_US)
    (_ISO_DATE, False): {"type": "DATE", "pattern": "yyyy-mm-dd"},
    (_ISO_DATE, True): {"type": "DATE_TIME", "pattern": "yyyy-mm-dd h:mm:ss"},
    (_US_DATE, False): {"type": "DATE", "pattern": "M/d/yyyy"},
    (_US_DATE, True): {"type": "DATE_TIME", "pattern": "M/d/yyyy H:mm:ss"},
}


def _number(value: float) -> int | float:
    """A number as the API writes it: integral values without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def serial_number(moment: datetime) -> int | float:
    """Google's serial number of a date and time: days since 1899-12-30, time as the fraction."""
    return _number((moment - _EPOCH) / timedelta(days=1))


def from_serial_number(serial: float) -> datetime:
    return _EPOCH + timedelta(days=serial)


def _parse_date(text: str) -> tuple[int | float, dict[str, str]] | None:
    for form in (_ISO_DATE, _US_DATE):
        found = form.fullmatch(text)
        if found is None:
            continue
        try:
            moment = datetime(
                int(found["y"]),
                int(found["m"]),
                int(found["d"]),
                int(found["H"] or 0),
                int(found["M"] or 0),
                int(found["S"] or 0),
            )
        except ValueError:
            return None
        return serial_number(moment), dict(_DATE_PATTERNS[form, found["H"] is not None])
    return None


def _user_entered(text: str, number_format: Mapping[str, Any] | None) -> tuple[Any, dict[str, str] | None]:
    """What typing ``text`` into a cell stores (en_US): (value, new number format or None)."""
    if number_format and number_format.get("type") == "TEXT":
        return text, None  # a cell formatted as plain text keeps what was typed
    if text.startswith("=") and len(text) > 1:
        return Formula(text), None
    if text.startswith("'"):
        return text[1:] or None, None
    stripped = text.strip()
    if stripped.upper() in {"TRUE", "FALSE"}:
        return stripped.upper() == "TRUE", None
    if _NUMBER.fullmatch(stripped) or _GROUPED_NUMBER.fullmatch(stripped):
        plain = stripped.replace(",", "")
        if re.fullmatch(r"[+-]?[0-9]+", plain):
            return int(plain), None
        return _number(float(plain)), None
    percent = _PERCENT.fullmatch(stripped)
    if percent:
        decimals = len(percent["decimals"] or "")
        pattern = "0%" if not decimals else f"0.{'0' * decimals}%"
        return _number(float(percent["number"]) / 100), {"type": "PERCENT", "pattern": pattern}
    date = _parse_date(stripped)
    if date is not None:
        serial, date_format = date
        kept = number_format if number_format and number_format.get("type") in _DATE_TYPES else None
        return serial, None if kept else date_format
    return text, None


def _general(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.15g}"
    return text.upper() if "e" in text else text


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+|.',
    re.IGNORECASE,
)


def format_date(serial: float, pattern: str) -> str:
    """Render a serial number with a Sheets date/time pattern (the common tokens)."""
    moment = from_serial_number(serial)
    moment = (moment + timedelta(microseconds=500)).replace(microsecond=0)
    tokens = _DATE_TOKEN.findall(pattern)
    lowered = [token.lower() for token in tokens]
    twelve_hour = "am/pm" in lowered or "a/p" in lowered
    out = []
    for position, token in enumerate(lowered):
        previous = next((t for t in reversed(lowered[:position]) if t[0] in "hdmys"), "")
        following = next((t for t in lowered[position + 1 :] if t[0] in "hdmys"), "")
        if token in {"m", "mm"} and (previous.startswith("h") or following.startswith("s")):
            out.append(f"{moment.minute:02d}" if token == "mm" else str(moment.minute))
        elif token == "yyyy":
            out.append(f"{moment.year:04d}")
        elif token == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif token in {"mmmmm", "mmmm", "mmm"}:
            name = moment.strftime("%B")
            out.append(name[0] if token == "mmmmm" else name if token == "mmmm" else name[:3])
        elif token == "mm":
            out.append(f"{moment.month:02d}")
        elif token == "m":
            out.append(str(moment.month))
        elif token in {"dddd", "ddd"}:
            name = moment.strftime("%A")
            out.append(name if token == "dddd" else name[:3])
        elif token == "dd":
            out.append(f"{moment.day:02d}")
        elif token == "d":
            out.append(str(moment.day))
        elif token in {"hh", "h"}:
            hour = (moment.hour % 12 or 12) if twelve_hour else moment.hour
            out.append(f"{hour:02d}" if token == "hh" else str(hour))
        elif token in {"ss", "s"}:
            out.append(f"{moment.second:02d}" if token == "ss" else str(moment.second))
        elif token == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif token == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif token.startswith("."):
            out.append("." + "0" * (len(token) - 1))
        elif token.startswith('"'):
            out.append(tokens[position][1:-1])
        elif token.startswith("\\"):
            out.append(tokens[position][1:])
        else:
            out.append(tokens[position])
    return "".join(out)


def _formatted(value: Any, number_format: Mapping[str, Any] | None) -> str:
    """A value as FORMATTED_VALUE shows it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not isinstance(value, int | float):
        return str(value)
    kind = (number_format or {}).get("type")
    pattern = (number_format or {}).get("pattern") or ""
    if kind in _DATE_TYPES:
        default = {"DATE": "M/d/yyyy", "TIME": "h:mm:ss am/pm", "DATE_TIME": "M/d/yyyy H:mm:ss"}[kind]
        return format_date(value, pattern or default)
    if kind == "PERCENT":
        decimals = len(pattern.split(".")[1].rstrip("%")) if "." in pattern else 0
        return f"{value * 100:.{decimals}f}%"
    fixed = re.fullmatch(r"(#,##)?0(?:\.(0+))?", pattern) if kind in {"NUMBER", "CURRENCY"} else None
    if fixed:
        decimals = len(fixed[2] or "")
        return f"{value:,.{decimals}f}" if fixed[1] else f"{value:.{decimals}f}"
    return _general(value)


def _render(cell: _Cell | None, value_render: str, date_render: str) -> Any:
    """A cell as values.get answers it ("" for an empty cell inside the answer)."""
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, Formula):
        if value_render == "FORMULA":
            return str(value)
        value = value.result
    number_format = cell.format.get("numberFormat")
    if value_render == "FORMATTED_VALUE":
        return _formatted(value, number_format)
    dated = number_format and number_format.get("type") in _DATE_TYPES
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if dated and numeric and date_render == "FORMATTED_STRING":
        return _formatted(value, number_format)
    return value


def _extended_value(value: Any) -> dict[str, Any]:
    if isinstance(value, Formula):
        return {"formulaValue": str(value)}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


def _from_extended_value(extended: Mapping[str, Any] | None, where: str) -> Any:
    if not extended:
        return None
    kinds = {k: v for k, v in extended.items() if v is not None}
    if len(kinds) != 1:
        raise _ApiError(400, f"Invalid {where}: exactly one kind of value must be set")
    (kind, value), = kinds.items()
    if kind == "formulaValue":
        return Formula(value) if value.startswith("=") else value
    if kind == "numberValue":
        return _number(value)
    if kind in {"stringValue", "boolValue"}:
        return value
    raise _ApiError(400, f"Invalid {where}: {kind} cannot be written")


# -- field masks ------------------------------------------------------------------------------

_Mask = dict[str, Any]  # field -> sub-mask, or None for the whole field


def parse_mask(text: str) -> _Mask:
    """A field mask (``a,b.c,d(e,f/g)``) as a tree; ``*`` selects everything."""
    position = 0

    def name() -> str:
        nonlocal position
        start = position
        while position < len(text) and text[position] not in ",()./":
            position += 1
        if start == position:
            raise ValueError(f"bad field mask {text!r}")
        return text[start:position].strip()

    def merge(tree: _Mask, key: str, sub: _Mask | None) -> None:
        if key in tree and (tree[key] is None or sub is None):
            tree[key] = None
        elif key in tree:
            for k, v in sub.items():  # type: ignore[union-attr]
                merge(tree[key], k, v)
        else:
            tree[key] = sub

    def path(tree: _Mask) -> None:
        nonlocal position
        key = name()
        if position < len(text) and text[position] in "./":
            position += 1
            sub: _Mask = {}
            path(sub)
            merge(tree, key, sub)
        elif position < len(text) and text[position] == "(":
            position += 1
            sub = {}
            listing(sub, ")")
            merge(tree, key, sub)
        else:
            merge(tree, key, None)

    def listing(tree: _Mask, closing: str) -> None:
        nonlocal position
        while True:
            path(tree)
            if position < len(text) and text[position] == ",":
                position += 1
                continue
            if closing and position < len(text) and text[position] == closing:
                position += 1
                return
            if not closing and position == len(text):
                return
            raise ValueError(f"bad field mask {text!r}")

    tree: _Mask = {}
    listing(tree, "")
    return tree


def select(value: Any, mask: _Mask | None) -> Any:
    """The part of a JSON value a field mask selects."""
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [select(item, mask) for item in value]
    if isinstance(value, dict):
        return {key: select(value[key], sub) for key, sub in mask.items() if key in value}
    return value


def _leaves(mask: _Mask, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, sub in mask.items():
        if sub is None:
            yield (*prefix, key)
        else:
            yield from _leaves(sub, (*prefix, key))


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], path: tuple[str, ...]) -> None:
    """Set ``target``'s field at ``path`` to ``source``'s (removing it when ``source`` lacks it)."""
    *parents, last = path
    value: Any = source
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    node = target
    for key in parents:
        if not isinstance(node.get(key), dict):
            if value is None:
                return
            node[key] = {}
        node = node[key]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


# -- the fake ---------------------------------------------------------------------------------


class _Handler(JsonHandler):
    content_type = "application/json; charset=UTF-8"
    fake: SheetsFake


class SheetsFake(LoopbackServer):
    """The fake's state and its HTTP server (``start``/``stop``; ``port``, ``url`` and
    ``token_uri`` once started). ``counts`` maps route keys to the number of requests they got;
    ``latency`` is the seconds every request waits before it is served (outside the lock, so
    concurrent requests overlap; ``reset`` sets it back to 0).
    """

    handler_class = _Handler

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.received: list[Received] = []
        self.tokens: list[IssuedToken] = []
        self._lock = threading.RLock()
        self.reset()

    # -- lifecycle (start, stop, port and url come with LoopbackServer) ---------------------

    @property
    def token_uri(self) -> str:
        """The ``token_uri`` of a service-account key that gets its tokens from this fake."""
        return f"{self.url}/token"

    def reset(self) -> None:
        """Forget all spreadsheets, service accounts, pending faults, counts and records (ids
        start again from the same values)."""
        with self._lock:
            self._books: dict[str, _Book] = {}
            self._accounts: dict[str, rsa.RSAPublicKey] = {}  # by client_email
            self._faults: dict[str, deque[_Fault]] = {}
            self._sheet_ids = itertools.count(_FIRST_EXTRA_SHEET_ID)
            self._protected_ids = itertools.count(_FIRST_PROTECTED_RANGE_ID)
            self._token_numbers = itertools.count(1)
            self.counts.clear()
            self.received.clear()
            self.tokens.clear()
            self.latency = 0.0

    # -- seeding ----------------------------------------------------------------------------

    def add_spreadsheet(
        self,
        key: str,
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        shared: bool = True,
        title: str | None = None,
        value_input: str = "RAW",
        locale: str = "en_US",
        time_zone: str = "America/New_York",
    ) -> None:
        """Create (or replace) spreadsheet ``key`` with ``tabs`` (title -> rows, in order).

        Cells are stored as given (``value_input="RAW"``: str, int, float, bool, None for empty,
        ``Formula`` for a formula) or as if typed in (``"USER_ENTERED"``). Each tab gets Sheets'
        default 1000 x 26 grid, larger if its rows need it; its sheetId is 0 for the first tab.
        A spreadsheet not ``shared`` with the caller answers 403 PERMISSION_DENIED.
        """
        with self._lock:
            self._books[key] = _Book(key, title or "Untitled spreadsheet", shared, locale, time_zone)
            for index, (tab_title, rows) in enumerate((tabs or {"Sheet1": []}).items()):
                first = 0 if index == 0 else None
                self.add_tab(key, tab_title, rows, sheet_id=first, value_input=value_input)

    def add_tab(
        self,
        key: str,
        title: str,
        rows: Sequence[Sequence[Any]] = (),
        *,
        row_count: int = DEFAULT_ROWS,
        column_count: int = DEFAULT_COLUMNS,
        frozen_rows: int = 0,
        hidden: bool = False,
        sheet_id: int | None = None,
        value_input: str = "RAW",
    ) -> int:
        """Add a tab at the end of spreadsheet ``key``, filled with ``rows``; return its sheetId."""
        if value_input not in VALUE_INPUT_OPTIONS:
            raise ValueError(f"value_input must be one of {VALUE_INPUT_OPTIONS}")
        with self._lock:
            book = self._seeded(key)
            if _find_tab(book, title) is not None:
                raise ValueError(f"spreadsheet {key!r} already has a tab {title!r}")
            width = max((len(row) for row in rows), default=0)
            tab = _Tab(
                sheet_id=next(self._sheet_ids) if sheet_id is None else sheet_id,
                title=title,
                rows=max(row_count, len(rows)),
                columns=max(column_count, width),
                frozen_rows=frozen_rows,
                hidden=hidden,
            )
            book.tabs.append(tab)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None:
                        self._enter(tab, r, c, value, value_input, f"values[{r}][{c}]")
            tab.prune()
            return tab.sheet_id

    def format_cells(self, key: str, tab: str, cells: str, user_entered_format: Mapping[str, Any]) -> None:
        """Merge a ``CellFormat`` (e.g. ``{"numberFormat": {"type": "TEXT"}}``) into the cells
        ``cells`` of a tab (A1 without the title: ``"D2:D"``, ``"B2"``), as a person would."""
        with self._lock:
            sheet = self._seeded_tab(key, tab)
            area = _parse_cells(sheet, cells)
            for r, c in self._cells_of(area):
                sheet.cell_for_write(r, c).format.update(copy.deepcopy(dict(user_entered_format)))

    def set_shared(self, key: str, shared: bool) -> None:
        """Share spreadsheet ``key`` with the caller, or take it away (403 PERMISSION_DENIED)."""
        with self._lock:
            self._seeded(key).shared = shared

    def add_service_account(self, info: Mapping[str, Any]) -> None:
        """Accept JWT grants signed by this service-account key (a key file's JSON as a dict)."""
        private = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("a service account key is an RSA key")
        with self._lock:
            self._accounts[info["client_email"]] = private.public_key()

    # -- faults and counters ----------------------------------------------------------------

    def fault(
        self,
        route_key: str,
        kind: str,
        times: int = 1,
        *,
        delay: float = 3.0,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` requests to ``route_key`` fail as ``kind`` (see FAULT_KINDS).

        ``delay`` is how long a ``timeout`` waits, after doing the work, before answering;
        ``retry_after`` is the Retry-After of ``429-retry-after``. Faults queued on one route
        fire in order.
        """
        if route_key not in ROUTE_KEYS:
            raise ValueError(f"unknown route {route_key!r}; routes: {ROUTE_KEYS}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; kinds: {FAULT_KINDS}")
        with self._lock:
            self._faults.setdefault(route_key, deque()).append(_Fault(kind, times, delay, retry_after))

    def total(self) -> int:
        """How many requests reached a route (``POST /token`` included) since the last reset."""
        return sum(self.counts.values())

    # -- readers ----------------------------------------------------------------------------

    def values(self, key: str, tab: str) -> list[list[Any]]:
        """The tab's content from A1, as stored: numbers as numbers (dates as serial numbers),
        formulas as ``Formula`` (equal to their text); "" for an empty cell before the last
        value of its row; no trailing empty rows or cells."""
        with self._lock:
            sheet = self._seeded_tab(key, tab)
            return _trimmed(
                [
                    [sheet.value_at(r, c) for c in range(sheet.columns)]
                    for r in range(1 + max((r for (r, _), cell in sheet.cells.items()
                                            if cell.value is not None), default=-1))
                ],
                lambda value: "" if value is None else value,
            )

    def cell(self, key: str, tab: str, a1_cell: str) -> CellState:
        """One cell (e.g. ``"B2"``): its value, format, validation rule and note."""
        with self._lock:
            sheet = self._seeded_tab(key, tab)
            area = _parse_cells(sheet, a1_cell)
            found = sheet.cells.get((area.top, area.left)) or _Cell()
            return CellState(
                found.value,
                copy.deepcopy(found.format),
                copy.deepcopy(found.validation),
                found.note,
            )

    def tab_properties(self, key: str, tab: str) -> dict[str, Any]:
        """The tab's ``SheetProperties``, as the API answers them."""
        with self._lock:
            book = self._seeded(key)
            return _sheet_properties(book, self._seeded_tab(key, tab))

    def tabs(self, key: str) -> list[str]:
        """The titles of the spreadsheet's tabs, in order."""
        with self._lock:
            return [tab.title for tab in self._seeded(key).tabs]

    def protected_ranges(self, key: str, tab: str) -> list[dict[str, Any]]:
        """The tab's ``ProtectedRange``s, as the API answers them."""
        with self._lock:
            return copy.deepcopy(self._seeded_tab(key, tab).protected)

    # -- state helpers ----------------------------------------------------------------------

    def _seeded(self, key: str) -> _Book:
        try:
            return self._books[key]
        except KeyError:
            raise KeyError(f"the fake has no spreadsheet {key!r}") from None

    def _seeded_tab(self, key: str, title: str) -> _Tab:
        found = _find_tab(self._seeded(key), title)
        if found is None or found.title != title:
            raise KeyError(f"spreadsheet {key!r} has no tab {title!r}")
        return found

    def _book(self, key: str) -> _Book:
        book = self._books.get(key)
        if book is None:
            raise _ApiError(404, "Requested entity was not found.")
        if not book.shared:
            raise _ApiError(403, "The caller does not have permission")
        return book

    def _enter(self, tab: _Tab, row: int, column: int, value: Any, mode: str, where: str) -> None:
        """Store one input value as ``mode`` (RAW or USER_ENTERED) would."""
        cell = tab.cell_for_write(row, column)
        if isinstance(value, bool | Formula):
            cell.value = value
        elif isinstance(value, int | float):
            cell.value = _number(value)
        elif isinstance(value, str):
            if mode == "RAW":
                cell.value = value or None
            else:
                stored, number_format = _user_entered(value, cell.format.get("numberFormat"))
                cell.value = stored
                if number_format is not None:
                    cell.format["numberFormat"] = number_format
        else:
            kind = "list_value" if isinstance(value, list) else "struct_value"
            raise _ApiError(400, f"Invalid {where}: {kind} {json.dumps(value)}")

    def _write(
        self, area: _Area, rows: Sequence[Sequence[Any]], mode: str, *, grow: bool = False
    ) -> tuple[int, int, int, int, int] | None:
        """Write ``rows`` (row-major) from the area's top-left cell.

        Return (top, bottom, left, right, cells) of what was written, or None for no values.
        A bounded area must hold the values; the grid must too, unless ``grow`` (append).
        """
        tab = area.tab
        height = len(rows)
        width = max((len(row) for row in rows), default=0)
        if not height or not width:
            return None
        top, left = area.top, area.left
        if not area.anchor:
            bottom, right = area.bottom or tab.rows, area.right or tab.columns
            requested = a1(tab, top, bottom, left, right, always_quote=True)
            if area.bottom is not None and top + height > area.bottom:
                raise _ApiError(
                    400,
                    f"Requested writing within range [{requested}], but tried writing to row [{bottom + 1}]",
                )
            if area.right is not None and left + width > area.right:
                raise _ApiError(
                    400,
                    f"Requested writing within range [{requested}], but tried writing to column "
                    f"[{column_letters(area.right)}]",
                )
        if grow:
            tab.rows = max(tab.rows, top + height)
            tab.columns = max(tab.columns, left + width)
        elif top + height > tab.rows or left + width > tab.columns:
            attempted = a1(tab, top, top + height, left, left + width, always_quote=True)
            raise _ApiError(
                400,
                f"Range ({attempted}) exceeds grid limits. Max rows: {tab.rows}, max columns: {tab.columns}",
            )
        cells = 0
        for r, row in enumerate(rows):
            if not isinstance(row, list):
                raise _ApiError(400, f"Invalid values[{r}]: {json.dumps(row)}")
            for c, value in enumerate(row):
                if value is not None:
                    self._enter(tab, top + r, left + c, value, mode, f"values[{r}][{c}]")
                    cells += 1
        tab.prune()
        return top, top + height, left, left + width, cells

    def _read(self, area: _Area, major: str, value_render: str, date_render: str) -> list[list[Any]]:
        top, bottom, left, right = area.clipped()
        used = [(r, c) for (r, c), cell in area.tab.cells.items()
                if cell.value is not None and top <= r < bottom and left <= c < right]
        if not used:
            return []
        last_row = max(r for r, _ in used)
        last_column = max(c for _, c in used)
        grid = [
            [area.tab.cells.get((r, c)) for c in range(left, last_column + 1)]
            for r in range(top, last_row + 1)
        ]
        if major == "COLUMNS":
            grid = [list(column) for column in zip(*grid, strict=True)]
        return _trimmed(
            [[cell if cell is not None and cell.value is not None else None for cell in line]
             for line in grid],
            lambda cell: _render(cell, value_render, date_render),
        )

    def _check_bounded(self, area: _Area) -> None:
        """A read of explicit rows or columns past the grid is the API's 400."""
        tab = area.tab
        if (area.bottom is not None and area.bottom > tab.rows) or (
            area.right is not None and area.right > tab.columns
        ):
            shown = a1(tab, area.top, area.bottom or tab.rows, area.left, area.right or tab.columns,
                       always_quote=True)
            raise _ApiError(
                400, f"Range ({shown}) exceeds grid limits. Max rows: {tab.rows}, max columns: {tab.columns}"
            )

    def _value_range(self, area: _Area, major: str, value_render: str, date_render: str) -> dict[str, Any]:
        top, bottom, left, right = area.clipped()
        answer: dict[str, Any] = {"range": a1(area.tab, top, bottom, left, right), "majorDimension": major}
        values = self._read(area, major, value_render, date_render)
        if values:
            answer["values"] = values
        return answer

    def _insert_rows(self, tab: _Tab, at: int, count: int) -> None:
        tab.cells = {(r + count if r >= at else r, c): cell for (r, c), cell in tab.cells.items()}
        for protected in tab.protected:
            grid = protected["range"]
            if (grid.get("startRowIndex") or 0) >= at and "startRowIndex" in grid:
                grid["startRowIndex"] += count
            if grid.get("endRowIndex") is not None and grid["endRowIndex"] > at:
                grid["endRowIndex"] += count
        tab.rows += count

    # -- operations: values -----------------------------------------------------------------

    def _values_get(self, book: _Book, params: Mapping[str, str], query: _Query, _body: Any) -> _Reply:
        area = parse_range(book, params["range"])
        self._check_bounded(area)
        major, value_render, date_render = _read_options(query)
        return _Reply(200, self._value_range(area, major, value_render, date_render))

    def _values_batch_get(self, book: _Book, _params: Any, query: _Query, _body: Any) -> _Reply:
        major, value_render, date_render = _read_options(query)
        areas = [parse_range(book, text) for text in query.get("ranges", [])]
        for area in areas:
            self._check_bounded(area)
        answer: dict[str, Any] = {"spreadsheetId": book.key}
        if areas:
            answer["valueRanges"] = [self._value_range(a, major, value_render, date_render) for a in areas]
        return _Reply(200, answer)

    def _update_values(
        self,
        book: _Book,
        value_range: Mapping[str, Any],
        range_text: str,
        mode: str,
        response_options: tuple[bool, str, str],
        *,
        grow: bool = False,
        area: _Area | None = None,
    ) -> dict[str, Any]:
        area = area or parse_range(book, range_text)
        rows = value_range.get("values") or []
        if not isinstance(rows, list):
            raise _ApiError(400, "Invalid values: a list of lists is expected")
        major = value_range.get("majorDimension") or "ROWS"
        if major == "COLUMNS":
            height = max((len(column) for column in rows), default=0)
            rows = [[column[r] if r < len(column) else None for column in rows] for r in range(height)]
        written = self._write(area, rows, mode, grow=grow)
        answer: dict[str, Any] = {"spreadsheetId": book.key}
        include, value_render, date_render = response_options
        if written is None:
            answer["updatedRange"] = a1(area.tab, area.top, area.top + 1, area.left, area.left + 1)
            return answer
        top, bottom, left, right, cells = written
        written_rows = {r for r, line in enumerate(rows) for value in line if value is not None}
        written_columns = {c for line in rows for c, value in enumerate(line) if value is not None}
        answer.update(
            updatedRange=a1(area.tab, top, bottom, left, right),
            updatedRows=len(written_rows),
            updatedColumns=len(written_columns),
            updatedCells=cells,
        )
        if include:
            answer["updatedData"] = self._value_range(
                _Area(area.tab, top, bottom, left, right), "ROWS", value_render, date_render
            )
        return answer

    def _values_update(self, book: _Book, params: Mapping[str, str], query: _Query, body: Any) -> _Reply:
        mode = _value_input(_first(query, "valueInputOption"))
        body = _object(body)
        if body.get("range") and parse_range(book, body["range"]) != parse_range(book, params["range"]):
            raise _ApiError(
                400,
                f"Requested range [{params['range']}] is not the range in the body [{body['range']}]",
            )
        return _Reply(
            200, self._update_values(book, body, params["range"], mode, _response_options(query))
        )

    def _values_batch_update(self, book: _Book, _params: Any, _query: _Query, body: Any) -> _Reply:
        body = _object(body)
        mode = _value_input(body.get("valueInputOption"))
        options = (
            bool(body.get("includeValuesInResponse")),
            body.get("responseValueRenderOption") or "FORMATTED_VALUE",
            body.get("responseDateTimeRenderOption") or "SERIAL_NUMBER",
        )
        data = body.get("data") or []
        areas = [parse_range(book, entry.get("range") or "") for entry in data]
        responses = [
            self._update_values(book, entry, entry["range"], mode, options, area=area)
            for entry, area in zip(data, areas, strict=True)
        ]
        answer: dict[str, Any] = {"spreadsheetId": book.key}
        if responses:
            cells = {
                (area.tab.sheet_id, area.top + r, area.left + c)
                for entry, area in zip(data, areas, strict=True)
                for r, line in enumerate(_row_major(entry))
                for c, value in enumerate(line)
                if value is not None
            }
            answer.update(
                totalUpdatedRows=len({(s, r) for s, r, _ in cells}),
                totalUpdatedColumns=len({(s, c) for s, _, c in cells}),
                totalUpdatedCells=sum(response.get("updatedCells", 0) for response in responses),
                totalUpdatedSheets=len({s for s, _, _ in cells}),
                responses=responses,
            )
        return _Reply(200, answer)

    def _values_append(self, book: _Book, params: Mapping[str, str], query: _Query, body: Any) -> _Reply:
        mode = _value_input(_first(query, "valueInputOption"))
        insert = _first(query, "insertDataOption") or "OVERWRITE"
        area = parse_range(book, params["range"])
        body = _object(body)
        rows = _row_major(body)
        tab = area.tab
        top, bottom, left, right = area.clipped()
        if area.anchor:  # a single cell names the table's corner: search the columns right of it
            bottom, right = tab.rows, tab.columns
        filled = [(r, c) for (r, c), cell in tab.cells.items()
                  if cell.value is not None and top <= r < bottom and left <= c < right]
        answer: dict[str, Any] = {"spreadsheetId": book.key}
        if filled:
            first_row = min(r for r, _ in filled)
            last_row = max(r for r, _ in filled)
            table = [(r, c) for r, c in filled if first_row <= r <= last_row]
            table_left = min(c for _, c in table)
            table_right = max(c for _, c in table) + 1
            answer["tableRange"] = a1(tab, first_row, last_row + 1, table_left, table_right)
            start_row, start_column = last_row + 1, table_left
        else:
            start_row, start_column = top, left
        height = len(rows)
        if insert == "INSERT_ROWS" and height:
            self._insert_rows(tab, min(start_row, tab.rows), height)
        target = _Area(tab, start_row, None, start_column, None, anchor=True)
        answer["updates"] = self._update_values(
            book, {"values": rows}, "", mode, _response_options(query), grow=True, area=target
        )
        return _Reply(200, answer)

    def _clear(self, area: _Area) -> str:
        top, bottom, left, right = area.clipped()
        for (r, c), cell in area.tab.cells.items():
            if top <= r < bottom and left <= c < right:
                cell.value = None
        area.tab.prune()
        return a1(area.tab, top, bottom, left, right)

    def _values_clear(self, book: _Book, params: Mapping[str, str], _query: _Query, _body: Any) -> _Reply:
        area = parse_range(book, params["range"])
        self._check_bounded(area)
        return _Reply(200, {"spreadsheetId": book.key, "clearedRange": self._clear(area)})

    def _values_batch_clear(self, book: _Book, _params: Any, _query: _Query, body: Any) -> _Reply:
        texts = _object(body).get("ranges") or []
        areas = [parse_range(book, text) for text in texts]
        for area in areas:
            self._check_bounded(area)
        answer: dict[str, Any] = {"spreadsheetId": book.key}
        if areas:
            answer["clearedRanges"] = [self._clear(area) for area in areas]
        return _Reply(200, answer)

    # -- operations: the spreadsheet --------------------------------------------------------

    def _spreadsheet(self, book: _Book, include_grid: bool, ranges: Sequence[str]) -> dict[str, Any]:
        wanted: dict[int, list[_Area]] = {}
        for text in ranges:
            area = parse_range(book, text)
            wanted.setdefault(area.tab.sheet_id, []).append(area)
        sheets = []
        for tab in book.tabs:
            if ranges and tab.sheet_id not in wanted:
                continue
            sheet: dict[str, Any] = {"properties": _sheet_properties(book, tab)}
            if include_grid:
                areas = wanted.get(tab.sheet_id) or [_Area(tab, 0, None, 0, None)]
                sheet["data"] = [_grid_data(area) for area in areas]
            if tab.protected:
                sheet["protectedRanges"] = copy.deepcopy(tab.protected)
            sheets.append(sheet)
        return {
            "spreadsheetId": book.key,
            "properties": {
                "title": book.title,
                "locale": book.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": book.time_zone,
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
        }

    def _get_spreadsheet(self, book: _Book, _params: Any, query: _Query, _body: Any) -> _Reply:
        include = _flag(_first(query, "includeGridData"))
        fields = _first(query, "fields")
        if fields:  # a field mask decides, and includeGridData is ignored
            mask = _mask(fields)
            sheets = mask.get("sheets", {})
            include = "*" in mask or sheets is None or "*" in sheets or "data" in sheets
        return _Reply(200, self._spreadsheet(book, include, query.get("ranges", [])))

    def _batch_update(self, book: _Book, _params: Any, _query: _Query, body: Any) -> _Reply:
        body = _object(body)
        requests = body.get("requests") or []
        if not requests:
            raise _ApiError(400, "Must specify at least one request.")
        replies = [self._apply(book, i, _without_nulls(request)) for i, request in enumerate(requests)]
        answer: dict[str, Any] = {"spreadsheetId": book.key, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            answer["updatedSpreadsheet"] = self._spreadsheet(
                book, bool(body.get("responseIncludeGridData")), body.get("responseRanges") or []
            )
        return _Reply(200, answer)

    def _apply(self, book: _Book, index: int, request: Mapping[str, Any]) -> dict[str, Any]:
        kinds = [kind for kind, value in request.items() if value is not None]
        if len(kinds) != 1:
            raise _ApiError(400, f"Invalid requests[{index}]: exactly one kind of request must be set")
        kind = kinds[0]
        handler = getattr(self, f"_request_{kind}", None)
        if handler is None:
            raise _ApiError(400, f"Invalid requests[{index}]: the fake does not implement {kind}")
        reply: dict[str, Any] = handler(book, request[kind], f"requests[{index}].{kind}")
        return reply

    def _request_addSheet(self, book: _Book, request: Mapping[str, Any], where: str) -> dict[str, Any]:
        properties = request.get("properties") or {}
        title = properties.get("title")
        if title is None:
            number = len(book.tabs) + 1
            while _find_tab(book, f"Sheet{number}") is not None:
                number += 1
            title = f"Sheet{number}"
        if not title.strip():
            raise _ApiError(400, f"Invalid {where}: The sheet name cannot be empty.")
        if _find_tab(book, title) is not None:
            raise _ApiError(
                400,
                f'Invalid {where}: A sheet with the name "{title}" already exists. '
                "Please enter another name.",
            )
        sheet_id = properties.get("sheetId")
        if sheet_id is not None and any(tab.sheet_id == sheet_id for tab in book.tabs):
            raise _ApiError(400, f"Invalid {where}: A sheet with id {sheet_id} already exists.")
        grid = properties.get("gridProperties") or {}
        tab = _Tab(
            sheet_id=next(self._sheet_ids) if sheet_id is None else sheet_id,
            title=title,
            rows=grid.get("rowCount") or DEFAULT_ROWS,
            columns=grid.get("columnCount") or DEFAULT_COLUMNS,
            frozen_rows=grid.get("frozenRowCount") or 0,
            frozen_columns=grid.get("frozenColumnCount") or 0,
            hidden=bool(properties.get("hidden")),
            extra={k: copy.deepcopy(v) for k, v in properties.items()
                   if v is not None and k in _EXTRA_SHEET_PROPERTIES},
        )
        position = properties.get("index")
        book.tabs.insert(len(book.tabs) if position is None else min(position, len(book.tabs)), tab)
        return {"addSheet": {"properties": _sheet_properties(book, tab)}}

    def _request_updateSheetProperties(
        self, book: _Book, request: Mapping[str, Any], where: str
    ) -> dict[str, Any]:
        properties = request.get("properties") or {}
        fields = request.get("fields")
        if not fields:
            raise _ApiError(400, f"Invalid {where}: At least one field must be specified in 'fields'.")
        sheet_id = properties.get("sheetId") or 0
        tab = next((t for t in book.tabs if t.sheet_id == sheet_id), None)
        if tab is None:
            raise _ApiError(400, f"Invalid {where}: No grid with id: {sheet_id}")
        current = _sheet_properties(book, tab, complete=True)
        mask = _mask(fields, where)
        paths = list(_leaves(mask)) if "*" not in mask else [
            (key,) for key in ("title", "index", "hidden", "gridProperties", *_EXTRA_SHEET_PROPERTIES)
        ]
        updated = copy.deepcopy(current)
        for path in paths:
            if path == ("sheetId",):
                raise _ApiError(400, f"Invalid {where}: sheetId cannot be changed")
            _copy_path(properties, updated, path)
        title = updated.get("title") or ""
        if not title.strip():
            raise _ApiError(400, f"Invalid {where}: The sheet name cannot be empty.")
        other = _find_tab(book, title)
        if other is not None and other is not tab:
            raise _ApiError(
                400,
                f'Invalid {where}: A sheet with the name "{title}" already exists. '
                "Please enter another name.",
            )
        grid = updated.get("gridProperties") or {}
        rows = grid.get("rowCount") or tab.rows
        columns = grid.get("columnCount") or tab.columns
        frozen_rows = grid.get("frozenRowCount") or 0
        frozen_columns = grid.get("frozenColumnCount") or 0
        if frozen_rows >= rows or frozen_columns >= columns:
            raise _ApiError(
                400, f"Invalid {where}: You can't freeze all visible rows or columns on the sheet."
            )
        tab.title = title
        tab.rows, tab.columns = rows, columns
        tab.frozen_rows, tab.frozen_columns = frozen_rows, frozen_columns
        tab.hidden = bool(updated.get("hidden"))
        tab.extra = {k: updated[k] for k in _EXTRA_SHEET_PROPERTIES if updated.get(k) is not None}
        tab.cells = {(r, c): cell for (r, c), cell in tab.cells.items() if r < rows and c < columns}
        index = updated.get("index")
        if index is not None and index != book.tabs.index(tab):
            book.tabs.remove(tab)
            book.tabs.insert(min(index, len(book.tabs)), tab)
        return {}

    def _cells_of(self, area: _Area) -> Iterator[tuple[int, int]]:
        top, bottom, left, right = area.clipped()
        for r in range(top, bottom):
            for c in range(left, right):
                yield r, c

    def _set_cell_fields(
        self, tab: _Tab, row: int, column: int, source: Mapping[str, Any], paths: Sequence[tuple[str, ...]],
        where: str,
    ) -> None:
        cell = tab.cell_for_write(row, column)
        data = _cell_data(cell)
        for path in paths:
            if path[0] not in _CELL_FIELDS:
                raise _ApiError(400, f"Invalid {where}: the fake cannot set CellData.{'.'.join(path)}")
            _copy_path(source, data, path)
        cell.value = _from_extended_value(data.get("userEnteredValue"), where)
        cell.format = data.get("userEnteredFormat") or {}
        cell.validation = data.get("dataValidation")
        cell.note = data.get("note")

    def _cell_paths(self, fields: str | None, where: str) -> list[tuple[str, ...]]:
        if not fields:
            raise _ApiError(400, f"Invalid {where}: At least one field must be specified in 'fields'.")
        mask = _mask(fields, where)
        return [(name,) for name in _CELL_FIELDS] if "*" in mask else list(_leaves(mask))

    def _request_repeatCell(self, book: _Book, request: Mapping[str, Any], where: str) -> dict[str, Any]:
        area = _grid_range(book, request.get("range") or {}, where)
        paths = self._cell_paths(request.get("fields"), where)
        source = request.get("cell") or {}
        for r, c in self._cells_of(area):
            self._set_cell_fields(area.tab, r, c, source, paths, where)
        area.tab.prune()
        return {}

    def _request_updateCells(self, book: _Book, request: Mapping[str, Any], where: str) -> dict[str, Any]:
        paths = self._cell_paths(request.get("fields"), where)
        rows = request.get("rows") or []
        if request.get("range") is not None:
            area = _grid_range(book, request["range"], where)
        elif request.get("start") is not None:
            start = request["start"]
            area = _grid_range(book, {"sheetId": start.get("sheetId")}, where)
            row, column = start.get("rowIndex") or 0, start.get("columnIndex") or 0
            area = _Area(area.tab, row, None, column, None, anchor=True)
        else:
            raise _ApiError(400, f"Invalid {where}: Either 'start' or 'range' must be set.")
        tab = area.tab
        covered: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            for c, data in enumerate((row or {}).get("values") or []):
                target = (area.top + r, area.left + c)
                bounded_out = (area.bottom is not None and target[0] >= area.bottom) or (
                    area.right is not None and target[1] >= area.right
                )
                if bounded_out or target[0] >= tab.rows or target[1] >= tab.columns:
                    raise _ApiError(
                        400,
                        f"Invalid {where}: GridCoordinate.rowIndex[{target[0]}], columnIndex[{target[1]}] "
                        f"is outside the range or the grid ({tab.rows} rows, {tab.columns} columns).",
                    )
                self._set_cell_fields(tab, *target, data or {}, paths, where)
                covered.add(target)
        if not area.anchor:  # the rest of the range loses the fields
            top, bottom, left, right = area.clipped()
            for target in list(tab.cells):
                if target not in covered and top <= target[0] < bottom and left <= target[1] < right:
                    self._set_cell_fields(tab, *target, {}, paths, where)
        tab.prune()
        return {}

    def _request_setDataValidation(
        self, book: _Book, request: Mapping[str, Any], where: str
    ) -> dict[str, Any]:
        area = _grid_range(book, request.get("range") or {}, where)
        rule = request.get("rule")
        if rule is not None:
            condition = rule.get("condition") or {}
            if condition.get("type") == "ONE_OF_LIST" and not condition.get("values"):
                raise _ApiError(400, f"Invalid {where}: ONE_OF_LIST condition requires at least one value")
        for r, c in self._cells_of(area):
            cell = area.tab.cell_for_write(r, c)
            cell.validation = copy.deepcopy(rule) if rule else None
        area.tab.prune()
        return {}

    def _request_addProtectedRange(
        self, book: _Book, request: Mapping[str, Any], where: str
    ) -> dict[str, Any]:
        given = request.get("protectedRange") or {}
        if given.get("namedRangeId"):
            raise _ApiError(400, f"Invalid {where}: the fake has no named ranges")
        area = _grid_range(book, given.get("range") or {}, where)
        editors = given.get("editors")
        warning_only = bool(given.get("warningOnly"))
        if warning_only and any((editors or {}).get(k) for k in ("users", "groups", "domainUsersCanEdit")):
            raise _ApiError(
                400, f"Invalid {where}: You cannot set editors on a warning-only protected range."
            )
        grid = {"sheetId": area.tab.sheet_id}
        grid.update({k: v for k, v in (given.get("range") or {}).items() if k != "sheetId" and v is not None})
        protected: dict[str, Any] = {"protectedRangeId": next(self._protected_ids), "range": grid}
        if given.get("description"):
            protected["description"] = given["description"]
        if warning_only:
            protected["warningOnly"] = True
        protected["requestingUserCanEdit"] = True
        if not warning_only:
            users = list((editors or {}).get("users") or [])
            groups = list((editors or {}).get("groups") or [])
            protected["editors"] = {k: v for k, v in (("users", users), ("groups", groups)) if v}
        area.tab.protected.append(protected)
        return {"addProtectedRange": {"protectedRange": copy.deepcopy(protected)}}

    # -- the token endpoint -----------------------------------------------------------------

    def _token(self, form: Mapping[str, list[str]]) -> _Reply:
        grant = (form.get("grant_type") or [""])[0]
        if grant != JWT_BEARER:
            raise _OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant}")
        assertion = (form.get("assertion") or [""])[0]
        try:
            encoded_header, encoded_claims, encoded_signature = assertion.split(".")
            header = json.loads(_unb64(encoded_header))
            claims = json.loads(_unb64(encoded_claims))
            signature = _unb64(encoded_signature)
        except ValueError:
            raise _OAuthError("invalid_grant", "Invalid JWT: Token must be a well-formed JWT.") from None
        key = self._accounts.get(claims.get("iss", ""))
        if key is None:
            raise _OAuthError("invalid_grant", "Invalid grant: account not found")
        if header.get("alg") != "RS256":
            raise _OAuthError("invalid_grant", "Invalid JWT Signature.")
        try:
            key.verify(signature, f"{encoded_header}.{encoded_claims}".encode(),
                       padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise _OAuthError("invalid_grant", "Invalid JWT Signature.") from None
        now = time.time()
        issued, expires = claims.get("iat", 0), claims.get("exp", 0)
        if not (issued - 300 <= now <= expires and expires - issued <= MAX_TOKEN_LIFETIME):
            raise _OAuthError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                "Check your iat and exp values in the JWT claim.",
            )
        if claims.get("aud") not in TOKEN_AUDIENCES:
            raise _OAuthError("invalid_grant", "Invalid JWT: Failed audience check.")
        scopes = tuple(str(claims.get("scope") or "").split())
        if not scopes:
            raise _OAuthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        token = IssuedToken(f"ya29.fake-{next(self._token_numbers):04d}", claims["iss"], scopes)
        self.tokens.append(token)
        return _Reply(200, {"access_token": token.access_token, "expires_in": 3600, "token_type": "Bearer"})

    # -- HTTP -------------------------------------------------------------------------------

    def _serve(self, request: _Handler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if self.latency > 0:
            time.sleep(self.latency)  # a round trip, waited outside the lock
        url = urlsplit(request.path)
        route, params = _match(request.command, url.path)
        if route is None:
            request.reply(_ApiError(404, f"Method not found: {request.command} {url.path}").reply())
            return
        with self._lock:
            self.counts[route.key] += 1
            self.received.append(
                Received(route.key, request.command, request.path, request.headers.get("Authorization"))
            )
            fault = self._take_fault(route.key)
        if fault is not None and fault.kind == "drop":
            request.close_connection = True
            return
        if fault is not None and fault.kind == "malformed":
            request.reply(_Reply(200, None), raw_body=b'{"spreadsheetId": "trunc')
            return
        if fault is not None and fault.kind != "timeout":
            request.reply(_fault_reply(fault, route))
            return
        with self._lock:
            reply = self._handle(route, params, url.query, raw, request.headers.get("Authorization"))
        if fault is not None:  # timeout: the work is done, the answer comes late
            time.sleep(fault.delay)
        request.reply(reply)

    def _handle(
        self, route: _Route, params: Mapping[str, str], query_text: str, raw: bytes, authorization: str | None
    ) -> _Reply:
        if route.key == TOKEN_ROUTE:
            try:
                return self._token(parse_qs(raw.decode("utf-8", errors="replace")))
            except _OAuthError as error:
                return error.reply
        query: _Query = {}
        for name, value in parse_qsl(query_text, keep_blank_values=True):
            query.setdefault(name, []).append(value)
        try:
            if not (authorization or "").strip() and not query.get("key"):
                raise _ApiError(401, _MISSING_CREDENTIALS)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                raise _ApiError(400, "Invalid JSON payload received.") from None
            book = self._book(params["spreadsheetId"])
            saved = _snapshot(book) if route.write else None
            try:
                reply: _Reply = getattr(self, route.handler)(book, params, query, body)
            except _ApiError:
                if saved is not None:  # a request that fails changes nothing
                    self._books[book.key] = saved
                raise
        except _ApiError as error:
            return error.reply()
        fields = _first(query, "fields")
        if fields:
            reply = reply._replace(body=select(reply.body, _mask(fields)))
        return reply

    def _take_fault(self, route_key: str) -> _Fault | None:
        queue = self._faults.get(route_key)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault


_Query = dict[str, list[str]]


def _match(method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None, {}


def _fault_reply(fault: _Fault, route: _Route) -> _Reply:
    if route.key == TOKEN_ROUTE:
        status = 429 if fault.kind.startswith("429") else int(fault.kind)
        error, description = _TOKEN_FAULTS["429" if status == 429 else fault.kind]
        headers = {"Retry-After": str(fault.retry_after)} if fault.kind == "429-retry-after" else {}
        return _Reply(status, {"error": error, "error_description": description}, headers)
    if fault.kind.startswith("429"):
        message = _QUOTA_MESSAGE.format(kind="Write" if route.write else "Read", project=_PROJECT_NUMBER)
        body = _ApiError(429, message).reply().body
        body["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {"service": "sheets.googleapis.com", "consumer": f"projects/{_PROJECT_NUMBER}"},
            }
        ]
        headers = {"Retry-After": str(fault.retry_after)} if fault.kind == "429-retry-after" else {}
        return _Reply(429, body, headers)
    return _ApiError(int(fault.kind), _FAULT_MESSAGES[fault.kind]).reply()


def _first(query: _Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _flag(text: str | None) -> bool:
    return (text or "").lower() == "true"


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise _ApiError(400, "Invalid JSON payload received. Expected an object.")
    return body


def _mask(text: str, where: str = "fields") -> _Mask:
    try:
        return parse_mask(text)
    except ValueError:
        raise _ApiError(400, f"Invalid {where}: Invalid field mask '{text}'") from None


def _value_input(option: str | None) -> str:
    if option not in VALUE_INPUT_OPTIONS:
        raise _ApiError(400, f"Invalid valueInputOption: {option or 'INPUT_VALUE_OPTION_UNSPECIFIED'}")
    return option


def _read_options(query: _Query) -> tuple[str, str, str]:
    major = _first(query, "majorDimension") or "ROWS"
    return (
        "ROWS" if major == "DIMENSION_UNSPECIFIED" else major,
        _first(query, "valueRenderOption") or "FORMATTED_VALUE",
        _first(query, "dateTimeRenderOption") or "SERIAL_NUMBER",
    )


def _response_options(query: _Query) -> tuple[bool, str, str]:
    return (
        _flag(_first(query, "includeValuesInResponse")),
        _first(query, "responseValueRenderOption") or "FORMATTED_VALUE",
        _first(query, "responseDateTimeRenderOption") or "SERIAL_NUMBER",
    )


def _row_major(value_range: Mapping[str, Any]) -> list[list[Any]]:
    rows = value_range.get("values") or []
    if (value_range.get("majorDimension") or "ROWS") != "COLUMNS":
        return list(rows)
    height = max((len(column) for column in rows), default=0)
    return [[column[r] if r < len(column) else None for column in rows] for r in range(height)]


def _trimmed(lines: Iterable[list[Any]], show: Any) -> list[list[Any]]:
    """Drop trailing empty (None) cells of each line and trailing empty lines; show the rest."""
    out = []
    for line in lines:
        while line and line[-1] is None:
            line = line[:-1]
        out.append([show(item) for item in line])
    while out and not out[-1]:
        out.pop()
    return out


def _sheet_properties(book: _Book, tab: _Tab, *, complete: bool = False) -> dict[str, Any]:
    """A tab's SheetProperties as the API answers them (zero counts left out, unless
    ``complete``)."""
    grid: dict[str, Any] = {"rowCount": tab.rows, "columnCount": tab.columns}
    if tab.frozen_rows or complete:
        grid["frozenRowCount"] = tab.frozen_rows
    if tab.frozen_columns or complete:
        grid["frozenColumnCount"] = tab.frozen_columns
    properties: dict[str, Any] = {
        "sheetId": tab.sheet_id,
        "title": tab.title,
        "index": book.tabs.index(tab),
        "sheetType": "GRID",
        "gridProperties": grid,
    }
    if tab.hidden or complete:
        properties["hidden"] = tab.hidden
    properties.update(copy.deepcopy(tab.extra))
    return properties


def _cell_data(cell: _Cell | None) -> dict[str, Any]:
    """The user-set fields of a cell as ``CellData``."""
    data: dict[str, Any] = {}
    if cell is None:
        return data
    if cell.value is not None:
        data["userEnteredValue"] = _extended_value(cell.value)
    if cell.format:
        data["userEnteredFormat"] = copy.deepcopy(cell.format)
    if cell.validation is not None:
        data["dataValidation"] = copy.deepcopy(cell.validation)
    if cell.note is not None:
        data["note"] = cell.note
    return data


def _grid_data(area: _Area) -> dict[str, Any]:
    """``GridData`` of an area: the user-set fields plus the effective and formatted values."""
    top, bottom, left, right = area.clipped()
    used = [(r, c) for (r, c) in area.tab.cells if top <= r < bottom and left <= c < right]
    data: dict[str, Any] = {}
    if top:
        data["startRow"] = top
    if left:
        data["startColumn"] = left
    if not used:
        return data
    rows = []
    for r in range(top, max(r for r, _ in used) + 1):
        last = max((c for row, c in used if row == r), default=left - 1)
        values = []
        for c in range(left, last + 1):
            cell = area.tab.cells.get((r, c))
            cell_data = _cell_data(cell)
            if cell is not None and cell.value is not None:
                effective = cell.value.result if isinstance(cell.value, Formula) else cell.value
                if effective not in (None, ""):
                    cell_data["effectiveValue"] = _extended_value(effective)
                cell_data["formattedValue"] = _render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER")
            values.append(cell_data)
        rows.append({"values": values} if values else {})
    data["rowData"] = rows
    return data


def _snapshot(book: _Book) -> _Book:
    """A copy of a spreadsheet to restore when a request fails (cheaper than a deep copy: what
    is shared is never changed in place)."""
    tabs = [
        replace(
            tab,
            extra=copy.deepcopy(tab.extra),
            protected=copy.deepcopy(tab.protected),
            cells={k: _Cell(c.value, dict(c.format), c.validation, c.note) for k, c in tab.cells.items()},
        )
        for tab in book.tabs
    ]
    return replace(book, tabs=tabs)


def _without_nulls(value: Any) -> Any:
    """A request's JSON as the API keeps it: a null field is an unset one (proto3)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
