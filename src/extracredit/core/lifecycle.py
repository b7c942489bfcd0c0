"""Where each claim stands (open, in review, accepted, rejected, expired): the tool's columns of Claims."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from extracredit.core.claims import carried_claim
from extracredit.core.config import Config
from extracredit.core.credit import decide_pull
from extracredit.core.holds import expiry
from extracredit.core.identity import build_directory
from extracredit.core.ledger import latest_ledger, pull_key
from extracredit.core.model import Claim, PullRequest, Registry, Table
from extracredit.registry.parse import column_index
from extracredit.registry.schema import TOOL_CLAIMS_COLUMNS, CellWrite

_ID_NUMBER = re.compile(r"^C-(\d+)$")


@dataclass(frozen=True)
class ClaimRecord:
    """What the tool's columns of one claim's row should say."""

    claim: Claim
    id: str
    status: str
    pr_urls: tuple[str, ...]
    github_id: int | None

    @property
    def changed(self) -> bool:
        claim = self.claim
        return (claim.id != self.id or claim.status != self.status
                or claim.pr_urls != self.pr_urls or claim.github_id != self.github_id)


def new_ids(claims: Sequence[Claim]) -> dict[Claim, str]:
    """Fresh ids for rows without one, after the highest id in use, in row order."""
    numbers = [int(found.group(1)) for c in claims if c.id and (found := _ID_NUMBER.match(c.id))]
    next_number = max(numbers, default=0) + 1
    fresh = {}
    for claim in sorted((c for c in claims if not c.id), key=lambda c: c.row):
        fresh[claim] = f"C-{next_number:04d}"
        next_number += 1
    return fresh


def lifecycle(registry: Registry, pulls: Sequence[PullRequest], config: Config,
              now: datetime) -> list[ClaimRecord]:
    """Every readable claim's status, PRs and account id, recomputed from the PRs and the Ledger.

    The statuses the tool wrote before are not inputs (only a typed ``withdrawn`` is), so that a
    claim never flips back and forth between runs.
    """
    fresh = new_ids(registry.claims)
    as_typed = {claim: replace(claim, id=claim.id or fresh[claim],
                               status="withdrawn" if claim.status == "withdrawn" else "open")
                for claim in registry.claims}
    claims = tuple(as_typed.values())
    directory = build_directory(registry.roster, claims)
    ledger = latest_ledger(registry.ledger)
    carrying: dict[Claim, list[PullRequest]] = defaultdict(list)
    for pr in pulls:
        if pr.repo not in config.repos:
            continue
        carried = carried_claim(pr, directory.resolve(pr.user), claims).claim
        if carried is not None:
            carrying[carried].append(pr)
    expire_after = timedelta(days=config.claims.expire_after_days)
    records = []
    for original, claim in as_typed.items():
        prs = sorted(carrying.get(claim, []), key=lambda pr: (pr.repo, pr.number))
        decisions = {decide_pull(pr, ledger.get(pull_key(pr)), config.labels)[0] for pr in prs}
        if claim.status == "withdrawn":
            status = "withdrawn"
        elif "accepted" in decisions:
            status = "accepted"
        elif "pending" in decisions:
            status = "in review"
        elif "rejected" in decisions:
            status = "rejected"
        else:
            opened_in_time = any(pr.created_at <= expiry(claim, expire_after) for pr in prs)
            status = "open" if opened_in_time or now < expiry(claim, expire_after) else "expired"
        github_id = original.github_id
        if github_id is None and prs:
            github_id = min(prs, key=lambda pr: pr.created_at).user.id
        records.append(ClaimRecord(original, claim.id or "", status,
                                   tuple(pr.html_url for pr in prs), github_id))
    return records


@dataclass(frozen=True)
class RowPlan:
    """The writes that bring the Claims tab's tool columns up to date, and what was skipped."""

    writes: tuple[CellWrite, ...]
    updated: int
    skipped: tuple[str, ...]  # claim labels whose row moved away or vanished


_IDENTITY = ("Submitted", "GitHub", "NetID", "Kind", "Target")


def _identity(index: dict[str, int], cells: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(cells[index[c]].strip() if c in index and index[c] < len(cells) else ""
                 for c in _IDENTITY)


def plan_row_writes(records: Sequence[ClaimRecord], read: Table, current: Table,
                    stamp: str) -> RowPlan:
    """Locate each changed claim in the Claims tab as it is *now* (people sort and insert rows
    while the tool works): by its id, or, for a row that had none, by its own cells."""
    read_index, _ = column_index(read)
    index, _ = column_index(current)
    by_id: dict[str, list[int]] = defaultdict(list)
    by_identity: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for number, cells in current.rows:
        at = index.get("Claim")
        claim_cell = cells[at].strip().upper() if at is not None and at < len(cells) else ""
        if claim_cell:
            by_id[claim_cell].append(number)
        else:
            by_identity[_identity(index, cells)].append(number)
    read_rows = dict(read.rows)
    writes: list[CellWrite] = []
    skipped: list[str] = []
    updated = 0
    for record in records:
        if not record.changed:
            continue
        claim = record.claim
        if claim.id:
            rows = by_id.get(claim.id, [])
        else:
            rows = by_identity.get(_identity(read_index, read_rows.get(claim.row, ())), [])
        if len(rows) != 1:
            skipped.append(claim.label)
            continue
        row = rows[0]
        values = {"Claim": record.id, "Status": record.status, "PR": " ".join(record.pr_urls),
                  "GitHub ID": "" if record.github_id is None else str(record.github_id),
                  "Updated": stamp}
        for column in TOOL_CLAIMS_COLUMNS:
            if column in index:
                writes.append(CellWrite("Claims", row, index[column], (values[column],)))
        updated += 1
    return RowPlan(tuple(writes), updated, tuple(skipped))
