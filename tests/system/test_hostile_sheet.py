"""The claims sheet is hostile: every student can edit every cell, and the course repo is public.
Cell text never reaches a public output (comment, statuses, labels, annotations, logs, step
outputs, job summary), and no line printed in Actions starts a workflow command unmeant."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.cli import main

from fakes.github import GitHubFake

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
REPO = "Atcold/NYU-DLFL23"
BOT = "github-actions[bot]"
PR_2 = f"https://github.com/{REPO}/pull/2"
HEADER = ["Claim", "Submitted", "GitHub", "NetID", "Name", "Kind", "Target", "Plan", "Status", "PR",
          "GitHub ID", "Updated"]
ALICE = ["C-0001", "2023-09-06 09:00", "alice", "aa1111", "Alice Author", "material", "01-1.md",
         "her own plan", "", "", "", ""]
# Other students: bob's claim came first on the same file, and his PR is in review on it.
OTHERS = [
    ["C-0002", "2023-09-05 09:00", "bob", "qq9876", "Zyxwv Qanary", "material", "01-1.md",
     "mail canary@example.edu", "in review", PR_2, "", ""],
    ["C-0003", "2023-09-07 09:00", "carol", "rr5432", "Qanary Zyxwv", "typo", "01-1.md",
     "carols plan", "", "", "", ""],
]
# Cells of a row that are not its login or claim id: none of them may ever be shown.
CANARIES = ("aa1111", "Alice Author", "her own plan", "qq9876", "Zyxwv Qanary",
            "canary@example.edu", "rr5432", "Qanary Zyxwv", "carols plan")
# What students put in cells, each with a word of its own to look for in everything public.
HOSTILE = {
    "@mentioncanary": "@mentioncanary",
    "<img src=x onerror=imgcanary>": "imgcanary",
    "<!-- commentcanary": "commentcanary",
    "[x](https://evilcanary.example/login)": "evilcanary",
    "::error::errorcanary": "errorcanary",
    "::stop-commands::stopcanary": "stopcanary",
    "\n::warning file=a.md::newlinecanary": "newlinecanary",
    "\r::notice::crcanary": "crcanary",
    "%0A::error::percentcanary": "percentcanary",
    "##[error]legacycanary": "legacycanary",
    "  ::add-mask::maskcanary": "maskcanary",
}
CONFIG = """
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
OUR_COMMANDS = ("::error::", "::warning::")


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buffer.getvalue()


@dataclass
class Course:
    """A course repo in the GitHub fake and a registry folder, run as the workflows run it."""

    root: Path
    fake: GitHubFake
    logs: list[str] = field(default_factory=list)  # stdout and stderr of every run
    shown: list[str] = field(default_factory=list)  # what every run left public: a later run
    # may edit a comment, and what it said before was public meanwhile

    def seed(self, claims: Sequence[Sequence[str]]) -> None:
        registry = self.root / "registry"
        registry.mkdir(exist_ok=True)
        for stale in registry.iterdir():
            stale.unlink()
        (registry / "claims.csv").write_text(csv_text(claims), encoding="utf-8")
        (self.root / "course.yml").write_text(CONFIG.format(repo=REPO, registry=registry), "utf-8")
        self.fake.reset()
        self.fake.add_repo(REPO)
        self.fake.add_pull(REPO, 1, title="[DLFL23] Add material", user_login="alice",
                           user_id=11, files=[("docs/en/week01/01-1.md", "modified", 9, 1)],
                           head_sha="a" * 40, created_at="2023-09-10T10:00:00Z")
        self.fake.add_pull(REPO, 2, title="[DLFL23] Material", user_login="bob", user_id=22,
                           files=[("docs/en/week01/01-1.md", "modified", 1, 1)],
                           head_sha="b" * 40, created_at="2023-09-09T10:00:00Z")
        self.logs, self.shown = [], []

    def run(self, argv: list[str], event_name: str = "schedule",
            event: dict[str, Any] | None = None) -> tuple[int, str, str]:
        output, summary = self.root / "output", self.root / "summary"
        for path in (output, summary):
            path.write_text("", encoding="utf-8")
        (self.root / "event.json").write_text(json.dumps(event or {}), encoding="utf-8")
        with pytest.MonkeyPatch.context() as patch:
            for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
                                "GITHUB_EVENT_PATH": str(self.root / "event.json"),
                                "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "ghs_test",
                                "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                                "EXTRACREDIT_GITHUB_THROTTLE": "0"}.items():
                patch.setenv(name, value)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([*argv, "--config", str(self.root / "course.yml")])
        self.logs += [out.getvalue(), err.getvalue()]
        self.shown += [output.read_text("utf-8"), summary.read_text("utf-8"), *self.on_github()]
        return code, out.getvalue(), err.getvalue()

    def check(self, number: int) -> tuple[int, str, str]:
        opened = json.loads((FIXTURES / "pull_request.opened.json").read_text("utf-8"))
        event = dict(opened, number=number,
                     pull_request=dict(opened["pull_request"], number=number),
                     repository=dict(opened["repository"], full_name=REPO))
        return self.run(["check"], "pull_request_target", event)

    def every_job(self) -> None:
        """The check of alice's PR, then the nightly sync (which re-checks both PRs), the tally
        and the lint: every command that reads the Claims tab."""
        self.check(1)
        self.run(["sync", "--recheck"])
        self.run(["tally", "--out", str(self.root / "private")], "workflow_dispatch")
        self.run(["registry", "lint"], "workflow_dispatch")

    def comment(self, number: int) -> str:
        [body] = [c.body for c in self.fake.comments(REPO, number) if c.user_login == BOT]
        return body

    def public(self) -> list[str]:
        return [*self.logs, *self.shown]

    def on_github(self) -> list[str]:
        texts = []
        for number in (1, 2):
            texts += [c.body for c in self.fake.comments(REPO, number) if c.user_login == BOT]
            texts += self.fake.labels(REPO, number)
        for sha in ("a" * 40, "b" * 40):
            texts += [f"{s.description} {s.target_url}" for s in self.fake.statuses(REPO, sha)]
        return texts


def leaked(texts: Sequence[str], needles: Sequence[str]) -> list[str]:
    return [needle for needle in needles if any(needle in text for text in texts)]


def unmeant_commands(logs: Sequence[str]) -> list[str]:
    """Lines the Actions runner would obey that are not the tool's own annotations: it splits
    the log at CR and LF, trims leading white space, and reads ``::`` there or ``##[`` anywhere."""
    found = []
    for log in logs:
        for line in re.split(r"\r\n|\r|\n", log):
            stripped = line.lstrip()
            if "##[" in line or (stripped.startswith("::") and not stripped.startswith(OUR_COMMANDS)):
                found.append(line)
    return found


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_fake: GitHubFake,
           github_api_direct: Any) -> Course:
    monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
        sleep=lambda seconds: None, monotonic=time.monotonic))
    return Course(tmp_path, github_fake)


# The reproduced attacks ------------------------------------------------------------------------

def test_header_sorted_into_the_data_is_named_not_quoted(course: Course) -> None:
    """Sorting the whole tab puts bob's row first: the error names row 1 and the columns."""
    course.seed([OTHERS[0], HEADER, ALICE, OTHERS[1]])
    reason = ("the registry could not be read: row 1 of the Claims tab does not hold the header: "
              "no column 'Submitted', 'GitHub', 'NetID', 'Kind', 'Target' (it has 10 cells, none "
              "of them a known column); put the header back in row 1 (sorting the whole tab "
              "moves it): Claim, Submitted, GitHub, NetID, Name, Kind, Target, Plan, Status, PR, "
              "GitHub ID, Updated")
    code, out, _ = course.check(1)
    assert code == 2
    assert out.splitlines()[0] == f"::error::{reason}"
    assert "The registry of claims could not be read just now" in course.comment(1)
    for argv in (["sync"], ["tally"], ["registry", "lint"]):
        code, out, err = course.run(argv)
        assert (code, out, err) == (2, reason + "\n", ""), argv
    assert leaked(course.public(), [*CANARIES, "bob", "C-0002", PR_2]) == []


@pytest.mark.parametrize("cell", [
    "Notes\n::error::errorcanary",
    "Notes\n::stop-commands::stopcanary",
    "Kind\n::stop-commands::stopcanary",  # Kind is lost: the header is not found
    "Kind\r##[error]legacycanary",
])
def test_a_header_cell_cannot_start_a_workflow_command(course: Course, cell: str) -> None:
    header = [cell if name == cell.split()[0] else name for name in HEADER]
    if cell.startswith("Notes"):
        header.append(cell)
    course.seed([header, ALICE, *OTHERS])
    course.every_job()
    assert unmeant_commands(course.logs) == []
    assert leaked(course.public(), ["errorcanary", "stopcanary", "legacycanary", *CANARIES]) == []


def test_a_hostile_pr_cell_shows_only_links_the_check_built(course: Course) -> None:
    """Bob's PR cell holds a phishing link, a mention, an image and an unclosed HTML comment:
    the heads-up shows his PR rebuilt from its parts, and nothing else of the cell."""
    bob = list(OTHERS[0])
    bob[HEADER.index("PR")] = (f"{PR_2} [x](https://evilcanary.example/login) @mentioncanary "
                               "<img src=x onerror=imgcanary> <!-- commentcanary")
    course.seed([HEADER, ALICE, bob, OTHERS[1]])
    # The sync records what GitHub shows of bob's claim (his PR in review) in the staff sheet;
    # the check reads it there, never from the cell.
    course.run(["sync"])
    course.check(1)
    comment = course.comment(1)
    heads_up = [line for line in comment.splitlines() if "Heads-up" in line]
    bob_link = "by [bob](https://github.com/bob)"
    assert heads_up == ["- ℹ️ Heads-up, other PRs in review on these files: "
                        f"[{REPO}#2]({PR_2}) {bob_link}."]
    assert "<!--" not in comment.replace("<!-- extracredit:check -->", "").split(
        "<!-- extracredit:state ")[0]
    assert leaked(course.public(), [*HOSTILE.values(), *CANARIES, "<img"]) == []


def test_sync_tally_and_lint_print_counts_only(course: Course) -> None:
    broken = [list(row) for row in OTHERS]
    broken[0][HEADER.index("Kind")] = "::error::errorcanary"
    broken[1][HEADER.index("Submitted")] = "\n::warning::newlinecanary"
    course.seed([HEADER, ALICE, *broken])
    _, sync_out, _ = course.run(["sync"])
    _, lint_out, _ = course.run(["registry", "lint"], "workflow_dispatch")
    assert lint_out == "2 problems found in the registry\n"
    assert sync_out.startswith("sync: 2 PRs read; ")
    assert sync_out.endswith("; 2 registry problems\n")
    assert leaked(course.public(), ["errorcanary", "newlinecanary", *CANARIES]) == []


# The property ----------------------------------------------------------------------------------

_column = st.integers(min_value=0, max_value=len(HEADER) - 1)
_edit = st.tuples(
    st.sampled_from(["header", "bob", "carol"]),
    _column,
    st.sampled_from(sorted(HOSTILE)),
    st.sampled_from(["replace", "append", "prepend", "newline"]),
)


def _apply(value: str, payload: str, mode: str) -> str:
    return {"replace": payload, "append": value + payload, "prepend": payload + value,
            "newline": f"{value}\n{payload}"}[mode]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(_edit, min_size=1, max_size=4))
def test_no_hostile_cell_reaches_anything_public(course: Course,
                                                 edits: list[tuple[str, int, str, str]]) -> None:
    rows = {"header": list(HEADER), "bob": list(OTHERS[0]), "carol": list(OTHERS[1])}
    for where, column, payload, mode in edits:
        rows[where][column] = _apply(rows[where][column], payload, mode)
    course.seed([rows["header"], ALICE, rows["bob"], rows["carol"]])
    course.every_job()
    assert course.comment(1).startswith("<!-- extracredit:check -->")  # the check did publish
    needles = [HOSTILE[payload] for _, _, payload, _ in edits]
    assert leaked(course.public(), [*needles, *CANARIES]) == []
    assert unmeant_commands(course.logs) == []
