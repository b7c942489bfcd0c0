"""The report: each job's table, the targets met or missed, and the figures the summary quotes."""

from __future__ import annotations

import contextlib
import os
import platform
from datetime import datetime
from pathlib import Path

from .semester import OPENS, REPOS, SPREADSHEETS, TAG
from .world import Run, World

GITHUB_HOURLY = 1000  # requests an hour for a GITHUB_TOKEN, per repository
GITHUB_POINTS = 900  # points a minute (a GET costs 1)
SHEETS_PER_MINUTE = 60  # reads a minute per user, and writes a minute per user


def ratio(naive: float, ours: float) -> str:
    if ours <= 0:
        return "—" if naive <= 0 else "∞"
    value = naive / ours
    return f"{value:,.0f}x" if value >= 100 else f"{value:,.1f}x"


def seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def sheets_text(run: Run) -> str:
    text = f"{run.sheets_reads} r + {run.sheets_writes} w"
    return text + (f" (+{run.tokens} token)" if run.tokens else "")


class Report:
    def __init__(self, routes: bool = False) -> None:
        self.targets: list[tuple[str, bool]] = []
        self.summary: list[str] = []
        self.routes = routes

    def requests(self, name: str, run: Run) -> None:
        """With --routes: every route a job asked, and how often."""
        if self.routes:
            asked = sorted({**run.github, **run.sheets}.items())
            print(f"    {name} asked: " + ", ".join(f"{route} x{count}" for route, count in asked))

    @staticmethod
    def heading(text: str) -> None:
        print(f"\n{text}")
        print(f"  {'':<40} {'extracredit':>18} {'naive':>18} {'ratio':>8}  target")

    def line(self, label: str, ours: str, naive: str = "", times: str = "", target: str = "",
             met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        if met is not None:
            self.targets.append((label, met))
        print(f"  {label:<40} {ours:>18} {naive:>18} {times:>8}  {target} {verdict}".rstrip())

    @staticmethod
    def note(text: str) -> None:
        print(f"    {text}")


def report_check(report: Report, label: str, ours: Run, naive: Run, files: int = 3) -> None:
    report.heading(label)
    # Files come 100 to a page: a bigger PR needs a page more per hundred.
    bound = 6 + bound_pages(files) - 1
    report.line("GitHub requests", f"{ours.github_total} ({ours_writes(ours)} writes)",
                f"{naive.github_total} ({ours_writes(naive)} writes)",
                ratio(naive.github_total, ours.github_total),
                "≤ 6" if bound == 6 else f"≤ {bound} (6 + a files page per 100 more)",
                ours.github_total <= bound)
    # The Sheets API reads one spreadsheet per request; the course keeps two (the class's
    # claims and the staff's sheet), so "one read" is one per spreadsheet.
    report.line("Sheets requests", sheets_text(ours), sheets_text(naive),
                ratio(naive.sheets_total, ours.sheets_total),
                f"1 read per spreadsheet ({SPREADSHEETS}), ≤ 1 write",
                ours.sheets_reads <= SPREADSHEETS and ours.sheets_writes <= 1)
    report.line("wall (a process of its own)", seconds(ours.wall), seconds(naive.wall),
                ratio(naive.wall, ours.wall), "< 1.5 s", ours.wall < 1.5)
    report.requests("extracredit", ours)
    report.requests("naive", naive)


def ours_writes(run: Run) -> int:
    return sum(n for key, n in run.github.items() if not key.startswith("GET"))


def bound_pages(count: int) -> int:
    return max(1, -(-count // 100))


def list_bound(world: World, when: datetime | None = None) -> int:
    """⌈PRs listed / 100⌉ per repo: the window's PRs, and the first older one that stops it."""
    opens = datetime.combine(OPENS, datetime.min.time(), world.config.zone)
    total = 0
    for repo in REPOS:
        pulls = [p for p in world.semester.pulls if p.repo == repo]
        listed = sum(1 for p in pulls if p.created_at >= opens)
        listed += 1 if any(p.created_at < opens for p in pulls) else 0
        total += bound_pages(listed)
    return total


def tally_files_bound(world: World, previous: Path) -> int:
    from extracredit.core.titles import check_title
    from extracredit.forge.snapshot import load_snapshot

    # A head frozen without files (its title lacked the tag then) needs them once it has it.
    known = {(p.repo, p.number, p.head_sha) for p in load_snapshot(previous).all_pulls() if p.files}
    opens = datetime.combine(OPENS, datetime.min.time(), world.config.zone)
    return sum(bound_pages(len(p.files)) for p in world.semester.pulls
               if p.created_at >= opens and check_title(p.title, TAG).passed
               and (p.repo, p.number, p.head_sha) not in known)


def budget_hours(requests_count: int) -> str:
    """How long GitHub's hourly budget for a GITHUB_TOKEN makes a job of this many requests."""
    if requests_count <= GITHUB_HOURLY:
        return f"{requests_count / GITHUB_HOURLY:.0%} of one hour's budget"
    waits = -(-requests_count // GITHUB_HOURLY) - 1
    return (f"{requests_count / GITHUB_HOURLY:.1f}x the hourly budget: ≥ {waits} h "
            f"waiting for the limit to reset")


def machine() -> str:
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{memory}, "
            f"Python {platform.python_version()}")
