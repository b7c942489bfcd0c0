"""The ``snapshot`` command: freeze the course's PRs as JSON for a reproducible grading run."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from extracredit.core.model import PullRequest
from extracredit.core.titles import check_title
from extracredit.errors import EXIT_OK, SnapshotError, UserError
from extracredit.forge import actions
from extracredit.forge.pulls import list_live
from extracredit.forge.snapshot import Snapshot, load_snapshot, render_snapshot
from extracredit.registry.opening import load_config
from extracredit.text import messages


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit snapshot`` as parsed by the command line."""
    config = load_config(args.config)
    repos = args.repo or list(config.repos)
    previous: Snapshot | None = None
    if args.since is not None:
        try:
            previous = load_snapshot(args.since)
        except SnapshotError as error:
            raise UserError(str(error)) from None
    def wants_files(pr: PullRequest) -> bool:
        return check_title(pr.title, config.tag, config.term).passed  # only tagged PRs can earn credit

    taken_at = datetime.now(UTC)
    pulls = list_live(config, repos, wants_files, actions.read_environment(), previous)
    text = render_snapshot(taken_at, pulls, repos)
    if args.out is None:
        actions.say_json(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        actions.say(messages.snapshot_written(len(pulls), str(args.out)), stderr=True)
    return EXIT_OK
