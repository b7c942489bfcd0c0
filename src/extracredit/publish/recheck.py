"""The nightly re-check: every open PR decided again, published only where its verdict or head moved."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from extracredit.core.config import Config
from extracredit.core.model import PullRequest, Registry, Table
from extracredit.core.titles import check_title
from extracredit.core.verdict import course_of, decide
from extracredit.forge.base import ForgeFor
from extracredit.forge.progress import track
from extracredit.publish.deciding import report_for
from extracredit.publish.writes import apply, plan
from extracredit.registry.parse import column_index
from extracredit.registry.schema import CHECKS_COLUMNS
from extracredit.text import progress as progress_words


@dataclass(frozen=True)
class Published:
    """What the Checks tab remembers of one PR: the verdict last published for a head."""

    head_sha: str
    fingerprint: str
    comment_id: str


def published(checks: Table | None) -> dict[tuple[str, int], Published]:
    if checks is None:
        return {}
    index, _ = column_index(checks)
    memory = {}
    for _, cells in checks.rows:
        def cell(name: str, cells: tuple[str, ...] = cells) -> str:
            at = index.get(name)
            return cells[at].strip() if at is not None and at < len(cells) else ""
        # Any cell may hold anything: a PR number is ASCII digits (``²`` passes isdigit, not int).
        if cell("Repo") and re.fullmatch(r"[0-9]{1,9}", cell("PR")):
            memory[(cell("Repo"), int(cell("PR")))] = Published(
                cell("Head SHA"), cell("Fingerprint"), cell("Comment ID"))
    return memory


def recheck(forge_for: ForgeFor, config: Config, registry: Registry,
            pulls: Sequence[PullRequest], checks: Table | None,
            now: datetime) -> tuple[list[list[str]], int, int]:
    """Re-check every open extra-credit PR; publish only where the verdict or head changed.

    Returns the Checks tab's new rows, how many PRs were published and how many skipped.
    """
    memory = published(checks)
    stamp = now.astimezone(config.zone).isoformat(timespec="seconds")
    rows: dict[tuple[str, int], list[str]] = {
        key: [key[0], str(key[1]), old.head_sha, old.fingerprint, old.comment_id, ""]
        for key, old in memory.items()}
    done = skipped = 0
    course = course_of(registry, config, pulls)
    # Only open PRs with the tag: a title without it is the PR check's to report, on the edit
    # that fixes it.
    candidates = [pr for pr in pulls if pr.is_open and pr.repo in config.repos
                  and check_title(pr.title, config.tag, config.term).passed]
    for pr in track(candidates, progress_words.RECHECKING):
        verdict = decide(pr, registry, config, now, known_pulls=pulls, course=course)
        if verdict.skip is not None:
            continue
        report = report_for(verdict, config)
        key = (pr.repo, pr.number)
        old = memory.get(key)
        if old is not None and (old.head_sha, old.fingerprint) == (pr.head_sha,
                                                                  report.fingerprint):
            skipped += 1
            continue
        forge = forge_for(pr.repo)
        url = apply(forge, pr, plan(forge, pr, report))
        comment_id = url.rsplit("#issuecomment-", 1)[-1] if url and "#issuecomment-" in url else ""
        rows[key] = [pr.repo, str(pr.number), pr.head_sha, report.fingerprint, comment_id, stamp]
        done += 1
    ordered = [rows[key] for key in sorted(rows)]
    return [list(CHECKS_COLUMNS), *ordered], done, skipped
