"""Identity: which student a PR's author is, and which claims a student may hold.

Who a student is comes from sources students cannot write: the Roster (staff sheet), whose GitHub
ID the sync records when a rostered login is first seen on a PR, and GitHub's numeric account id of
the PR's author. A claim's own GitHub and NetID cells are data to check against the Roster, never a
source of identity: the Claims tab's GitHub ID column is a record the class can overwrite, so it
is not read at all. Without a Roster (a trial), the claims' first-seen logins stand in for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extracredit.core.model import Account, Claim, Problem, PullRequest, RosterEntry


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
    """The Roster's bindings; the claims' logins only for a NetID the Roster gives no login."""
    by_id: dict[int, str] = {}
    by_login: dict[str, str] = {}
    bound: set[str] = set()
    for entry in roster:
        netid = entry.netid.lower()
        if entry.github_id is not None:
            by_id.setdefault(entry.github_id, netid)
        if entry.github:
            by_login.setdefault(entry.github.lower(), netid)
            bound.add(netid)
    for claim in claims:
        if claim.github and claim.owner not in bound:
            by_login.setdefault(claim.github.lower(), claim.owner)
    return Directory(by_id, by_login)


def bind_to_roster(claims: Sequence[Claim], roster: Sequence[RosterEntry]
                   ) -> tuple[list[Claim], list[Problem], frozenset[str]]:
    """The claims that count: with a Roster, only those whose NetID is on it and whose login is the
    one it gives. The rest are left out with a Problem (they earn nothing and hold nothing), and
    their logins are returned so that a tally can say why their PRs earn nothing."""
    if not roster:
        return list(claims), [], frozenset()
    logins = {entry.netid.lower(): (entry.github or "").lower() for entry in roster}
    kept: list[Claim] = []
    problems: list[Problem] = []
    unrostered: set[str] = set()
    for claim in claims:
        expected = logins.get((claim.netid or "").lower())
        login = (claim.github or "").lower()
        if expected is None:
            problems.append(Problem("Claims", claim.row, "NetID", "netid-not-on-roster", (), claim.github))
            unrostered.add(login)
        elif expected and expected != login:
            problems.append(Problem("Claims", claim.row, "GitHub", "not-roster-login",
                                    (("cell", claim.github), ("roster", expected)), claim.github))
        else:
            kept.append(claim)
    return kept, problems, frozenset(unrostered)


def roster_ids_seen(roster: Sequence[RosterEntry], pulls: Sequence[PullRequest]) -> dict[int, int]:
    """Roster rows without a GitHub ID whose login GitHub has shown on a PR: row -> the account's
    numeric id (from its earliest PR). From then on the id, not the login, says who the student is,
    through a rename of the account and whatever a claims cell says."""
    rows_of: dict[str, list[int]] = defaultdict(list)
    for entry in roster:
        if entry.github and entry.github_id is None:
            rows_of[entry.github.lower()].append(entry.row)
    seen: dict[int, int] = {}
    for pr in sorted(pulls, key=lambda pr: pr.created_at):
        rows = rows_of.get(pr.user.login.lower(), [])
        # A login on two roster rows is the lint's to report; neither row is given an id.
        if len(rows) == 1 and pr.user.id is not None and not pr.user.is_bot:
            seen.setdefault(rows[0], pr.user.id)
    return seen
