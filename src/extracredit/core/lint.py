"""The registry lint: every problem a TA should fix, located by tab, row and column."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from extracredit.core.cells import parse_time, split_targets
from extracredit.core.config import Config
from extracredit.core.holds import find_duplicates
from extracredit.core.model import Activity, Claim, Problem, Registry, Table
from extracredit.core.targets import entry_matches, targets_overlap

BACKDATING = timedelta(days=2)
BASELINE_KEY = "(baseline)"  # in a Claims log row: seen at the first sync, not when it was added


def _claims_problems(claims: Sequence[Claim]) -> list[Problem]:
    problems: list[Problem] = []
    by_owner: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.active:
            by_owner[claim.owner].append(claim)
    for owned in by_owner.values():
        owned.sort(key=lambda c: (c.submitted, c.row))
        for index, later in enumerate(owned):
            for earlier in owned[:index]:
                if targets_overlap(earlier.targets, later.targets) and earlier.kind == later.kind:
                    problems.append(Problem("Claims", later.row, "Target", "claimed-twice",
                                            (("earlier", earlier.label), ("earlier_row", earlier.row)),
                                            later.github))
                    break
    return problems


def _claims_last(place: tuple[str, int]) -> tuple[bool, int]:
    """Roster rows first, then Claims rows in sheet order: the last is the row to report."""
    return place[0] == "Claims", place[1]


def _identity_problems(registry: Registry) -> list[Problem]:
    problems: list[Problem] = []
    roster_login = {entry.netid.lower(): entry.github.lower() for entry in registry.roster
                    if entry.github}
    # Where each account and NetID was first seen, as (tab, row), to cite in the message.
    netids_of_login: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    logins_of_netid: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for entry in registry.roster:
        if entry.github:
            netids_of_login[entry.github.lower()].setdefault(entry.netid.lower(),
                                                             ("Roster", entry.row))
    for claim in registry.claims:
        if claim.netid and claim.github:
            netid, login = claim.netid.lower(), claim.github.lower()
            netids_of_login[login].setdefault(netid, ("Claims", claim.row))
            logins_of_netid[netid].setdefault(login, ("Claims", claim.row))
            expected = roster_login.get(netid)
            if expected is not None and expected != login:
                problems.append(Problem("Claims", claim.row, "GitHub", "not-roster-login",
                                        (("cell", claim.github), ("roster", expected)), claim.github))
    for login, netids in netids_of_login.items():
        if len(netids) > 1:
            places = sorted(netids.values(), key=_claims_last)
            tab, row = places[-1]
            problems.append(Problem(tab, row, "GitHub", "login-on-two-netids",
                                    (("account", login), ("count", len(netids)),
                                     ("also_tab", places[0][0]), ("also_row", places[0][1])), login))
    for logins in logins_of_netid.values():
        if len(logins) > 1:
            places = sorted(logins.values(), key=_claims_last)
            tab, row = places[-1]
            problems.append(Problem(tab, row, "NetID", "netid-with-two-logins",
                                    (("count", len(logins)), ("also_tab", places[0][0]),
                                     ("also_row", places[0][1]))))
    return problems


def _target_problems(claims: Sequence[Claim], repo_files: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    for claim in claims:
        for entry in claim.targets:
            if not any(entry_matches(entry, path) for path in repo_files):
                problems.append(Problem("Claims", claim.row, "Target", "target-matches-nothing",
                                        (("entry", entry),), claim.github))
    return problems


def _history_problems(claims: Sequence[Claim], claims_log: Table | None,
                      activity: Mapping[Claim, Activity], config: Config) -> list[Problem]:
    """Backdated claims, and claims whose Kind or Target changed after a PR carried them."""
    if claims_log is None:
        return []
    problems: list[Problem] = []
    header = [cell.strip().lower() for cell in claims_log.header]
    try:
        at_claim, at_seen, at_row = header.index("claim"), header.index("first seen"), header.index("row")
    except ValueError:
        return []
    seen: dict[str, tuple[datetime, dict[str, str]]] = {}
    for _, cells in claims_log.rows:
        if len(cells) <= max(at_claim, at_seen, at_row):
            continue
        moment = parse_time(cells[at_seen], config.zone)
        try:
            row = json.loads(cells[at_row])
        except ValueError:
            continue
        if moment is not None and isinstance(row, dict):
            seen.setdefault(cells[at_claim].strip().upper(), (moment, row))
    for claim in claims:
        if claim.id is None or claim.id not in seen:
            continue
        first_seen, original = seen[claim.id]
        if first_seen - claim.submitted > BACKDATING and BASELINE_KEY not in original:
            problems.append(Problem("Claims", claim.row, "Submitted", "backdated",
                                    (("first_seen", first_seen),), claim.github))
        known = activity.get(claim)
        if known is None or known.first_pr_opened is None:
            continue
        if str(original.get("Kind", "")).strip().lower() not in ("", claim.kind):
            problems.append(Problem("Claims", claim.row, "Kind", "changed-after-pr", (), claim.github))
        if split_targets(str(original.get("Target", ""))) not in ((), claim.targets):
            problems.append(Problem("Claims", claim.row, "Target", "changed-after-pr", (), claim.github))
    return problems


def lint(registry: Registry, config: Config, *, activity: Mapping[Claim, Activity] | None = None,
         repo_files: Iterable[str] | None = None, claims_log: Table | None = None) -> list[Problem]:
    """All problems: unreadable cells first (from reading), then the registry-wide ones."""
    activity = activity or {}
    expire_after = timedelta(days=config.claims.expire_after_days)
    problems = list(registry.problems)
    for later, earlier in find_duplicates(registry.claims, activity, expire_after).items():
        problems.append(Problem("Claims", later.row, "Target", "duplicate",
                                (("earlier", earlier.label), ("earlier_row", earlier.row),
                                 ("submitted", earlier.submitted)), later.github))
    problems += _claims_problems(registry.claims)
    problems += _identity_problems(registry)
    if repo_files is not None:
        problems += _target_problems(registry.claims, list(repo_files))
    problems += _history_problems(registry.claims, claims_log, activity, config)
    # Claims first, then by place; text.problems.ordered settles the order within one cell.
    return sorted(problems, key=lambda p: (p.tab != "Claims", p.tab, p.row, p.column))

