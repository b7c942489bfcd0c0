"""The course's PRs for a command: from a snapshot file, or listed live from GitHub."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extracredit.core.config import Config
from extracredit.core.identity import build_directory
from extracredit.core.model import PullRequest, Registry
from extracredit.core.titles import check_title
from extracredit.errors import GitHubError, SnapshotError, UserError
from extracredit.forge.actions import ActionsEnv, say
from extracredit.forge.progress import say_over_bars
from extracredit.forge.snapshot import Snapshot, load_snapshot
from extracredit.retry import patient
from extracredit.text import messages

RELIST_MARGIN = timedelta(hours=1)


def _say_waiting(seconds: float, reason: str) -> None:
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    say_over_bars(messages.waiting_for_github(reason, until, seconds),
                  lambda text: say(text, stderr=True))


def window_start(config: Config) -> datetime:
    return datetime.combine(config.window.opens, datetime.min.time(), config.zone)


def relist_from(kept: Sequence[PullRequest]) -> datetime | None:
    """Where a listing can start for a repo whose PRs a previous snapshot holds: an hour before
    the latest change it saw (GitHub's clock, not ours; the hour covers changes made while that
    listing ran). None, to list everything, when it saw none or did not record them."""
    moments = [pr.updated_at for pr in kept]
    if not moments or any(moment is None for moment in moments):
        return None
    return max(moment for moment in moments if moment is not None) - RELIST_MARGIN


def list_live(config: Config, repos: Sequence[str], wants_files: Callable[[PullRequest], bool],
              env: ActionsEnv, previous: Snapshot | None = None) -> list[PullRequest]:
    """Every PR of the repos since the window opened; files for the PRs ``wants_files`` picks.

    With a previous snapshot, only the PRs GitHub changed since are listed (the rest are taken
    from it as they were), and the files it holds for a PR's head are reused.
    """
    # Imported here: a run from a snapshot file does not pay for loading PyGithub.
    from extracredit.forge.github import connect_from_environment

    forge_for = connect_from_environment(env, policy=patient(_say_waiting))
    known = {(pr.repo, pr.number, pr.head_sha): pr.files
             for pr in (previous.all_pulls() if previous else []) if pr.files}

    def wants(pr: PullRequest) -> bool:
        return (pr.repo, pr.number, pr.head_sha) not in known and wants_files(pr)

    opens = window_start(config)
    pulls: list[PullRequest] = []
    try:
        for repo in repos:
            kept = previous.pulls.get(repo, ()) if previous else ()
            since = relist_from(kept)
            github = forge_for(repo)
            fresh = [replace(pr, files=known.get((pr.repo, pr.number, pr.head_sha), pr.files))
                     for pr in github.list_pulls(opens, wants, since)]
            if since is not None:
                listed = {pr.number for pr in fresh}
                # Taken as they were; files are fetched for those that need them now and had
                # none then (their author joined the course since, say).
                fresh += [replace(pr, files=github.files(pr.number)) if wants(pr) else pr
                          for pr in kept if pr.number not in listed and pr.created_at >= opens]
            pulls += fresh
    except GitHubError as error:
        raise UserError(str(error)) from None
    return pulls


def live_pulls(config: Config, registry: Registry, env: ActionsEnv,
               previous: Snapshot | None = None) -> list[PullRequest]:
    """The course's PRs, with files for those by students or with the tag (claims need them)."""
    directory = build_directory(registry.roster, registry.claims)

    def relevant(pr: PullRequest) -> bool:
        return directory.resolve(pr.user) is not None or check_title(pr.title, config.tag, config.term).passed

    return list_live(config, config.repos, relevant, env, previous)


def course_pulls(snapshot: Path | None, config: Config, registry: Registry, env: ActionsEnv,
                 previous: Snapshot | None = None) -> tuple[list[PullRequest], datetime]:
    """The PRs and the moment they show: a snapshot's, or GitHub's now (listing only what
    changed since ``previous``, when given)."""
    if snapshot is None:
        now = datetime.now(UTC)
        return live_pulls(config, registry, env, previous), now
    try:
        frozen = load_snapshot(snapshot)
    except SnapshotError as error:
        raise UserError(str(error)) from None
    return frozen.all_pulls(), frozen.taken_at
