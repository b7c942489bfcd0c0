"""extracredit's own runs beyond a plain command: a check on a PR event, the start-up, and the
registry read, indexed and searched for duplicates in process."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from extracredit.core.holds import activity_from_record, find_duplicates
from extracredit.core.identity import build_directory
from extracredit.core.lint import lint
from extracredit.core.model import Claim, Registry
from extracredit.registry.files import FilesRegistry, render_csv
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import CLAIMS_COLUMNS, LEDGER_COLUMNS, ROSTER_COLUMNS

from .semester import (
    CLAIMS_KEY,
    CONFIG,
    STAFF_KEY,
    TAG,
    PullSpec,
    Targets,
    make_claims,
    make_people,
    universe,
)
from .world import Run, World, cli_config, run_cli
from fakes.all_pairs import duplicates_all_pairs


def event_env(world: World, repo: str, number: int, action: str) -> dict[str, str]:
    event = world.folder / "event.json"
    event.write_text(json.dumps({"action": action, "number": number,
                                 "pull_request": {"number": number},
                                 "repository": {"full_name": repo}}), encoding="utf-8")
    return world.env(GITHUB_EVENT_NAME="pull_request_target", GITHUB_EVENT_PATH=str(event),
                     GITHUB_REPOSITORY=repo)


def check(world: World, pr: PullSpec, action: str) -> Run:
    return run_cli(world, ["check", *cli_config(world)],
                   env=event_env(world, pr.repo, pr.number, action))


def startup(world: World, times: int = 7) -> tuple[float, float, list[str]]:
    """``extracredit title`` as a process, started ``times`` times: median and best wall time,
    and which heavy modules it imported."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    walls = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-P", "-m", "extracredit", "title", f"[{TAG}] Fix a typo",
                        *cli_config(world)], env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
    probe = ("import json, sys\nfrom extracredit.cli import main\n"
             f"main(['title', 'Fix', '--config', {str(world.config_path)!r}])\n"
             "print(json.dumps(sorted(m for m in ('github', 'gspread', 'google.auth', 'requests', "
             "'tqdm')"
             " if m in sys.modules)))")
    shown = subprocess.run([sys.executable, "-P", "-c", probe], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return statistics.median(walls), min(walls), json.loads(shown)


@dataclass(frozen=True)
class Startup:
    """Processes started the same number of times, alternating: wall seconds and peak MiB."""

    walls: dict[str, list[float]]
    peaks: dict[str, list[float]]

    def wall(self, name: str) -> float:
        return statistics.median(self.walls[name])

    def peak(self, name: str) -> float:
        return statistics.median(self.peaks[name])


def alternate(commands: dict[str, tuple[list[str], dict[str, str]]], times: int) -> Startup:
    """Start each command ``times`` times, in turns whose order alternates (alternate.py)."""
    script = Path(__file__).with_name("alternate.py")
    done = subprocess.run([sys.executable, "-P", str(script)], check=False, capture_output=True,
                          text=True, input=json.dumps({"times": times, "commands": commands}))
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result = json.loads(done.stdout)
    return Startup(result["walls"], result["peaks"])


def files_config(world: World) -> Path:
    """The world's configuration with its registry as CSV files (the Sheets' tabs copied), so
    that a check needs PyGithub and no other client."""
    folder = world.folder / "files-registry"
    folder.mkdir(exist_ok=True)
    for name, key, tab in (("claims", CLAIMS_KEY, "Claims"), ("roster", STAFF_KEY, "Roster"),
                           ("ledger", STAFF_KEY, "Ledger")):
        rows = [[str(cell) for cell in row] for row in world.sheets.values(key, tab)]
        (folder / f"{name}.csv").write_text(render_csv(rows), encoding="utf-8")
    text = world.config_path.read_text(encoding="utf-8")
    sheets_line = CONFIG.splitlines()[-1].format(claims=CLAIMS_KEY, staff=STAFF_KEY)
    path = world.folder / "files-config.yml"
    path.write_text(text.replace(sheets_line, f"registry: {{backend: files, path: {folder}}}"),
                    encoding="utf-8")
    return path


def live_startup(world: World, pr: PullSpec, times: int = 21) -> Startup:
    """A live check of one PR at no latency, a process started as a workflow step starts it,
    against a bare ``import github`` in the same environment; and ``extracredit title``."""
    config = files_config(world)
    # As on a runner, bytecode is written (and read on the next run): a start-up that compiles
    # every module each time measures the compiler.
    unused = ("EXTRACREDIT_TEST_SHEETS_PORT", "EXTRACREDIT_GOOGLE_CREDENTIALS",
              "PYTHONDONTWRITEBYTECODE")
    env = {name: value for name, value in event_env(world, pr.repo, pr.number, "synchronize").items()
           if name not in unused}
    python = [sys.executable, "-P"]
    plain = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", *unused)}
    world.set_latency(0)
    return alternate({
        "check": ([*python, "-m", "extracredit", "check", "--config", str(config)], env),
        "import github": ([*python, "-c", "import github"], env),
        "title": ([*python, "-m", "extracredit", "title", f"[{TAG}] Fix a typo",
                   *cli_config(world)], plain),
        "python": ([*python, "-c", "pass"], plain),
    }, times)


@dataclass
class RegistryRun:
    claims: int
    read: float
    validate: float
    index: float
    duplicates: float
    found: int
    lint: float
    naive: float | None  # seconds, measured
    naive_estimate: float | None  # seconds, from a smaller measured run (all pairs grow as n^2)
    same: bool | None  # the indexed detection found exactly what all pairs found


def registry_folder(folder: Path, count: int, crowded: bool = False) -> Path:
    """A registry of ``count`` claims by count / 3.75 students (as many per student as in the
    semester), on a course that many times larger; ``crowded``: all on the semester's 600
    files, claimed regardless of who claimed them first (every file claimed about 80 times)."""
    rng = random.Random(count)
    students = max(1, round(count / 3.75))
    logins, netids, names, ids = make_people(students, offset=10_000)
    files = universe(1 if crowded else max(1, round(count / 1500)))
    claims = make_claims(rng, count, students, Targets(files), logins, netids, names,
                         careful=not crowded)
    target = folder / f"registry-{count}{'-crowded' if crowded else ''}"
    target.mkdir(exist_ok=True)
    (target / "claims.csv").write_text(render_csv([list(CLAIMS_COLUMNS)] + [c.row for c in claims]),
                                       encoding="utf-8")
    (target / "roster.csv").write_text(render_csv(
        [list(ROSTER_COLUMNS)] + [[netids[i], names[i], logins[i], str(ids[i])]
                                  for i in range(students)]), encoding="utf-8")
    (target / "ledger.csv").write_text(render_csv([list(LEDGER_COLUMNS)]), encoding="utf-8")
    return target


def timed(job: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = job()
    return time.perf_counter() - started, value


def registry_run(world: World, count: int, naive_budget: int, crowded: bool = False) -> RegistryRun:
    folder = registry_folder(world.folder, count, crowded)
    zone = world.config.zone
    expire = timedelta(days=world.config.claims.expire_after_days)
    read, tables = timed(lambda: FilesRegistry(folder).read(("Claims", "Roster", "Ledger")))
    validate, registry = timed(lambda: build_registry(tables, zone))

    def index(registry: Registry = registry) -> Any:
        directory = build_directory(registry.roster, registry.claims)
        by_id = {claim.id: claim for claim in registry.claims if claim.id}
        by_owner: dict[str, list[Claim]] = defaultdict(list)
        for claim in registry.claims:
            by_owner[claim.owner].append(claim)
        return directory, by_id, by_owner

    indexing, _ = timed(index)
    activity = activity_from_record(registry)
    duplicates, found = timed(lambda: find_duplicates(registry.claims, activity, expire))
    linting, _ = timed(lambda: lint(registry, world.config))
    naive = naive_estimate = None
    same = None
    if count <= naive_budget:
        naive, expected = timed(lambda: duplicates_all_pairs(registry.claims, activity, expire))
        same = expected == found
    else:
        naive_estimate = naive_sample(world, naive_budget, crowded) * (count / naive_budget) ** 2
    return RegistryRun(count, read, validate, indexing, duplicates, len(found), linting, naive,
                       naive_estimate, same)


_NAIVE_SAMPLES: dict[tuple[int, bool], float] = {}


def naive_sample(world: World, count: int, crowded: bool) -> float:
    """Seconds all pairs take on a registry of ``count`` claims (measured once)."""
    if (count, crowded) not in _NAIVE_SAMPLES:
        folder = registry_folder(world.folder, count, crowded)
        registry = build_registry(FilesRegistry(folder).read(("Claims", "Roster", "Ledger")),
                                  world.config.zone)
        expire = timedelta(days=world.config.claims.expire_after_days)
        activity = activity_from_record(registry)
        _NAIVE_SAMPLES[(count, crowded)], _ = timed(
            lambda: duplicates_all_pairs(registry.claims, activity, expire))
    return _NAIVE_SAMPLES[(count, crowded)]
