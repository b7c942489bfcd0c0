"""The course's PRs for a command: from a snapshot file, or listed live from GitHub."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extracredit import messages
from extracredit.backend import env_number
from extracredit.claims import build_directory
from extracredit.config import Config
from extracredit.errors import UserError
from extracredit.model import PullRequest
from extracredit.registry import Registry
from extracredit.retry import patient
from extracredit.snapshot import SnapshotError, load_snapshot
from extracredit.titles import check_title


def _say_waiting(seconds: float, reason: str) -> None:
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    print(messages.waiting_for_github(reason, until, seconds), file=sys.stderr)


def window_start(config: Config) -> datetime:
    return datetime.combine(config.window.opens, datetime.min.time(), config.zone)


def list_live(config: Config, repos: Sequence[str],
              wants_files: Callable[[PullRequest], bool]) -> list[PullRequest]:
    """Every PR of the repos since the window opened; files for the PRs ``wants_files`` picks."""
    from extracredit.github import GitHub, GitHubError, connect

    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise UserError(messages.MISSING_ENV.format(name="GITHUB_TOKEN"))
    client = connect(token, throttle=env_number("EXTRACREDIT_GITHUB_THROTTLE", 0.25))
    pulls: list[PullRequest] = []
    try:
        for repo in repos:
            if sys.stderr.isatty():
                print(messages.listing_repo(repo), file=sys.stderr)
            pulls += GitHub(client, repo, policy=patient(_say_waiting)).list_pulls(
                window_start(config), wants_files)
    except GitHubError as error:
        raise UserError(str(error)) from None
    return pulls


def live_pulls(config: Config, registry: Registry) -> list[PullRequest]:
    """The course's PRs, with files for those by students or with the tag (claims need them)."""
    directory = build_directory(registry.roster, registry.claims)

    def relevant(pr: PullRequest) -> bool:
        return directory.resolve(pr.user) is not None or check_title(pr.title, config.tag).passed

    return list_live(config, config.repos, relevant)


def course_pulls(snapshot: Path | None, config: Config,
                 registry: Registry) -> tuple[list[PullRequest], datetime]:
    """The PRs and the moment they show: a snapshot's, or GitHub's now."""
    if snapshot is None:
        return live_pulls(config, registry), datetime.now(UTC)
    try:
        frozen = load_snapshot(snapshot)
    except SnapshotError as error:
        raise UserError(str(error)) from None
    return frozen.all_pulls(), frozen.taken_at
