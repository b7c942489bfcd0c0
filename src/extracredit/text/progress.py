"""How a long run tells its progress: what each loop is doing, counts, and waits in minutes and seconds."""

from __future__ import annotations

import math

# What each long loop is doing, as the bar's label and the start of a log line. Counts only:
# a repo's name is the course's, never a student's.
RECHECKING = "re-checking open PRs"
TALLYING = "tallying PRs"


def listing(repo: str) -> str:
    return f"listing PRs of {repo}"


def fetching_files(repo: str) -> str:
    return f"fetching changed files of {repo}"


def count(number: int) -> str:
    """A count as a person reads it: 1,200."""
    return f"{number:,}"


def progress_tail(done: int, total: int | None) -> str:
    """What follows the label in a log line: ``1,200 of 3,400 (35 %)``, or ``1,200 so far`` when
    the total is not known. Digits, commas and fixed words only, so nothing in it needs escaping
    for the Actions log (``%`` would: the label goes through that escaping, this part does not)."""
    if total is None:
        return f"{count(done)} so far"
    share = 100 if total <= 0 else min(100, done * 100 // total)
    return f"{count(done)} of {count(total)} ({share} %)"


def progress_done_tail(done: int, total: int | None) -> str:
    """The last line of a loop: its final count."""
    if total is None or done == total:
        return f"{count(done)} done"
    return f"{count(done)} of {count(total)} done"


def duration(seconds: float) -> str:
    """A wait as a person reads it: ``42 s``, ``1 min 05 s``, ``1 h 00 min 00 s``; a fraction of a
    second counts as a whole one (a wait is never said shorter than it is)."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
