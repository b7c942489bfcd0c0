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
from extracredit.core.model import Claim, PullRequest, Registry

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
    # Ids are numbered over every readable claim, those the Roster leaves out too.
    fresh = new_ids((*registry.claims, *registry.unbound))
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
    # A claim the Roster leaves out carries no PR: it gets its id (so that it is frozen like any
    # other) and stays open, until a TA binds it or the student withdraws it.
    for claim in registry.unbound:
        status = "withdrawn" if claim.status == "withdrawn" else "open"
        records.append(ClaimRecord(claim, claim.id or fresh[claim], status, (), claim.github_id))
    return records
