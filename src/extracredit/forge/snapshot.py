"""Frozen PR data as JSON: the offline input of a check, the demo and the tally."""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from extracredit.core.cells import FIRST_YEAR, LAST_YEAR, in_years
from extracredit.core.model import Account, ChangedFile, PullRequest
from extracredit.errors import SnapshotError
from extracredit.forge.snapshot_stream import read_regular, refuse_constant
from extracredit.settings import env_number
from extracredit.text import messages

# A semester of PRs with their files is a few megabytes, a course of 100,000 PRs about 92 MB; the
# bound keeps a runaway file from filling the memory, and EXTRACREDIT_SNAPSHOT_MAX_MIB moves it.
# A snapshot nests six levels deep.
MAX_SNAPSHOT_MIB = 256
MAX_SNAPSHOT_BYTES = MAX_SNAPSHOT_MIB * 1024 * 1024
SNAPSHOT_MAX_MIB_SETTING = "EXTRACREDIT_SNAPSHOT_MAX_MIB"
MAX_SNAPSHOT_DEPTH = 32
# PR numbers and account ids as GitHub gives them: positive, and far below these.
MAX_PR_NUMBER = 10**9
MAX_ACCOUNT_ID = 10**15


@dataclass(frozen=True)
class Snapshot:
    """The course's PRs by repo, frozen at a moment."""

    taken_at: datetime
    pulls: Mapping[str, tuple[PullRequest, ...]]  # repo -> PRs

    def find(self, repo: str, number: int) -> PullRequest | None:
        return next((pr for pr in self.pulls.get(repo, ()) if pr.number == number), None)

    def all_pulls(self) -> list[PullRequest]:
        return [pr for pulls in self.pulls.values() for pr in pulls]


def parse_time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise SnapshotError(f"{where}: expected an ISO 8601 time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SnapshotError(f"{where}: {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SnapshotError(f"{where}: {value!r} has no time zone")
    if not in_years(moment):
        raise SnapshotError(f"{where}: {value!r} is not between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment


class Shared:
    """One object for equal values met again and again while a snapshot is read (logins, file
    paths, states, titles, times, accounts, files): a course of 100,000 PRs repeats most of them,
    and each PR keeping its own copies was most of a tally's memory."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.times: dict[str, datetime] = {}
        self.accounts: dict[tuple[str, int | None, str], Account] = {}
        self.files: dict[tuple[str, str, int, int], ChangedFile] = {}
        self.tuples: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def time(self, value: Any, where: str, field: str) -> datetime:
        if isinstance(value, str):
            known = self.times.get(value)
            if known is not None:
                return known
            moment = self.times[value] = parse_time(value, f"{where}.{field}")
            return moment
        return parse_time(value, f"{where}.{field}")

    def optional_time(self, value: Any, where: str, field: str) -> datetime | None:
        return None if value is None else self.time(value, where, field)

    def account(self, login: str, number: int | None, kind: str) -> Account:
        key = (login, number, kind)
        found = self.accounts.get(key)
        if found is None:
            found = self.accounts[key] = Account(login, number, kind)
        return found

    def file(self, filename: str, status: str, additions: int, deletions: int) -> ChangedFile:
        key = (filename, status, additions, deletions)
        found = self.files.get(key)
        if found is None:
            found = self.files[key] = ChangedFile(filename, status, additions, deletions)
        return found


def pull_from_json(repo: str, data: Any, where: str, shared: Shared | None = None) -> PullRequest:
    """Convert one PR in GitHub's REST field names; raises SnapshotError naming the bad field."""
    if not isinstance(data, dict):
        raise SnapshotError(f"{where}: expected a PR object")
    shared = shared or Shared()
    text = shared.strings.setdefault
    tuples = shared.tuples.setdefault
    try:
        user = data.get("user") or {}
        head = data.get("head") or {}
        files = data.get("files") or []
        number = data["number"]
        if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < MAX_PR_NUMBER:
            raise SnapshotError(f"{where}.number: expected a PR number, got {number!r}")
        # In the order of PullRequest's fields, so that the first bad one is the one named.
        title = str(data.get("title") or "")
        body = str(data.get("body") or "")
        state = str(data.get("state") or "open")
        created_at = shared.time(data["created_at"], where, "created_at")
        closed_at = shared.optional_time(data.get("closed_at"), where, "closed_at")
        merged_at = shared.optional_time(data.get("merged_at"), where, "merged_at")
        html_url = str(data.get("html_url") or f"https://github.com/{repo}/pull/{number}")
        association = str(data.get("author_association") or "NONE")
        login = str(user.get("login") or "ghost")
        account = shared.account(text(login, login), _account_id(user.get("id")),
                                 text(kind := str(user.get("type") or "User"), kind))
        raw_labels = data.get("labels") or []
        labels: tuple[str, ...] = ()
        if raw_labels:  # most PRs have none
            names = (str(label.get("name")) for label in raw_labels
                     if isinstance(label, dict) and label.get("name"))
            labels = tuples(found := tuple(text(name, name) for name in names), found)
        head_sha = str(head.get("sha") or "")
        file = shared.file
        changed = tuple(file(text(name := str(f["filename"]), name),
                             text(status := str(f.get("status") or "modified"), status),
                             int(f.get("additions") or 0), int(f.get("deletions") or 0))
                        for f in files)
        return PullRequest(
            repo=text(repo, repo),
            number=number,
            title=text(title, title),
            body=text(body, body),
            state=text(state, state),
            draft=bool(data.get("draft")),
            created_at=created_at,
            closed_at=closed_at,
            merged_at=merged_at,
            html_url=html_url,
            author_association=text(association, association),
            user=account,
            labels=labels,
            head_sha=head_sha,
            files=changed,
            updated_at=shared.optional_time(data.get("updated_at"), where, "updated_at"),
        )
    except KeyError as error:
        raise SnapshotError(f"{where}: the field {error.args[0]!r} is missing") from None
    except (TypeError, ValueError, AttributeError) as error:
        raise SnapshotError(f"{where}: {error}") from None


def _account_id(value: Any) -> int | None:
    """An account id as GitHub gives it; anything else is no id (the login still names the author)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_ACCOUNT_ID:
        return None
    return value


def pull_to_json(pr: PullRequest) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat().replace("+00:00", "Z") if moment else None

    return {
        "number": pr.number,
        "title": pr.title,
        "body": pr.body,
        "state": pr.state,
        "draft": pr.draft,
        "created_at": when(pr.created_at),
        "closed_at": when(pr.closed_at),
        "merged_at": when(pr.merged_at),
        "updated_at": when(pr.updated_at),
        "html_url": pr.html_url,
        "author_association": pr.author_association,
        "user": {"login": pr.user.login, "id": pr.user.id, "type": pr.user.type},
        "labels": [{"name": name} for name in pr.labels],
        "head": {"sha": pr.head_sha},
        "files": [{"filename": f.filename, "status": f.status, "additions": f.additions,
                   "deletions": f.deletions} for f in pr.files],
    }


def parse_snapshot(data: Any) -> Snapshot:
    if not isinstance(data, dict):
        raise SnapshotError("expected a JSON object with 'taken_at' and 'repos'")
    taken_at = parse_time(data.get("taken_at"), "taken_at")
    repos = data.get("repos")
    if not isinstance(repos, dict):
        raise SnapshotError("'repos' must map OWNER/REPO to {\"pulls\": [...]}")
    pulls = {}
    shared = Shared()
    for repo, content in repos.items():
        items = content.get("pulls") if isinstance(content, dict) else None
        if not isinstance(items, list):
            raise SnapshotError(f"repos[{repo!r}].pulls must be a list of PRs")
        pulls[repo] = tuple(pull_from_json(repo, item, f"repos[{repo!r}].pulls[{index}]", shared)
                            for index, item in enumerate(items))
    return Snapshot(taken_at, pulls)


def render_snapshot(taken_at: datetime, pulls: Sequence[PullRequest], repos: Sequence[str]) -> str:
    """The snapshot file's text: stable order and layout, so that diffs between runs are small."""
    content = {repo: {"pulls": [pull_to_json(pr) for pr in sorted(
        (pr for pr in pulls if pr.repo == repo), key=lambda pr: pr.number)]} for repo in repos}
    return json.dumps({"taken_at": taken_at.isoformat(timespec="seconds"), "repos": content},
                      indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def nesting_depth(value: Any) -> int:
    """How deep a JSON value nests its arrays and objects (walked without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return deepest


def max_snapshot_bytes() -> int:
    """The bound on a snapshot's size: EXTRACREDIT_SNAPSHOT_MAX_MIB, else MAX_SNAPSHOT_MIB."""
    mib = env_number(SNAPSHOT_MAX_MIB_SETTING, MAX_SNAPSHOT_MIB, unit="MiB")
    return int(mib * 1024 * 1024)


def read_text(path: Path) -> str:
    """A file's text, of bounded size and in UTF-8; ValueError or OSError when it is not one."""
    limit = max_snapshot_bytes()
    with path.open("rb") as handle:
        # The size first, for a regular file: a file far over the bound is not read at all.
        if os.fstat(handle.fileno()).st_size > limit:
            raise ValueError(messages.snapshot_too_large(limit, SNAPSHOT_MAX_MIB_SETTING))
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise ValueError(messages.snapshot_too_large(limit, SNAPSHOT_MAX_MIB_SETTING))
    return raw.decode("utf-8")


def read_json(path: Path) -> Any:
    """A JSON file of bounded size and depth, with finite numbers only (``NaN`` and ``Infinity``,
    which Python's json reads, are not JSON); ValueError or OSError when it is not one."""
    return parse_json(read_text(path))


def parse_json(text: str) -> Any:
    """``read_json`` of a file's text."""
    too_deep = ValueError(f"nested more than {MAX_SNAPSHOT_DEPTH} levels deep")
    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:  # deeper than the parser's stack: deeper than any snapshot
        raise too_deep from None
    if nesting_depth(data) > MAX_SNAPSHOT_DEPTH:
        raise too_deep
    return data


def _read_regular(chunks: Iterable[str]) -> Snapshot | None:
    """The snapshot read PR by PR (``snapshot_stream``), or None for the ordinary reading."""
    shared = Shared()
    found = read_regular(chunks, lambda repo, data, where: pull_from_json(repo, data, where, shared),
                         MAX_SNAPSHOT_DEPTH, nesting_depth)
    if found is None:
        return None
    try:
        return Snapshot(parse_time(found[0], "taken_at"), found[1])
    except SnapshotError:
        return None


CHUNK_BYTES = 1 << 20


def _chunks(handle: BinaryIO, limit: int) -> Iterator[str]:
    """A file's text a chunk at a time; ValueError past ``limit`` bytes or at a byte that is
    not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    while raw := handle.read(CHUNK_BYTES):
        size += len(raw)
        if size > limit:
            raise ValueError("too large")
        yield decoder.decode(raw)
    yield decoder.decode(b"", final=True)


def _read_regular_file(path: Path) -> Snapshot | None:
    """A regular file's snapshot read PR by PR, never whole (see ``snapshot_stream``); None for
    the ordinary reading, which says what is wrong."""
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        limit = max_snapshot_bytes()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return _read_regular(_chunks(handle, limit))


def load_snapshot(path: Path) -> Snapshot:
    try:
        regular = _read_regular_file(path)
        if regular is not None:
            return regular
        data = read_json(path)
    except OSError as error:
        raise SnapshotError(messages.SNAPSHOT_UNREADABLE.format(
            path=path, reason=error.strerror or error)) from None
    except ValueError as error:
        raise SnapshotError(messages.SNAPSHOT_UNREADABLE.format(
            path=path, reason=f"not JSON ({error})")) from None
    try:
        return parse_snapshot(data)
    except SnapshotError as error:
        raise SnapshotError(messages.SNAPSHOT_UNREADABLE.format(path=path, reason=error)) from None
