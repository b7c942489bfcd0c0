"""The offline runs on a course history on disk: check --all against the tally of the same PRs,
and the tally of 100,000 PRs from a snapshot (time and peak memory)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from .history import History, write_history
from .report import Report, ratio, seconds

REPEATS = 5  # alternating runs of each command; the medians are compared


# The command runs under a small process that waits for it and reports its usage. Started from
# this one, which has just written 100,000 PRs, it would report this one's peak memory as its
# own: on exec the kernel keeps the peak of the memory the process replaced.
_MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
wall = time.perf_counter() - started
print(os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def run_offline(history: History, args: list[str]) -> tuple[float, float, float]:
    """``extracredit ARGS`` on the history as a process: wall and CPU seconds, peak MiB."""
    command = [sys.executable, "-P", "-m", "extracredit", *args, "--snapshot",
               str(history.snapshot), "--config", str(history.config)]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "EXTRACREDIT_", "RUNNER_")) and k != "PYTHONPATH"}
    measured = subprocess.run([sys.executable, "-c", _MEASURE, *command], env=env, cwd=history.folder,
                              capture_output=True, text=True, check=True)
    code, wall, cpu, peak = measured.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"extracredit {' '.join(args)} exited {code}")
    return float(wall), float(cpu), int(peak) / 1024


def bench_offline(folder: Path, report: Report, full: bool) -> None:
    small = write_history(folder / "history-466", 466, 162)
    checks, tallies = [], []
    for _ in range(REPEATS):
        checks.append(run_offline(small, ["check", "--all"])[0])
        tallies.append(run_offline(small, ["tally"])[0])
    check, tally = statistics.median(checks), statistics.median(tallies)
    report.heading(f"offline: a history of {small.pulls} PRs by {small.students} students "
                   f"({small.open_pulls} open), each PR's work claimed the day before")
    report.line(f"check --all vs tally (median of {REPEATS})",
                f"{seconds(check)} vs {seconds(tally)}", "", ratio(check, tally), "≤ 2x",
                check <= 2 * tally)
    size = 100_000 if full else 10_000
    big = write_history(folder / f"history-{size}", size, max(1, size * 3 // 100))
    wall, cpu, peak = run_offline(big, ["tally"])
    met = (wall < 10 and peak < 300) if full else None
    report.line(f"tally of {size:,} PRs from a snapshot", f"{seconds(wall)}, {peak:.0f} MiB", "",
                "", "< 10 s, < 300 MiB" if full else "", met)
    report.note(f"{size:,} PRs by {big.students:,} students: CPU {seconds(cpu)}")
    report.summary.append(f"check --all {seconds(check)} vs tally {seconds(tally)} "
                          f"({ratio(check, tally)}); tally of {size:,} PRs {seconds(wall)}, "
                          f"{peak:.0f} MiB")
