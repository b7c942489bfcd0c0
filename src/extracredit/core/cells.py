"""One cell's text read as a login, a moment, a list of targets or an account id (pure)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
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


def normalize_login(cell: str) -> str | None:
    """``alice``, ``@alice`` and ``https://github.com/alice`` all name ``alice``; None if not a login."""
    text = cell.strip()
    text = _PROFILE.sub("", text).strip("/").lstrip("@").strip()
    if "/" in text or "?" in text:
        text = text.split("/")[0].split("?")[0]
    return text if _LOGIN.match(text) else None


def parse_time(cell: str, zone: ZoneInfo) -> datetime | None:
    """Read a typed or Form timestamp (or a Sheets serial number); naive times are in ``zone``."""
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
    elif re.fullmatch(r"\d{4,6}(?:\.\d+)?", text):
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
    text = cell.strip()
    return int(text) if text.isdigit() else None
