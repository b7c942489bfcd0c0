"""The ``snapshot`` command: freeze the course's PRs as JSON for a reproducible grading run."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime

from extracredit import messages
from extracredit.backend import load_config
from extracredit.errors import EXIT_OK, UserError
from extracredit.model import PullRequest
from extracredit.pulls import list_live
from extracredit.snapshot import Snapshot, SnapshotError, load_snapshot, pull_to_json
from extracredit.titles import check_title


def snapshot_json(taken_at: datetime, pulls: list[PullRequest], repos: list[str]) -> str:
    """The snapshot file's text: stable order and layout, so that diffs between runs are small."""
    content = {repo: {"pulls": [pull_to_json(pr) for pr in sorted(
        (pr for pr in pulls if pr.repo == repo), key=lambda pr: pr.number)]} for repo in repos}
    return json.dumps({"taken_at": taken_at.isoformat(timespec="seconds"), "repos": content},
                      indent=1, ensure_ascii=False, sort_keys=False) + "\n"


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
    known = {(pr.repo, pr.number, pr.head_sha): pr.files
             for pr in (previous.all_pulls() if previous else [])}

    def wants_files(pr: PullRequest) -> bool:
        # Only tagged PRs can earn credit; a head already frozen keeps its files.
        return check_title(pr.title, config.tag).passed and \
            (pr.repo, pr.number, pr.head_sha) not in known

    taken_at = datetime.now(UTC)
    pulls = [replace(pr, files=known[(pr.repo, pr.number, pr.head_sha)])
             if (pr.repo, pr.number, pr.head_sha) in known else pr
             for pr in list_live(config, repos, wants_files)]
    text = snapshot_json(taken_at, pulls, repos)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(messages.snapshot_written(len(pulls), str(args.out)), file=sys.stderr)
    return EXIT_OK
