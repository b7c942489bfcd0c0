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
from .compare import JOBS, run_all
from .report import Report, machine, seconds
from .semester import FULL, QUICK, REPOS
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
    # A --cold-start option would go here; see the note in compare.run_all first.
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    latency = args.latency / 1000
    started = time.perf_counter()
    print(f"extracredit benchmark, {scale.name}: {scale.students} students, {scale.claims:,} claims,"
          f" {scale.pulls:,} PRs over {len(REPOS)} repos ({scale.open_pulls} open, "
          f"{scale.big_pulls} with 100-300 files, {scale.long_threads} with 120-300 comments), "
          f"a Ledger of {scale.ledger}; {args.latency:g} ms per request")
    print(f"{machine()}; {datetime.now(UTC):%Y-%m-%d}")
    report = Report(args.routes)
    with tempfile.TemporaryDirectory(prefix="extracredit-bench-") as tmp:
        world = build_world(scale, Path(tmp), latency)
        try:
            run_all(world, report, args.naive_live, args.only or JOBS)
        finally:
            world.github.stop()
            world.sheets.stop()
    met = sum(1 for _, ok in report.targets if ok)
    missed = [label for label, ok in report.targets if not ok]
    print(f"\ntargets: {met} of {len(report.targets)} met"
          + (f"; missed: {'; '.join(missed)}" if missed else ""))
    print(f"summary ({scale.name}, {seconds(time.perf_counter() - started)}): "
          + "; ".join(report.summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
