"""The command line of the benchmark (``scripts/bench``): build the world, run the jobs, print
the report."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import __doc__ as overview
from . import cold_start
from .compare import JOBS, run_all
from .report import Report, machine, ratio, seconds
from .semester import FULL, QUICK, REPOS, Scale
from .world import build_world


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=overview.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a semester a tenth the size (the registry runs keep their sizes)")
    parser.add_argument("--latency", type=float, default=100, metavar="MS",
                        help="milliseconds each request waits in the fakes (default 100)")
    parser.add_argument("--routes", action="store_true",
                        help="also print, for each job, every route it asked and how often")
    parser.add_argument("--only", action="append", choices=JOBS, metavar="JOB",
                        help=f"run only this job (repeatable): {', '.join(JOBS)}")
    parser.add_argument("--naive-live", action="store_true",
                        help="run the naive nightly and tally at the latency too (slow: they "
                             "are otherwise run without it and their wall time projected)")
    parser.add_argument("--cold-start", action="store_true",
                        help="measure the cold start of a check job instead of the jobs: from a "
                             "fresh environment, the setup action's install (warm wheel cache) "
                             "plus one check, against the pip way it replaced, side by side "
                             "(about a minute; with --only, those jobs are run too)")
    parser.add_argument("--repeats", type=int, default=5, metavar="N",
                        help="--cold-start: timed rounds of each way (default 5)")
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    latency = args.latency / 1000
    started = time.perf_counter()
    report = Report(args.routes)
    jobs = args.only or ([] if args.cold_start else JOBS)
    if args.cold_start:
        print(f"extracredit benchmark, cold start; {machine()}; {datetime.now(UTC):%Y-%m-%d}")
        bench_cold_start(report, args.repeats)
    if jobs:
        run_jobs(args, scale, latency, report, jobs)
    met = sum(1 for _, ok in report.targets if ok)
    missed = [label for label, ok in report.targets if not ok]
    print(f"\ntargets: {met} of {len(report.targets)} met"
          + (f"; missed: {'; '.join(missed)}" if missed else ""))
    name = scale.name if jobs else "cold start"
    print(f"summary ({name}, {seconds(time.perf_counter() - started)}): "
          + "; ".join(report.summary))
    return 0


def run_jobs(args: argparse.Namespace, scale: Scale, latency: float, report: Report,
             jobs: Sequence[str]) -> None:
    print(f"extracredit benchmark, {scale.name}: {scale.students} students, {scale.claims:,} claims,"
          f" {scale.pulls:,} PRs over {len(REPOS)} repos ({scale.open_pulls} open, "
          f"{scale.big_pulls} with 100-300 files, {scale.long_threads} with 120-300 comments), "
          f"a Ledger of {scale.ledger}; {args.latency:g} ms per request")
    print(f"{machine()}; {datetime.now(UTC):%Y-%m-%d}")
    with tempfile.TemporaryDirectory(prefix="extracredit-bench-") as tmp:
        world = build_world(scale, Path(tmp), latency)
        try:
            run_all(world, report, args.naive_live, jobs)
        finally:
            world.github.stop()
            world.sheets.stop()


def bench_cold_start(report: Report, repeats: int) -> None:
    result = cold_start.measure(repeats)
    print(cold_start.line(result))
    report.heading(f"cold start of a check job: fresh environment, install + one check "
                   f"(median of {result.repeats})")
    report.line("setup action (uv, warm wheel cache) vs pip", seconds(result.uv),
                seconds(result.pip), ratio(result.pip, result.uv), "≥ 5x faster",
                result.pip >= 5 * result.uv)
    report.note("uv: " + ", ".join(f"{s:.2f}" for s in result.uv_seconds) + " s; pip: "
                + ", ".join(f"{s:.2f}" for s in result.pip_seconds) + " s")
    report.summary.append(f"cold start {seconds(result.uv)} vs pip {seconds(result.pip)} "
                          f"({ratio(result.pip, result.uv)})")


if __name__ == "__main__":
    sys.exit(main())
