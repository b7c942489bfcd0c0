"""The live check end to end: real webhook payloads, the real PyGithub client, the fake GitHub behind
Prism, and the exact comment, statuses, labels, outputs and request counts that result."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from extracredit.cli import main

from fakes.github import GitHubFake

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
REPO = "Codertocat/Hello-World"
STUDENT = "student-forker"
STUDENT_ID = 90000001
CLAIMS = (
    "Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
    f"C-0001,2019-05-10 09:00,@{STUDENT},sf1234,Sam Forker,typo,README.md,fix the README,,,,\n"
    "C-0002,2019-05-11 09:00,rival,rv5678,Riva Rival,typo,docs/,fix docs,,,,\n"
)
CONFIG = """
course: Test course
tag: DLFL23
timezone: America/New_York
window: {{opens: 2019-01-01, closes: 2019-12-31}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
PULL = "GET /repos/{owner}/{repo}/pulls/{pull_number}"
FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"
COMMENTS = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments"
NEW_COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
EDIT_COMMENT = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
STATUS = "GET /repos/{owner}/{repo}/commits/{ref}/status"
NEW_STATUS = "POST /repos/{owner}/{repo}/statuses/{sha}"
ADD_LABELS = "POST /repos/{owner}/{repo}/issues/{issue_number}/labels"
REMOVE_LABEL = "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"
PERMISSION = "GET /repos/{owner}/{repo}/collaborators/{username}/permission"


@dataclass
class Course:
    """A course repo's working directory as the check job sees it, with the Actions files."""

    root: Path
    event: Path
    output: Path
    summary: Path
    registry: Path
    monkeypatch: pytest.MonkeyPatch

    def use_event(self, name: str, **changes: Any) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        payload["pull_request"].update(changes)
        self.event.write_text(json.dumps(payload), encoding="utf-8")
        return payload

    def run(self, *extra: str) -> int:
        self.output.write_text("", encoding="utf-8")
        self.summary.write_text("", encoding="utf-8")
        return main(["check", "--config", str(self.root / "course.yml"), *extra])

    def outputs(self) -> str:
        return self.output.read_text(encoding="utf-8")


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "course.yml").write_text(CONFIG.format(repo=REPO, registry=registry),
                                         encoding="utf-8")
    setup = Course(tmp_path, tmp_path / "event.json", tmp_path / "output", tmp_path / "summary",
                   registry, monkeypatch)
    for name, value in {
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(setup.event), "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "test",
        "GITHUB_OUTPUT": str(setup.output), "GITHUB_STEP_SUMMARY": str(setup.summary),
        "EXTRACREDIT_GITHUB_THROTTLE": "0", "EXTRACREDIT_GITHUB_TIMEOUT": "1",
    }.items():
        monkeypatch.setenv(name, value)
    # Backoff waits are skipped in the code under test only (the fake's own sleeps stay real).
    monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
        sleep=lambda seconds: None, monotonic=time.monotonic))
    return setup


def seed_student_pr(fake: GitHubFake, course: Course, title: str, files: tuple[str, ...] = ("README.md",),
                    event: str = "pull_request.opened.fork.json") -> str:
    payload = course.use_event(event, title=title)
    fake.seed_from_event(payload, files=[(name, "modified", 1, 1) for name in files])
    sha: str = payload["pull_request"]["head"]["sha"]
    return sha


def writes(fake: GitHubFake) -> dict[str, int]:
    return {key: count for key, count in fake.counts.items() if not key.startswith("GET ")}


def test_student_pr_gets_one_comment_statuses_labels_and_outputs(
        github_fake: GitHubFake, github_api: Any, course: Course,
        capsys: pytest.CaptureFixture[str]) -> None:
    sha = seed_student_pr(github_fake, course, "Update the README")
    assert course.run() == 1
    [comment] = github_fake.comments(REPO, 2)
    assert comment.body.startswith("<!-- extracredit:check -->\n\n### Extra-credit check for "
                                   f"@{STUDENT}")
    assert "```text\n[DLFL23] Update the README\n```" in comment.body
    assert "This PR carries claim C-0001 (typo)." in comment.body
    comment_url = f"https://github.com/{REPO}/pull/2#issuecomment-{comment.id}"
    statuses = {s.context: (s.state, s.description, s.target_url)
                for s in github_fake.statuses(REPO, sha)}
    assert statuses == {
        "extra-credit/title": ("failure", "Title needs [DLFL23]; see the comment", comment_url),
        "extra-credit/claim": ("success", "Claim C-0001 (typo)", comment_url),
    }
    assert github_fake.labels(REPO, 2) == ["bug", "bad title"]
    assert "title<<" in course.outputs()
    values = course.outputs().split("\n")
    assert [values[1], values[4], values[7]] == ["fail", "pass", "C-0001"]
    summary = course.summary.read_text(encoding="utf-8")
    assert "sf1234" not in summary
    assert "Sam Forker" not in summary
    assert "| claim | Claim C-0001 (typo) |" in summary
    out = capsys.readouterr().out
    assert "sf1234" not in out
    assert "Sam Forker" not in out
    # Six requests: a PR with no comments is not asked for them, nor for statuses (all of them
    # will link to the new comment).
    assert dict(github_fake.counts) == {PULL: 1, FILES: 1, NEW_COMMENT: 1, NEW_STATUS: 2,
                                        ADD_LABELS: 1}


def test_a_push_is_not_asked_for_statuses_of_its_new_commit(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    assert course.run() == 0
    github_fake.counts.clear()
    github_fake.edit_pull(REPO, 2, head_sha="f" * 40)
    assert course.run() == 0
    # Statuses belong to a commit: the comment says which one it published for, so the new
    # commit's are written without asking; the comment records the new commit.
    assert dict(github_fake.counts) == {PULL: 1, FILES: 1, COMMENTS: 1, EDIT_COMMENT: 1,
                                        NEW_STATUS: 2}
    assert {s.context for s in github_fake.statuses(REPO, "f" * 40)} == {
        "extra-credit/title", "extra-credit/claim"}
    [comment] = github_fake.comments(REPO, 2)
    assert f'"head": "{"f" * 40}"' in comment.body
    github_fake.counts.clear()
    assert course.run() == 0
    assert dict(github_fake.counts) == {PULL: 1, FILES: 1, COMMENTS: 1, STATUS: 1}


def test_rerun_with_nothing_changed_costs_four_reads_and_no_write(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    assert course.run() == 0
    github_fake.counts.clear()
    assert course.run() == 0
    assert dict(github_fake.counts) == {PULL: 1, FILES: 1, COMMENTS: 1, STATUS: 1}
    assert len(github_fake.comments(REPO, 2)) == 1


def test_fixed_title_edits_the_comment_and_swaps_labels(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    seed_student_pr(github_fake, course, "Update the README")
    assert course.run() == 1
    github_fake.counts.clear()
    course.use_event("pull_request.edited.head-repo-deleted.json")
    github_fake.edit_pull(REPO, 2, title="[DLFL23] Update the README")
    assert course.run() == 0
    assert writes(github_fake) == {EDIT_COMMENT: 1, NEW_STATUS: 1, ADD_LABELS: 1, REMOVE_LABEL: 1}
    [comment] = github_fake.comments(REPO, 2)
    assert "**Title** ✅ carries `[DLFL23]`." in comment.body
    assert github_fake.labels(REPO, 2) == ["bug", "DLFL23"]


def test_a_labels_ta_set_stays(github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    payload = course.use_event("pull_request.opened.fork.json", title="Update the README",
                               labels=[{"id": 1, "node_id": "L1", "url": "https://api.github.com/x",
                                        "name": "needs claim", "color": "ededed",
                                        "default": False, "description": None}])
    github_fake.seed_from_event(payload, files=[("README.md", "modified", 1, 1)])
    course.run()
    assert github_fake.labels(REPO, 2) == ["needs claim", "bad title"]
    course.use_event("pull_request.edited.title.json")
    github_fake.edit_pull(REPO, 2, title="[DLFL23] Update the README")
    course.run()
    assert github_fake.labels(REPO, 2) == ["needs claim", "DLFL23"]


def test_edit_of_the_base_branch_changes_nothing(
        github_fake: GitHubFake, github_api: Any, course: Course,
        capsys: pytest.CaptureFixture[str]) -> None:
    course.use_event("pull_request.edited.base.json")
    assert course.run() == 0
    assert github_fake.total() == 0
    assert capsys.readouterr().out == (
        "nothing to check: 'pull_request_target' action 'edited' does not change the verdict\n")


def test_staff_pr_gets_success_statuses_and_no_comment(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    payload = course.use_event("pull_request.opened.json")
    github_fake.seed_from_event(payload, files=[("README.md", "modified", 1, 1)])
    github_fake.set_permission(REPO, "Codertocat", "admin")
    assert course.run() == 0
    assert github_fake.comments(REPO, 2) == []
    states = {s.context: (s.state, s.description)
              for s in github_fake.statuses(REPO, payload["pull_request"]["head"]["sha"])}
    assert states == {"extra-credit/title": ("success", "Staff PR: not checked"),
                      "extra-credit/claim": ("success", "Staff PR: not checked")}
    assert github_fake.counts[PERMISSION] == 1


def test_student_comment_with_the_marker_is_not_taken_for_ours(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    github_fake.add_comment(REPO, 2, "<!-- extracredit:check -->\nall good!", STUDENT)
    course.run()
    bodies = [c.body for c in github_fake.comments(REPO, 2)]
    assert bodies[0] == "<!-- extracredit:check -->\nall good!"
    assert len(bodies) == 2
    assert "This PR carries claim C-0001" in bodies[1]


def test_duplicate_claim_names_the_earlier_login_only(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    (course.registry / "claims.csv").write_text(
        CLAIMS + f"C-0003,2019-05-12 09:00,{STUDENT},sf1234,Sam Forker,typo,docs/a.md,x,,,,\n",
        encoding="utf-8")
    seed_student_pr(github_fake, course, "[DLFL23] Fix docs", files=("docs/a.md",))
    assert course.run() == 1
    [comment] = github_fake.comments(REPO, 2)
    assert ("Your claim C-0003 (typo) came after [rival](https://github.com/rival) (C-0002, "
            "claimed 2019-05-11)") in comment.body
    assert "Riva" not in comment.body
    assert "rv5678" not in comment.body
    assert github_fake.labels(REPO, 2) == ["bug", "DLFL23", "duplicate claim"]


def test_unreadable_registry_is_an_error_not_the_students_fault(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    sha = seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    (course.registry / "claims.csv").write_text("Who,What\nx,y\n", encoding="utf-8")
    assert course.run() == 2
    [comment] = github_fake.comments(REPO, 2)
    assert "This is not your fault" in comment.body
    states = {s.context: s.state for s in github_fake.statuses(REPO, sha)}
    assert states == {"extra-credit/title": "success", "extra-credit/claim": "error"}


@pytest.mark.parametrize("kind", ["429-retry-after", "429", "500", "502", "503", "timeout"])
def test_transient_github_errors_are_retried(
        kind: str, github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    github_fake.fault(PULL, kind, delay=1.5)
    assert course.run() == 0
    assert github_fake.counts[PULL] == 2, dict(github_fake.counts)
    assert len(github_fake.comments(REPO, 2)) == 1


def test_comment_that_landed_but_timed_out_is_not_posted_twice(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    course.monkeypatch.setattr("extracredit.retry.time", time)  # the wait is the point here
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    github_fake.fault(NEW_COMMENT, "timeout", delay=1.5)
    assert course.run() == 0
    assert len(github_fake.comments(REPO, 2)) == 1
    assert github_fake.counts[NEW_COMMENT] == 1


def test_github_down_is_an_undecided_check_with_a_clear_message(
        github_fake: GitHubFake, github_api: Any, course: Course,
        capsys: pytest.CaptureFixture[str]) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    github_fake.fault(PULL, "503", times=10)
    assert course.run() == 2
    assert capsys.readouterr().out == (
        "::error::GitHub did not answer as expected (HTTP 503: Service Unavailable, after 4 "
        "attempts); nothing was changed, try again later\n")
    assert github_fake.comments(REPO, 2) == []


def test_unknown_pr_is_reported(github_fake: GitHubFake, github_api: Any, course: Course,
                                capsys: pytest.CaptureFixture[str]) -> None:
    github_fake.add_repo(REPO)
    assert course.run("--pr", f"{REPO}#77") == 2
    assert capsys.readouterr().out == (
        f"::error::{REPO}#77 was not found on GitHub (deleted, or the token cannot see it)\n")


def test_dry_run_publishes_nothing(github_fake: GitHubFake, github_api: Any, course: Course,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    seed_student_pr(github_fake, course, "Update the README")
    assert course.run("--dry-run") == 1
    assert writes(github_fake) == {}
    assert capsys.readouterr().out == (
        f"{REPO}#2 by @{STUDENT}: title missing, claim pass C-0001\n"
        "dry run: nothing is published; this is what would be\n"
        "comment: create\n"
        "status extra-credit/title: failure (Title needs [DLFL23]; see the comment)\n"
        "status extra-credit/claim: success (Claim C-0001 (typo))\n"
        "label added: bad title\n"
        f"::error::Extra-credit check of {REPO}#2. Fix the title: it lacks the tag [DLFL23]; "
        'change it to "[DLFL23] Update the README". The PR comment says more.\n')


def test_pr_with_250_files_reads_three_pages(github_fake: GitHubFake, github_api: Any,
                                             course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Many files",
                    files=(*tuple(f"docs/f{index:03d}.md" for index in range(249)), "README.md"))
    assert course.run() == 0
    assert github_fake.counts[FILES] == 3
    [comment] = github_fake.comments(REPO, 2)
    assert "and 239 more" in comment.body


def test_malformed_event_file(course: Course, capsys: pytest.CaptureFixture[str]) -> None:
    course.event.write_text("{not json", encoding="utf-8")
    assert course.run() == 2
    err = capsys.readouterr().err
    assert err.startswith(f"extracredit: cannot read the event file {course.event}: not JSON (")


def test_event_without_a_pull_request(course: Course, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    course.event.write_text('{"action": "created"}', encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    assert course.run() == 2
    assert capsys.readouterr().err == (
        "extracredit: the 'push' event carries no pull request; run the check on "
        "pull_request_target or pull_request, or pass --pr OWNER/REPO#N\n")


def test_broken_config_in_actions_posts_error_statuses(
        github_fake: GitHubFake, github_api: Any, course: Course) -> None:
    sha = seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    (course.root / "course.yml").write_text("tagg: DLFL23\n", encoding="utf-8")
    assert course.run() == 2
    states = {s.context: (s.state, s.description) for s in github_fake.statuses(REPO, sha)}
    assert states["extra-credit/claim"] == ("error", "Course config is broken; a TA must fix it")
    assert github_fake.comments(REPO, 2) == []


def test_check_as_a_subprocess(github_fake: GitHubFake, github_subprocess_env: dict[str, str],
                               course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    env = {**github_subprocess_env,
           "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target",
           "GITHUB_EVENT_PATH": str(course.event), "GITHUB_REPOSITORY": REPO,
           "GITHUB_TOKEN": "test", "GITHUB_OUTPUT": str(course.output),
           "GITHUB_STEP_SUMMARY": str(course.summary), "EXTRACREDIT_GITHUB_THROTTLE": "0"}
    done = subprocess.run([sys.executable, "-m", "extracredit", "check", "--config",
                           str(course.root / "course.yml")], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"{REPO}#2 by @{STUDENT}: title pass, claim pass C-0001"
    assert len(github_fake.comments(REPO, 2)) == 1
    assert "claim<<" in course.outputs()


def test_label_removed_meanwhile_is_fine(github_fake: GitHubFake, github_api: Any,
                                         course: Course) -> None:
    seed_student_pr(github_fake, course, "Update the README")
    course.run()
    github_fake.edit_pull(REPO, 2, title="[DLFL23] Update the README")
    github_fake.fault(REMOVE_LABEL, "404")
    assert course.run() == 0
    assert github_fake.counts[REMOVE_LABEL] == 1


def test_an_undecided_check_still_writes_its_outputs(github_fake: GitHubFake, github_api: Any,
                                                     course: Course) -> None:
    seed_student_pr(github_fake, course, "[DLFL23] Update the README")
    github_fake.fault(PULL, "401")
    assert course.run() == 2
    values = course.outputs().split("\n")
    assert [values[1], values[4], values[7]] == ["error", "error", ""]


FIX_TITLE = ('Fix the title: it lacks the tag [DLFL23]; change it to "[DLFL23] Update the README". ')
FIX_DUPLICATE = ("Fix the claim: your claim C-0003 came after an earlier claim on the same files; "
                 "pick other work or ask a TA. ")
FIX_COVER = ("Fix the claim: no claim of yours covers the files this PR changes; add them to your "
             "claim's Target. ")


@pytest.mark.parametrize(("title", "files", "claims", "code", "fix"), [
    ("Update the README", ("README.md",), CLAIMS, 1, FIX_TITLE),
    ("[DLFL23] Fix docs", ("docs/a.md",),
     CLAIMS + f"C-0003,2019-05-12 09:00,{STUDENT},sf1234,Sam Forker,typo,docs/a.md,x,,,,\n", 1,
     FIX_DUPLICATE),
    ("Update the README", ("README.md", "LICENSE"), CLAIMS, 1, FIX_TITLE),  # a file: a warning
    ("[DLFL23] Update the README", ("other.md",), CLAIMS, 1, FIX_COVER),
    ("[DLFL23] Update the README", ("README.md",), CLAIMS, 0, ""),
    ("[DLFL23] Update the README", ("README.md",), "Who,What\nx,y\n", 2, ""),
], ids=["title", "duplicate", "title-with-uncovered-file", "not-covered", "pass", "undecided"])
def test_an_exit_1_says_what_to_fix_in_one_error_annotation(
        github_fake: GitHubFake, github_api: Any, course: Course,
        capsys: pytest.CaptureFixture[str], title: str, files: tuple[str, ...], claims: str,
        code: int, fix: str) -> None:
    (course.registry / "claims.csv").write_text(claims, encoding="utf-8")
    seed_student_pr(github_fake, course, title, files=files)
    assert course.run() == code
    out = capsys.readouterr().out
    ours = [line for line in out.splitlines() if line.startswith("::error::Extra-credit check")]
    if not fix:
        assert ours == []
        # An undecided check has its own error (the registry's), and no fix for the student.
        assert ("::error::" in out) == (code == 2)
        return
    assert ours == [f"::error::Extra-credit check of {REPO}#2. {fix}The PR comment says more."]
    assert "rival" not in out  # the earlier claim's holder is the comment's to name, with a link
    assert "sf1234" not in out
    assert "Sam Forker" not in out


def test_an_annotation_joins_title_and_claim_in_one_line(
        github_fake: GitHubFake, github_api: Any, course: Course,
        capsys: pytest.CaptureFixture[str]) -> None:
    seed_student_pr(github_fake, course, "Update the README", files=("other.md",))
    assert course.run() == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error::")]
    assert errors == [f"::error::Extra-credit check of {REPO}#2. {FIX_TITLE}{FIX_COVER}"
                      "The PR comment says more."]
