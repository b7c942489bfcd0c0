"""Commands in PR comments (``/credit``, ``/recheck``): parsed, and who may give them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

STAFF_PERMISSIONS = frozenset({"admin", "maintain", "write"})
# A command opens the comment, as the workflow's filter expects (`startsWith(body, '/credit')`).
_COMMAND = re.compile(r"^\s*/(?P<name>credit|recheck)\b(?P<rest>[^\n]*)", re.IGNORECASE)
# ASCII digits, at most 4 decimals: what the Ledger reads back as an amount (core.cells.parse_credit).
_AMOUNT = re.compile(r"^[+]?[0-9]+(?:\.[0-9]{1,4})?$")


@dataclass(frozen=True)
class Recheck:
    """A ``/recheck`` command."""


@dataclass(frozen=True)
class Credit:
    """A ``/credit`` command: accept, reject or an amount, and the reason."""

    decision: Literal["accept", "reject", "credit"]
    amount: Decimal | None
    reason: str


@dataclass(frozen=True)
class Malformed:
    """A ``/credit`` line that is not one of the three forms; ``problem`` says what is off."""

    text: str
    problem: Literal["no-decision", "not-a-decision", "over-cap"]


Command = Recheck | Credit | Malformed


def parse_command(body: str, cap: Decimal) -> Command | None:
    """The command a comment opens with, if any."""
    found = _COMMAND.search(body or "")
    if found is None:
        return None
    if found["name"].lower() == "recheck":
        return Recheck()
    line = found.group(0).strip()
    words = found["rest"].split(maxsplit=1)
    if not words:
        return Malformed(line, "no-decision")
    first = words[0].lower()
    reason = words[1].strip() if len(words) > 1 else ""
    if first in ("accept", "reject"):
        return Credit(first, None, reason)  # type: ignore[arg-type]
    if _AMOUNT.match(first):
        try:
            amount = Decimal(first)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return Malformed(line, "not-a-decision")
        if amount > cap:
            return Malformed(line, "over-cap")
        return Credit("credit", amount, reason)
    return Malformed(line, "not-a-decision")


def may_give_credit(permission: str) -> bool:
    """Only people who can write to the repo decide credit (asked of the API, never guessed)."""
    return permission in STAFF_PERMISSIONS
