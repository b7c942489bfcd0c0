"""Comment commands: parsing (table-driven), and /credit and /recheck end to end through the fakes."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from extracredit.cli import main
from extracredit.core.slash import Credit, Malformed, Recheck, may_give_credit, parse_command

from fakes.github import GitHubFake

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "commands.yaml").read_text(encoding="utf-8"))
REPO = "Codertocat/Hello-World"
CLAIMS = ("Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
          "C-0001,2019-05-10 09:00,student-forker,sf1234,Sam Canary,typo,README.md,p,,,,\n")
LEDGER = "When,Actor,PR,Decision,Credit,Reason,Source\n"
CONFIG = """
course: Test course
tag: DLFL23
window: {{opens: 2019-01-01, closes: 2019-12-31}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
NEW_COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
REACTION = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"


@pytest.mark.parametrize("case", CASES, ids=[repr(case["body"]) for case in CASES])
def test_parse_command(case: dict[str, Any]) -> None:
    command = parse_command(case["body"], Decimal(5))
    if case["kind"] == "none":
        assert command is None
    elif case["kind"] == "recheck":
        assert command == Recheck()
    elif case["kind"] == "credit":
        amount = None if case["amount"] is None else Decimal(case["amount"])
        assert command == Credit(case["decision"], amount, case["reason"])
    else:
        assert isinstance(command, Malformed)
        assert command.problem == case["problem"]


@pytest.mark.parametrize(("permission", "allowed"), [
    ("admin", True), ("maintain", True), ("write", True), ("triage", False), ("read", False),
    ("none", False)])
def test_only_writers_give_credit(permission: str, allowed: bool) -> None:
    assert may_give_credit(permission) is allowed


class Course:
    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, fake: GitHubFake) -> None:
        self.root, self.fake = root, fake
        self.registry = root / "registry"
        self.registry.mkdir()
        (self.registry / "claims.csv").write_text(CLAIMS, encoding="utf-8")
        (self.registry / "ledger.csv").write_text(LEDGER, encoding="utf-8")
        (root / "course.yml").write_text(CONFIG.format(repo=REPO, registry=self.registry),
                                         encoding="utf-8")
        self.event = root / "event.json"
        self.summary = root / "summary"
        for name, value in {
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "issue_comment",
            "GITHUB_EVENT_PATH": str(self.event), "GITHUB_REPOSITORY": REPO,
            "GITHUB_TOKEN": "test", "GITHUB_STEP_SUMMARY": str(self.summary),
            "EXTRACREDIT_GITHUB_THROTTLE": "0", "EXTRACREDIT_GITHUB_TIMEOUT": "1",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
            sleep=lambda seconds: None, monotonic=time.monotonic))
        opened = json.loads((FIXTURES / "pull_request.opened.fork.json").read_text("utf-8"))
        opened["pull_request"]["title"] = "[DLFL23] Fix the README"
        fake.seed_from_event(opened, files=[("README.md", "modified", 1, 1)])

    def comment(self, body: str, login: str, comment_id: int = 777) -> int:
        payload = json.loads((FIXTURES / "issue_comment.created.pull_request.json")
                             .read_text("utf-8"))
        payload["comment"].update(body=body, id=comment_id)
        payload["comment"]["user"]["login"] = login
        self.event.write_text(json.dumps(payload), encoding="utf-8")
        self.fake.add_comment(REPO, 2, body, login, comment_id=comment_id)
        return main(["command", "--config", str(self.root / "course.yml")])

    def ledger(self) -> list[str]:
        return (self.registry / "ledger.csv").read_text(encoding="utf-8").splitlines()[1:]


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_fake: GitHubFake,
           github_api: Any) -> Course:
    return Course(tmp_path, monkeypatch, github_fake)


def test_credit_from_staff_is_recorded_once_and_rechecks(
        course: Course, github_fake: GitHubFake, capsys: pytest.CaptureFixture[str]) -> None:
    github_fake.set_permission(REPO, "ta-alex", "maintain")
    assert course.comment("/credit 0.75 partial fix", "ta-alex") == 0
    assert course.ledger() == [
        "2019-05-15T11:20:21-04:00,ta-alex,https://github.com/Codertocat/Hello-World/pull/2,"
        "credit,0.75,partial fix,command:777"]
    reactions = [r.content for c in github_fake.comments(REPO, 2) for r in c.reactions]
    assert reactions == ["+1"]
    out = capsys.readouterr().out
    assert "0.75" not in out
    assert "Sam Canary" not in out
    bot = [c for c in github_fake.comments(REPO, 2) if c.body.startswith("<!-- extracredit:check")]
    assert len(bot) == 1
    assert "0.75" not in bot[0].body
    # The same event delivered again (a re-run) appends nothing.
    github_fake.counts.clear()
    payload = json.loads(course.event.read_text("utf-8"))
    course.event.write_text(json.dumps(payload), encoding="utf-8")
    assert main(["command", "--config", str(course.root / "course.yml")]) == 0
    assert len(course.ledger()) == 1


def test_credit_from_a_student_is_refused_politely_once(
        course: Course, github_fake: GitHubFake) -> None:
    assert course.comment("/credit 5 I deserve it", "student-forker", comment_id=901) == 0
    assert course.ledger() == []
    replies = [c.body for c in github_fake.comments(REPO, 2) if "extracredit:reply" in c.body]
    assert replies == ["<!-- extracredit:reply 901 -->\n@student-forker thanks! Only the course "
                       "staff can record credit decisions, so nothing was recorded. Anyone can "
                       "comment `/recheck` to run the check again."]
    github_fake.counts.clear()
    assert main(["command", "--config", str(course.root / "course.yml")]) == 0
    assert github_fake.counts[NEW_COMMENT] == 0


def test_malformed_credit_gets_the_syntax(course: Course, github_fake: GitHubFake) -> None:
    github_fake.set_permission(REPO, "ta-alex", "write")
    assert course.comment("/credit lots", "ta-alex", comment_id=902) == 1
    [reply] = [c.body for c in github_fake.comments(REPO, 2) if "extracredit:reply 902" in c.body]
    assert "`/credit lots` is not one of the forms below" in reply
    assert course.ledger() == []


def test_recheck_from_anyone_runs_the_check(course: Course, github_fake: GitHubFake) -> None:
    assert course.comment("/recheck", "student-forker", comment_id=903) == 0
    assert github_fake.counts[REACTION] == 1
    bot = [c for c in github_fake.comments(REPO, 2) if c.body.startswith("<!-- extracredit:check")]
    assert len(bot) == 1
    assert "This PR carries claim C-0001 (typo)." in bot[0].body


def test_plain_comment_does_nothing(course: Course, github_fake: GitHubFake,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    github_fake.counts.clear()
    assert course.comment("Looks good to me", "someone") == 0
    assert github_fake.total() == 0
    assert capsys.readouterr().out == (
        "nothing to do: the comment carries no /credit or /recheck command\n")


def command_section(command: str, outcome: str) -> str:
    return ("### Extra-credit command\n\n| command | outcome |\n|---|---|\n"
            f"| {command} | {outcome} |\n")


CHECKED = ("### Extra-credit check: Codertocat/Hello-World#2\n\n| check | result |\n|---|---|\n"
           "| title | Title carries [DLFL23] |\n| claim | Claim C-0001 (typo) |\n")


@pytest.mark.parametrize(("body", "login", "permission", "sections"), [
    ("/credit 0.75 partial fix", "ta-alex", "maintain",
     [CHECKED, command_section("/credit credit", "recorded in the Ledger")]),
    ("/credit accept", "ta-alex", "write",
     [CHECKED, command_section("/credit accept", "recorded in the Ledger")]),
    ("/credit 5 I deserve it", "student-forker", "read",
     [command_section("/credit credit", "refused: only the course staff record credit decisions")]),
    ("/credit lots", "ta-alex", "write",
     [command_section("/credit", "not understood: the syntax was posted as a reply")]),
    ("/recheck", "student-forker", "read",
     [CHECKED, command_section("/recheck", "the PR was checked again")]),
    ("Looks good to me", "someone", "read",
     [command_section("none", "nothing to do: no /credit or /recheck in the comment")]),
], ids=["credit", "accept", "refused", "malformed", "recheck", "not-a-command"])
def test_each_command_appends_a_summary_of_what_became_of_it(
        course: Course, github_fake: GitHubFake, body: str, login: str, permission: str,
        sections: list[str]) -> None:
    github_fake.set_permission(REPO, login, permission)
    course.summary.write_text("### An earlier step\n", encoding="utf-8")
    course.comment(body, login)
    text = course.summary.read_text(encoding="utf-8")
    assert text == "".join(["### An earlier step\n", *sections])
    for private in ("0.75", "partial", login, "Sam", "sf1234"):  # no amount, reason or person
        assert private not in text


def test_a_rerun_of_a_credit_appends_a_section_saying_it_was_recorded_already(
        course: Course, github_fake: GitHubFake) -> None:
    github_fake.set_permission(REPO, "ta-alex", "maintain")
    assert course.comment("/credit reject not extra work", "ta-alex") == 0
    course.summary.write_text("", encoding="utf-8")
    assert main(["command", "--config", str(course.root / "course.yml")]) == 0
    assert course.summary.read_text(encoding="utf-8").endswith(command_section(
        "/credit reject", "already in the Ledger (a re-run): nothing appended"))
