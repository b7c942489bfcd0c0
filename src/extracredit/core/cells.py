"""One cell's text read as a login, a moment, a list of targets or an account id, or a misspelt
name matched to the one meant (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a zone is passed in; a module that only cleans cells need not load zoneinfo
    from zoneinfo import ZoneInfo

_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_PROFILE = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/", re.IGNORECASE)
CLAIM_ID = re.compile(r"^C-\d{1,6}$", re.IGNORECASE)
_FORM_TIME = re.compile(
    r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_TARGET_SPLIT = re.compile(r"[,;\n\r]+")
# Sheets counts days from 1899-12-30; cells read unformatted arrive as such serial numbers.
_SHEETS_EPOCH = datetime(1899, 12, 30)
_SERIAL = re.compile(r"[0-9]{4,6}(?:\.[0-9]+)?")
# The years a registry time may fall in: anything else is a typo, and a year near 1 or 9999
# overflows the moment a time zone or a day is added to it.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# GitHub account ids are ASCII digits; 15 of them is far beyond any account yet made.
_ACCOUNT_ID = re.compile(r"^[0-9]{1,15}$")


def normalize_login(cell: str) -> str | None:
    """``alice``, ``@alice`` and ``https://github.com/alice`` all name ``alice``; None if not a login."""
    text = cell.strip()
    text = _PROFILE.sub("", text).strip("/").lstrip("@").strip()
    if "/" in text or "?" in text:
        text = text.split("/")[0].split("?")[0]
    return text if _LOGIN.match(text) else None


def parse_time(cell: str, zone: ZoneInfo) -> datetime | None:
    """Read a typed or Form timestamp (or a Sheets serial number); naive times are in ``zone``.

    None when the cell is not a time, or is one outside the years FIRST_YEAR..LAST_YEAR.
    """
    moment = read_any_time(cell, zone)
    return moment if moment is not None and in_years(moment) else None


def in_years(moment: datetime) -> bool:
    """Is the moment within FIRST_YEAR..LAST_YEAR? (Far from the ends of datetime's range, so any
    zone or a few years may be added to it.)"""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def read_any_time(cell: str, zone: ZoneInfo) -> datetime | None:
    """A time as written, whatever its year (``parse_time`` bounds it); None if not a time."""
    text = cell.strip()
    if not text:
        return None
    moment: datetime | None = None
    form = _FORM_TIME.match(text)
    if form:
        try:
            moment = datetime(int(form["y"]), int(form["m"]), int(form["d"]),
                              int(form["H"] or 0), int(form["M"] or 0), int(form["S"] or 0))
        except ValueError:
            return None
    elif _SERIAL.fullmatch(text):
        moment = _SHEETS_EPOCH + timedelta(days=float(text))
    else:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def split_targets(cell: str) -> tuple[str, ...]:
    entries = []
    for part in _TARGET_SPLIT.split(cell):
        entry = part.strip().strip("`'\"").strip()
        while entry.startswith("./"):
            entry = entry[2:]
        entry = entry.lstrip("/")
        if entry:
            entries.append(entry)
    return tuple(entries)


def github_id(cell: str) -> int | None:
    """An account id written in ASCII digits (``²`` and ``①`` are digits to ``isdigit``, not to
    ``int``); None for anything else."""
    text = cell.strip()
    return int(text) if _ACCOUNT_ID.match(text) else None


# An amount of credit is percent of a grade: nothing above 100, nothing finer than 4 decimals
# (the tally's arithmetic stays small and exact, whatever a cell says).
MAX_CREDIT = 100
CREDIT_DECIMALS = 4
_AMOUNT = re.compile(rf"^(?:[0-9]{{1,3}}(?:\.[0-9]{{0,{CREDIT_DECIMALS}}})?|\.[0-9]{{1,{CREDIT_DECIMALS}}})$")


def decimal_places(amount: Decimal) -> int:
    """How many decimals a finite amount needs (``0.50`` needs 1, ``1E+3`` none)."""
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing)) if any(digits) else 0


def parse_credit(cell: str) -> Decimal | None:
    """An amount from 0 to MAX_CREDIT in ASCII digits with at most CREDIT_DECIMALS decimals."""
    text = cell.strip()
    if not _AMOUNT.match(text):
        return None
    amount = Decimal(text)
    return amount if amount <= MAX_CREDIT else None


def nearest(word: str, names: Iterable[str], cutoff: float) -> str | None:
    """The name of ``names`` most like ``word`` (a misspelt kind, key or column), if any is at
    least ``cutoff`` alike (0 to 1): what a message suggests was meant."""
    import difflib  # only when a name is wrong: not on the way of every run

    close = difflib.get_close_matches(word, list(names), n=1, cutoff=cutoff)
    return close[0] if close else None
