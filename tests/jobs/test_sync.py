"""The nightly run end to end: sync --recheck lists the PRs through PyGithub and the fake behind
Prism, writes the registry, and publishes only where a verdict changed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from extracredit.cli import main
from extracredit.registry.files import FilesRegistry

from fakes.github import GitHubFake

REPO = "Atcold/NYU-DLFL23"
CLAIMS = ("Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
          "C-0001,2023-09-06 09:00,alice,aa1,Alice Canary,typo,01-1.md,p,,,,\n"
          ",2023-09-07 09:00,bob,bb2,Bob Canary,typo,01-1.md,p,,,,\n")
CONFIG = """
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
LIST = "GET /repos/{owner}/{repo}/pulls"
FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"


@pytest.fixture
def semester(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_fake: GitHubFake,
             github_api: Any) -> Path:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "course.yml").write_text(CONFIG.format(repo=REPO, registry=registry),
                                         encoding="utf-8")
    for name, value in {"GITHUB_TOKEN": "test", "EXTRACREDIT_GITHUB_THROTTLE": "0",
                        "EXTRACREDIT_GITHUB_TIMEOUT": "2"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
        sleep=lambda seconds: None, monotonic=time.monotonic))
    github_fake.add_repo(REPO)
    github_fake.add_pull(REPO, 1, title="[DLFL23] Fix typo", user_login="alice", user_id=11,
                         files=[("docs/en/week01/01-1.md", "modified", 1, 1)],
                         created_at="2023-09-08T10:00:00Z")
    github_fake.add_pull(REPO, 2, title="Fix the same typo", user_login="bob", user_id=22,
                         files=[("docs/en/week01/01-1.md", "modified", 1, 1)],
                         created_at="2023-09-09T10:00:00Z")
    github_fake.add_pull(REPO, 3, title="Old PR", user_login="carol", user_id=33,
                         created_at="2023-08-01T10:00:00Z")
    for number in range(4, 154):  # a long semester: more than one page of PRs
        github_fake.add_pull(REPO, number, title=f"Outsider {number}", user_login="visitor",
                             created_at=f"2023-10-{1 + number % 28:02d}T10:00:00Z")
    return tmp_path


def run(root: Path, *extra: str) -> int:
    return main(["sync", "--recheck", "--config", str(root / "course.yml"), *extra])


def test_nightly_publishes_then_skips_what_did_not_change(
        semester: Path, github_fake: GitHubFake, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(semester) == 0
    out = capsys.readouterr().out.splitlines()
    # Bob's title lacks the tag: that is the PR check's to report, not the nightly's.
    assert out == ["sync: 152 PRs read; 2 claim rows updated (1 new ids); 2 first sightings "
                   "logged; 1 registry problems",
                   "recheck: 1 PR published again; 0 unchanged since the last run (no request)"]
    assert github_fake.counts[LIST] == 2  # 100 per page, stopping before the window opened
    assert github_fake.counts[FILES] == 2  # only the students' PRs
    [alice] = github_fake.comments(REPO, 1)
    assert "This PR carries claim C-0001 (typo)." in alice.body
    assert github_fake.comments(REPO, 2) == []
    checks = FilesRegistry(semester / "registry").read(["Checks"])["Checks"]
    assert [cells[:2] for _, cells in checks.rows] == [(REPO, "1")]
    claims = FilesRegistry(semester / "registry").read(["Claims"])["Claims"]
    assert [(cells[0], cells[8]) for _, cells in claims.rows] == [("C-0001", "in review"),
                                                                 ("C-0002", "in review")]

    github_fake.counts.clear()
    assert run(semester) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "recheck: 0 PRs published again; 1 unchanged since the last run (no request)")
    assert {key for key in github_fake.counts if not key.startswith("GET")} == set()

    # Bob fixes his title: only his PR is published.
    github_fake.edit_pull(REPO, 2, title="[DLFL23] Fix the same typo")
    github_fake.counts.clear()
    assert run(semester) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "recheck: 1 PR published again; 1 unchanged since the last run (no request)")
    [bob] = github_fake.comments(REPO, 2)
    assert "**Title** ✅" in bob.body
    assert "came after [alice](https://github.com/alice) (C-0001, claimed 2023-09-06)" in bob.body
    assert "Canary" not in alice.body + bob.body


def test_a_kept_pr_cache_lists_only_what_changed_and_fetches_files_only_for_moved_heads(
        semester: Path, github_fake: GitHubFake, capsys: pytest.CaptureFixture[str]) -> None:
    cache = semester / "cache" / "prs.json"
    assert run(semester, "--prs-cache", str(cache)) == 0
    assert "no PR cache at" in capsys.readouterr().err
    assert (github_fake.counts[LIST], github_fake.counts[FILES]) == (2, 2)
    assert cache.exists()

    github_fake.counts.clear()
    assert run(semester, "--prs-cache", str(cache)) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("sync: 152 PRs read;")
    # Most recently updated first, stopping an hour before the latest change the cache saw.
    assert (github_fake.counts[LIST], github_fake.counts[FILES]) == (1, 0)

    github_fake.edit_pull(REPO, 2, title="[DLFL23] Fix the same typo")  # the same head
    github_fake.edit_pull(REPO, 1, head_sha="e" * 40)  # a push
    github_fake.counts.clear()
    assert run(semester, "--prs-cache", str(cache)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "recheck: 2 PRs published again; 0 unchanged since the last run (no request)")
    assert (github_fake.counts[LIST], github_fake.counts[FILES]) == (1, 1)
    [bob] = github_fake.comments(REPO, 2)
    assert "came after [alice](https://github.com/alice)" in bob.body


def test_a_cached_pr_gets_its_files_once_its_author_joins_the_course(
        semester: Path, github_fake: GitHubFake, capsys: pytest.CaptureFixture[str]) -> None:
    github_fake.add_pull(REPO, 200, title="Improve the notes", user_login="dave", user_id=44,
                         files=[("docs/en/week02/02-1.md", "modified", 3, 0)],
                         created_at="2023-09-20T10:00:00Z")
    cache = semester / "prs.json"
    assert run(semester, "--prs-cache", str(cache)) == 0
    assert github_fake.counts[FILES] == 2  # dave is nobody yet: his PR's files are not needed
    with (semester / "registry" / "claims.csv").open("a", encoding="utf-8") as claims:
        claims.write(",2023-09-19 09:00,dave,dd4,Dave Canary,typo,02-1.md,p,,,,\n")
    github_fake.counts.clear()
    assert run(semester, "--prs-cache", str(cache)) == 0
    capsys.readouterr()
    # His PR did not change, so it is not listed again; its files are fetched all the same.
    assert github_fake.counts[FILES] == 1
    # The claim appeared after the first sync, which came after his PR was opened: whatever its
    # Submitted cell says, the PR cannot carry it, so the claim stays open.
    claims_tab = FilesRegistry(semester / "registry").read(["Claims"])["Claims"]
    assert [cells[8] for _, cells in claims_tab.rows][-1] == "open"


def test_an_unusable_pr_cache_is_said_and_everything_listed(
        semester: Path, github_fake: GitHubFake, capsys: pytest.CaptureFixture[str]) -> None:
    cache = semester / "prs.json"
    cache.write_text("{not json", encoding="utf-8")
    assert run(semester, "--prs-cache", str(cache)) == 0
    err = capsys.readouterr().err
    assert f"cannot use the snapshot {cache}: not JSON" in err
    assert "; listing every PR since the window opened instead" in err
    assert github_fake.counts[LIST] == 2
    assert '"taken_at"' in cache.read_text(encoding="utf-8")


@pytest.mark.parametrize(("content", "reason"), [
    ("[" * 100_000 + "]" * 100_000, "not JSON (nested more than 32 levels deep)"),
    ('{"taken_at": "2023-12-01T00:00:00Z", "repos": {}, "x": Infinity}',
     "not JSON (Infinity is not a number JSON allows)"),
    ('{"taken_at": "0001-01-01T00:00:00+05:00", "repos": {}}',
     "taken_at: '0001-01-01T00:00:00+05:00' is not between the years 2000 and 2100"),
    ('{"taken_at": "2023-12-01T00:00:00Z", "repos": {"Atcold/NYU-DLFL23": {"pulls": [{"number": 1,'
     ' "created_at": "2023-09-08T10:00:00Z", "updated_at": "0001-01-01T00:00:00Z"}]}}}',
     "repos['Atcold/NYU-DLFL23'].pulls[0].updated_at: '0001-01-01T00:00:00Z' is not between the "
     "years 2000 and 2100"),
], ids=["deep", "infinity", "taken in year 1", "updated in year 1"])
def test_a_broken_pr_cache_is_dropped_said_and_rebuilt(
        semester: Path, github_fake: GitHubFake, capsys: pytest.CaptureFixture[str],
        content: str, reason: str) -> None:
    cache = semester / "prs.json"
    cache.write_text(content, encoding="utf-8")
    assert run(semester, "--prs-cache", str(cache)) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"cannot use the snapshot {cache}: {reason}; listing every PR since the "
                      "window opened instead")
    assert github_fake.counts[LIST] == 2
    rebuilt = json.loads(cache.read_text(encoding="utf-8"))
    assert len(rebuilt["repos"][REPO]["pulls"]) == 152


SYNC_SECTION = """### Extra-credit sync

| what | count |
|---|---|
| PRs read | 152 |
| claim rows updated | {updated} |
| new claim ids | {assigned} |
| first sightings logged | {logged} |
| claim rows left for the next run | 0 |
| registry problems (Problems tab) | 1 |
| PRs re-checked and published (comment, statuses, labels) | {published} |
| PRs unchanged since the last run | {unchanged} |
"""


def test_in_actions_the_nightly_logs_progress_and_appends_a_summary_of_counts(
        semester: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    summary = semester / "summary.md"
    summary.write_text("### An earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run(semester) == 0
    # Each loop ends with its count (a line every 30 s before that, which this one is too short
    # for), on stderr: stdout keeps its summary lines.
    assert capsys.readouterr().err.splitlines() == [
        f"listing PRs of {REPO}: 152 done",
        f"fetching changed files of {REPO}: 2 done",
        "re-checking open PRs: 1 done",
    ]
    assert run(semester) == 0  # a re-run appends its own section
    first = SYNC_SECTION.format(updated=2, assigned=1, logged=2, published=1, unchanged=0)
    second = SYNC_SECTION.format(updated=0, assigned=0, logged=0, published=0, unchanged=1)
    assert summary.read_text(encoding="utf-8") == f"### An earlier step\n{first}{second}"
    text = summary.read_text(encoding="utf-8")
    for private in ("alice", "bob", "aa1", "Canary", "C-0001", "visitor"):
        assert private not in text


def test_a_sync_that_cannot_read_the_registry_says_so_in_the_summary(
        semester: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = semester / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    (semester / "registry" / "claims.csv").write_text("Who,What\nx,y\n", encoding="utf-8")
    assert run(semester) == 2
    assert summary.read_text(encoding="utf-8") == (
        "### Extra-credit sync\n\nThe sync stopped: the registry could not be read or written "
        "(the log says why). The next run tries again.\n")
