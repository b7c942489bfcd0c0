"""The GitHub adapter: PyGithub calls in, core dataclasses out, and reports published."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest as GhPull
from github.Requester import Requester

from extracredit.core.model import Account, ChangedFile, PullRequest
from extracredit.errors import GitHubError, MissingEnvironment, NotFound
from extracredit.forge.actions import ActionsEnv
from extracredit.forge.base import OurComment
from extracredit.forge.progress import Progress, track
from extracredit.retry import Done, GaveUp, RetryPolicy, TransientError
from extracredit.settings import env_number
from extracredit.text import messages
from extracredit.text import progress as progress_words
from extracredit.text.changes import COMMENT_MARKER, Changes, Existing, published_head

T = TypeVar("T")
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
REQUEST_TIMEOUT = 10
WRITE_SPACING = 0.25  # seconds between writes on one connection, unless the environment says


def classify(error: Exception) -> TransientError | None:
    """Which PyGithub and requests failures are worth retrying."""
    if isinstance(error, GithubException):
        headers = error.headers or {}
        retry_after = headers.get("retry-after") or headers.get("Retry-After")
        wait = float(retry_after) if retry_after and str(retry_after).isdigit() else None
        text = json.dumps(error.data) if error.data is not None else ""
        reset = headers.get("x-ratelimit-reset") or headers.get("X-RateLimit-Reset")
        remaining = headers.get("x-ratelimit-remaining") or headers.get("X-RateLimit-Remaining")
        if str(remaining) == "0" and reset and str(reset).isdigit() and error.status in (403, 429):
            # The hour's quota is used up: nothing helps before it resets.
            return TransientError("rate limit used up", max(0.0, int(reset) - time.time() + 1))
        if error.status in RETRYABLE_STATUSES:
            return TransientError(f"HTTP {error.status}", wait)
        if error.status == 403 and ("rate limit" in text.lower() or wait is not None):
            return TransientError("rate limited (HTTP 403)", wait)
        return None
    if isinstance(error, requests.exceptions.Timeout):
        return TransientError("timed out")
    if isinstance(error, requests.exceptions.ConnectionError):
        return TransientError("connection failed")
    if isinstance(error, ValueError):  # a body that is not the JSON it should be
        return TransientError("malformed response")
    return None


def connect(token: str, *, throttle: float = 0.25, timeout: int = REQUEST_TIMEOUT) -> Github:
    """A client with a timeout on every request; retries are ours (see ``retry``), not urllib3's."""
    return Github(
        auth=Auth.Token(token),
        per_page=100,
        timeout=timeout,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=throttle,
        lazy=True,
    )


def connect_from_environment(env: ActionsEnv, *, throttle: float = WRITE_SPACING,
                             policy: RetryPolicy | None = None) -> Callable[[str], GitHubForge]:
    """Each repo's forge, all on one client for GITHUB_TOKEN, with the timeout and the spacing of
    writes (``throttle``) that EXTRACREDIT_GITHUB_TIMEOUT and EXTRACREDIT_GITHUB_THROTTLE set."""
    if not env.token:
        raise MissingEnvironment("GITHUB_TOKEN")
    timeout = int(env_number("EXTRACREDIT_GITHUB_TIMEOUT", REQUEST_TIMEOUT))
    client = connect(env.token, throttle=env_number("EXTRACREDIT_GITHUB_THROTTLE", throttle),
                     timeout=timeout)

    def forge_for(repo: str) -> GitHubForge:
        return GitHubForge(client, repo, policy=policy, settle=timeout)

    return forge_for


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _describe(error: Exception) -> str:
    if isinstance(error, GithubException):
        message = error.data.get("message") if isinstance(error.data, dict) else None
        return f"HTTP {error.status}" + (f": {message}" if message else "")
    return str(error) or type(error).__name__


class GitHubForge:
    """One repository's PRs, read and written through PyGithub with our retry policy (a Forge)."""

    def __init__(self, client: Github, repo: str, policy: RetryPolicy | None = None,
                 settle: float = REQUEST_TIMEOUT) -> None:
        self.client = client
        self.settle = settle  # how long a timed-out write may take to land: the request timeout
        self.repo_name = repo
        self.repo = client.get_repo(repo)  # lazy: the client is built with lazy=True
        self.policy = policy or RetryPolicy()

    def _classify_write(self, error: Exception) -> TransientError | None:
        """As ``classify``, but a timed-out write may still land: wait it out before looking."""
        transient = classify(error)
        if transient is not None and isinstance(error, requests.exceptions.Timeout):
            return TransientError(transient.reason, retry_after=self.settle)
        return transient

    def _call(self, call: Callable[[], T], before_retry: Callable[[], None] | None = None) -> T:
        try:
            if before_retry is not None:
                return self.policy.run(call, self._classify_write, before_retry)
            return self.policy.run(call, classify, before_retry)
        except GithubException as error:
            if error.status == 404:
                raise NotFound(messages.GITHUB_FAILED.format(reason=_describe(error))) from None
            raise GitHubError(messages.GITHUB_FAILED.format(reason=_describe(error))) from None
        except GaveUp as error:
            cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
            reason = f"{_describe(cause)}, after {error.attempts} attempts"
            raise GitHubError(messages.GITHUB_FAILED.format(reason=reason)) from None
        except GitHubError:
            raise
        except Exception as error:
            raise GitHubError(messages.GITHUB_FAILED.format(reason=_describe(error))) from None

    def pull(self, number: int) -> PullRequest:
        """The live PR with its changed files (two requests for up to 100 files)."""
        return self.live(number)[0]

    def live(self, number: int) -> tuple[PullRequest, int]:
        """The live PR with its changed files, and how many comments it has (so that a PR with
        none is not asked for them)."""
        def load() -> GhPull:
            pull = self.repo.get_pull(number)
            pull.raw_data  # noqa: B018 - completes the lazy object now, inside the retry
            return pull

        try:
            pull = self._call(load)
        except NotFound:
            raise NotFound(messages.GITHUB_PR_NOT_FOUND.format(
                pr=f"{self.repo_name}#{number}")) from None
        comments = pull.raw_data.get("comments")
        return self._convert(pull, self.files(pull)), comments if isinstance(comments, int) else -1

    def files(self, pull: GhPull | int) -> tuple[ChangedFile, ...]:
        """A PR's changed files, 100 a request; given a number, the PR itself is not fetched."""
        lazy = self.repo.get_pull(pull) if isinstance(pull, int) else pull  # lazy: no request
        return tuple(self._call(lambda: [
            ChangedFile(f.filename, f.status, f.additions, f.deletions) for f in lazy.get_files()]))

    def list_pulls(self, opened_since: datetime, wants_files: Callable[[PullRequest], bool],
                   updated_since: datetime | None = None) -> list[PullRequest]:
        """Every PR created since a moment, a page of 100 per request; changed files only for
        the PRs ``wants_files`` picks (one more request each). With ``updated_since``, only the
        PRs GitHub changed since then: most recently updated first, stopping at the first older one.

        The listing comes first and the files after it, each with its own progress: the number
        of PRs that need files is known by then, so their progress has a total and an ETA.
        """
        order = "created" if updated_since is None else "updated"

        def page(number: int) -> list[GhPull]:
            listing = self.repo.get_pulls(state="all", sort=order, direction="desc")
            return list(listing.get_page(number))

        found: list[tuple[PullRequest, GhPull]] = []
        with Progress(progress_words.listing(self.repo_name)) as listed:
            number, more = 0, True
            while more:
                pulls = self._call(lambda n=number: page(n))  # type: ignore[misc]
                more = len(pulls) == 100
                for pull in pulls:
                    converted = self._convert(pull, ())
                    if updated_since is not None:
                        if converted.updated_at is not None and converted.updated_at < updated_since:
                            more = False
                            break
                        if converted.created_at < opened_since:
                            continue
                    elif converted.created_at < opened_since:
                        more = False
                        break
                    found.append((converted, pull))
                    listed.advance()
                number += 1
        result = [converted for converted, _ in found]
        wanted = [at for at, converted in enumerate(result) if wants_files(converted)]
        for at in track(wanted, progress_words.fetching_files(self.repo_name)):
            result[at] = replace(result[at], files=self.files(found[at][1]))
        return result

    def _convert(self, pull: GhPull, files: tuple[ChangedFile, ...]) -> PullRequest:
        """Core data from a PR object's own fields (read as given, never completed lazily)."""
        created = _aware(pull.created_at)
        assert created is not None
        user = pull.user
        return PullRequest(
            repo=self.repo_name,
            number=pull.number,
            title=pull.title or "",
            body=pull.body or "",
            state=pull.state or "open",
            draft=bool(pull.draft),
            created_at=created,
            closed_at=_aware(pull.closed_at),
            merged_at=_aware(pull.merged_at),
            html_url=pull.html_url or "",
            author_association=pull.author_association or "NONE",
            user=Account(user.login if user else "ghost", user.id if user else None,
                         (user.type if user else None) or "User"),
            labels=tuple(label.name for label in pull.labels),
            head_sha=pull.head.sha or "",
            files=files,
            updated_at=_aware(pull.updated_at),
        )

    def permission(self, login: str) -> str:
        """The user's permission on the repo (admin, write, read, none), asked of the API."""
        return str(self._call(lambda: self.repo.get_collaborator_permission(login)))

    def has_write_access(self, login: str) -> bool:
        return self.permission(login) in WRITE_PERMISSIONS

    def react(self, comment_id: int, content: str) -> None:
        """Add a reaction to an issue comment (adding the same one twice is harmless)."""
        self._call(lambda: self.client.requester.requestJsonAndCheck(
            "POST", f"{self.repo.url}/issues/comments/{comment_id}/reactions",
            input={"content": content}))

    def reply_once(self, number: int, marker: str, body: str) -> bool:
        """Post a reply carrying a hidden marker, unless one is there already; True if posted."""
        def find() -> bool:
            issue = self.repo.get_issue(number)
            return any(marker in (c.body or "") and c.user.type == "Bot"
                       for c in issue.get_comments())

        if self._call(find):
            return False

        def already() -> None:
            if find():
                raise Done(None)

        self._call(lambda: self.repo.get_issue(number).create_comment(f"{marker}\n{body}"),
                   already)
        return True

    def _find_comment(self, number: int) -> IssueComment | None:
        for comment in self.repo.get_issue(number).get_comments():
            body = comment.body or ""
            if body.startswith(COMMENT_MARKER) and comment.user.type == "Bot":
                return comment
        return None

    def existing(self, pr: PullRequest, *, comment_count: int = -1,
                 commenting: bool = False) -> tuple[Existing, OurComment | None]:
        """What the PR shows now: our comment (found by its marker), statuses, labels.

        Reads are left out where their answer is known: comments when the PR has none
        (``comment_count`` 0); statuses when our comment says it published for another commit
        (statuses belong to a commit), or when there is no comment and one is about to be posted
        (every status will then link to it, so all are written anyway).
        """
        comment = None if comment_count == 0 else self._call(lambda: self._find_comment(pr.number))

        def statuses() -> dict[str, tuple[str, str, str | None]]:
            _, data = self.client.requester.requestJsonAndCheck(
                "GET", f"{self.repo.url}/commits/{pr.head_sha}/status", parameters={"per_page": 100})
            return {s["context"]: (s["state"], s.get("description") or "", s.get("target_url"))
                    for s in data.get("statuses") or []}

        if comment is not None:
            recorded = published_head(comment.body)
            known_none = recorded is not None and recorded != pr.head_sha
        else:
            known_none = commenting
        current = {} if known_none else self._call(statuses)
        ours = OurComment(comment.id, comment.body or "", comment.html_url) if comment else None
        return Existing(comment.id if comment else None, comment.body if comment else None,
                        current, frozenset(pr.labels)), ours

    def apply(self, pr: PullRequest, changes: Changes, comment: OurComment | None) -> str | None:
        """Write the changes; returns the comment's URL. A comment is never posted twice.

        A new comment comes first (the statuses link to it); then every other write at once,
        each on a connection of its own, so a student waits for one round trip, not one each.
        """
        issue = self.repo.get_issue(pr.number)  # lazy: no request until a write
        writes: list[Callable[[], object]] = []
        if changes.comment == "create" and changes.comment_body is not None:
            body = changes.comment_body

            def already_posted() -> None:
                found = self._find_comment(pr.number)
                if found is not None:
                    raise Done(found)

            created: IssueComment = self._call(lambda: issue.create_comment(body), already_posted)
            comment = OurComment(created.id, created.body or "", created.html_url)
        elif changes.comment == "edit" and comment is not None and changes.comment_body:
            writes.append(partial(self._raw, "PATCH", f"/issues/comments/{comment.id}",
                                  {"body": changes.comment_body}))
        url = comment.html_url if comment is not None else None
        for status in changes.statuses:
            parameters: dict[str, Any] = {"state": status.state, "context": status.context,
                                          "description": status.description}
            if url:
                parameters["target_url"] = url
            writes.append(partial(self._raw, "POST", f"/statuses/{pr.head_sha}", parameters))
        if changes.add_labels:
            names = list(changes.add_labels)
            writes.append(lambda: self._raw("POST", f"/issues/{pr.number}/labels", {"labels": names}))
        for label in changes.remove_labels:
            writes.append(partial(self._remove_label, pr.number, label))
        if len(writes) == 1:
            writes[0]()
        elif writes:
            with ThreadPoolExecutor(max_workers=len(writes)) as pool:
                for done in [pool.submit(write) for write in writes]:
                    done.result()  # the first failure is raised, after every write has ended
        return url

    def _raw(self, verb: str, path: str, body: dict[str, Any]) -> None:
        """One request under the repo's URL, on a requester of its own (one is not thread-safe)."""
        requester = Requester(**self.client.requester.kwargs)
        self._call(lambda: requester.requestJsonAndCheck(verb, f"{self.repo.url}{path}", input=body))

    def _remove_label(self, number: int, name: str) -> None:
        # Someone removing it meanwhile (404) leaves the state we wanted.
        with contextlib.suppress(NotFound):
            requester = Requester(**self.client.requester.kwargs)
            self._call(lambda: requester.requestJsonAndCheck(
                "DELETE", f"{self.repo.url}/issues/{number}/labels/{quote(name, safe='')}"))
