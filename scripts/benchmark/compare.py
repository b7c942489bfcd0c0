"""Each job run both ways on the same world, extracredit's and the naive, and its section of the
report."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from .days import Day, a_day_passes, last_night, new_student_pull
from .measured import check, live_startup, registry_run, startup
from .naive import naive_check, naive_nightly, naive_run, naive_tally
from .offline import bench_offline
from .report import (
    GITHUB_POINTS,
    SHEETS_PER_MINUTE,
    Report,
    bound_pages,
    budget_hours,
    list_bound,
    ours_writes,
    ratio,
    report_check,
    seconds,
    sheets_text,
    tally_files_bound,
)
from .semester import FULL, REPOS, SPREADSHEETS, STAFF_KEY, TAG, TODAY, commit_sha, universe
from .world import FILES, LIST, PRS_CACHE, Run, World, cli_config, run_cli

JOBS = ("nightly", "tally", "check", "startup", "registry", "offline")


def run_all(world: World, report: Report, naive_live: bool, jobs: Sequence[str] = JOBS) -> None:
    rng = random.Random(7)
    # Everything measured below starts warm: last_night leaves the nightly's PR cache
    # (PRS_CACHE), a published verdict on every open PR (our comments, the Checks tab) and
    # previous.json, the snapshot bench_tally's --since starts from and tally_files_bound reads.
    # (--cold-start is another measurement, of a check job's setup from a fresh environment:
    # cold_start.py. A run of these jobs from nothing would skip last_night, run the nightly
    # without a cache and the snapshot without --since, and pass bench_tally the bounds of a
    # fresh snapshot; the Run last_night returns is already one, measured without latency.)
    fresh = last_night(world)
    if "nightly" in jobs or "tally" in jobs:
        day = a_day_passes(world, rng)
        if "nightly" in jobs:
            bench_nightly(world, report, naive_live, day)
        if "tally" in jobs:
            bench_tally(world, report, naive_live, fresh)
    if "check" in jobs:
        bench_check(world, report, rng)
    if "startup" in jobs:
        bench_startup(world, report)
    if "registry" in jobs:
        bench_registry(world, report)
    if "offline" in jobs:
        bench_offline(world.folder, report, world.scale is FULL)


def bench_nightly(world: World, report: Report, naive_live: bool, day: Day) -> None:
    world.clock[0] = TODAY
    nightly = run_cli(world, ["sync", "--recheck", *PRS_CACHE, *cli_config(world)])
    naive, fingerprints = naive_run(world, lambda: naive_nightly(world), naive_live)
    published = re.search(r"recheck: (\d+) PRs? published again; (\d+) unchanged", nightly.output)
    done, unchanged = (int(published[1]), int(published[2])) if published else (-1, -1)
    checks = world.sheets.values(STAFF_KEY, "Checks")
    remembered = {(str(row[0]), int(row[1])): str(row[3]) for row in checks[1:] if len(row) > 3}
    agree = sum(1 for key, value in fingerprints.items() if remembered.get(key) == value)
    files_bound = sum(bound_pages(n) for n in day.moved.values())
    report.heading(f"nightly: sync --recheck of {sum(p.state == 'open' for p in world.semester.pulls)}"
                   f" open PRs, after a day ({day.pushes} pushes, {day.titles} titles fixed, "
                   f"{day.merged} merged, {day.opened} opened, {day.claims} claims, "
                   f"{day.decisions} decisions)")
    lists, files = nightly.by(LIST), nightly.by(FILES)
    # Each repository is listed on its own (the Search API is never used): ≤ 2 pages each.
    report.line("GitHub: list requests", str(lists), str(naive.by(LIST)), "",
                f"≤ 2 per repo ({2 * len(REPOS)})", lists <= 2 * len(REPOS))
    report.line("GitHub: files requests", str(files), str(naive.by(FILES)), "",
                f"≤ {files_bound} (heads moved)", files <= files_bound)
    report.line("GitHub: other reads / writes",
                f"{nightly.github_total - lists - files - ours_writes(nightly)} / "
                f"{ours_writes(nightly)}",
                f"{naive.github_total - naive.by(LIST, FILES) - ours_writes(naive)} / "
                f"{ours_writes(naive)}", "", f"writes for {done} PRs that changed",
                done >= 0)
    report.line("Sheets requests", sheets_text(nightly), sheets_text(naive),
                ratio(naive.sheets_total, nightly.sheets_total))
    report.line("all requests", f"{nightly.total:,}", f"{naive.total:,}",
                ratio(naive.total, nightly.total), "≥ 10x fewer",
                naive.total >= 10 * nightly.total)
    report.line("wall", seconds(nightly.wall), ("" if naive_live else "~") + seconds(naive.wall),
                ratio(naive.wall, nightly.wall))
    # The CPU the process spent itself, apart from waiting for its requests.
    report.line("CPU (user + system), apart from requests", seconds(nightly.cpu or 0.0))
    report.note(f"{done} PRs published again, {unchanged} unchanged and not asked about; "
                f"naive and extracredit published the same verdict on {agree} of {len(fingerprints)}")
    report.note(f"GitHub budget: {budget_hours(nightly.github_total)} "
                f"(naive: {budget_hours(naive.github_total)}); Sheets writes: "
                f"{nightly.sheets_writes} (naive {naive.sheets_writes}: "
                f"{seconds(naive.sheets_writes / SHEETS_PER_MINUTE * 60)} at 60 a minute)")
    report.requests("extracredit", nightly)
    report.requests("naive", naive)
    report.summary.append(f"nightly {nightly.total:,} vs {naive.total:,} requests "
                          f"({ratio(naive.total, nightly.total)}), {seconds(nightly.wall)}")



def bench_tally(world: World, report: Report, naive_live: bool, fresh: Run) -> None:
    previous = world.folder / "previous.json"
    incremental = run_cli(world, ["snapshot", *cli_config(world), "--since", "previous.json",
                                  "--out", "current.json"])
    graded = run_cli(world, ["tally", "--snapshot", "current.json", "--out", "tally",
                             *cli_config(world)])
    naive_grading, naive_csv = naive_run(world, lambda: naive_tally(world), naive_live)
    ours_csv = (world.folder / "tally" / "tally.csv").read_text(encoding="utf-8")
    total = incremental.total + graded.total
    listed, fetched = incremental.by(LIST), incremental.by(FILES)
    lb, fb = list_bound(world), tally_files_bound(world, previous)
    report.heading(f"tally of {len(world.semester.pulls):,} PRs: snapshot --since the previous "
                   "one, then tally --snapshot")
    report.line("GitHub: list requests", str(listed), str(naive_grading.by(LIST)), "",
                f"≤ {lb} (⌈listed/100⌉)", listed <= lb)
    report.line("GitHub: files requests", str(fetched), str(naive_grading.by(FILES)), "",
                f"≤ {fb} (tagged heads without files)", fetched <= fb)
    report.line("Sheets requests", sheets_text(graded), sheets_text(naive_grading),
                ratio(naive_grading.sheets_total, graded.sheets_total),
                f"1 read per spreadsheet ({SPREADSHEETS}) + 1 write",
                graded.sheets_reads <= SPREADSHEETS and graded.sheets_writes <= 1)
    report.line("all requests", f"{total:,}", f"{naive_grading.total:,}",
                ratio(naive_grading.total, total), "≥ 10x fewer", naive_grading.total >= 10 * total)
    report.line("wall: incremental snapshot", seconds(incremental.wall), "", "", "< 30 s",
                incremental.wall < 30)
    report.line("wall: tally from the snapshot", seconds(graded.wall), "", "", "< 5 s",
                graded.wall < 5)
    report.line("wall: both", seconds(incremental.wall + graded.wall),
                ("" if naive_live else "~") + seconds(naive_grading.wall),
                ratio(naive_grading.wall, incremental.wall + graded.wall))
    report.requests("snapshot --since", incremental)
    report.requests("tally", graded)
    report.line("peak memory: tally from the snapshot", f"{graded.rss_mib:.0f} MiB")
    report.line("fresh snapshot (no --since): requests", f"{fresh.total:,}", "", "",
                "within GitHub's limits", True)
    report.note(f"fresh snapshot: {budget_hours(fresh.github_total)}; "
                f"{seconds(fresh.wall)} of requests at {world.latency * 1000:g} ms each "
                f"({fresh.by(LIST)} list + {fresh.by(FILES)} files; "
                f"≤ {GITHUB_POINTS} points a minute is never reached by one client at this latency)")
    report.note("the naive tally and extracredit's give the same tally.csv: "
                + ("yes" if naive_csv == ours_csv else "no (the snapshot has files for tagged PRs "
                   "only, the naive run for every PR)"))
    report.summary.append(f"tally {total:,} vs {naive_grading.total:,} requests "
                          f"({ratio(naive_grading.total, total)}), from a snapshot "
                          f"{seconds(graded.wall)}, incremental snapshot {seconds(incremental.wall)}")



def bench_check(world: World, report: Report, rng: random.Random) -> None:
    claim = next(c for c in world.semester.claims
                 if c.row[0] and c.folder is None and len(c.covered) == 1)
    folder_claim = next(c for c in world.semester.claims if c.row[0] and c.folder)
    near = [p for p in universe() if p.startswith(claim.covered[0].rsplit("/", 1)[0] + "/")]
    files = list(dict.fromkeys([claim.covered[0], *near]))[:3]
    ours_pr = new_student_pull(world, rng, REPOS[0], claim, files, TODAY)
    naive_pr = new_student_pull(world, rng, REPOS[0], claim, files, TODAY)
    first = check(world, ours_pr, "opened")
    naive_first, _ = naive_run(world, lambda: naive_check(world, naive_pr.repo, naive_pr.number),
                               True)
    report_check(report, "check: a new PR (3 files)", first, naive_first)
    for pr in (ours_pr, naive_pr):
        for i in range(250):
            world.github.add_comment(pr.repo, pr.number, f"Discussion {i}", "student-00001")
        pr.head_sha = commit_sha(pr.repo, pr.number, 2)
        world.github.edit_pull(pr.repo, pr.number, head_sha=pr.head_sha)
    push = check(world, ours_pr, "synchronize")
    naive_push, _ = naive_run(world, lambda: naive_check(world, naive_pr.repo, naive_pr.number),
                              True)
    report_check(report, "check: a new push (250 comments on the PR)", push, naive_push)
    again = check(world, ours_pr, "synchronize")
    naive_again, _ = naive_run(world, lambda: naive_check(world, naive_pr.repo, naive_pr.number),
                               True)
    report_check(report, "check: run again, nothing to change", again, naive_again)
    assert folder_claim.folder is not None
    many = [f"{folder_claim.folder}figures/fig-{i:03d}.png" for i in range(300)]
    big_pr = new_student_pull(world, rng, REPOS[1], folder_claim, many, TODAY)
    naive_big_pr = new_student_pull(world, rng, REPOS[1], folder_claim, many, TODAY)
    big = check(world, big_pr, "opened")
    naive_big, _ = naive_run(world, lambda: naive_check(world, naive_big_pr.repo,
                                                        naive_big_pr.number), True)
    report_check(report, "check: a new PR with 300 files", big, naive_big, files=len(many))
    report.summary.append(
        f"check {first.github_total}+{first.sheets_total} vs {naive_first.github_total}+"
        f"{naive_first.sheets_total} requests ({ratio(naive_first.total, first.total)}), "
        f"{seconds(first.wall)}; 300 files {big.github_total}+{big.sheets_total} "
        f"({ratio(naive_big.total, big.total)}), {seconds(big.wall)}")



def bench_startup(world: World, report: Report) -> None:
    _, _, modules = startup(world, times=1)
    pr = next(p for p in world.semester.pulls if p.state == "open" and f"[{TAG}]" in p.title)
    runs = live_startup(world, pr)
    times = len(runs.walls["check"])
    title, python = runs.wall("title"), runs.wall("python")
    check, bare = runs.wall("check"), runs.wall("import github")
    report.heading(f"start-up: processes started {times} times each, alternating (medians)")
    report.line("extracredit title: wall", f"{title:.3f} s", "", "", "< 0.09 s", title < 0.09)
    report.note(f"python -P -c pass: {seconds(python)}; title's peak memory "
                f"{runs.peak('title'):.0f} MiB")
    report.line("title: PyGithub, gspread or requests imported",
                ", ".join(modules) or "none", "", "", "none", not modules)
    report.line("live check, no latency: wall", f"{check:.3f} s", "", f"{check / bare:.2f}x bare",
                "≤ 1.08x python -c 'import github'", check <= 1.08 * bare)
    report.line("live check, no latency: peak memory", f"{runs.peak('check'):.1f} MiB", "", "",
                "< 46 MiB", runs.peak("check") < 46)
    report.note(f"bare `import github` in the same environment: {seconds(bare)}, "
                f"{runs.peak('import github'):.1f} MiB; the check reads a files registry "
                "(the Sheets' tabs as CSV), so PyGithub is the only client it needs; it decides "
                "in a process forked before PyGithub loads, and the peak is the larger of the "
                "two processes' (as the kernel reports a process with its children)")
    report.summary.append(f"start-up: title {seconds(title)}, live check {seconds(check)} "
                          f"({check / bare:.2f}x a bare import github, "
                          f"{runs.peak('check'):.0f} MiB)")



def bench_registry(world: World, report: Report) -> None:
    report.heading("registry: read + validate + index, and duplicate detection")
    budget = 5000 if world.scale is FULL else 1000
    runs = [(count, False) for count in world.scale.registries]
    runs.append((max(world.scale.registries), True))
    for count, crowded in runs:
        result = registry_run(world, count, budget, crowded)
        name = f"{count:,} claims" + (", crowded" if crowded else "")
        naive_seconds = result.naive if result.naive is not None else result.naive_estimate
        naive_text = "" if naive_seconds is None else (
            seconds(naive_seconds) if result.naive is not None else f"~{seconds(naive_seconds)}")
        if not crowded:
            report.line(f"{name}: read + validate + index",
                        seconds(result.read + result.validate + result.index))
            report.note(f"read {seconds(result.read)}, validate {seconds(result.validate)}, "
                        f"index {seconds(result.index)}; the whole lint {seconds(result.lint)}")
        report.line(f"{name}: duplicates ({result.found:,} found)",
                    seconds(result.duplicates), naive_text,
                    ratio(naive_seconds, result.duplicates) if naive_seconds else "",
                    "< 2 s" if count >= 50000 else "",
                    (result.duplicates < 2) if count >= 50000 else None)
        if result.same is not None:
            report.note(f"all pairs found the same duplicates: {'yes' if result.same else 'NO'}")
        elif result.naive_estimate is not None:
            report.note(f"all pairs: measured on {budget:,} claims, times the square of the "
                        "growth in claims")
        if crowded:
            report.note("crowded: every claim on the semester's 600 files, claimed whether or "
                        "not someone had, so every file is claimed about 80 times")
        report.summary.append(f"duplicates of {name} {seconds(result.duplicates)}"
                              + (f" ({ratio(naive_seconds, result.duplicates)})"
                                 if naive_seconds else ""))
