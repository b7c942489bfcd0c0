"""Tests of the GitHub harness itself: the fake, driven by the real PyGithub client through Prism
(so every request and response is also checked against GitHub's published description), its
seeding, fault and counter API, and the routing of subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from github import (
    BadCredentialsException,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)

from fakes.github import FAULT_KINDS, ROUTE_KEYS, SPEC_PATH, GitHubFake
from fakes.prism import PrismProxy
from fakes.pythonpath.pygithub_loopback import PyGithubRoute

REPO = "Atcold/NYU-DLFL23"
REPO_ID = 690000001
GET_PULL = "GET /repos/{owner}/{repo}/pulls/{pull_number}"
LIST_FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"
LIST_COMMENTS = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
NOON = datetime(2023, 9, 12, 12, 0, tzinfo=UTC)


def raw(prism: PrismProxy, method: str, path: str, body: Any = None) -> tuple[int, Any, Any]:
    """Send one request through Prism without PyGithub: (status, headers, decoded body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{prism.port}{path}",
        data=data,
        method=method,
        headers={"Authorization": "token test", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read())


def seed_pull(fake: GitHubFake, **overrides: Any) -> None:
    fake.add_repo(REPO, repo_id=REPO_ID)
    options: dict[str, Any] = {
        "title": "[DLFL23] Fix a typo in week 1",
        "body": "Claim C-0007",
        "user_login": "alice",
        "user_id": 5001,
        "files": [("docs/en/week01/01-1.md", "modified", 2, 1)],
        "created_at": "2023-09-12T10:00:00Z",
        "head_sha": "a" * 40,
    }
    fake.add_pull(REPO, 7, **{**options, **overrides})


def test_every_spec_operation_has_a_route() -> None:
    spec = json.loads(SPEC_PATH.read_text())
    operations = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        if not path.startswith("/repositories/")
        for method in item
    }
    assert operations == set(ROUTE_KEYS)


def test_get_pull_returns_the_seeded_pull_request(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    seed_pull(
        github_fake,
        author_association="FIRST_TIME_CONTRIBUTOR",
        labels=["typo"],
        files=[("a.md", "modified", 2, 1), ("b.md", "added", 10, 0)],
        draft=True,
        head_ref="fix-typo",
    )
    pull = github_api.client().get_repo(REPO).get_pull(7)

    assert (pull.number, pull.title, pull.body) == (7, "[DLFL23] Fix a typo in week 1", "Claim C-0007")
    assert (pull.user.login, pull.user.id, pull.user.type) == ("alice", 5001, "User")
    assert pull.raw_data["author_association"] == "FIRST_TIME_CONTRIBUTOR"
    assert (pull.state, pull.draft, pull.merged, pull.merged_at) == ("open", True, False, None)
    assert pull.created_at == datetime(2023, 9, 12, 10, 0, tzinfo=UTC)
    assert (pull.head.sha, pull.head.ref, pull.head.label) == ("a" * 40, "fix-typo", "Atcold:fix-typo")
    assert pull.head.repo.full_name == REPO
    assert (pull.base.ref, pull.base.repo.id) == ("main", REPO_ID)
    assert [label.name for label in pull.labels] == ["typo"]
    assert (pull.additions, pull.deletions, pull.changed_files) == (12, 1, 2)
    assert pull.html_url == f"https://github.com/{REPO}/pull/7"
    assert pull.url == f"https://api.github.com/repos/{REPO}/pulls/7"
    assert github_fake.counts == {"GET /repos/{owner}/{repo}": 1, GET_PULL: 1}


def test_pull_request_from_a_fork_and_from_a_deleted_fork(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    seed_pull(github_fake, head_repo="fork")
    github_fake.add_pull(REPO, 8, user_login="bob", head_repo="deleted")
    repo = github_api.client().get_repo(REPO)

    fork = repo.get_pull(7).head.repo
    assert (fork.full_name, fork.fork, fork.owner.login) == ("alice/NYU-DLFL23", True, "alice")
    assert fork.id != REPO_ID
    assert repo.get_pull(8).head.repo is None


def test_files_are_paginated_with_githubs_link_headers(
    github_fake: GitHubFake, github_api: PyGithubRoute, github_prism: PrismProxy
) -> None:
    names = [f"notes/{i:03}.md" for i in range(250)]
    seed_pull(github_fake, files=[(name, "modified", 1, 1) for name in names])
    pull = github_api.client().get_repo(REPO).get_pull(7)

    assert [f.filename for f in pull.get_files()] == names
    assert github_fake.counts[LIST_FILES] == 3

    status, headers, page = raw(github_prism, "GET", f"/repos/{REPO}/pulls/7/files?per_page=100&page=2")
    base = f"https://api.github.com/repositories/{REPO_ID}/pulls/7/files?per_page=100"
    assert status == 200
    assert [f["filename"] for f in page] == names[100:200]
    assert headers["Link"] == (
        f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next", '
        f'<{base}&page=3>; rel="last", <{base}&page=1>; rel="first"'
    )
    status, headers, page = raw(github_prism, "GET", f"/repos/{REPO}/pulls/7/files")
    assert (status, len(page)) == (200, 30)  # GitHub's default per_page
    assert headers["Link"] == (
        f'<https://api.github.com/repositories/{REPO_ID}/pulls/7/files?page=2>; rel="next", '
        f'<https://api.github.com/repositories/{REPO_ID}/pulls/7/files?page=9>; rel="last"'
    )


def test_files_stop_at_githubs_limit_of_3000(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    seed_pull(github_fake, files=[(f"f{i}.md", "added", 1, 0) for i in range(3005)])
    pull = github_api.client().get_repo(REPO).get_pull(7)

    assert pull.changed_files == 3005
    assert pull.get_files().totalCount == 3000


def test_pulls_are_listed_by_state_newest_first(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    github_fake.add_repo(REPO)
    github_fake.add_pull(REPO, 1, created_at="2023-09-06T10:00:00Z")
    github_fake.add_pull(REPO, 2, created_at="2023-09-08T10:00:00Z", state="closed")
    github_fake.add_pull(REPO, 3, created_at="2023-09-07T10:00:00Z")
    github_fake.add_pull(REPO, 4, created_at="2023-09-09T10:00:00Z", merged_at="2023-09-10T10:00:00Z")
    repo = github_api.client(per_page=2).get_repo(REPO)

    assert [p.number for p in repo.get_pulls()] == [3, 1]
    assert [p.number for p in repo.get_pulls(state="closed")] == [4, 2]
    assert [p.number for p in repo.get_pulls(state="all")] == [4, 2, 3, 1]
    assert [p.number for p in repo.get_pulls(state="all", direction="asc")] == [1, 3, 2, 4]
    assert github_fake.counts["GET /repos/{owner}/{repo}/pulls"] == 1 + 1 + 2 + 2


def test_pulls_are_filtered_by_base_and_head_and_sorted(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    github_fake.clock = lambda: NOON
    github_fake.add_repo(REPO)
    github_fake.add_pull(REPO, 1, created_at="2023-07-01T10:00:00Z", updated_at="2023-09-10T10:00:00Z")
    github_fake.add_pull(REPO, 2, created_at="2023-09-05T10:00:00Z", base_ref="gh-pages")
    github_fake.add_pull(REPO, 3, created_at="2023-09-06T10:00:00Z", user_login="bob", head_repo="fork")
    github_fake.add_comment(REPO, 3, "first", "alice")
    repo = github_api.client().get_repo(REPO)

    assert [p.number for p in repo.get_pulls(base="gh-pages")] == [2]
    assert [p.number for p in repo.get_pulls(head="bob:patch-3")] == [3]
    # The comment on #3 (at noon) is a change of it, as on GitHub: it was updated last.
    assert [p.number for p in repo.get_pulls(sort="updated")] == [2, 1, 3]
    assert [p.number for p in repo.get_pulls(sort="popularity", direction="desc")] == [3, 2, 1]
    assert [p.number for p in repo.get_pulls(sort="long-running")] == [1]


def test_comments_are_created_edited_listed_and_reacted_to(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    seed_pull(github_fake)
    github_fake.clock = lambda: NOON
    earlier = github_fake.add_comment(REPO, 7, "Please fill in the spreadsheet", "Atcold")
    pull = github_api.client().get_repo(REPO).get_pull(7)

    comment = pull.create_issue_comment("<!-- extracredit -->\nChecking…")
    assert comment.id == earlier + 1
    assert comment.html_url == f"https://github.com/{REPO}/pull/7#issuecomment-{comment.id}"
    user = comment.user
    assert (user.login, user.id, user.type) == ("github-actions[bot]", 41898282, "Bot")
    assert comment.created_at == NOON

    comment.edit("<!-- extracredit -->\nAll good")
    comment.create_reaction("+1")
    comment.create_reaction("+1")  # the same reaction again is not a second one

    listed = list(pull.get_issue_comments())
    assert [(c.id, c.user.login, c.body) for c in listed] == [
        (earlier, "Atcold", "Please fill in the spreadsheet"),
        (comment.id, "github-actions[bot]", "<!-- extracredit -->\nAll good"),
    ]
    stored = github_fake.comments(REPO, 7)
    assert [c.body for c in stored] == ["Please fill in the spreadsheet", "<!-- extracredit -->\nAll good"]
    assert [(r.content, r.user_login) for r in stored[1].reactions] == [("+1", "github-actions[bot]")]
    assert listed[1].reactions["+1"] == 1


def test_comments_are_paginated(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    seed_pull(github_fake)
    ids = [github_fake.add_comment(REPO, 7, f"comment {i}", "bob") for i in range(35)]
    pull = github_api.client(per_page=10).get_repo(REPO).get_pull(7)

    assert [c.id for c in pull.get_issue_comments()] == ids
    assert github_fake.counts[LIST_COMMENTS] == 4


def test_comments_since(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    seed_pull(github_fake)
    github_fake.add_comment(REPO, 7, "old", "bob", created_at="2023-09-12T09:00:00Z")
    github_fake.add_comment(REPO, 7, "new", "bob", created_at="2023-09-12T11:00:00Z")
    issue = github_api.client().get_repo(REPO).get_issue(7)

    assert [c.body for c in issue.get_comments(since=datetime(2023, 9, 12, 10, 0, tzinfo=UTC))] == ["new"]


def test_statuses_combine_to_the_latest_per_context(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    seed_pull(github_fake)
    sha = "a" * 40
    commit = github_api.client(lazy=True).get_repo(REPO).get_commit(sha)

    assert (commit.get_combined_status().state, commit.get_combined_status().total_count) == (
        "pending",
        0,
    )
    commit.create_status("pending", context="extra-credit/title")
    created = commit.create_status(
        "success",
        target_url="https://github.com/Atcold/NYU-DLFL23/actions/runs/1",
        description="Title has [DLFL23]",
        context="extra-credit/title",
    )
    commit.create_status("failure", description="No claim found", context="extra-credit/claim")
    assert (created.state, created.context, created.creator.login) == (
        "success",
        "extra-credit/title",
        "github-actions[bot]",
    )
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count, combined.sha) == ("failure", 2, sha)
    assert [(s.context, s.state) for s in combined.statuses] == [
        ("extra-credit/title", "success"),
        ("extra-credit/claim", "failure"),
    ]

    commit.create_status("success", context="extra-credit/claim")
    assert commit.get_combined_status().state == "success"
    assert [s.state for s in github_fake.statuses(REPO, sha)] == [
        "pending",
        "success",
        "failure",
        "success",
    ]


def test_labels_are_added_as_a_bare_array_and_removed(
    github_fake: GitHubFake, github_api: PyGithubRoute, github_prism: PrismProxy
) -> None:
    seed_pull(github_fake, labels=["typo"])
    pull = github_api.client().get_repo(REPO).get_pull(7)

    pull.add_to_labels("extra-credit: accepted", "TYPO")
    assert github_fake.labels(REPO, 7) == ["typo", "extra-credit: accepted"]
    pull.remove_from_labels("extra-credit: accepted")
    assert github_fake.labels(REPO, 7) == ["typo"]

    status, _, body = raw(github_prism, "POST", f"/repos/{REPO}/issues/7/labels", {"labels": ["spam"]})
    assert (status, [label["name"] for label in body]) == (200, ["typo", "spam"])

    with pytest.raises(GithubException) as missing:
        pull.remove_from_labels("invalid")
    assert (missing.value.status, missing.value.data["message"]) == (404, "Label does not exist")


@pytest.mark.parametrize("name", ["", "x" * 51])
def test_bad_label_names_are_rejected(github_fake: GitHubFake, github_api: PyGithubRoute, name: str) -> None:
    seed_pull(github_fake)
    pull = github_api.client().get_repo(REPO).get_pull(7)

    with pytest.raises(GithubException) as rejected:
        pull.add_to_labels(name)
    assert rejected.value.status == 422
    assert rejected.value.data["errors"] == [
        {"resource": "Label", "code": "invalid", "field": "name", "value": name}
    ]
    assert github_fake.labels(REPO, 7) == []


@pytest.mark.parametrize(
    ("role", "permission"),
    [
        ("admin", "admin"),
        ("maintain", "write"),
        ("write", "write"),
        ("triage", "read"),
        ("read", "read"),
        ("none", "none"),
    ],
)
def test_permissions_per_user(
    github_fake: GitHubFake, github_api: PyGithubRoute, role: str, permission: str
) -> None:
    github_fake.add_repo(REPO)
    github_fake.set_permission(REPO, "ta-carol", role)
    repo = github_api.client().get_repo(REPO)

    assert repo.get_collaborator_permission("ta-carol") == permission
    assert repo.get_collaborator_role_name("ta-carol") == role


def test_permission_defaults_and_unknown_repository(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    github_fake.add_repo(REPO)
    github_fake.add_repo("Atcold/private-grades", private=True)
    client = github_api.client()

    assert client.get_repo(REPO).get_collaborator_permission("stranger") == "read"
    assert client.get_repo(REPO).get_collaborator_permission("Atcold") == "admin"
    assert client.get_repo("Atcold/private-grades").get_collaborator_permission("stranger") == "none"
    github_fake.reset()
    with pytest.raises(UnknownObjectException):
        github_api.client(lazy=True).get_repo(REPO).get_collaborator_permission("stranger")


def test_unknown_things_are_404_with_githubs_body(
    github_fake: GitHubFake, github_api: PyGithubRoute, github_prism: PrismProxy
) -> None:
    seed_pull(github_fake)
    client = github_api.client()

    with pytest.raises(UnknownObjectException) as repo_missing:
        client.get_repo("Atcold/nope")
    assert repo_missing.value.data == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
        "status": "404",
    }
    with pytest.raises(UnknownObjectException):
        client.get_repo(REPO).get_pull(99)
    status, _, body = raw(github_prism, "PATCH", f"/repos/{REPO}/issues/comments/1", {"body": "x"})
    assert (status, body["message"]) == (404, "Not Found")


def test_rate_limit_and_viewer(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    github_fake.clock = lambda: NOON
    client = github_api.client()

    assert client.get_user().login == "github-actions[bot]"
    github_fake.set_viewer("extracredit-ta", 4242)
    assert (client.get_user().login, client.get_user().id) == ("extracredit-ta", 4242)
    core = client.get_rate_limit().resources.core
    assert (core.limit, core.used, core.remaining) == (5000, 4, 4996)
    assert core.reset == datetime(2023, 9, 12, 13, 0, tzinfo=UTC)


# What the client sees of each fault through Prism (no retries): (exception, status).
FAULTS_THROUGH_PRISM = {
    "429-retry-after": (GithubException, 429),  # PyGithub maps only 403 to its rate limit error
    "429": (GithubException, 429),
    "403-secondary": (RateLimitExceededException, 403),
    "500": (GithubException, 500),
    "502": (GithubException, 502),
    "503": (GithubException, 503),
    "401": (BadCredentialsException, 401),
    "404": (UnknownObjectException, 404),
    "drop": (GithubException, 500),  # Prism answers for the upstream that hung up
    "malformed": (GithubException, 500),  # Prism answers for the body it could not parse
}


def test_every_fault_kind_is_covered() -> None:
    assert set(FAULT_KINDS) == {*FAULTS_THROUGH_PRISM, "timeout"}


@pytest.mark.parametrize("kind", FAULTS_THROUGH_PRISM)
def test_faults_reach_the_client_through_prism(
    github_fake: GitHubFake, github_api: PyGithubRoute, github_prism: PrismProxy, kind: str
) -> None:
    seed_pull(github_fake)
    repo = github_api.client(retry=None).get_repo(REPO)
    github_fake.fault(GET_PULL, kind)

    exception, status = FAULTS_THROUGH_PRISM[kind]
    with pytest.raises(exception) as failed:
        repo.get_pull(7)
    assert failed.value.status == status
    if kind in {"drop", "malformed"}:
        assert failed.value.data["type"] == "FetchError"
        [violation] = github_prism.take_violations()
        assert "FetchError" in violation
    if kind == "429-retry-after":
        assert failed.value.headers["retry-after"] == "1"
    if kind == "429":
        assert failed.value.headers["x-ratelimit-remaining"] == "0"
    if kind in {"429-retry-after", "403-secondary"}:
        assert failed.value.data["message"].startswith("You have exceeded a secondary rate limit")

    assert repo.get_pull(7).number == 7  # the fault fired once
    assert github_fake.counts[GET_PULL] == 2


def test_timeout_fault_outlasts_the_client_timeout(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    seed_pull(github_fake)
    repo = github_api.client(retry=None, timeout=1).get_repo(REPO)
    github_fake.fault(GET_PULL, "timeout", delay=1.5)

    with pytest.raises(requests.exceptions.ReadTimeout):
        repo.get_pull(7)
    assert repo.get_pull(7).number == 7


def test_dropped_connection_and_malformed_body_as_the_client_sees_them_directly(
    github_fake: GitHubFake, github_api_direct: PyGithubRoute
) -> None:
    seed_pull(github_fake)
    repo = github_api_direct.client(retry=None).get_repo(REPO)
    github_fake.fault(GET_PULL, "drop")
    github_fake.fault(GET_PULL, "malformed")

    with pytest.raises(requests.exceptions.ConnectionError):
        repo.get_pull(7)
    with pytest.raises(json.JSONDecodeError):
        repo.get_pull(7)
    assert repo.get_pull(7).number == 7


def test_pygithub_default_retry_recovers_and_the_counters_show_it(
    github_fake: GitHubFake, github_api: PyGithubRoute
) -> None:
    seed_pull(github_fake)
    client = github_api.client()  # PyGithub's default GithubRetry: 5xx again at once
    github_fake.fault(GET_PULL, "502", times=2)
    github_fake.fault(LIST_FILES, "500")

    pull = client.get_repo(REPO).get_pull(7)
    assert [f.filename for f in pull.get_files()] == ["docs/en/week01/01-1.md"]
    assert github_fake.counts[GET_PULL] == 3
    assert github_fake.counts[LIST_FILES] == 2
    assert github_fake.total() == 1 + 3 + 2


def test_fault_rejects_unknown_routes_and_kinds(github_fake: GitHubFake) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        github_fake.fault("GET /repos/{owner}/{repo}/commits/{ref}", "500")
    with pytest.raises(ValueError, match="unknown fault"):
        github_fake.fault(GET_PULL, "418")


def test_reset_forgets_state_faults_and_counts(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    seed_pull(github_fake)
    client = github_api.client(retry=None)
    client.get_repo(REPO)
    github_fake.fault(GET_PULL, "500")
    assert github_fake.total() == 1

    github_fake.reset()
    assert (github_fake.total(), dict(github_fake.counts)) == (0, {})
    with pytest.raises(UnknownObjectException):
        client.get_repo(REPO)
    seed_pull(github_fake)
    assert client.get_repo(REPO).get_pull(7).number == 7  # the queued 500 is gone


def test_prism_flags_a_response_that_breaks_the_spec(
    github_fake: GitHubFake, github_api: PyGithubRoute, github_prism: PrismProxy
) -> None:
    seed_pull(github_fake, state="merged")  # not a state GitHub's REST API has
    repo = github_api.client(retry=None).get_repo(REPO)

    with pytest.raises(GithubException) as broken:
        repo.get_pull(7)
    assert broken.value.status == 500
    assert [v["location"] for v in broken.value.data["validation"]] == [["response", "body", "state"]]
    [violation] = github_prism.take_violations()
    assert "VIOLATIONS" in violation


def test_prism_rejects_a_request_that_breaks_the_spec(
    github_fake: GitHubFake, github_api: PyGithubRoute, github_prism: PrismProxy
) -> None:
    seed_pull(github_fake)
    commit = github_api.client(lazy=True, retry=None).get_repo(REPO).get_commit("a" * 40)

    with pytest.raises(GithubException) as rejected:
        commit.create_status("succeeded")
    assert rejected.value.status == 422
    assert github_fake.counts["POST /repos/{owner}/{repo}/statuses/{sha}"] == 0
    [violation] = github_prism.take_violations()
    assert "UNPROCESSABLE_ENTITY" in violation


def test_payload_urls_are_githubs(github_fake: GitHubFake, github_prism: PrismProxy) -> None:
    seed_pull(github_fake, labels=["typo"], head_repo="fork", merged_at="2023-09-13T10:00:00Z")
    comment = github_fake.add_comment(REPO, 7, "hi", "bob")
    bodies = [
        raw(github_prism, method, path, body)[2]
        for method, path, body in [
            ("GET", f"/repos/{REPO}", None),
            ("GET", f"/repos/{REPO}/pulls?state=all", None),
            ("GET", f"/repos/{REPO}/pulls/7", None),
            ("GET", f"/repos/{REPO}/pulls/7/files", None),
            ("GET", f"/repos/{REPO}/issues/7", None),
            ("GET", f"/repos/{REPO}/issues/7/comments", None),
            ("POST", f"/repos/{REPO}/issues/7/comments", {"body": "x"}),
            ("PATCH", f"/repos/{REPO}/issues/comments/{comment}", {"body": "y"}),
            ("POST", f"/repos/{REPO}/issues/comments/{comment}/reactions", {"content": "eyes"}),
            ("POST", f"/repos/{REPO}/statuses/{'a' * 40}", {"state": "success"}),
            ("GET", f"/repos/{REPO}/commits/{'a' * 40}/status", None),
            ("POST", f"/repos/{REPO}/issues/7/labels", ["spam"]),
            ("DELETE", f"/repos/{REPO}/issues/7/labels/spam", None),
            ("GET", f"/repos/{REPO}/collaborators/bob/permission", None),
            ("GET", "/user", None),
        ]
    ]
    strings = list(_strings(bodies))
    urls = [s for s in strings if "://" in s]
    allowed = (
        "https://api.github.com/",
        "https://github.com/",
        "https://avatars.githubusercontent.com/",
        "git://github.com/",
    )
    assert [url for url in urls if not url.startswith(allowed)] == []
    assert [s for s in strings if "octocat" in s.lower() or "hello-world" in s.lower()] == []
    assert len(urls) > 500


def _strings(node: Any) -> Any:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("pull_request.*.json")))
def test_seed_from_pull_request_event(
    github_fake: GitHubFake, github_api: PyGithubRoute, fixture: str
) -> None:
    payload = json.loads((FIXTURES / fixture).read_text())
    expected = payload["pull_request"]

    assert github_fake.seed_from_event(payload) == (payload["repository"]["full_name"], payload["number"])
    pull = github_api.client().get_repo(payload["repository"]["full_name"]).get_pull(payload["number"])
    assert (pull.id, pull.title, pull.body, pull.state) == (
        expected["id"],
        expected["title"],
        expected["body"],
        expected["state"],
    )
    assert (pull.user.login, pull.user.id) == (expected["user"]["login"], expected["user"]["id"])
    assert (pull.head.sha, pull.head.ref, pull.base.sha) == (
        expected["head"]["sha"],
        expected["head"]["ref"],
        expected["base"]["sha"],
    )
    assert pull.merged == expected["merged"]
    if expected["head"]["repo"] is None:
        assert pull.head.repo is None
    else:
        assert (pull.head.repo.id, pull.head.repo.full_name, pull.head.repo.fork) == (
            expected["head"]["repo"]["id"],
            expected["head"]["repo"]["full_name"],
            expected["head"]["repo"]["fork"],
        )


def test_seed_from_issue_comment_event(github_fake: GitHubFake, github_api: PyGithubRoute) -> None:
    payload = json.loads((FIXTURES / "issue_comment.created.pull_request.json").read_text())

    full_name, number = github_fake.seed_from_event(payload)
    comments = list(github_api.client().get_repo(full_name).get_pull(number).get_issue_comments())
    assert [(c.id, c.body, c.user.login) for c in comments] == [
        (payload["comment"]["id"], payload["comment"]["body"], payload["comment"]["user"]["login"])
    ]
    assert comments[0].html_url == payload["comment"]["html_url"]


def test_a_subprocess_is_routed_through_prism(
    github_fake: GitHubFake, github_subprocess_env: dict[str, str]
) -> None:
    seed_pull(github_fake)
    script = (
        "from github import Auth, Github\n"
        "client = Github(auth=Auth.Token('test'), seconds_between_requests=0)\n"
        f"print(client.get_repo({REPO!r}).get_pull(7).title)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=github_subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout == "[DLFL23] Fix a typo in week 1\n"
    assert github_fake.counts == {"GET /repos/{owner}/{repo}": 1, GET_PULL: 1}
