"""Identity: which student a PR's author is, by numeric account id first and login second."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extracredit.core.model import (
    Account,
    Claim,
    RosterEntry,
)


@dataclass(frozen=True)
class Directory:
    """Who is a student, found by numeric account id first and by login second."""

    by_id: Mapping[int, str]
    by_login: Mapping[str, str]

    def resolve(self, account: Account) -> str | None:
        if account.id is not None and account.id in self.by_id:
            return self.by_id[account.id]
        return self.by_login.get(account.login.lower())


def build_directory(roster: Sequence[RosterEntry], claims: Sequence[Claim]) -> Directory:
    by_id: dict[int, str] = {}
    by_login: dict[str, str] = {}
    for entry in roster:
        if entry.github_id is not None:
            by_id.setdefault(entry.github_id, entry.netid.lower())
        if entry.github:
            by_login.setdefault(entry.github.lower(), entry.netid.lower())
    for claim in claims:
        if claim.github_id is not None:
            by_id.setdefault(claim.github_id, claim.owner)
        if claim.github:
            by_login.setdefault(claim.github.lower(), claim.owner)
    return Directory(by_id, by_login)
