"""The fault matrix: every GitHub call of a check, under every fault, through the fake behind
Prism (and straight to the fake for what Prism cannot pass on: a dropped connection, a broken
body). Each run ends retried-and-right or with a clear undecided error, and nothing is doubled."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from extracredit.cli import main

from fakes.github import GitHubFake

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
REPO = "Codertocat/Hello-World"
CLAIMS = ("Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
          "C-0001,2019-05-10 09:00,student-forker,sf1234,Sam,typo,README.md,p,,,,\n")
CONFIG = """
course: Test course
tag: DLFL23
window: {{opens: 2019-01-01, closes: 2019-12-31}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
# The calls of a first check (title missing: comment created, label added; a PR without
# comments is not asked for them, nor for statuses, which all link to the new comment) ...
FIRST = {
    "GET /repos/{owner}/{repo}/pulls/{pull_number}": "read",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": "read",
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": "create",
    "POST /repos/{owner}/{repo}/statuses/{sha}": "write",
    "POST /repos/{owner}/{repo}/issues/{issue_number}/labels": "write",
}
# ... and of the check after the title was fixed (our comment found and edited, the statuses
# of the same commit read, labels swapped).
SECOND = {
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": "read",
    "GET /repos/{owner}/{repo}/commits/{ref}/status": "read",
    "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": "write",
    "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}": "write",
}
RETRIED = ["429-retry-after", "429", "403-secondary", "500", "502", "503", "timeout"]
REFUSED = {"401": "HTTP 401: Bad credentials", "404": "HTTP 404: Not Found"}


class Scene:
    def __init__(self, root: Path, fake: GitHubFake, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.fake = root, fake
        registry = root / "registry"
        registry.mkdir()
        (registry / "claims.csv").write_text(CLAIMS, encoding="utf-8")
        (root / "course.yml").write_text(CONFIG.format(repo=REPO, registry=registry), "utf-8")
        payload = json.loads((FIXTURES / "pull_request.opened.fork.json").read_text("utf-8"))
        payload["pull_request"]["title"] = "Update the README"
        (root / "event.json").write_text(json.dumps(payload), encoding="utf-8")
        fake.seed_from_event(payload, files=[("README.md", "modified", 1, 1)])
        self.sha = payload["pull_request"]["head"]["sha"]
        for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target",
                            "GITHUB_EVENT_PATH": str(root / "event.json"),
                            "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "test",
                            "EXTRACREDIT_GITHUB_THROTTLE": "0",
                            "EXTRACREDIT_GITHUB_TIMEOUT": "1"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
            sleep=lambda seconds: None, monotonic=time.monotonic))

    def run(self) -> int:
        return main(["check", "--config", str(self.root / "course.yml")])

    def fix_title(self) -> None:
        self.fake.edit_pull(REPO, 2, title="[DLFL23] Update the README")

    def assert_published(self, title_ok: bool) -> None:
        bots = [c for c in self.fake.comments(REPO, 2) if c.body.startswith("<!-- extracredit")]
        assert len(bots) == 1
        states = {s.context: s.state for s in self.fake.statuses(REPO, self.sha)}
        assert states == {"extra-credit/title": "success" if title_ok else "failure",
                          "extra-credit/claim": "success"}
        assert "bad title" not in self.fake.labels(REPO, 2) if title_ok else \
            "bad title" in self.fake.labels(REPO, 2)


@pytest.fixture
def scene(tmp_path: Path, github_fake: GitHubFake, monkeypatch: pytest.MonkeyPatch) -> Scene:
    return Scene(tmp_path, github_fake, monkeypatch)


def _fault(fake: GitHubFake, route: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.fault(route, kind, delay=1.5)
    if kind == "timeout":
        # The wait before looking whether a timed-out write landed is the point: keep it real.
        monkeypatch.setattr("extracredit.retry.time", time)


@pytest.mark.parametrize("kind", RETRIED)
@pytest.mark.parametrize("route", list(FIRST) + list(SECOND))
def test_transient_faults_are_retried_and_nothing_is_doubled(
        route: str, kind: str, scene: Scene, github_fake: GitHubFake, github_api: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if route in SECOND:
        assert scene.run() == 1
        scene.fix_title()
    _fault(github_fake, route, kind, monkeypatch)
    expected = 0 if route in SECOND else 1
    assert scene.run() == expected
    assert github_fake.counts[route] >= 2 or route.startswith(("POST", "PATCH", "DELETE"))
    scene.assert_published(title_ok=route in SECOND)


@pytest.mark.parametrize(("kind", "reason"), list(REFUSED.items()))
@pytest.mark.parametrize("route", [*FIRST, *(r for r in SECOND if r.startswith("GET"))])
def test_refusals_are_an_undecided_check_not_the_students_fault(
        route: str, kind: str, reason: str, scene: Scene, github_fake: GitHubFake,
        github_api: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    if route in SECOND:
        assert scene.run() == 1
        scene.fix_title()
        capsys.readouterr()
    _fault(github_fake, route, kind, monkeypatch)
    assert scene.run() == 2
    out = capsys.readouterr().out
    assert f"::error::GitHub did not answer as expected ({reason})" in out \
        or f"{REPO}#2 was not found on GitHub" in out
    # A refusal is not retried (the two statuses go out at once: each is asked once).
    assert github_fake.counts[route] == (2 if route == "POST /repos/{owner}/{repo}/statuses/{sha}"
                                         else 1)
    assert len([c for c in github_fake.comments(REPO, 2)
                if c.body.startswith("<!-- extracredit")]) <= 1
    # The next run, with GitHub well again, finishes the job.
    assert scene.run() == (0 if route in SECOND else 1)
    scene.assert_published(title_ok=route in SECOND)


@pytest.mark.parametrize("kind", ["drop", "malformed"])
@pytest.mark.parametrize("route", list(FIRST) + list(SECOND))
def test_broken_connections_and_bodies_are_retried(
        route: str, kind: str, scene: Scene, github_fake: GitHubFake,
        github_api_direct: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    if route in SECOND:
        assert scene.run() == 1
        scene.fix_title()
    _fault(github_fake, route, kind, monkeypatch)
    assert scene.run() == (0 if route in SECOND else 1)
    scene.assert_published(title_ok=route in SECOND)
