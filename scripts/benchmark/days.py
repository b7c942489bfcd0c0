"""The simulated days around the measured run: the nights before it, and what a day changes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .naive import NaiveSheets
from .semester import REPOS, TAG, TODAY, ClaimSpec, PullSpec, commit_sha, submitted_cell
from .world import PRS_CACHE, Run, World, cli_config, run_cli


def last_night(world: World) -> Run:
    """The nights before, not measured: a first nightly run published every open PR; people
    talked on some PRs; last night's run found nothing to publish and kept its PR cache; a
    snapshot was taken (its cost is what a fresh snapshot costs)."""
    quiet = world.env(EXTRACREDIT_GITHUB_THROTTLE="0")
    world.clock[0] = TODAY - timedelta(days=2)
    run_cli(world, ["sync", "--recheck", *PRS_CACHE, *cli_config(world)], latency=0, env=quiet)
    for (repo, number), count in world.semester.threads.items():
        for i in range(count):
            world.github.add_comment(repo, number, f"Thanks! A question about line {i}.",
                                     f"student-{i % 7:05d}",
                                     created_at=TODAY - timedelta(hours=30, minutes=-i))
    world.clock[0] = TODAY - timedelta(days=1)
    run_cli(world, ["sync", "--recheck", *PRS_CACHE, *cli_config(world)], latency=0, env=quiet)
    fresh = run_cli(world, ["snapshot", *cli_config(world), "--out", "previous.json"], latency=0,
                    env=quiet)
    fresh.projected = True
    fresh.wall += fresh.total * world.latency
    return fresh


@dataclass
class Day:
    moved: dict[tuple[str, int], int]  # PRs with a new head (or new): their number of files
    pushes: int
    titles: int
    merged: int
    opened: int
    claims: int
    decisions: int


def new_student_pull(world: World, rng: random.Random, repo: str, claim: ClaimSpec,
                     files: Sequence[str], created: datetime, title: str | None = None) -> PullSpec:
    semester = world.semester
    number = max(p.number for p in semester.pulls if p.repo == repo) + 1
    pr = PullSpec(repo, number, title or f"[{TAG}] Fix typos in {files[0]}",
                  f"Carries {claim.row[0]}." if claim.row[0] else "", semester.logins[claim.owner],
                  semester.ids[claim.owner], "User", "NONE",
                  [(path, "modified", rng.randint(1, 9), rng.randint(0, 5)) for path in files],
                  "open", created, None, None, [], commit_sha(repo, number, 1), claim.owner)
    semester.pulls.append(pr)
    pr.seed(world.github)
    return pr


def a_day_passes(world: World, rng: random.Random) -> Day:
    """What a day of a semester changes before the nightly run: pushes, fixed titles, merges,
    new PRs, new claims and Ledger decisions."""
    semester, github = world.semester, world.github
    world.clock[0] = TODAY - timedelta(hours=12)
    open_prs = [p for p in semester.pulls if p.state == "open"]
    share = max(1, len(open_prs) // 40)
    moved: dict[tuple[str, int], int] = {}
    pushes = rng.sample(open_prs, max(1, len(open_prs) // 10))
    for i, pr in enumerate(pushes):
        pr.head_sha = commit_sha(pr.repo, pr.number, 2)
        if i % 2 == 0:
            pr.files = [*pr.files, ("docs/en/week15/15-3.md", "modified", 2, 1)]
        pr.seed(github, github.labels(pr.repo, pr.number), updated_at=world.clock[0])
        moved[(pr.repo, pr.number)] = len(pr.files)
    untagged = [p for p in open_prs if p.student is not None and f"[{TAG}]" not in p.title.upper()
                and p not in pushes]
    for pr in untagged[: max(1, len(untagged) // 3)]:
        pr.title = f"[{TAG}] {pr.title}"
        github.edit_pull(pr.repo, pr.number, title=pr.title)
    rest = [p for p in open_prs if p not in pushes and p not in untagged]
    merged = rng.sample(rest, share)
    for pr in merged:
        pr.state, pr.merged_at = "closed", TODAY - timedelta(hours=2)
        pr.closed_at = pr.merged_at
        pr.seed(github, github.labels(pr.repo, pr.number))
    with_ids = [c for c in semester.claims if c.row[0] and c.covered]
    for i in range(share):
        claim = rng.choice(with_ids)
        pr = new_student_pull(world, rng, REPOS[i % len(REPOS)], claim, claim.covered[:2],
                              TODAY - timedelta(hours=5 + i))
        moved[(pr.repo, pr.number)] = len(pr.files)
    sheets = NaiveSheets(world)
    added = max(1, len(semester.claims) // 100)
    authors = [p for p in open_prs if p.student is not None and p not in merged]
    for i in range(added):
        pr = rng.choice(authors)
        owner = pr.student
        assert owner is not None
        row = ["", submitted_cell(rng, TODAY - timedelta(hours=10 + i)), semester.logins[owner],
               semester.roster[owner + 1][0], semester.roster[owner + 1][1], "typo",
               pr.files[0][0], "Fix the typos", "", "", "", ""]
        sheets.append_row("Claims", row)
    decisions = max(1, len(semester.ledger) // 60)
    for i in range(decisions):
        pr = rng.choice(authors)
        sheets.append_row("Ledger", [(TODAY - timedelta(hours=3)).isoformat(timespec="seconds"),
                                     "ta-jchen", f"https://github.com/{pr.repo}/pull/{pr.number}",
                                     "accept", "", "reviewed", f"command:{9_500_000 + i}"])
    return Day(moved, len(pushes), max(1, len(untagged) // 3) if untagged else 0, len(merged),
               share, added, decisions)
