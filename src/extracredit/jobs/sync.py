"""The ``sync`` command: the one writer of the registry (claim ids, statuses, first sightings, problems)."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from extracredit.core.config import Config
from extracredit.core.holds import claim_activity
from extracredit.core.identity import build_directory, roster_ids_seen
from extracredit.core.lifecycle import lifecycle
from extracredit.core.lint import lint
from extracredit.core.model import Activity, Claim, PullRequest, Registry, Table
from extracredit.core.sightings import BASELINE_KEY, activity_text, read_sightings
from extracredit.errors import EXIT_OK, EXIT_UNDECIDED, RegistryError, SnapshotError, UserError
from extracredit.forge import actions
from extracredit.forge.actions import ActionsEnv
from extracredit.forge.base import ForgeFor
from extracredit.forge.pulls import course_pulls
from extracredit.forge.snapshot import Snapshot, load_snapshot, render_snapshot
from extracredit.publish.recheck import recheck
from extracredit.registry.files import write_whole
from extracredit.registry.opening import load_config, open_backend
from extracredit.registry.parse import build_registry
from extracredit.registry.rows import (
    accepted_edit_writes,
    log_cell_writes,
    plan_row_writes,
    roster_id_writes,
)
from extracredit.registry.schema import CLAIMS_LOG_COLUMNS, CellWrite, RegistryBackend
from extracredit.text import messages
from extracredit.text import summary as summary_words
from extracredit.text.problems import ordered, problems_rows

SYNC_TABS = ("Claims", "Roster", "Ledger", "Claims log", "Checks")


def _stamp(moment: datetime, config: Config) -> str:
    return moment.astimezone(config.zone).isoformat(timespec="seconds")


def first_sightings(registry: Registry, log: Table | None, ids: dict[int, str],
                    claims_table: Table, stamp: str,
                    activity: Mapping[Claim, Activity] | None = None) -> list[list[str]]:
    """Claims log rows for claims the log has never seen (the row as it is now).

    On the first sync of a registry every claim is new to the log, however old: those rows are
    marked as the baseline, which the backdating rule does not judge.
    """
    baseline = log is None or not log.rows
    seen: set[str] = set()
    if log is not None:
        header = [cell.strip().lower() for cell in log.header]
        at = header.index("claim") if "claim" in header else 0
        seen = {cells[at].strip().upper() for _, cells in log.rows if len(cells) > at}
    activity = activity or {}
    rows = []
    # Every claim, those the Roster leaves out too: what they said is worth freezing all the same.
    for claim in sorted((*registry.claims, *registry.unbound), key=lambda claim: claim.row):
        claim_id = ids.get(claim.row) or claim.id
        if not claim_id or claim_id in seen:
            continue
        withdrawn = stamp if claim.status == "withdrawn" else ""
        rows.append([claim_id, stamp, _recorded(claims_table, claim.row, claim_id, baseline), "",
                     withdrawn, activity_text(activity.get(claim))])
    return rows


def _recorded(claims_table: Table, row: int, claim_id: str, baseline: bool) -> str:
    """A Claims row as the Claims log records it: its cells by header name, as JSON."""
    cells = dict(claims_table.rows).get(row, ())
    snapshot = {name: cells[i] for i, name in enumerate(claims_table.header)
                if name.strip() and i < len(cells)}
    snapshot["Claim"] = claim_id
    if baseline:
        snapshot[BASELINE_KEY] = "yes"
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def staff_writes(backend: RegistryBackend, config: Config, tables: Mapping[str, Table],
                 registry: Registry, pulls: Sequence[PullRequest], activity: Mapping[Claim, Activity],
                 stamp: str) -> list[CellWrite]:
    """The staff sheet's cells the sync fills in: a rostered student's GitHub ID once GitHub shows
    their login on a PR, the record of a claim whose edits a TA accepted, and the withdrawal of a
    seen claim (for good: a copy of its row cannot take it back)."""
    writes: list[CellWrite] = []
    ids = roster_ids_seen(registry.roster, pulls)
    if ids and "Roster" in tables:
        current = backend.read(("Roster",)).get("Roster")
        if current is not None:
            writes += roster_id_writes(tables["Roster"], current, ids)
    log = tables.get("Claims log")
    sightings = read_sightings(log, config.zone)
    accepted = {sighting.log_row: _recorded(tables["Claims"], claim.row, sighting.claim_id,
                                            sighting.baseline)
                for claim in (*registry.claims, *registry.unbound)
                if (sighting := sightings.get(claim.id or "")) is not None and sighting.accepted}
    if log is not None and accepted:
        writes += accepted_edit_writes(log, accepted)
    cells: dict[tuple[int, str], str] = {}
    for claim in (*registry.claims, *registry.unbound):
        sighting = sightings.get(claim.id or "")
        if sighting is None:
            continue
        if claim.status == "withdrawn" and not sighting.withdrawn:
            cells[(sighting.log_row, "Withdrawn")] = stamp
        record = activity_text(activity.get(claim))
        if record != sighting.activity_text:
            cells[(sighting.log_row, "Activity")] = record
    if log is not None and cells:
        writes += log_cell_writes(log, cells)
    return writes
def in_claims_log(backend: RegistryBackend, claim_ids: Sequence[str]) -> bool:
    """Does the Claims log, read again now, hold every one of these claims? (An append that timed
    out may have landed all the same: it is looked for before it is tried again.)"""
    log = backend.read(("Claims log",)).get("Claims log")
    if log is None:
        return False
    header = [cell.strip().lower() for cell in log.header]
    at = header.index("claim") if "claim" in header else 0
    seen = {cells[at].strip().upper() for _, cells in log.rows if len(cells) > at}
    return all(claim_id.upper() in seen for claim_id in claim_ids)


def sync(backend: RegistryBackend, config: Config, tables: Mapping[str, Table],
         pulls: Sequence[PullRequest], now: datetime) -> tuple[int, int, tuple[str, ...], int, int]:
    """Bring the registry (read as ``tables``) up to date; returns (claims updated, ids
    assigned, rows skipped, first sightings logged, problems found)."""
    registry = build_registry(tables, config.zone)
    records = lifecycle(registry, pulls, config, now)
    stamp = _stamp(now, config)
    # Re-read just before writing: people sort and insert rows while the tool works.
    current = backend.read(("Claims",))["Claims"]
    plan = plan_row_writes(records, tables["Claims"], current, stamp)
    if plan.writes:
        backend.write_cells(plan.writes)
    assigned = {r.claim.row: r.id for r in records if r.claim.id is None}
    activity = claim_activity(registry, pulls, build_directory(registry.roster, registry.claims))
    log_rows = first_sightings(registry, tables.get("Claims log"), assigned, tables["Claims"],
                               stamp, activity)
    if log_rows:
        if "Claims log" not in tables:
            backend.replace_tab("Claims log", [list(CLAIMS_LOG_COLUMNS), *log_rows])
        else:
            claim_ids = [row[0] for row in log_rows]
            backend.append_rows("Claims log", log_rows, landed=lambda: in_claims_log(backend, claim_ids))
    recorded = staff_writes(backend, config, tables, registry, pulls, activity, stamp)
    if recorded:
        backend.write_cells(recorded)
    problems = ordered(lint(registry, config, activity=activity, claims_log=tables.get("Claims log")))
    backend.replace_tab("Problems", problems_rows(problems, stamp))
    return plan.updated, len(assigned), plan.skipped, len(log_rows), len(problems)


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit sync`` as parsed by the command line."""
    config = load_config(args.config)
    env = actions.read_environment()
    try:
        backend = open_backend(config, args.registry)
        tables = backend.read(SYNC_TABS)
        registry = build_registry(tables, config.zone)
        # Everything the run needs is in hand before its first write: a run that could not finish
        # must not leave the registry half brought up to date.
        keeps_cache = args.prs_cache is not None and args.snapshot is None
        if keeps_cache:
            _check_writable(args.prs_cache)
        forge_for = _forge_for(env) if args.recheck else None
        previous = _previous_pulls(args.prs_cache) if args.snapshot is None else None
        pulls, now = course_pulls(args.snapshot, config, registry, env, previous)
        updated, assigned, skipped, logged, problems = sync(backend, config, tables, pulls, now)
        actions.say(messages.sync_summary(len(pulls), updated, assigned, logged, problems))
        if skipped:
            actions.say(messages.sync_skipped(skipped))
        rechecked: tuple[int, int] | None = None
        if forge_for is not None:
            # As just written: new claim ids and statuses are what the comments should cite.
            registry = build_registry(backend.read(("Claims", "Roster", "Ledger")), config.zone)
            rows, done, unchanged = recheck(forge_for, config, registry, pulls, tables.get("Checks"),
                                            now)
            backend.replace_tab("Checks", rows, tables.get("Checks"))
            actions.say(messages.recheck_summary(done, unchanged))
            rechecked = (done, unchanged)
    except RegistryError as error:
        actions.say(messages.REGISTRY_UNREADABLE.format(reason=error))
        if env.step_summary:
            actions.append_summary(env.step_summary, summary_words.SYNC_FAILED)
        return EXIT_UNDECIDED
    if env.step_summary:
        # Public, like the log: numbers only (the skipped rows' labels stay in the log).
        actions.append_summary(env.step_summary, summary_words.sync_summary(
            len(pulls), updated, assigned, logged, len(skipped), problems, rechecked))
    if keeps_cache:
        _save_pulls(args.prs_cache, now, pulls, config.repos)
    return EXIT_OK


def _forge_for(env: ActionsEnv) -> ForgeFor:
    """GitHub for the re-check, or UserError now (no GITHUB_TOKEN) rather than after the writes."""
    # Imported here: a sync without --recheck does not pay for loading PyGithub.
    from extracredit.forge.github import connect_from_environment

    return connect_from_environment(env)


def _check_writable(path: Path) -> None:
    """The PR cache can be written back at the end; UserError now if it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(messages.PRS_CACHE_NOT_WRITABLE.format(
            path=path, reason=error.strerror or error)) from None
    if path.is_dir() or not os.access(path.parent, os.W_OK):
        reason = "it is a folder" if path.is_dir() else "its folder is not writable"
        raise UserError(messages.PRS_CACHE_NOT_WRITABLE.format(path=path, reason=reason))


def _previous_pulls(path: Path | None) -> Snapshot | None:
    """The PRs a previous run kept; None (with a note) when there are none to use."""
    if path is None:
        return None
    if not path.exists():
        actions.say(messages.PRS_CACHE_MISSING.format(path=path), stderr=True)
        return None
    try:
        return load_snapshot(path)
    except SnapshotError as error:
        actions.say(messages.PRS_CACHE_UNUSABLE.format(reason=error), stderr=True)
        return None


def _save_pulls(path: Path, now: datetime, pulls: Sequence[PullRequest],
                repos: Sequence[str]) -> None:
    """Write the cache whole or not at all."""
    try:
        write_whole(path, render_snapshot(now, pulls, repos))
    except OSError as error:  # the registry is written: only the next run's head start is lost
        actions.say(messages.PRS_CACHE_NOT_WRITTEN.format(path=path, reason=error.strerror or error),
                    stderr=True)
        return
    actions.say(messages.PRS_CACHE_WRITTEN.format(path=path, count=len(pulls)), stderr=True)
