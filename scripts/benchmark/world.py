"""The world: the semester in the loopback fakes, and the command line run as a process of its
own with the requests it made counted."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from extracredit.core.config import Config, parse_config
from extracredit.registry.schema import (
    CHECKS_COLUMNS,
    CLAIMS_COLUMNS,
    CLAIMS_LOG_COLUMNS,
    PROBLEMS_COLUMNS,
    TALLY_COLUMNS,
)

from . import ROOT
from .semester import (
    ACCEPTED,
    CLAIMS_KEY,
    CLOSES,
    CONFIG,
    OPENS,
    REJECTED,
    REPOS,
    STAFF_KEY,
    TAG,
    TODAY,
    Scale,
    Semester,
    make_semester,
)
from fakes.github import GitHubFake
from fakes.sheets import SheetsFake

HOOK = ROOT / "tests" / "fakes" / "pythonpath"  # routes a process's PyGithub and gspread to loopback


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
    cpu: float | None = None  # seconds of CPU (user + system) of the process itself

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
    return Run(box["github"], box["sheets"], box["wall"], usage.ru_maxrss / 1024, output,
               cpu=usage.ru_utime + usage.ru_stime)


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


def cli_config(world: World) -> list[str]:
    return ["--config", str(world.config_path)]


PRS_CACHE = ["--prs-cache", "nightly-prs.json"]  # kept between nightly runs, as the workflow does
