"""The registry lint: every problem a TA should fix, located by tab, row and column."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

from extracredit.core.cells import parse_time
from extracredit.core.config import Config
from extracredit.core.holds import activity_from_record, find_duplicates
from extracredit.core.model import Activity, Claim, Problem, Registry, Table
from extracredit.core.sightings import read_sightings
from extracredit.core.targets import entry_matches, is_overbroad, targets_overlap

BACKDATING = timedelta(days=2)
BROAD_FILES = 20  # a target that matches fewer files is never too broad


def _claims_problems(claims: Sequence[Claim]) -> list[Problem]:
    problems: list[Problem] = []
    by_owner: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.active:
            by_owner[claim.owner].append(claim)
    for owned in by_owner.values():
        owned.sort(key=lambda c: c.order)
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
    # Where each account and NetID was first seen, as (tab, row), to cite in the message.
    netids_of_login: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    logins_of_netid: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for entry in registry.roster:
        if entry.github:
            netids_of_login[entry.github.lower()].setdefault(entry.netid.lower(),
                                                             ("Roster", entry.row))
    # Claims the Roster left out count for nothing, but still show who is who.
    for claim in sorted((*registry.claims, *registry.unbound), key=lambda c: c.row):
        if claim.netid and claim.github:
            netid, login = claim.netid.lower(), claim.github.lower()
            netids_of_login[login].setdefault(netid, ("Claims", claim.row))
            logins_of_netid[netid].setdefault(login, ("Claims", claim.row))
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


def _history_problems(claims: Sequence[Claim], claims_log: Table | None, config: Config) -> list[Problem]:
    """Backdated claims: a Submitted (as first seen) more than two days before the sighting. The
    order of claims no longer depends on it (core.sightings bounds it); the TA still learns of it."""
    problems: list[Problem] = []
    sightings = read_sightings(claims_log, config.zone)
    for claim in claims:
        sighting = sightings.get(claim.id or "")
        if sighting is None or sighting.baseline:
            continue
        recorded = {name.strip().lower(): value for name, value in sighting.cells.items()}
        typed = parse_time(recorded.get("submitted") or recorded.get("timestamp") or "", config.zone)
        typed = typed or claim.submitted  # a sighting that recorded no Submitted: as typed
        if typed is not None and sighting.first_seen - typed > BACKDATING:
            problems.append(Problem("Claims", claim.row, "Submitted", "backdated",
                                    (("first_seen", sighting.first_seen),), claim.github))
    return problems


def _broad_targets(claims: Sequence[Claim], repo_files: Sequence[str] | None,
                   share: Decimal) -> list[Problem]:
    """Targets that would hold (nearly) the whole repository: they hold nothing (core.targets)."""
    problems: list[Problem] = []
    for claim in claims:
        for entry in claim.targets:
            if is_overbroad(entry):
                problems.append(Problem("Claims", claim.row, "Target", "overbroad-target",
                                        (("entry", entry),), claim.github))
            elif repo_files:
                matched = sum(1 for path in repo_files if entry_matches(entry, path))
                percent = Decimal(100 * matched) / len(repo_files)
                # A share of a handful of files says nothing: a file of a five-file repo is 20%.
                if matched >= BROAD_FILES and percent > share:
                    problems.append(Problem("Claims", claim.row, "Target", "target-too-broad",
                                            (("entry", entry), ("share", int(percent))), claim.github))
    return problems


def lint(registry: Registry, config: Config, *, activity: Mapping[Claim, Activity] | None = None,
         repo_files: Iterable[str] | None = None, claims_log: Table | None = None) -> list[Problem]:
    """All problems: unreadable cells first (from reading), then the registry-wide ones."""
    if activity is None:
        # Without the course's PRs: what the sync last recorded of them, as a check has it.
        activity = activity_from_record(registry)
    expire_after = timedelta(days=config.claims.expire_after_days)
    problems = list(registry.problems)
    for later, earlier in find_duplicates(registry.claims, activity, expire_after).items():
        problems.append(Problem("Claims", later.row, "Target", "duplicate",
                                (("earlier", earlier.label), ("earlier_row", earlier.row),
                                 ("submitted", earlier.submitted)), later.github))
    problems += _claims_problems(registry.claims)
    problems += _identity_problems(registry)
    files = list(repo_files) if repo_files is not None else None
    if files is not None:
        problems += _target_problems(registry.claims, files)
    problems += _broad_targets(registry.claims, files, config.claims.max_target_share)
    problems += _history_problems(registry.claims, claims_log, config)
    # Claims first, then by place; text.problems.ordered settles the order within one cell.
    return sorted(problems, key=lambda p: (p.tab != "Claims", p.tab, p.row, p.column))

