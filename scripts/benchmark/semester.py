"""The simulated semester as built: students, claims, a Ledger and PRs over several repos."""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from extracredit.core.targets import entry_matches
from extracredit.registry.schema import LEDGER_COLUMNS, ROSTER_COLUMNS

from fakes.github import GitHubFake

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


def commit_sha(*parts: object) -> str:
    return hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()


def _moment(rng: random.Random, start: date, end: date) -> datetime:
    first = datetime.combine(start, datetime.min.time(), UTC)
    span = (datetime.combine(end, datetime.min.time(), UTC) - first).total_seconds()
    return first + timedelta(seconds=int(rng.random() * span))


def submitted_cell(rng: random.Random, moment: datetime) -> str:
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
        row = [claim_id, submitted_cell(rng, submitted), github, netids[owner], names[owner],
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
                              files, "closed", moment, None, None, [], commit_sha(repo, number, 1),
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
