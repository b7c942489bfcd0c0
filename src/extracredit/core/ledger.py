"""The Ledger: which PR a row names, and the row that decides each PR."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import datetime

from extracredit.core.model import (
    LedgerEntry,
    PullRequest,
    parse_pr_ref,
)

PullKey = tuple[str, int]  # (owner/repo in lower case, PR number)
_PULL_URL = re.compile(r"github\.com/(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/pulls?/"
                       r"(?P<number>\d+)(?!\d)", re.IGNORECASE)


def pull_key_of(text: str) -> PullKey | None:
    """The PR a Ledger cell names: a PR URL (any case, extra path) or OWNER/REPO#N."""
    match = _PULL_URL.search(text)
    if match is not None:
        return match["repo"].lower(), int(match["number"])
    parsed = parse_pr_ref(text)
    return (parsed[0].lower(), parsed[1]) if parsed else None


def pull_key(pr: PullRequest) -> PullKey:
    # One string per repo, not one per PR: a tally keys 100,000 PRs by it.
    return sys.intern(pr.repo.lower()), pr.number


def latest_ledger(ledger: Sequence[LedgerEntry]) -> dict[PullKey, LedgerEntry]:
    """The deciding Ledger row of each PR: the latest When; on equal When, the row further down."""
    latest: dict[PullKey, LedgerEntry] = {}
    for entry in ledger:
        key = pull_key_of(entry.pr_url)
        if key is None:
            continue
        known = latest.get(key)
        if known is None or (entry.when, entry.row) > (known.when, known.row):
            latest[key] = entry
    return latest


def first_ledger_decisions(ledger: Sequence[LedgerEntry]) -> dict[PullKey, datetime]:
    """When the Ledger first decided each PR (the earliest When): it ends a claim's hold."""
    first: dict[PullKey, datetime] = {}
    for entry in ledger:
        key = pull_key_of(entry.pr_url)
        if key is not None and (key not in first or entry.when < first[key]):
            first[key] = entry.when
    return first
