"""The claims sheet is hostile: each attack a student could make by editing it, tried end to end
through the command line (the registry as CSV files, the PRs from a snapshot, or live through
PyGithub and the fake GitHub behind Prism), and the outcome it must have."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from extracredit.cli import main
from extracredit.registry.schema import CLAIMS_COLUMNS

from fakes.github import GitHubFake

REPO = "Atcold/NYU-DLFL23"
CONFIG = """
course: Test course
tag: DLFL23
timezone: America/New_York
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
ROSTER = [["NetID", "Name", "GitHub", "GitHub ID"],
          ["vv1", "Victor Victim", "victim", "101"],
          ["aa2", "Ada Attacker", "attacker", "102"],
          ["hh3", "Hana Honest", "honest", "103"]]


def claim(claim_id: str, submitted: str, login: str, netid: str, kind: str, target: str,
          status: str = "") -> list[str]:
    return [claim_id, submitted, login, netid, netid.upper(), kind, target, "plan", status, "", "", ""]


def pull(number: int, login: str, account: int, created: str, files: Sequence[str], *,
         state: str = "merged", body: str = "", title: str = "[DLFL23] Fix") -> dict[str, Any]:
    decided = created.replace("T10", "T20") if state != "open" else None
    return {"number": number, "title": title, "body": body, "state": "open" if state == "open" else "closed",
            "draft": False, "created_at": created, "closed_at": decided,
            "merged_at": decided if state == "merged" else None,
            "html_url": f"https://github.com/{REPO}/pull/{number}", "author_association": "NONE",
            "user": {"login": login, "id": account, "type": "User"}, "labels": [],
            "head": {"sha": f"{number:040x}"},
            "files": [{"filename": path, "status": "modified", "additions": 1, "deletions": 1}
                      for path in files]}


class Course:
    """A course folder: configuration, a files registry and a snapshot of its PRs."""

    def __init__(self, folder: Path, claims: list[list[str]], pulls: list[dict[str, Any]],
                 roster: list[list[str]] | None = None) -> None:
        self.folder = folder
        self.registry = folder / "registry"
        self.registry.mkdir()
        self.write("claims.csv", [list(CLAIMS_COLUMNS), *claims])
        self.write("roster.csv", roster if roster is not None else ROSTER)
        self.config = folder / "course.yml"
        self.config.write_text(CONFIG.format(repo=REPO, registry=self.registry), encoding="utf-8")
        self.snapshot = folder / "semester.json"
        self.pulls = pulls
        self.taken_at("2023-12-20T12:00:00-05:00")

    def taken_at(self, moment: str) -> None:
        """When the snapshot was taken: the moment a sync from it works at."""
        self.snapshot.write_text(json.dumps({"taken_at": moment, "repos": {REPO: {"pulls": self.pulls}}}),
                                 encoding="utf-8")

    def write(self, name: str, rows: list[list[str]]) -> None:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (self.registry / name).write_text(out.getvalue(), encoding="utf-8")

    def read(self, name: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO((self.registry / name).read_text(encoding="utf-8"))))

    def edit(self, row: int, column: str, value: str) -> None:
        """What any student can do to the claims sheet: change one cell (row as the sheet numbers it)."""
        rows = self.read("claims.csv")
        rows[row - 1][rows[0].index(column)] = value
        self.write("claims.csv", rows)

    def add(self, cells: list[str]) -> None:
        self.write("claims.csv", [*self.read("claims.csv"), cells])

    def sync(self) -> None:
        assert main(["sync", "--snapshot", str(self.snapshot), "--config", str(self.config)]) == 0

    def tally(self) -> dict[str, list[str]]:
        out = self.folder / "tally"
        main(["tally", "--snapshot", str(self.snapshot), "--config", str(self.config), "--out", str(out)])
        rows = list(csv.reader(io.StringIO((out / "tally.csv").read_text(encoding="utf-8"))))
        unmatched = list(csv.reader(io.StringIO((out / "unmatched.csv").read_text(encoding="utf-8"))))
        gradebook = (out / "gradebook.csv").read_text(encoding="utf-8")
        return {"credit": {row[0]: row[5] for row in rows[1:]}, "unmatched": unmatched[1:],  # type: ignore[dict-item]
                "gradebook": gradebook}  # type: ignore[dict-item]

    def verdict(self, number: int) -> dict[str, Any]:
        out = io.StringIO()
        import contextlib
        with contextlib.redirect_stdout(out):
            main(["check", "--snapshot", str(self.snapshot), "--pr", f"{REPO}#{number}", "--json",
                  "--config", str(self.config)])
        return json.loads(out.getvalue().splitlines()[-1])["claim"]  # type: ignore[no-any-return]

    def lint(self, capsys: pytest.CaptureFixture[str]) -> list[str]:
        capsys.readouterr()
        main(["registry", "lint", "--config", str(self.config)])
        return capsys.readouterr().out.splitlines()[:-1]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# 1. Credit theft by one cell ---------------------------------------------------------------------

def test_the_victims_account_id_in_an_attackers_row_moves_nothing(tmp_path: Path) -> None:
    course = Course(tmp_path, [claim("C-0001", "2023-09-06 09:00", "victim", "vv1", "bug", "a.py"),
                               claim("C-0002", "2023-09-06 10:00", "attacker", "aa2", "typo", "z.md")],
                    [pull(1, "victim", 101, "2023-09-08T10:00:00Z", ["a.py"])])
    course.sync()
    course.edit(3, "GitHub ID", "101")  # the attacker's own row names the victim's account
    tally = course.tally()
    assert tally["credit"]["vv1"] == "1.00"
    assert tally["credit"]["aa2"] == "0.00"
    assert course.verdict(1) == {"verdict": "pass", "problem": None, "claim": "C-0001"}


def test_rewriting_a_seen_claims_identity_hands_nothing_over(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = Course(tmp_path, [claim("C-0001", "2023-09-06 09:00", "victim", "vv1", "material", "a.md")],
                    [pull(1, "victim", 101, "2023-09-08T10:00:00Z", ["a.md"])])
    course.sync()
    course.edit(2, "NetID", "aa2")
    course.edit(2, "GitHub", "attacker")
    tally = course.tally()
    assert (tally["credit"]["vv1"], tally["credit"]["aa2"]) == ("1.50", "0.00")
    assert [line.split(":")[0] for line in course.lint(capsys)] == [
        "Claims row 2, GitHub", "Claims row 2, NetID"]


def test_the_roster_records_a_students_account_id_at_their_first_pr(tmp_path: Path) -> None:
    roster = [ROSTER[0], ["vv1", "Victor Victim", "victim", ""]]
    course = Course(tmp_path, [claim("C-0001", "2023-09-06 09:00", "victim", "vv1", "typo", "a.md")],
                    [pull(1, "victim", 101, "2023-09-08T10:00:00Z", ["a.md"])], roster)
    course.sync()
    assert course.read("roster.csv")[1] == ["vv1", "Victor Victim", "victim", "101"]
    # Renamed since: the id still says who it is, whatever the claims sheet says.
    course.snapshot.write_text(course.snapshot.read_text(encoding="utf-8").replace(
        '"login": "victim"', '"login": "victim-renamed"'), encoding="utf-8")
    course.edit(2, "GitHub ID", "999")
    assert course.tally()["credit"]["vv1"] == "0.50"


# 6. Gaming ---------------------------------------------------------------------------------------

def test_naming_a_higher_value_claim_in_the_body_does_not_carry_it_to_other_files(tmp_path: Path) -> None:
    claims = [claim("C-0001", "2023-09-06 09:00", "attacker", "aa2", "material", "notes/big.ipynb")]
    claims += [claim(f"C-000{n}", "2023-09-06 09:00", "attacker", "aa2", "typo", f"t{n}.md")
               for n in range(2, 7)]
    pulls = [pull(n, "attacker", 102, f"2023-09-{10 + n}T10:00:00Z", [f"t{n}.md"], body="Claim C-0001")
             for n in range(2, 7)]
    course = Course(tmp_path, claims, pulls)
    assert course.tally()["credit"]["aa2"] == "2.50"  # five typos, not five times the material


def test_a_target_of_the_whole_repository_holds_nothing(tmp_path: Path) -> None:
    course = Course(tmp_path, [claim("C-0001", "2023-09-06 09:00", "attacker", "aa2", "typo", "*"),
                               claim("C-0002", "2023-09-07 09:00", "victim", "vv1", "typo", "a.md")],
                    [pull(1, "attacker", 102, "2023-09-07T01:00:00Z", ["b.md"], state="open"),
                     pull(2, "victim", 101, "2023-09-08T10:00:00Z", ["a.md"])])
    assert course.verdict(2) == {"verdict": "pass", "problem": None, "claim": "C-0002"}
    assert course.tally()["credit"]["vv1"] == "0.50"


def test_a_row_added_later_with_a_backdated_submitted_loses_to_the_honest_claim(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = Course(tmp_path, [claim("C-0001", "2023-09-20 09:00", "victim", "vv1", "typo", "a.md")],
                    [pull(1, "victim", 101, "2023-09-21T10:00:00Z", ["a.md"], state="open"),
                     pull(2, "attacker", 102, "2023-09-26T10:00:00Z", ["a.md"])])
    course.taken_at("2023-09-22T12:00:00-04:00")  # the sync that first sees the victim's claim
    course.sync()
    # Less than the lint's 48 hours before the victim's, typed after the sync saw the victim's.
    course.add(claim("", "2023-09-19 10:00", "attacker", "aa2", "typo", "a.md"))
    assert course.verdict(1) == {"verdict": "pass", "problem": None, "claim": "C-0001"}
    assert course.verdict(2)["problem"] == "duplicate"
    course.taken_at("2023-09-27T12:00:00-04:00")  # the next sync sees the attacker's row
    course.sync()
    assert course.verdict(2)["problem"] == "duplicate"
    # The lint blames the row that came late, for both its date and its duplicate.
    assert [line.split(":")[0] for line in course.lint(capsys)] == [
        "Claims row 3, Submitted", "Claims row 3, Target"]


# 7. Rules that disagree ----------------------------------------------------------------------------

def test_a_pr_opened_before_its_claim_cannot_carry_it_and_the_check_and_lint_agree(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = Course(tmp_path, [claim("C-0001", "2023-09-10 09:00", "attacker", "aa2", "typo", "a.md"),
                               claim("C-0002", "2023-09-12 09:00", "honest", "hh3", "typo", "a.md")],
                    [pull(1, "attacker", 102, "2023-09-06T10:00:00Z", ["a.md"]),  # before the claim
                     pull(2, "honest", 103, "2023-09-13T10:00:00Z", ["a.md"])])
    assert course.verdict(1)["claim"] is None
    # The claim holds a.md (no PR carries it, not expired) when the honest one comes: a duplicate.
    assert course.verdict(2)["problem"] == "duplicate"
    course.sync()
    assert any("Claims row 3, Target: duplicate of C-0001" in line for line in course.lint(capsys))


def test_a_netid_off_the_roster_earns_nothing_and_is_said_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = Course(tmp_path, [claim("C-0001", "2023-09-06 09:00", "ghost", "zz9", "bug", "a.py")],
                    [pull(1, "ghost", 109, "2023-09-08T10:00:00Z", ["a.py"])])
    tally = course.tally()
    assert "zz9" not in tally["credit"]
    assert "zz9" not in tally["gradebook"]
    assert tally["unmatched"] == [[f"https://github.com/{REPO}/pull/1", "ghost",
                                   "claims under a NetID that is not on the roster"]]
    assert course.lint(capsys) == ["Claims row 2, NetID: this NetID is not on the roster, so the claim "
                                   "counts for nothing. Fix: add the student to the roster, or correct "
                                   "the NetID."]


# The same, live: the sync records the account id through PyGithub and the fake behind Prism ------

@pytest.mark.contract
def test_the_live_sync_records_account_ids_on_the_roster(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_fake: GitHubFake, github_api: Any) -> None:
    roster = [ROSTER[0], ["vv1", "Victor Victim", "victim", ""]]
    course = Course(tmp_path, [claim("C-0001", "2023-09-06 09:00", "victim", "vv1", "typo", "a.md")], [],
                    roster)
    for name, value in {"GITHUB_TOKEN": "test", "EXTRACREDIT_GITHUB_THROTTLE": "0",
                        "EXTRACREDIT_GITHUB_TIMEOUT": "2"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(sleep=lambda seconds: None,
                                                                   monotonic=time.monotonic))
    github_fake.add_repo(REPO)
    github_fake.add_pull(REPO, 1, title="[DLFL23] Fix typo", user_login="victim", user_id=101,
                         files=[("a.md", "modified", 1, 1)], created_at="2023-09-08T10:00:00Z")
    assert main(["sync", "--config", str(course.config)]) == 0
    assert course.read("roster.csv")[1] == ["vv1", "Victor Victim", "victim", "101"]
