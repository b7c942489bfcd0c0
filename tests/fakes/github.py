"""A stateful fake of the GitHub REST API, served over HTTP on 127.0.0.1 for the tests.

It implements the operations of ``tests/contract/github.json`` (the ones the project calls) with
GitHub's behaviour where the project relies on it: repositories, pull requests with their files,
labels and head commit, issue comments and reactions, commit statuses and the combined status,
collaborator permissions, ``per_page``/``page`` pagination with GitHub's ``Link`` headers, and
GitHub's error bodies. Every response is built from the spec's own response example, with each
field the fake knows overwritten, so that Prism (in front of it, in proxy mode) finds it valid;
URLs inside payloads are GitHub's own (``https://api.github.com/...``, ``https://github.com/...``).

Tests seed state with ``add_pull``/``add_comment``/``set_permission``/``seed_from_event``, inject
failures per route with ``fault``, read what the client did with ``comments``/``statuses``/
``labels``, and count calls with ``counts`` and ``total``. Routes are named by the spec's
operation, e.g. ``"GET /repos/{owner}/{repo}/pulls/{pull_number}"``. ``latency`` (seconds, default
0) delays every answer as a round trip to GitHub would; concurrent requests wait in parallel.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import json
import math
import re
import threading
import time
from base64 import b64encode
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from fakes.server import JsonHandler, LoopbackServer
from fakes.server import Reply as _Reply

SPEC_PATH = Path(__file__).resolve().parent.parent / "contract" / "github.json"
API = "https://api.github.com"
WEB = "https://github.com"

FAULT_KINDS = (
    "429-retry-after",  # 429, secondary rate limit, with Retry-After
    "429",  # 429, primary rate limit exhausted: X-RateLimit-Remaining 0, no Retry-After
    "403-secondary",  # 403, secondary rate limit, no Retry-After
    "500",
    "502",
    "503",
    "timeout",  # answer only after `delay` seconds, past the client's timeout
    "drop",  # close the connection without answering
    "malformed",  # 200 with a truncated JSON body
    "401",
    "404",
)
PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
STATUS_STATES = ("error", "failure", "pending", "success")
MAX_PULL_FILES = 3000  # GitHub lists at most 3000 files of a pull request
MAX_LABEL_LENGTH = 50

_SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
_PRIMARY_RATE_LIMIT = (
    "API rate limit exceeded for user ID {user_id}. If you reach out to GitHub Support for help, "
    "please include the request ID {request_id}."
)
_RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
# The legacy `permission` of each role, and its `permissions` hash.
_LEGACY_PERMISSION = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}
_PERMISSION_FLAGS = {
    "admin": ("admin", "maintain", "push", "triage", "pull"),
    "maintain": ("maintain", "push", "triage", "pull"),
    "write": ("push", "triage", "pull"),
    "triage": ("triage", "pull"),
    "read": ("pull",),
    "none": (),
}
_ID_BASES = {
    "account": 10_000_000,
    "repository": 600_000_000,
    "pull": 1_000_000_000,
    "issue": 2_000_000_000,
    "comment": 3_000_000_000,
    "label": 5_000_000_000,
    "reaction": 300_000_000,
    "status": 40_000_000_000,
}


class FileChange(NamedTuple):
    """One changed file of a pull request; a plain 4-tuple converts to it."""

    filename: str
    status: str = "modified"
    additions: int = 1
    deletions: int = 0
    previous_filename: str | None = None


@dataclass(frozen=True)
class Account:
    """A GitHub account: ``type`` is ``User``, ``Bot`` or ``Organization``."""

    login: str
    id: int
    type: str = "User"


@dataclass(frozen=True)
class Reaction:
    id: int
    content: str
    user_login: str
    created_at: datetime


@dataclass(frozen=True)
class Comment:
    """An issue comment as the fake holds it (what ``GitHubFake.comments`` returns)."""

    id: int
    body: str
    user_login: str
    author_association: str
    created_at: datetime
    updated_at: datetime
    reactions: tuple[Reaction, ...] = ()


@dataclass(frozen=True)
class Status:
    """A commit status as the fake holds it (what ``GitHubFake.statuses`` returns)."""

    id: int
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator_login: str
    created_at: datetime


@dataclass
class _Label:
    id: int
    name: str
    color: str
    description: str | None
    default: bool


@dataclass
class _Repo:
    id: int
    owner: Account
    name: str
    private: bool = False
    fork: bool = False
    default_branch: str = "main"
    labels: dict[str, _Label] = field(default_factory=dict)  # by lower-case name
    permissions: dict[str, str] = field(default_factory=dict)  # role by lower-case login
    pulls: dict[int, _Pull] = field(default_factory=dict)
    comments: dict[int, tuple[int, Comment]] = field(default_factory=dict)  # id: (number, comment)
    statuses: dict[str, list[Status]] = field(default_factory=dict)  # by sha

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class _Pull:
    number: int
    id: int
    issue_id: int
    title: str
    body: str | None
    author: Account
    author_association: str
    files: list[FileChange]
    labels: list[str]  # lower-case keys of the repository's labels, in the order added
    state: str
    draft: bool
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    merged_by: Account | None
    head_sha: str
    head_ref: str
    head_repo: _Repo | None  # None once the head repository was deleted
    base_ref: str
    base_sha: str


@dataclass
class _Fault:
    kind: str
    remaining: int
    delay: float
    retry_after: int


class _HttpError(Exception):
    """Ends a request with GitHub's error body."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


class _Route(NamedTuple):
    key: str  # the spec operation, e.g. "GET /repos/{owner}/{repo}/pulls"
    method: str
    pattern: re.Pattern[str]
    handler: str  # name of the GitHubFake method that serves it


def _route(method: str, template: str, handler: str, operation: str | None = None) -> _Route:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return _Route(f"{method} {operation or template}", method, re.compile(f"{pattern}$"), handler)


_REPOS = "/repos/{owner}/{repo}"
_BY_ID = "/repositories/{repository_id}"  # the form GitHub writes in pagination links
ROUTES = (
    _route("GET", _REPOS, "_get_repository"),
    _route("GET", f"{_REPOS}/pulls", "_list_pulls"),
    _route("GET", f"{_BY_ID}/pulls", "_list_pulls", f"{_REPOS}/pulls"),
    _route("GET", f"{_REPOS}/pulls/{{pull_number}}", "_get_pull"),
    _route("GET", f"{_REPOS}/pulls/{{pull_number}}/files", "_list_pull_files"),
    _route(
        "GET",
        f"{_BY_ID}/pulls/{{pull_number}}/files",
        "_list_pull_files",
        f"{_REPOS}/pulls/{{pull_number}}/files",
    ),
    _route("GET", f"{_REPOS}/issues/{{issue_number}}", "_get_issue"),
    _route("GET", f"{_REPOS}/issues/{{issue_number}}/comments", "_list_comments"),
    _route(
        "GET",
        f"{_BY_ID}/issues/{{issue_number}}/comments",
        "_list_comments",
        f"{_REPOS}/issues/{{issue_number}}/comments",
    ),
    _route("POST", f"{_REPOS}/issues/{{issue_number}}/comments", "_create_comment"),
    _route("PATCH", f"{_REPOS}/issues/comments/{{comment_id}}", "_update_comment"),
    _route("POST", f"{_REPOS}/issues/comments/{{comment_id}}/reactions", "_create_reaction"),
    _route("POST", f"{_REPOS}/statuses/{{sha}}", "_create_status"),
    _route("GET", f"{_REPOS}/commits/{{ref}}/status", "_get_combined_status"),
    _route("POST", f"{_REPOS}/issues/{{issue_number}}/labels", "_add_labels"),
    _route("DELETE", f"{_REPOS}/issues/{{issue_number}}/labels/{{name}}", "_remove_label"),
    _route("GET", f"{_REPOS}/collaborators/{{username}}/permission", "_get_permission"),
    _route("GET", "/rate_limit", "_get_rate_limit"),
    _route("GET", "/user", "_get_viewer"),
)
ROUTE_KEYS = tuple(dict.fromkeys(route.key for route in ROUTES))


@functools.cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


def _example(name: str) -> Any:
    """A fresh copy of a response example of the spec (the first item of a list example)."""
    value = _spec()["components"]["examples"][name]["value"]
    return copy.deepcopy(value[0] if isinstance(value, list) else value)


def _documentation_url(route_key: str) -> str:
    method, path = route_key.split(" ", 1)
    return str(_spec()["paths"][path][method.lower()]["externalDocs"]["url"])


def _node_id(kind: str, number: int) -> str:
    """GitHub's legacy global node id, e.g. ``MDQ6VXNlcjE=`` for user 1."""
    return b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def _sha(*parts: object) -> str:
    return hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _relocate(node: Any, replacements: Mapping[str, str]) -> Any:
    """Copy a JSON value, applying string replacements to every string in it."""
    if isinstance(node, dict):
        return {key: _relocate(value, replacements) for key, value in node.items()}
    if isinstance(node, list):
        return [_relocate(value, replacements) for value in node]
    if isinstance(node, str):
        for old, new in replacements.items():
            node = node.replace(old, new)
    return node


def _assign(target: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Overwrite the fields ``target`` has, keeping the template's shape."""
    for key, value in values.items():
        if key in target:
            target[key] = value
    return target


def _int_param(query: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(query[name])
    except (KeyError, ValueError):
        return default


class _Handler(JsonHandler):
    fake: GitHubFake

    def extra_headers(self) -> Mapping[str, str]:
        return {"X-GitHub-Request-Id": self.fake._request_id()}


class GitHubFake(LoopbackServer):
    """The fake's state and its HTTP server (``start``/``stop``; ``port`` and ``url`` once started).

    ``viewer`` is the account the token belongs to (the author of comments, statuses and
    reactions the client creates; ``GET /user``); ``clock`` gives "now"; ``counts`` maps route
    keys to the number of requests they got; ``latency`` is the seconds every request waits before
    it is served (outside the lock, so concurrent requests overlap). ``reset`` restores the
    defaults given here, and a latency of 0.
    """

    handler_class = _Handler

    def __init__(
        self,
        *,
        viewer: Account = Account("github-actions[bot]", 41898282, "Bot"),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.default_viewer = viewer
        self.default_clock = clock
        self.counts: Counter[str] = Counter()
        self._lock = threading.RLock()
        # Requests still being answered: a late answer (a ``timeout`` fault) must not reach
        # the next test's state, so ``reset`` waits for them.
        self._in_flight = 0
        self._settled = threading.Condition()
        self.reset()

    # -- lifecycle (start, stop, port and url come with LoopbackServer) ---------------------

    def reset(self) -> None:
        """Forget all state, pending faults and counts, and restore the default viewer and clock
        (ids start again from the same values), once every request in flight has been answered."""
        with self._settled:
            self._settled.wait_for(lambda: self._in_flight == 0, timeout=30)
        with self._lock:
            self.viewer = self.default_viewer
            self.clock = self.default_clock
            self._repos: dict[str, _Repo] = {}  # by lower-case full name
            self._accounts: dict[str, Account] = {self.viewer.login.lower(): self.viewer}
            self._ids = {kind: itertools.count(base + 1) for kind, base in _ID_BASES.items()}
            self._faults: dict[str, deque[_Fault]] = {}
            self._requests = itertools.count(1)
            self.counts.clear()
            self.latency = 0.0

    # -- seeding ----------------------------------------------------------------------------

    def add_repo(
        self,
        full_name: str,
        *,
        repo_id: int | None = None,
        owner_id: int | None = None,
        owner_type: str = "User",
        private: bool = False,
        default_branch: str = "main",
    ) -> None:
        """Create a repository (``add_pull`` creates a missing one with these defaults)."""
        owner_login, name = full_name.split("/")
        with self._lock:
            self._repos[full_name.lower()] = _Repo(
                id=repo_id or self._next_id("repository"),
                owner=self._account(owner_login, owner_id, owner_type),
                name=name,
                private=private,
                default_branch=default_branch,
            )

    def add_pull(
        self,
        repo: str,
        number: int,
        *,
        title: str = "Update README.md",
        body: str | None = "",
        user_login: str = "student",
        user_id: int | None = None,
        user_type: str = "User",
        author_association: str = "NONE",
        files: Iterable[FileChange | tuple[Any, ...]] = (),
        labels: Iterable[str] = (),
        state: str = "open",
        draft: bool = False,
        created_at: datetime | str | None = None,
        updated_at: datetime | str | None = None,
        closed_at: datetime | str | None = None,
        merged_at: datetime | str | None = None,
        merged_by_login: str | None = None,
        head_sha: str | None = None,
        head_ref: str | None = None,
        base_ref: str = "main",
        head_repo: str = "base",
    ) -> None:
        """Create (or replace) pull request ``number`` of ``repo`` (``"owner/name"``).

        ``head_repo`` is ``"base"`` (a branch of ``repo``), ``"fork"`` (a fork owned by the
        author) or ``"deleted"`` (a fork that was deleted: ``head.repo`` is null). A ``merged_at``
        makes the pull request closed and merged (by ``merged_by_login``, default the owner).
        """
        if head_repo not in {"base", "fork", "deleted"}:
            raise ValueError(f"head_repo must be base, fork or deleted, not {head_repo!r}")
        with self._lock:
            base = self._repo_or_create(repo)
            author = self._account(user_login, user_id, user_type)
            created = _parse_time(created_at) if created_at else self.clock()
            merged = _parse_time(merged_at) if merged_at else None
            closed = _parse_time(closed_at) if closed_at else merged
            if state == "closed" and closed is None:
                closed = created
            fork = None
            if head_repo == "fork":
                fork = _Repo(self._next_id("repository"), author, base.name, fork=True)
            self._put_pull(
                base,
                _Pull(
                    number=number,
                    id=self._next_id("pull"),
                    issue_id=self._next_id("issue"),
                    title=title,
                    body=body,
                    author=author,
                    author_association=author_association,
                    files=[FileChange(*f) for f in files],
                    labels=[],
                    state="closed" if closed else state,
                    draft=draft,
                    created_at=created,
                    updated_at=_parse_time(updated_at) if updated_at else (closed or created),
                    closed_at=closed,
                    merged_at=merged,
                    merged_by=self._account(merged_by_login)
                    if merged_by_login
                    else (base.owner if merged else None),
                    head_sha=head_sha or _sha(base.full_name, number, "head"),
                    head_ref=head_ref or f"patch-{number}",
                    head_repo=base if head_repo == "base" else fork,
                    base_ref=base_ref,
                    base_sha=_sha(base.full_name, base_ref),
                ),
                labels,
            )

    def set_permission(self, repo: str, login: str, permission: str) -> None:
        """Give ``login`` a role on ``repo``: admin, maintain, write, triage, read or none.

        Without one, a user has ``read`` on a public repository and ``none`` on a private one.
        """
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}, not {permission!r}")
        with self._lock:
            self._account(login)
            self._repo_or_create(repo).permissions[login.lower()] = permission

    def edit_pull(self, repo: str, number: int, *, title: str | None = None,
                  body: str | None = None, head_sha: str | None = None) -> None:
        """Change a pull request as its author would (an edited title or body, a new push)."""
        with self._lock:
            pull = self._pull(self._seeded_repo(repo), number)
            if title is not None:
                pull.title = title
            if body is not None:
                pull.body = body
            if head_sha is not None:
                pull.head_sha = head_sha
            pull.updated_at = self.clock()

    def set_viewer(self, login: str, user_id: int, user_type: str = "User") -> None:
        """Who the token belongs to (``reset`` restores the default, ``github-actions[bot]``)."""
        with self._lock:
            self.viewer = self._account(login, user_id, user_type)

    def add_comment(
        self,
        repo: str,
        number: int,
        body: str,
        user_login: str,
        *,
        user_id: int | None = None,
        user_type: str = "User",
        author_association: str = "NONE",
        created_at: datetime | str | None = None,
        comment_id: int | None = None,
    ) -> int:
        """Add a comment to pull request ``number`` and return its id."""
        with self._lock:
            target = self._repo_or_create(repo)
            if number not in target.pulls:
                raise KeyError(f"no pull request {repo}#{number}; add_pull it first")
            moment = _parse_time(created_at) if created_at else self.clock()
            comment = Comment(
                id=comment_id or self._next_id("comment"),
                body=body,
                user_login=self._account(user_login, user_id, user_type).login,
                author_association=author_association,
                created_at=moment,
                updated_at=moment,
            )
            target.comments[comment.id] = (number, comment)
            pull = target.pulls[number]
            pull.updated_at = max(pull.updated_at, moment)  # a comment is a change of the issue
            return comment.id

    def seed_from_event(
        self, payload: Mapping[str, Any], *, files: Iterable[FileChange | tuple[Any, ...]] = ()
    ) -> tuple[str, int]:
        """Create the repository and pull request a webhook payload describes (and, for an
        ``issue_comment`` event, the comment); return ``(full_name, number)``.

        A ``pull_request`` payload replaces the pull request (keeping its comments, and its
        files unless ``files`` are given); an ``issue_comment`` one creates it when missing.
        """
        repository = payload["repository"]
        owner = repository["owner"]
        full_name = repository["full_name"]
        with self._lock:
            if full_name.lower() not in self._repos:
                self.add_repo(
                    full_name,
                    repo_id=repository["id"],
                    owner_id=owner["id"],
                    owner_type=owner["type"],
                    private=repository["private"],
                    default_branch=repository["default_branch"],
                )
            base = self._repos[full_name.lower()]
            if "pull_request" in payload:
                pull = self._pull_from_payload(base, payload["pull_request"])
                previous = base.pulls.get(pull.number)
                pull.files = [FileChange(*f) for f in files] or (previous.files if previous else [])
                self._put_pull(base, pull, [label["name"] for label in payload["pull_request"]["labels"]])
                return full_name, pull.number
            issue, remote = payload["issue"], payload["comment"]
            if "pull_request" not in issue:
                raise ValueError("the issue_comment payload is not about a pull request")
            if issue["number"] not in base.pulls:
                self.add_pull(
                    full_name,
                    issue["number"],
                    title=issue["title"],
                    body=issue["body"],
                    user_login=issue["user"]["login"],
                    user_id=issue["user"]["id"],
                    user_type=issue["user"]["type"],
                    author_association=issue["author_association"],
                    files=files,
                    labels=[label["name"] for label in issue["labels"]],
                    state=issue["state"],
                    created_at=issue["created_at"],
                    updated_at=issue["updated_at"],
                    closed_at=issue["closed_at"],
                    merged_at=issue["pull_request"].get("merged_at"),
                )
            self.add_comment(
                full_name,
                issue["number"],
                remote["body"],
                remote["user"]["login"],
                user_id=remote["user"]["id"],
                user_type=remote["user"]["type"],
                author_association=remote["author_association"],
                created_at=remote["created_at"],
                comment_id=remote["id"],
            )
            return full_name, issue["number"]

    # -- faults and counters ----------------------------------------------------------------

    def fault(
        self,
        route_key: str,
        kind: str,
        times: int = 1,
        *,
        delay: float = 3.0,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` requests to ``route_key`` fail as ``kind`` (see FAULT_KINDS).

        ``delay`` is how long a ``timeout`` waits before answering normally; ``retry_after`` is
        the Retry-After of ``429-retry-after``. Faults queued on one route fire in order.
        """
        if route_key not in ROUTE_KEYS:
            raise ValueError(f"unknown route {route_key!r}; routes: {ROUTE_KEYS}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; kinds: {FAULT_KINDS}")
        with self._lock:
            self._faults.setdefault(route_key, deque()).append(_Fault(kind, times, delay, retry_after))

    def total(self) -> int:
        """How many requests reached a route since the last reset."""
        return sum(self.counts.values())

    # -- readers ----------------------------------------------------------------------------

    def comments(self, repo: str, number: int) -> list[Comment]:
        """The comments on pull request ``number``, oldest first."""
        with self._lock:
            comments = sorted(self._seeded_repo(repo).comments.values(), key=_by_id)
            return [comment for n, comment in comments if n == number]

    def statuses(self, repo: str, sha: str) -> list[Status]:
        """Every status created on commit ``sha``, oldest first."""
        with self._lock:
            return list(self._seeded_repo(repo).statuses.get(sha, []))

    def labels(self, repo: str, number: int) -> list[str]:
        """The names of the labels on pull request ``number``, in the order they were added."""
        with self._lock:
            target = self._seeded_repo(repo)
            return [target.labels[key].name for key in target.pulls[number].labels]

    # -- state helpers ----------------------------------------------------------------------

    def _next_id(self, kind: str) -> int:
        return next(self._ids[kind])

    def _account(self, login: str, user_id: int | None = None, user_type: str = "User") -> Account:
        known = self._accounts.get(login.lower())
        if known is None or (user_id is not None and known.id != user_id):
            known = Account(login, user_id or self._next_id("account"), user_type)
            self._accounts[login.lower()] = known
        return known

    def _seeded_repo(self, full_name: str) -> _Repo:
        try:
            return self._repos[full_name.lower()]
        except KeyError:
            raise KeyError(f"the fake has no repository {full_name!r}") from None

    def _repo(self, full_name: str) -> _Repo:
        try:
            return self._seeded_repo(full_name)
        except KeyError:
            raise _HttpError(404, "Not Found") from None

    def _repo_or_create(self, full_name: str) -> _Repo:
        if full_name.lower() not in self._repos:
            self.add_repo(full_name)
        return self._repos[full_name.lower()]

    def _repo_from(self, params: Mapping[str, str]) -> _Repo:
        if "repository_id" in params:
            for repo in self._repos.values():
                if str(repo.id) == params["repository_id"]:
                    return repo
            raise _HttpError(404, "Not Found")
        return self._repo(f"{params['owner']}/{params['repo']}")

    def _pull(self, repo: _Repo, number: int | str) -> _Pull:
        try:
            return repo.pulls[int(number)]
        except (KeyError, ValueError):
            raise _HttpError(404, "Not Found") from None

    def _comment(self, repo: _Repo, comment_id: str) -> tuple[int, Comment]:
        try:
            return repo.comments[int(comment_id)]
        except (KeyError, ValueError):
            raise _HttpError(404, "Not Found") from None

    def _put_pull(self, repo: _Repo, pull: _Pull, labels: Iterable[str]) -> None:
        repo.pulls[pull.number] = pull
        for name in labels:
            self._apply_label(repo, pull, name)

    def _apply_label(self, repo: _Repo, pull: _Pull, name: str) -> None:
        key = name.lower()
        if key not in repo.labels:
            repo.labels[key] = _Label(self._next_id("label"), name, "ededed", None, False)
        if key not in pull.labels:
            pull.labels.append(key)

    def _pull_from_payload(self, repo: _Repo, remote: Mapping[str, Any]) -> _Pull:
        user, head = remote["user"], remote["head"]
        head_repo: _Repo | None = None
        if head["repo"] is not None:
            if head["repo"]["id"] == repo.id:
                head_repo = repo
            else:
                fork_owner = head["repo"]["owner"]
                head_repo = _Repo(
                    head["repo"]["id"],
                    self._account(fork_owner["login"], fork_owner["id"], fork_owner["type"]),
                    head["repo"]["name"],
                    private=head["repo"]["private"],
                    fork=head["repo"]["fork"],
                )
        merged_by = remote.get("merged_by")
        return _Pull(
            number=remote["number"],
            id=remote["id"],
            issue_id=self._next_id("issue"),
            title=remote["title"],
            body=remote["body"],
            author=self._account(user["login"], user["id"], user["type"]),
            author_association=remote["author_association"],
            files=[],
            labels=[],
            state=remote["state"],
            draft=remote["draft"],
            created_at=_parse_time(remote["created_at"]),
            updated_at=_parse_time(remote["updated_at"]),
            closed_at=_parse_time(remote["closed_at"]) if remote["closed_at"] else None,
            merged_at=_parse_time(remote["merged_at"]) if remote["merged_at"] else None,
            merged_by=self._account(merged_by["login"], merged_by["id"], merged_by["type"])
            if merged_by
            else None,
            head_sha=head["sha"],
            head_ref=head["ref"],
            head_repo=head_repo,
            base_ref=remote["base"]["ref"],
            base_sha=remote["base"]["sha"],
        )

    def _role(self, repo: _Repo, login: str) -> str:
        if login.lower() == repo.owner.login.lower():
            return "admin"
        return repo.permissions.get(login.lower(), "none" if repo.private else "read")

    def _association(self, repo: _Repo, account: Account) -> str:
        if account.login.lower() == repo.owner.login.lower():
            return "OWNER"
        if repo.permissions.get(account.login.lower(), "none") not in {"none", "read"}:
            return "COLLABORATOR"
        return "NONE"

    # -- HTTP -------------------------------------------------------------------------------

    def _serve(self, request: _Handler) -> None:
        with self._settled:
            self._in_flight += 1
        try:
            self._answer(request)
        finally:
            with self._settled:
                self._in_flight -= 1
                self._settled.notify_all()

    def _answer(self, request: _Handler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if self.latency > 0:
            time.sleep(self.latency)  # a round trip, waited outside the lock
        url = urlsplit(request.path)
        route, params = _match(request.command, url.path)
        if route is None:
            request.reply(_error(_HttpError(404, "Not Found"), "https://docs.github.com/rest"))
            return
        with self._lock:
            self.counts[route.key] += 1
            fault = self._take_fault(route.key)
        docs = _documentation_url(route.key)
        if fault is not None and fault.kind == "drop":
            request.close_connection = True
            return
        if fault is not None and fault.kind == "malformed":
            request.reply(_Reply(200, None), raw_body=b'{"message": "truncat')
            return
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.delay)
        elif fault is not None:
            request.reply(self._fault_reply(fault, docs))
            return
        query_pairs = parse_qsl(url.query, keep_blank_values=True)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            request.reply(_error(_HttpError(400, "Problems parsing JSON"), docs))
            return
        with self._lock:
            try:
                reply = getattr(self, route.handler)(params, query_pairs, body)
            except _HttpError as error:
                reply = _error(error, docs)
            reply = self._with_rate_headers(reply)
        request.reply(reply)

    def _take_fault(self, route_key: str) -> _Fault | None:
        queue = self._faults.get(route_key)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _request_id(self) -> str:
        return f"F4KE:{next(self._requests):08X}"

    def _fault_reply(self, fault: _Fault, docs: str) -> _Reply:
        request_id = self._request_id()
        if fault.kind in {"429-retry-after", "403-secondary"}:
            message = _SECONDARY_RATE_LIMIT.format(request_id=request_id)
            status = 429 if fault.kind == "429-retry-after" else 403
            reply = _error(_HttpError(status, message), f"{_RATE_LIMIT_DOCS}#about-secondary-rate-limits")
            headers = {"Retry-After": str(fault.retry_after)} if status == 429 else {}
            return reply._replace(headers=headers)
        if fault.kind == "429":
            message = _PRIMARY_RATE_LIMIT.format(user_id=self.viewer.id, request_id=request_id)
            reply = _error(_HttpError(429, message), f"{_RATE_LIMIT_DOCS}#about-primary-rate-limits")
            reset = int(self.clock().timestamp()) + 60
            return reply._replace(headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
        messages = {
            "401": "Bad credentials",
            "404": "Not Found",
            "500": "Server Error",
            "502": "Server Error",
            "503": "Service Unavailable",
        }
        return _error(_HttpError(int(fault.kind), messages[fault.kind]), docs)

    def _with_rate_headers(self, reply: _Reply) -> _Reply:
        used = self.total()
        return reply._replace(
            headers={
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": str(max(0, 5000 - used)),
                "X-RateLimit-Reset": str(int(self.clock().timestamp()) + 3600),
                "X-RateLimit-Used": str(used),
                "X-RateLimit-Resource": "core",
                **reply.headers,
            }
        )

    def _paginate(
        self, items: list[Any], query: list[tuple[str, str]], repo: _Repo, suffix: str
    ) -> tuple[list[Any], dict[str, str]]:
        """Slice one page out of ``items`` and write GitHub's ``Link`` header for the others."""
        params = dict(query)
        per_page = min(max(_int_param(params, "per_page", 30), 1), 100)
        page = max(_int_param(params, "page", 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        kept = [(k, v) for k, v in query if k != "page"]

        def link(number: int, rel: str) -> str:
            query_string = urlencode([*kept, ("page", str(number))])
            return f'<{API}/repositories/{repo.id}{suffix}?{query_string}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        chunk = items[(page - 1) * per_page : page * per_page]
        return chunk, {"Link": ", ".join(links)} if links else {}

    # -- payload builders -------------------------------------------------------------------

    def _user(self, account: Account) -> dict[str, Any]:
        template = _example("pull-request")["user"]
        escaped = quote(account.login)
        user: dict[str, Any] = _relocate(
            template, {f"{API}/users/{template['login']}": f"{API}/users/{escaped}"}
        )
        bot = account.type == "Bot"
        user.update(
            login=account.login,
            id=account.id,
            node_id=_node_id("Bot" if bot else "User", account.id),
            avatar_url=f"https://avatars.githubusercontent.com/u/{account.id}?v=4",
            html_url=f"{WEB}/apps/{account.login.removesuffix('[bot]')}" if bot else f"{WEB}/{escaped}",
            type=account.type,
            site_admin=False,
            user_view_type="public",
        )
        return user

    def _repository(self, repo: _Repo, template: dict[str, Any]) -> dict[str, Any]:
        full = repo.full_name
        obj: dict[str, Any] = _relocate(
            template, {template["full_name"]: full, "http://api.github.com/": f"{API}/"}
        )
        for key in ("template_repository", "parent", "source", "organization"):
            obj.pop(key, None)
        obj.update(
            id=repo.id,
            node_id=_node_id("Repository", repo.id),
            name=repo.name,
            full_name=full,
            owner=self._user(repo.owner),
            private=repo.private,
            fork=repo.fork,
            html_url=f"{WEB}/{full}",
            url=f"{API}/repos/{full}",
        )
        return _assign(
            obj,
            git_url=f"git://github.com/{full}.git",
            ssh_url=f"git@github.com:{full}.git",
            clone_url=f"{WEB}/{full}.git",
            svn_url=f"{WEB}/{full}",
            mirror_url=None,
            homepage=None,
            topics=[],
            default_branch=repo.default_branch,
            visibility="private" if repo.private else "public",
        )

    def _full_repository(self, repo: _Repo) -> dict[str, Any]:
        obj = self._repository(repo, _example("full-repository-default-response"))
        obj["language"] = None
        return obj

    def _label(self, repo: _Repo, key: str) -> dict[str, Any]:
        label = repo.labels[key]
        return _assign(
            _example("label-items"),
            id=label.id,
            node_id=_node_id("Label", label.id),
            url=f"{API}/repos/{repo.full_name}/labels/{quote(label.name)}",
            name=label.name,
            description=label.description,
            color=label.color,
            default=label.default,
        )

    def _pull_object(self, repo: _Repo, pull: _Pull, template_name: str) -> dict[str, Any]:
        template = _example(template_name)
        number, full = pull.number, repo.full_name
        obj: dict[str, Any] = _relocate(
            template,
            {
                template["base"]["repo"]["full_name"]: full,
                f"/pulls/{template['number']}": f"/pulls/{number}",
                f"/pull/{template['number']}": f"/pull/{number}",
                f"/issues/{template['number']}": f"/issues/{number}",
                template["head"]["sha"]: pull.head_sha,
            },
        )
        head_owner = pull.head_repo.owner if pull.head_repo else pull.author
        comments = sum(1 for n, _ in repo.comments.values() if n == number)
        additions = sum(f.additions for f in pull.files)
        deletions = sum(f.deletions for f in pull.files)
        return _assign(
            obj,
            id=pull.id,
            node_id=_node_id("PullRequest", pull.id),
            number=number,
            state=pull.state,
            locked=False,
            title=pull.title,
            user=self._user(pull.author),
            body=pull.body,
            labels=[self._label(repo, key) for key in pull.labels],
            milestone=None,
            active_lock_reason=None,
            created_at=_iso(pull.created_at),
            updated_at=_iso(pull.updated_at),
            closed_at=_iso(pull.closed_at),
            merged_at=_iso(pull.merged_at),
            merge_commit_sha=_sha(full, number, "merge"),
            assignee=None,
            assignees=[],
            requested_reviewers=[],
            requested_teams=[],
            head={
                "label": f"{head_owner.login}:{pull.head_ref}",
                "ref": pull.head_ref,
                "sha": pull.head_sha,
                "user": self._user(head_owner),
                "repo": self._repository(pull.head_repo, template["head"]["repo"])
                if pull.head_repo
                else None,
            },
            base={
                "label": f"{repo.owner.login}:{pull.base_ref}",
                "ref": pull.base_ref,
                "sha": pull.base_sha,
                "user": self._user(repo.owner),
                "repo": self._repository(repo, template["base"]["repo"]),
            },
            author_association=pull.author_association,
            auto_merge=None,
            draft=pull.draft,
            merged=pull.merged_at is not None,
            mergeable=True if pull.state == "open" else None,
            rebaseable=True if pull.state == "open" else None,
            mergeable_state="clean" if pull.state == "open" else "unknown",
            merged_by=self._user(pull.merged_by) if pull.merged_by else None,
            comments=comments,
            review_comments=0,
            maintainer_can_modify=pull.head_repo is not None and pull.head_repo is not repo,
            commits=1,
            additions=additions,
            deletions=deletions,
            changed_files=len(pull.files),
        )

    def _file_object(self, repo: _Repo, pull: _Pull, change: FileChange) -> dict[str, Any]:
        full, path = repo.full_name, quote(change.filename)
        obj = _assign(
            _example("diff-entry-items"),
            sha=_sha(full, pull.head_sha, change.filename),
            filename=change.filename,
            status=change.status,
            additions=change.additions,
            deletions=change.deletions,
            changes=change.additions + change.deletions,
            blob_url=f"{WEB}/{full}/blob/{pull.head_sha}/{path}",
            raw_url=f"{WEB}/{full}/raw/{pull.head_sha}/{path}",
            contents_url=f"{API}/repos/{full}/contents/{path}?ref={pull.head_sha}",
            patch=f"@@ -1,{change.deletions} +1,{change.additions} @@",
        )
        if change.previous_filename is not None:
            obj["previous_filename"] = change.previous_filename
        return obj

    def _issue_object(self, repo: _Repo, pull: _Pull) -> dict[str, Any]:
        template = _example("issue")
        number, full = pull.number, repo.full_name
        obj: dict[str, Any] = _relocate(
            template,
            {
                template["repository_url"].removeprefix(f"{API}/repos/"): full,
                f"/issues/{template['number']}": f"/issues/{number}",
            },
        )
        return _assign(
            obj,
            id=pull.issue_id,
            node_id=_node_id("Issue", pull.issue_id),
            html_url=f"{WEB}/{full}/pull/{number}",
            number=number,
            state=pull.state,
            title=pull.title,
            body=pull.body,
            user=self._user(pull.author),
            pinned_comment=None,
            labels=[self._label(repo, key) for key in pull.labels],
            assignee=None,
            assignees=[],
            milestone=None,
            locked=False,
            active_lock_reason=None,
            comments=sum(1 for n, _ in repo.comments.values() if n == number),
            pull_request={
                "url": f"{API}/repos/{full}/pulls/{number}",
                "html_url": f"{WEB}/{full}/pull/{number}",
                "diff_url": f"{WEB}/{full}/pull/{number}.diff",
                "patch_url": f"{WEB}/{full}/pull/{number}.patch",
                "merged_at": _iso(pull.merged_at),
            },
            closed_at=_iso(pull.closed_at),
            created_at=_iso(pull.created_at),
            updated_at=_iso(pull.updated_at),
            closed_by=self._user(pull.merged_by or pull.author) if pull.closed_at else None,
            author_association=pull.author_association,
            state_reason=None,
        )

    def _comment_object(self, repo: _Repo, number: int, comment: Comment) -> dict[str, Any]:
        full = repo.full_name
        url = f"{API}/repos/{full}/issues/comments/{comment.id}"
        counts = Counter(reaction.content for reaction in comment.reactions)
        obj = _assign(
            _example("issue-comment"),
            id=comment.id,
            node_id=_node_id("IssueComment", comment.id),
            url=url,
            html_url=f"{WEB}/{full}/pull/{number}#issuecomment-{comment.id}",
            body=comment.body,
            user=self._user(self._account(comment.user_login)),
            created_at=_iso(comment.created_at),
            updated_at=_iso(comment.updated_at),
            issue_url=f"{API}/repos/{full}/issues/{number}",
            author_association=comment.author_association,
            pin=None,
            minimized=None,
        )
        obj["performed_via_github_app"] = None
        obj["reactions"] = {
            "url": f"{url}/reactions",
            "total_count": len(comment.reactions),
            **{content: counts[content] for content in REACTIONS},
        }
        return obj

    def _reaction_object(self, reaction: Reaction) -> dict[str, Any]:
        return _assign(
            _example("reaction"),
            id=reaction.id,
            node_id=_node_id("Reaction", reaction.id),
            user=self._user(self._account(reaction.user_login)),
            content=reaction.content,
            created_at=_iso(reaction.created_at),
        )

    def _status_object(
        self, repo: _Repo, sha: str, status: Status, template: dict[str, Any]
    ) -> dict[str, Any]:
        creator = self._account(status.creator_login)
        obj = _assign(
            copy.deepcopy(template),
            url=f"{API}/repos/{repo.full_name}/statuses/{sha}",
            avatar_url=f"https://avatars.githubusercontent.com/u/{creator.id}?v=4",
            id=status.id,
            node_id=_node_id("StatusContext", status.id),
            state=status.state,
            description=status.description,
            target_url=status.target_url,
            context=status.context,
            created_at=_iso(status.created_at),
            updated_at=_iso(status.created_at),
        )
        return _assign(obj, creator=self._user(creator))

    # -- operations -------------------------------------------------------------------------

    def _get_repository(self, params: Mapping[str, str], _query: Any, _body: Any) -> _Reply:
        return _Reply(200, self._full_repository(self._repo_from(params)))

    def _list_pulls(self, params: Mapping[str, str], query: list[tuple[str, str]], _body: Any) -> _Reply:
        repo = self._repo_from(params)
        options = dict(query)
        state = options.get("state", "open")
        pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
        if "base" in options:
            pulls = [p for p in pulls if p.base_ref == options["base"]]
        if "head" in options:
            pulls = [
                p
                for p in pulls
                if p.head_repo and f"{p.head_repo.owner.login}:{p.head_ref}" == options["head"]
            ]
        sort = options.get("sort", "created")
        now = self.clock()
        if sort == "long-running":
            month = timedelta(days=30)
            pulls = [p for p in pulls if p.created_at < now - month and p.updated_at > now - month]
        keys: dict[str, Callable[[_Pull], Any]] = {
            "created": lambda p: p.created_at,
            "long-running": lambda p: p.created_at,
            "updated": lambda p: p.updated_at,
            "popularity": lambda p: sum(1 for n, _ in repo.comments.values() if n == p.number),
        }
        default_direction = "desc" if sort == "created" else "asc"
        descending = options.get("direction", default_direction) == "desc"
        pulls.sort(key=lambda p: (keys[sort](p), p.number), reverse=descending)
        page, headers = self._paginate(pulls, query, repo, "/pulls")
        return _Reply(200, [self._pull_object(repo, p, "pull-request-simple-items") for p in page], headers)

    def _get_pull(self, params: Mapping[str, str], _query: Any, _body: Any) -> _Reply:
        repo = self._repo_from(params)
        return _Reply(200, self._pull_object(repo, self._pull(repo, params["pull_number"]), "pull-request"))

    def _list_pull_files(self, params: Mapping[str, str], query: list[tuple[str, str]], _body: Any) -> _Reply:
        repo = self._repo_from(params)
        pull = self._pull(repo, params["pull_number"])
        files = pull.files[:MAX_PULL_FILES]
        page, headers = self._paginate(files, query, repo, f"/pulls/{pull.number}/files")
        return _Reply(200, [self._file_object(repo, pull, f) for f in page], headers)

    def _get_issue(self, params: Mapping[str, str], _query: Any, _body: Any) -> _Reply:
        repo = self._repo_from(params)
        return _Reply(200, self._issue_object(repo, self._pull(repo, params["issue_number"])))

    def _list_comments(self, params: Mapping[str, str], query: list[tuple[str, str]], _body: Any) -> _Reply:
        repo = self._repo_from(params)
        number = self._pull(repo, params["issue_number"]).number
        comments = [c for n, c in sorted(repo.comments.values(), key=_by_id) if n == number]
        since = dict(query).get("since")
        if since:
            comments = [c for c in comments if c.updated_at >= _parse_time(since)]
        page, headers = self._paginate(comments, query, repo, f"/issues/{number}/comments")
        return _Reply(200, [self._comment_object(repo, number, c) for c in page], headers)

    def _create_comment(self, params: Mapping[str, str], _query: Any, body: Any) -> _Reply:
        repo = self._repo_from(params)
        pull = self._pull(repo, params["issue_number"])
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            raise _validation_failed("IssueComment", "body", "missing_field")
        now = self.clock()
        comment = Comment(
            id=self._next_id("comment"),
            body=text,
            user_login=self.viewer.login,
            author_association=self._association(repo, self.viewer),
            created_at=now,
            updated_at=now,
        )
        repo.comments[comment.id] = (pull.number, comment)
        pull.updated_at = now  # as on GitHub: a new comment is a change of the issue
        obj = self._comment_object(repo, pull.number, comment)
        return _Reply(201, obj, {"Location": obj["url"]})

    def _update_comment(self, params: Mapping[str, str], _query: Any, body: Any) -> _Reply:
        repo = self._repo_from(params)
        number, comment = self._comment(repo, params["comment_id"])
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            raise _validation_failed("IssueComment", "body", "missing_field")
        comment = replace(comment, body=text, updated_at=self.clock())
        repo.comments[comment.id] = (number, comment)
        return _Reply(200, self._comment_object(repo, number, comment))

    def _create_reaction(self, params: Mapping[str, str], _query: Any, body: Any) -> _Reply:
        repo = self._repo_from(params)
        number, comment = self._comment(repo, params["comment_id"])
        content = body.get("content") if isinstance(body, dict) else None
        if content not in REACTIONS:
            raise _validation_failed("Reaction", "content", "invalid")
        for reaction in comment.reactions:
            if reaction.user_login == self.viewer.login and reaction.content == content:
                return _Reply(200, self._reaction_object(reaction))
        reaction = Reaction(self._next_id("reaction"), content, self.viewer.login, self.clock())
        repo.comments[comment.id] = (
            number,
            replace(comment, reactions=(*comment.reactions, reaction)),
        )
        return _Reply(201, self._reaction_object(reaction))

    def _create_status(self, params: Mapping[str, str], _query: Any, body: Any) -> _Reply:
        repo = self._repo_from(params)
        sha = params["sha"]
        options = body if isinstance(body, dict) else {}
        if options.get("state") not in STATUS_STATES:
            raise _validation_failed("Status", "state", "invalid")
        status = Status(
            id=self._next_id("status"),
            state=options["state"],
            context=options.get("context") or "default",
            description=options.get("description"),
            target_url=options.get("target_url"),
            creator_login=self.viewer.login,
            created_at=self.clock(),
        )
        repo.statuses.setdefault(sha, []).append(status)
        obj = self._status_object(repo, sha, status, _example("status"))
        return _Reply(201, obj, {"Location": obj["url"]})

    def _get_combined_status(
        self, params: Mapping[str, str], query: list[tuple[str, str]], _body: Any
    ) -> _Reply:
        repo = self._repo_from(params)
        sha = params["ref"]
        latest: dict[str, Status] = {}
        for status in repo.statuses.get(sha, []):
            latest.pop(status.context, None)
            latest[status.context] = status
        current = list(latest.values())  # the latest of each context, oldest first
        states = {s.state for s in current}
        if states & {"error", "failure"}:
            state = "failure"
        elif not current or "pending" in states:
            state = "pending"
        else:
            state = "success"
        template = _example("combined-commit-status")
        options = dict(query)
        per_page = min(max(_int_param(options, "per_page", 30), 1), 100)
        page = max(_int_param(options, "page", 1), 1)
        shown = current[(page - 1) * per_page : page * per_page]
        return _Reply(
            200,
            _assign(
                template,
                state=state,
                statuses=[self._status_object(repo, sha, s, template["statuses"][0]) for s in shown],
                sha=sha,
                total_count=len(current),
                repository=self._repository(repo, template["repository"]),
                commit_url=f"{API}/repos/{repo.full_name}/commits/{sha}",
                url=f"{API}/repos/{repo.full_name}/commits/{sha}/status",
            ),
        )

    def _add_labels(self, params: Mapping[str, str], _query: Any, body: Any) -> _Reply:
        repo = self._repo_from(params)
        pull = self._pull(repo, params["issue_number"])
        entries = body.get("labels") if isinstance(body, dict) else body
        if not isinstance(entries, list) or not entries:
            raise _validation_failed("Label", "labels", "missing_field")
        names = [entry["name"] if isinstance(entry, dict) else entry for entry in entries]
        for name in names:
            if not isinstance(name, str) or not name.strip() or len(name) > MAX_LABEL_LENGTH:
                raise _validation_failed("Label", "name", "invalid", value=name)
        for name in names:
            self._apply_label(repo, pull, name)
        pull.updated_at = self.clock()
        return _Reply(200, [self._label(repo, key) for key in pull.labels])

    def _remove_label(self, params: Mapping[str, str], _query: Any, _body: Any) -> _Reply:
        repo = self._repo_from(params)
        pull = self._pull(repo, params["issue_number"])
        key = params["name"].lower()
        if key not in pull.labels:
            raise _HttpError(404, "Label does not exist")
        pull.labels.remove(key)
        pull.updated_at = self.clock()
        return _Reply(200, [self._label(repo, k) for k in pull.labels])

    def _get_permission(self, params: Mapping[str, str], _query: Any, _body: Any) -> _Reply:
        repo = self._repo_from(params)
        account = self._account(params["username"])
        role = self._role(repo, account.login)
        flags = _PERMISSION_FLAGS[role]
        collaborator = self._user(account)
        collaborator["permissions"] = {
            flag: flag in flags for flag in ("admin", "maintain", "push", "triage", "pull")
        }
        collaborator["role_name"] = role
        return _Reply(200, {"permission": _LEGACY_PERMISSION[role], "role_name": role, "user": collaborator})

    def _get_rate_limit(self, _params: Any, _query: Any, _body: Any) -> _Reply:
        overview = _example("rate-limit-overview")
        reset = int(self.clock().timestamp()) + 3600
        used = self.total()
        for name, resource in overview["resources"].items():
            spent = used if name == "core" else 0
            resource.update(used=spent, remaining=resource["limit"] - spent, reset=reset)
        overview["rate"] = dict(overview["resources"]["core"])
        return _Reply(200, overview)

    def _get_viewer(self, _params: Any, _query: Any, _body: Any) -> _Reply:
        template = _example("private-user-response-with-public-and-private-profile-information")
        user = _assign(
            template,
            **self._user(self.viewer),
            name=None,
            company=None,
            blog="",
            location=None,
            email=None,
            hireable=None,
            bio=None,
            twitter_username=None,
        )
        user["user_view_type"] = "private"
        return _Reply(200, user)


def _by_id(entry: tuple[int, Comment]) -> int:
    return entry[1].id


def _error(error: _HttpError, documentation_url: str) -> _Reply:
    body = {"message": error.message, **error.extra, "documentation_url": documentation_url}
    return _Reply(error.status, {**body, "status": str(error.status)})


def _validation_failed(resource: str, field_name: str, code: str, **extra: Any) -> _HttpError:
    error = {"resource": resource, "code": code, "field": field_name, **extra}
    return _HttpError(422, "Validation Failed", errors=[error])


def _match(method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None, {}
