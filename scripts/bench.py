"""The performance benchmark: a simulated semester in the loopback fakes, each job done the way
extracredit does it and the naive way, side by side (see the README, "Performance").

It builds a semester (students, claims, a Ledger, PRs over several repos, some with 100+ files or
long comment histories) in the fake GitHub and the fake Google Sheets, injects a latency per
request, runs the real command line (as a workflow runs it: a process of its own, PyGithub and
gspread routed to the fakes) and counts the requests each fake served. The naive way is written
here: one request per PR per field, every comment page read, cell rows read and written one by
one, comments, statuses and labels rewritten every time, duplicates found by comparing all pairs.

Without Prism: the contract tests already check each request against the official descriptions;
here only the count and the time matter, and Prism would add its own delay to each.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fakes

import requests  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from extracredit.core.config import Config, parse_config  # noqa: E402
from extracredit.core.credit import tally  # noqa: E402
from extracredit.core.holds import activity_from_record, find_duplicates  # noqa: E402
from extracredit.core.identity import build_directory  # noqa: E402
from extracredit.core.lifecycle import lifecycle  # noqa: E402
from extracredit.core.lint import lint  # noqa: E402
from extracredit.core.model import (  # noqa: E402
    Claim,
    PullRequest,
    Registry,
    Table,
)
from extracredit.core.targets import entry_matches  # noqa: E402
from extracredit.core.titles import check_title  # noqa: E402
from extracredit.core.verdict import decide  # noqa: E402
from extracredit.forge.snapshot import pull_from_json  # noqa: E402
from extracredit.jobs.sync import problems_rows  # noqa: E402
from extracredit.registry.files import FilesRegistry, render_csv  # noqa: E402
from extracredit.registry.opening import CHECK_TABS  # noqa: E402
from extracredit.registry.parse import build_registry  # noqa: E402
from extracredit.registry.schema import (  # noqa: E402
    CHECKS_COLUMNS,
    CLAIMS_COLUMNS,
    CLAIMS_LOG_COLUMNS,
    LEDGER_COLUMNS,
    PROBLEMS_COLUMNS,
    ROSTER_COLUMNS,
    TALLY_COLUMNS,
)
from extracredit.registry.sheets import cell_text, quote_tab  # noqa: E402
from extracredit.text import gradebook  # noqa: E402
from extracredit.text.report import build_report, labels_we_set, state_line  # noqa: E402

from fakes.all_pairs import duplicates_all_pairs  # noqa: E402
from fakes.github import GitHubFake  # noqa: E402
from fakes.sheets import SheetsFake  # noqa: E402

HOOK = ROOT / "tests" / "fakes" / "pythonpath"  # routes a process's PyGithub and gspread to loopback
TAG = "DLFL23"
OPENS, CLOSES = date(2023, 9, 5), date(2023, 12, 15)
TODAY = datetime(2023, 12, 8, 15, 0, tzinfo=UTC)  # the simulated day of the nightly run
# The semester as built happened before the nights the benchmark plays (from two days before).
BUILT_UNTIL = TODAY - timedelta(days=3)
CLAIMS_KEY = "1BenchClaimsSheet0000000000000000000000000"
STAFF_KEY = "1BenchStaffSheet00000000000000000000000000"
SPREADSHEETS = len({CLAIMS_KEY, STAFF_KEY})
REPOS = ("Atcold/NYU-DLFL23", "Atcold/NYU-DLSP21", "Atcold/pytorch-Deep-Learning")
KINDS = (("typo", 50), ("bug", 20), ("material", 15), ("translation", 15))
LANGS = ("en", "zh", "es", "fr", "ja", "ko", "tr", "it", "ar", "fa", "pt", "ru", "vi")
ACCEPTED, REJECTED = "extra-credit: accepted", ("extra-credit: rejected", "spam", "invalid")
GITHUB_HOURLY = 1000  # requests an hour for a GITHUB_TOKEN, per repository
GITHUB_POINTS = 900  # points a minute (a GET costs 1)
SHEETS_PER_MINUTE = 60  # reads a minute per user, and writes a minute per user
CONFIG = """\
course: "Benchmark semester"
tag: {tag}
timezone: America/New_York
window: {{opens: {opens}, closes: {closes}}}
cap: 5
kinds: {{typo: {{credit: 0.5}}, bug: {{credit: 1}}, material: {{credit: 1.5}},
        translation: {{credit: 0}}}}
claims: {{required: true, expire_after_days: 14}}
repos: [{repos}]
labels: {{accepted: "{accepted}", rejected: [{rejected}]}}
registry: {{backend: sheets, claims: {claims}, staff: {staff}}}
"""


@dataclass(frozen=True)
class Scale:
    name: str
    students: int
    claims: int
    pulls: int
    open_pulls: int
    ledger: int
    big_pulls: int  # PRs with 100 to 300 files
    long_threads: int  # PRs with 120 to 300 comments
    registries: tuple[int, ...]  # claims in the registry-only runs


FULL = Scale("full", 400, 1500, 2500, 200, 300, 40, 40, (5000, 50000))
QUICK = Scale("quick", 40, 150, 250, 20, 30, 4, 4, (5000, 50000))


# The semester ------------------------------------------------------------------------------------

def universe(copies: int = 1) -> list[str]:
    """The course repositories' files that claims and PRs name (``copies`` times as many for a
    larger course: the same layout under ``partN/``)."""
    files = ["README.md", "docs/index.md", "docs/_config.yml"]
    files += [f"docs/{lang}/week{week:02d}/{week:02d}-{part}.md"
              for lang in LANGS for week in range(1, 16) for part in (1, 2, 3)]
    files += [f"{n:02d}-{name}.ipynb" for n, name in enumerate(
        ("tensor_tutorial", "space_stretching", "backprop", "spiral_classification",
         "regression", "convnets", "listening_to_kernels", "rnn", "seq_classification",
         "autoencoder", "vae", "gan", "attention", "transformer", "graph_convnets", "ebm",
         "planning", "controller", "lstm", "word_embeddings"), start=1)]
    return files + [f"part{copy}/{path}" for copy in range(2, copies + 1) for path in files]


@dataclass
class ClaimSpec:
    row: list[str]  # the Claims tab's cells
    owner: int  # student index
    covered: list[str]  # files of the universe its targets cover
    folder: str | None  # a folder target, for PRs with many new files


@dataclass
class PullSpec:
    repo: str
    number: int
    title: str
    body: str
    login: str
    user_id: int
    user_type: str
    association: str
    files: list[tuple[str, str, int, int]]
    state: str
    created_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    labels: list[str]
    head_sha: str
    student: int | None

    def seed(self, fake: GitHubFake, labels: Sequence[str] | None = None,
             updated_at: datetime | None = None) -> None:
        fake.add_pull(self.repo, self.number, title=self.title, body=self.body,
                      user_login=self.login, user_id=self.user_id, user_type=self.user_type,
                      author_association=self.association, files=self.files,
                      labels=self.labels if labels is None else labels, state=self.state,
                      created_at=self.created_at, closed_at=self.closed_at,
                      merged_at=self.merged_at, head_sha=self.head_sha, updated_at=updated_at)


@dataclass
class Semester:
    roster: list[list[str]]
    claims: list[ClaimSpec]
    ledger: list[list[str]]
    pulls: list[PullSpec]
    threads: dict[tuple[str, int], int]  # PR -> human comments to add after the bot's first one
    logins: list[str]
    ids: list[int]


def _sha(*parts: object) -> str:
    return hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()


def _moment(rng: random.Random, start: date, end: date) -> datetime:
    first = datetime.combine(start, datetime.min.time(), UTC)
    span = (datetime.combine(end, datetime.min.time(), UTC) - first).total_seconds()
    return first + timedelta(seconds=int(rng.random() * span))


def _submitted_cell(rng: random.Random, moment: datetime) -> str:
    local = moment - timedelta(hours=4)
    if rng.random() < 0.1:  # as a Google Form writes it
        return f"{local.month}/{local.day}/{local.year} {local:%H:%M:%S}"
    return f"{local:%Y-%m-%d %H:%M}"


class Targets:
    """Target entries of the kinds students write, with the files each covers."""

    def __init__(self, files: Sequence[str]) -> None:
        self.files = list(files)
        self.by_base: dict[str, list[str]] = defaultdict(list)
        self.by_dir: dict[str, list[str]] = defaultdict(list)
        self.under: dict[str, list[str]] = defaultdict(list)  # every folder: the files in it
        for path in files:
            self.by_base[path.rsplit("/", 1)[-1]].append(path)
            if "/" in path:
                self.by_dir[path.rsplit("/", 1)[0] + "/"].append(path)
            for at, char in enumerate(path):
                if char == "/":
                    self.under[path[:at + 1]].append(path)
        # Popular files first: English notes and the notebooks draw most claims.
        self.weights = list(itertools.accumulate(
            8 if "/en/" in path or path.endswith(".ipynb") else 1 for path in files))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.files, cum_weights=self.weights)[0]

    def entry(self, rng: random.Random, kind: str,
              taken: set[str] | None = None) -> tuple[str, list[str], str | None]:
        """A target entry; most students look at the sheet first and pick a file nobody
        claimed (when ``taken`` says which are)."""
        path = self.pick(rng)
        for _ in range(3):
            if taken is None or path not in taken or rng.random() < 0.2:
                break
            path = self.pick(rng)
        if kind == "translation" and "/en/" in path:
            path = path.replace("/en/", f"/{rng.choice(LANGS[1:])}/")
        roll = rng.random()
        if roll < 0.80 or "/" not in path:
            return path, [path], None
        if roll < 0.88:
            name = path.rsplit("/", 1)[-1]
            return name, list(self.by_base[name]), None
        if roll < 0.95:
            folder = path.rsplit("/", 1)[0] + "/"
            return folder, list(self.by_dir[folder]), folder
        glob = re.sub(r"week(\d)\d/", r"week\1?/", path.rsplit("/", 1)[0]) + "/*.md"
        near = self.under[glob[:glob.index("week") ]] if "week" in glob else self.files
        return glob, [p for p in near if entry_matches(glob, p)], None


def make_claims(rng: random.Random, count: int, students: int, targets: Targets,
                logins: Sequence[str], netids: Sequence[str], names: Sequence[str],
                first_id: int = 1, careful: bool = True) -> list[ClaimSpec]:
    """Claims by students (``careful``: who mostly avoid files already claimed)."""
    claims = []
    taken: set[str] | None = set() if careful else None
    owners = [rng.randrange(students) for _ in range(count)]
    for index, owner in enumerate(owners):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        entries, covered, folder = [], [], None
        for _ in range(rng.choices((1, 2, 3), (70, 20, 10))[0]):
            entry, files, entry_folder = targets.entry(rng, kind, taken)
            if entry not in entries:
                entries.append(entry)
                covered += files
                if taken is not None:
                    taken.update(files)
                folder = folder or entry_folder
        submitted = _moment(rng, OPENS - timedelta(days=2), CLOSES - timedelta(days=5))
        login = logins[owner]
        style = rng.random()
        github = f"@{login}" if style < 0.05 else (
            f"https://github.com/{login}" if style < 0.08 else login)
        claim_id = f"C-{first_id + index:04d}" if rng.random() < 0.95 else ""
        row = [claim_id, _submitted_cell(rng, submitted), github, netids[owner], names[owner],
               kind, ", ".join(entries), f"Fix {kind} issues in {entries[0]}", "", "", "", ""]
        claims.append(ClaimSpec(row, owner, covered, folder))
    return claims


def make_people(count: int, offset: int = 0) -> tuple[list[str], list[str], list[str], list[int]]:
    logins = [f"student-{offset + i:05d}" for i in range(count)]
    netids = [f"{chr(97 + (offset + i) % 26)}{chr(97 + (offset + i) // 26 % 26)}{1000 + offset + i}"
              for i in range(count)]
    names = [f"Student {offset + i:05d}" for i in range(count)]
    ids = [70_000_000 + offset + i for i in range(count)]
    return logins, netids, names, ids


def make_semester(scale: Scale, seed: int = 2023) -> Semester:
    rng = random.Random(seed)
    targets = Targets(universe())
    logins, netids, names, ids = make_people(scale.students)
    roster = [list(ROSTER_COLUMNS)] + [
        [netids[i], names[i], logins[i], str(ids[i]) if rng.random() < 0.8 else ""]
        for i in range(scale.students)]
    claims = make_claims(rng, scale.claims, scale.students, targets, logins, netids, names)
    by_owner: dict[int, list[ClaimSpec]] = defaultdict(list)
    for claim in claims:
        by_owner[claim.owner].append(claim)
    claimants = sorted(by_owner)

    pulls: list[PullSpec] = []
    numbers = Counter[str]()
    created = sorted(_moment(rng, OPENS - timedelta(days=6), BUILT_UNTIL.date())
                     for _ in range(scale.pulls))
    big = set(rng.sample(range(scale.pulls), scale.big_pulls))
    for index, moment in enumerate(created):
        repo = REPOS[index % len(REPOS)]
        numbers[repo] += 1
        number = numbers[repo]
        roll = rng.random()
        student: int | None = None
        association = "NONE"
        user_type = "User"
        if roll < 0.85:
            student = rng.choice(claimants)
            login, user_id = logins[student], ids[student]
            claim = rng.choice(by_owner[student])
            if rng.random() < 0.85 and claim.covered:
                paths = rng.sample(claim.covered, min(len(claim.covered), rng.choice((1, 1, 2, 3))))
            else:
                paths = [targets.pick(rng)]
            body = f"Fixes the typos I claimed in {claim.row[0]}." if claim.row[0] and \
                rng.random() < 0.4 else "Fixes a few typos."
            title_roll = rng.random()
            title = (f"[{TAG}] Fix typos in {paths[0]}" if title_roll < 0.85 else
                     f"[{TAG.lower()}] fix {paths[0]}" if title_roll < 0.88 else
                     f"Fix typos in {paths[0]}" if title_roll < 0.94 else
                     f"[DLSP21] Fix {paths[0]}" if title_roll < 0.97 else f"{TAG}: fix {paths[0]}")
            if index in big:
                folder = claim.folder or f"docs/{rng.choice(LANGS[1:])}/week{rng.randint(1, 15):02d}/"
                paths = [f"{folder}figures/fig-{i:03d}.png" for i in range(rng.randint(100, 300))]
                title = f"[{TAG}] Translate {folder}"
        elif roll < 0.95:
            login, user_id = f"visitor-{rng.randrange(500):03d}", 80_000_000 + rng.randrange(500)
            paths = [targets.pick(rng)]
            body, title = "", f"Fix typo in {paths[0]}"
        elif roll < 0.98:
            login, user_id, user_type = "dependabot[bot]", 49699333, "Bot"
            paths = ["requirements.txt"]
            body, title = "Bumps a dependency.", "Bump jupyter from 1.0.0 to 1.0.1"
        else:
            login, user_id, association = "ta-jchen", 60_000_001, "MEMBER"
            paths = [targets.pick(rng)]
            body, title = "", "Update the schedule"
        files = [(path, "added" if index in big else "modified", rng.randint(1, 20),
                  rng.randint(0, 10)) for path in dict.fromkeys(paths)]
        pulls.append(PullSpec(repo, number, title, body, login, user_id, user_type, association,
                              files, "closed", moment, None, None, [], _sha(repo, number, 1),
                              student))
    recent = [p for p in pulls if p.created_at > BUILT_UNTIL - timedelta(days=45)]
    open_set = set(map(id, rng.sample(recent, min(len(recent), scale.open_pulls))))
    for pr in pulls:
        if id(pr) in open_set:
            pr.state = "open"
            continue
        decided = min(pr.created_at + timedelta(days=rng.uniform(0.5, 12)), BUILT_UNTIL)
        if rng.random() < 0.65:
            pr.merged_at = decided
        pr.closed_at = decided
        roll = rng.random()
        if pr.student is not None and roll < 0.10:
            pr.labels = [ACCEPTED]
        elif pr.student is not None and roll < 0.14:
            pr.labels = [rng.choice(REJECTED)]
    ledger = [list(LEDGER_COLUMNS)]
    decided_prs = [p for p in pulls if p.student is not None and p.created_at.date() >= OPENS]
    for i in range(scale.ledger):
        pr = rng.choice(decided_prs)
        decision = rng.choices(("accept", "reject", "credit"), (70, 15, 15))[0]
        when = min(pr.created_at + timedelta(days=rng.uniform(1, 14)), BUILT_UNTIL)
        ledger.append([when.isoformat(timespec="seconds"), "ta-jchen",
                       f"https://github.com/{pr.repo}/pull/{pr.number}", decision,
                       rng.choice(("0.5", "1", "1.5", "2")) if decision == "credit" else "",
                       "reviewed", f"command:{9_000_000 + i}"])
    long_threads = rng.sample([p for p in pulls if p.student is not None], scale.long_threads)
    threads = {(p.repo, p.number): rng.randint(120, 300) for p in long_threads}
    return Semester(roster, claims, ledger, pulls, threads, logins, ids)


# The world: the fakes, the configuration and the processes ---------------------------------------

@dataclass
class World:
    scale: Scale
    semester: Semester
    github: GitHubFake
    sheets: SheetsFake
    folder: Path
    config_path: Path
    config: Config
    credentials: str
    latency: float
    clock: list[datetime]  # the fake GitHub's "now", set as the simulated day goes by
    http: requests.Session = field(default_factory=requests.Session)

    def env(self, **extra: str) -> dict[str, str]:
        """A workflow step's environment: the loopback routes, a token, the Google key."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("GITHUB_", "EXTRACREDIT_", "RUNNER_"))}
        env.update({
            "PYTHONPATH": str(HOOK),
            "EXTRACREDIT_TEST_GITHUB_PORT": str(self.github.port),
            "EXTRACREDIT_TEST_SHEETS_PORT": str(self.sheets.port),
            "GITHUB_ACTIONS": "true",
            "GITHUB_TOKEN": "bench-token",
            "EXTRACREDIT_GOOGLE_CREDENTIALS": self.credentials,
            "GITHUB_OUTPUT": str(self.folder / "output"),
            "GITHUB_STEP_SUMMARY": str(self.folder / "summary"),
        })
        env.update(extra)
        return env

    def set_latency(self, seconds: float) -> None:
        self.github.latency = seconds
        self.sheets.latency = seconds


@dataclass
class Run:
    """One job: its requests by kind, its wall time and (for a process) its peak memory."""

    github: Counter[str]
    sheets: Counter[str]
    wall: float
    rss_mib: float | None = None
    output: str = ""
    projected: bool = False  # wall = measured without latency + requests x latency

    @property
    def github_total(self) -> int:
        return sum(self.github.values())

    @property
    def sheets_reads(self) -> int:
        return sum(n for key, n in self.sheets.items() if key.startswith("GET"))

    @property
    def sheets_writes(self) -> int:
        return sum(n for key, n in self.sheets.items()
                   if not key.startswith("GET") and key != "POST /token")

    @property
    def tokens(self) -> int:
        return self.sheets.get("POST /token", 0)

    @property
    def sheets_total(self) -> int:
        return self.sheets_reads + self.sheets_writes

    @property
    def total(self) -> int:
        return self.github_total + self.sheets_total + self.tokens

    def by(self, *fragments: str) -> int:
        return sum(n for key, n in self.github.items() if any(f == key for f in fragments))


LIST = "GET /repos/{owner}/{repo}/pulls"
FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"


@contextlib.contextmanager
def measured(world: World, *, latency: float | None = None) -> Iterator[dict[str, Any]]:
    """Count the requests of what runs inside, at a latency (default: the world's)."""
    world.set_latency(world.latency if latency is None else latency)
    github_before, sheets_before = Counter(world.github.counts), Counter(world.sheets.counts)
    box: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["wall"] = time.perf_counter() - started
        box["github"] = Counter(world.github.counts) - github_before
        box["sheets"] = Counter(world.sheets.counts) - sheets_before
        world.set_latency(0)


def run_cli(world: World, args: Sequence[str], *, latency: float | None = None,
            env: Mapping[str, str] | None = None) -> Run:
    """Run ``extracredit ARGS`` as a workflow step does (a process of its own) at a latency; the
    requests it made, its wall time and its own peak memory (its rusage, not its children's)."""
    command = [sys.executable, "-P", "-m", "extracredit", *args]
    with measured(world, latency=latency) as box, tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, env=dict(env or world.env()), cwd=world.folder,
                                   stdout=log, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if code not in (0, 1):
        raise SystemExit(f"extracredit {' '.join(args)} exited {code}:\n{output}")
    return Run(box["github"], box["sheets"], box["wall"], usage.ru_maxrss / 1024, output)


def service_account(sheets: SheetsFake) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {
        "type": "service_account", "project_id": "extracredit-bench",
        "private_key_id": hashlib.sha1(pem.encode()).hexdigest(), "private_key": pem,
        "client_email": "extracredit-bot@extracredit-bench.iam.gserviceaccount.com",
        "client_id": "100000000000000000001", "token_uri": sheets.token_uri,
    }
    sheets.add_service_account(info)
    return json.dumps(info)


def build_world(scale: Scale, folder: Path, latency: float) -> World:
    semester = make_semester(scale)
    clock = [TODAY]  # GitHub's "now": moved on as the simulated day goes by
    github, sheets = GitHubFake(clock=lambda: clock[0]), SheetsFake()
    github.start()
    sheets.start()
    for repo in REPOS:
        github.add_repo(repo)
    for pr in semester.pulls:
        pr.seed(github)
    sheets.add_spreadsheet(CLAIMS_KEY, {"Claims": [list(CLAIMS_COLUMNS)] +
                                        [c.row for c in semester.claims]}, title="Claims")
    sheets.add_spreadsheet(STAFF_KEY, {
        "Roster": semester.roster, "Ledger": semester.ledger, "Tally": [list(TALLY_COLUMNS)],
        "Problems": [list(PROBLEMS_COLUMNS)], "Checks": [list(CHECKS_COLUMNS)],
        "Claims log": [list(CLAIMS_LOG_COLUMNS)]}, title="Staff")
    text = CONFIG.format(tag=TAG, opens=OPENS, closes=CLOSES, repos=", ".join(REPOS),
                         accepted=ACCEPTED, rejected=", ".join(f'"{r}"' for r in REJECTED),
                         claims=CLAIMS_KEY, staff=STAFF_KEY)
    config_path = folder / "extra-credit.yml"
    config_path.write_text(text, encoding="utf-8")
    return World(scale, semester, github, sheets, folder, config_path,
                 parse_config(text, str(config_path)), service_account(sheets), latency, clock)


# The naive way ----------------------------------------------------------------------------------

class NaiveGitHub:
    """What a first version would do: list every PR, then read each field of each PR on its own
    (the PR, its files, its issue for the labels), read every page of comments to find the bot's,
    and rewrite the comment, both statuses and the labels on every check.

    The fake serves no Search API, so the PRs are listed 100 a page with the pulls endpoint
    instead (Search would cost more: the same pages, plus a request per hit for the PR itself,
    under a limit of 30 searches a minute), which makes these counts a lower bound."""

    def __init__(self, world: World) -> None:
        self.base = world.github.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = "token bench-token"

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(self.base + path, params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def pages(self, path: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        page = 1
        while True:
            chunk = self.get(path, per_page=100, page=page, **params)
            items += chunk
            if len(chunk) < 100:
                return items
            page += 1

    def send(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, self.base + path, json=body, timeout=30)
        if answer.status_code != 404:
            answer.raise_for_status()
        return answer.json() if answer.content else None

    def numbers(self, repo: str) -> list[int]:
        return [pull["number"] for pull in self.pages(f"/repos/{repo}/pulls", state="all")]

    def pull(self, repo: str, number: int) -> PullRequest:
        data = self.get(f"/repos/{repo}/pulls/{number}")
        data["files"] = self.pages(f"/repos/{repo}/pulls/{number}/files")
        data["labels"] = self.get(f"/repos/{repo}/issues/{number}")["labels"]
        return pull_from_json(repo, data, f"{repo}#{number}")

    def course_pulls(self, config: Config) -> list[PullRequest]:
        opens = datetime.combine(config.window.opens, datetime.min.time(), config.zone)
        pulls = []
        for repo in config.repos:
            for number in self.numbers(repo):
                pr = self.pull(repo, number)
                if pr.created_at >= opens:
                    pulls.append(pr)
        return pulls

    def publish(self, pr: PullRequest, report: Any) -> None:
        """Rewrite everything the verdict shows, whatever the PR shows already."""
        comments = self.pages(f"/repos/{pr.repo}/issues/{pr.number}/comments")
        self.get(f"/repos/{pr.repo}/commits/{pr.head_sha}/status", per_page=100)
        ours = next((c for c in comments if c["body"].startswith("<!-- extracredit:check -->")
                     and c["user"]["type"] == "Bot"), None)
        url = ours["html_url"] if ours else None
        if report.comment is not None:
            body = report.comment + "\n" + state_line(sorted(report.labels))
            if ours is None:
                url = self.send("POST", f"/repos/{pr.repo}/issues/{pr.number}/comments",
                                {"body": body})["html_url"]
            else:
                self.send("PATCH", f"/repos/{pr.repo}/issues/comments/{ours['id']}", {"body": body})
        for status in report.statuses:
            self.send("POST", f"/repos/{pr.repo}/statuses/{pr.head_sha}",
                      {"state": status.state, "context": status.context,
                       "description": status.description, **({"target_url": url} if url else {})})
        if report.labels:
            self.send("POST", f"/repos/{pr.repo}/issues/{pr.number}/labels",
                      {"labels": sorted(report.labels)})
        ours_before = labels_we_set(ours["body"] if ours else None)
        for label in sorted((ours_before & report.managed) - report.labels):
            self.send("DELETE", f"/repos/{pr.repo}/issues/{pr.number}/labels/{quote(label)}")


class NaiveSheets:
    """Each tab read on its own after opening its spreadsheet, and rows written one by one."""

    def __init__(self, world: World) -> None:
        self.base = world.sheets.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer bench"
        self.zone = world.config.zone

    @staticmethod
    def key_of(tab: str) -> str:
        return CLAIMS_KEY if tab == "Claims" else STAFF_KEY

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        answer = self.http.request(method, f"{self.base}/v4/spreadsheets/{path}", params=params,
                                   json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def read(self, tabs: Sequence[str]) -> dict[str, Table]:
        tables = {}
        for key in dict.fromkeys(self.key_of(tab) for tab in tabs):
            self.call("GET", key, fields="sheets.properties")  # open_by_key
        for tab in tabs:
            values = self.call("GET", f"{self.key_of(tab)}/values/{quote(quote_tab(tab))}",
                               valueRenderOption="FORMULA",
                               dateTimeRenderOption="SERIAL_NUMBER").get("values") or []
            tables[tab] = Table(tab, tuple(cell_text(c) for c in values[0]) if values else (),
                                tuple((i, tuple(cell_text(c) for c in cells))
                                      for i, cells in enumerate(values[1:], start=2)))
        return tables

    def write_row(self, tab: str, cells: str, values: Sequence[str]) -> None:
        where = f"{quote_tab(tab)}!{cells}"
        self.call("PUT", f"{self.key_of(tab)}/values/{quote(where)}",
                  {"range": where, "majorDimension": "ROWS", "values": [list(values)]},
                  valueInputOption="RAW")

    def append_row(self, tab: str, values: Sequence[str]) -> None:
        self.call("POST", f"{self.key_of(tab)}/values/{quote(quote_tab(tab))}:append",
                  {"majorDimension": "ROWS", "values": [list(values)]},
                  valueInputOption="RAW", insertDataOption="INSERT_ROWS")

    def rewrite_tab(self, tab: str, rows: Sequence[Sequence[str]]) -> None:
        self.call("POST", f"{self.key_of(tab)}/values/{quote(quote_tab(tab))}:clear", {})
        for row in rows:
            self.append_row(tab, row)


def naive_check(world: World, repo: str, number: int) -> None:
    github, sheets = NaiveGitHub(world), NaiveSheets(world)
    pr = github.pull(repo, number)
    registry = build_registry(sheets.read(CHECK_TABS), world.config.zone)
    verdict = decide(pr, registry, world.config, datetime.now(UTC))
    github.publish(pr, build_report(verdict, world.config.registry.claims))


def naive_nightly(world: World) -> dict[tuple[str, int], str]:
    """The nightly run the naive way; returns the fingerprint it published for each PR."""
    github, sheets, config = NaiveGitHub(world), NaiveSheets(world), world.config
    now = datetime.now(UTC)
    tables = sheets.read(("Claims", "Roster", "Ledger", "Claims log", "Checks"))
    registry = build_registry(tables, config.zone)
    pulls = github.course_pulls(config)
    stamp = now.astimezone(config.zone).isoformat(timespec="seconds")
    for record in lifecycle(registry, pulls, config, now):  # every row, changed or not
        row = record.claim.row
        if record.claim.id is None:
            sheets.write_row("Claims", f"A{row}", [record.id])
        sheets.write_row("Claims", f"I{row}:L{row}", [
            record.status, " ".join(record.pr_urls),
            "" if record.github_id is None else str(record.github_id), stamp])
    problems = lint(registry, config)
    sheets.rewrite_tab("Problems", problems_rows(problems, stamp))
    registry = build_registry(sheets.read(("Claims", "Roster", "Ledger")), config.zone)
    published = {}
    for pr in pulls:
        # The same PRs as the nightly re-checks: open, with the tag.
        if not pr.is_open or not check_title(pr.title, config.tag).passed:
            continue
        verdict = decide(pr, registry, config, now, known_pulls=pulls)
        if verdict.skip is not None:
            continue
        report = build_report(verdict, config.registry.claims)
        github.publish(pr, report)
        published[(pr.repo, pr.number)] = report.fingerprint
    return published


def naive_tally(world: World) -> str:
    github, sheets, config = NaiveGitHub(world), NaiveSheets(world), world.config
    registry = build_registry(sheets.read(("Claims", "Roster", "Ledger")), config.zone)
    result = tally(github.course_pulls(config), registry, config)
    text = gradebook.tally_csv(result)
    rows = list(csv.reader(io.StringIO(text)))
    sheets.rewrite_tab("Tally", rows)
    return text


def naive_run(world: World, job: Callable[[], Any], live: bool) -> tuple[Run, Any]:
    """A naive job, sequential: at the latency when ``live``, else without it and its wall
    time projected as the time measured plus one latency per request."""
    with measured(world, latency=world.latency if live else 0) as box:
        value = job()
    run = Run(box["github"], box["sheets"], box["wall"], projected=not live)
    if not live:
        run.wall += run.total * world.latency
    return run, value


# The jobs ---------------------------------------------------------------------------------------

def cli_config(world: World) -> list[str]:
    return ["--config", str(world.config_path)]


PRS_CACHE = ["--prs-cache", "nightly-prs.json"]  # kept between nightly runs, as the workflow does


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
                  "open", created, None, None, [], _sha(repo, number, 1), claim.owner)
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
        pr.head_sha = _sha(pr.repo, pr.number, 2)
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
        row = ["", _submitted_cell(rng, TODAY - timedelta(hours=10 + i)), semester.logins[owner],
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
             "print(json.dumps(sorted(m for m in ('github', 'gspread', 'google.auth', 'requests')"
             " if m in sys.modules)))")
    shown = subprocess.run([sys.executable, "-P", "-c", probe], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return statistics.median(walls), min(walls), json.loads(shown)


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
    activity = activity_from_record(registry.claims)
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
        activity = activity_from_record(registry.claims)
        _NAIVE_SAMPLES[(count, crowded)], _ = timed(
            lambda: duplicates_all_pairs(registry.claims, activity, expire))
    return _NAIVE_SAMPLES[(count, crowded)]


# The report -------------------------------------------------------------------------------------

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
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


JOBS = ("nightly", "tally", "check", "startup", "registry")


def run_all(world: World, report: Report, naive_live: bool, jobs: Sequence[str] = JOBS) -> None:
    rng = random.Random(7)
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
        pr.head_sha = _sha(pr.repo, pr.number, 2)
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
    median, best, modules = startup(world)
    report.heading("start-up: extracredit title, a process (median of 7)")
    report.line("wall", f"{seconds(median)} (best {seconds(best)})", "", "", "≤ 0.5 s",
                median <= 0.5)
    report.line("PyGithub or gspread imported", "no" if not {"github", "gspread"} & set(modules)
                else "yes", "", "", "neither", not {"github", "gspread"} & set(modules))
    report.summary.append(f"start-up {seconds(median)}")



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


if __name__ == "__main__":
    sys.exit(main())
