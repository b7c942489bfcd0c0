"""The GitHub Actions edge: the event file, step outputs, the job summary and annotations."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extracredit.errors import EventError
from extracredit.text import messages

PR_EVENTS = frozenset({"pull_request", "pull_request_target"})
CHECKED_ACTIONS = frozenset({"opened", "reopened", "synchronize", "ready_for_review", "edited"})


@dataclass(frozen=True)
class ActionsEnv:
    """The GITHUB_* variables the commands use, read once when a command starts ("" when unset)."""

    running: bool  # GITHUB_ACTIONS is "true": inside a workflow run, whose log is public
    event_name: str  # GITHUB_EVENT_NAME
    event_path: str  # GITHUB_EVENT_PATH: the event's JSON payload
    repository: str  # GITHUB_REPOSITORY: owner/name of the workflow's repo
    output: str  # GITHUB_OUTPUT: the file of the step's outputs
    step_summary: str  # GITHUB_STEP_SUMMARY: the file of the job's summary
    token: str = field(repr=False)  # GITHUB_TOKEN: kept out of any printed form


def read_environment(environ: Mapping[str, str] | None = None) -> ActionsEnv:
    """The ActionsEnv of ``environ`` (this process's environment unless given)."""
    values = os.environ if environ is None else environ
    return ActionsEnv(
        running=values.get("GITHUB_ACTIONS") == "true",
        event_name=values.get("GITHUB_EVENT_NAME", ""),
        event_path=values.get("GITHUB_EVENT_PATH", ""),
        repository=values.get("GITHUB_REPOSITORY", ""),
        output=values.get("GITHUB_OUTPUT", ""),
        step_summary=values.get("GITHUB_STEP_SUMMARY", ""),
        token=values.get("GITHUB_TOKEN", ""),
    )



@dataclass(frozen=True)
class Trigger:
    """The PR an event is about, and whether the event can change its verdict."""

    repo: str
    number: int
    run: bool  # False when the event cannot change the verdict (e.g. a base-branch edit)
    action: str


def read_event(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EventError(messages.EVENT_UNREADABLE.format(
            path=path, reason=error.strerror or error)) from None
    except ValueError as error:
        raise EventError(messages.EVENT_UNREADABLE.format(
            path=path, reason=f"not JSON ({error})")) from None
    if not isinstance(data, dict):
        raise EventError(messages.EVENT_UNREADABLE.format(path=path, reason="not a JSON object"))
    return data


def trigger_from_event(event_name: str, event: Mapping[str, Any], repository: str) -> Trigger:
    """Which PR an event is about, and whether it can change the verdict."""
    action = str(event.get("action") or "")
    changes = event.get("changes")
    pull = event.get("pull_request")
    if event_name in PR_EVENTS and isinstance(pull, dict):
        number = pull.get("number", event.get("number"))
        repo = _repo_of(event) or repository
        if not isinstance(number, int) or isinstance(number, bool) or not repo:
            raise EventError(messages.EVENT_NOT_A_PR.format(event=event_name))
        run = action in CHECKED_ACTIONS
        if action == "edited":
            run = isinstance(changes, dict) and ("title" in changes or "body" in changes)
        return Trigger(repo, number, run, action)
    issue = event.get("issue")
    if event_name == "issue_comment" and isinstance(issue, dict) and issue.get("pull_request"):
        repo = _repo_of(event) or repository
        number = issue.get("number")
        if isinstance(number, int) and not isinstance(number, bool) and repo:
            return Trigger(repo, number, True, action)
    raise EventError(messages.EVENT_NOT_A_PR.format(event=event_name))


def _repo_of(event: Mapping[str, Any]) -> str:
    repository = event.get("repository")
    name = repository.get("full_name") if isinstance(repository, dict) else None
    return name if isinstance(name, str) else ""


def write_outputs(path: str, values: Mapping[str, str]) -> None:
    """Append step outputs; a random delimiter keeps any value from forging another output."""
    with open(path, "a", encoding="utf-8") as handle:
        for key, value in values.items():
            # os.urandom is what secrets.token_hex reads; secrets itself loads hmac and OpenSSL.
            delimiter = f"EOF_{os.urandom(8).hex()}"
            handle.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(path: str, markdown: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(markdown.rstrip("\n") + "\n")


def annotation(level: str, message: str) -> str:
    """A workflow command line; the message is escaped so it cannot start another command."""
    return f"::{level}::{public_line(message)}"


# The runner reads the log line by line (a line ends at \r or \n) and obeys a line that starts,
# after leading white space, with `::` (or `::stop-commands::TOKEN`, which silences every command
# after it), or that holds `##[` anywhere (the older syntax). Other control characters are not
# commands but can recolour or hide what follows, so they are escaped too.
_CONTROL = {chr(code): f"%{code:02X}" for code in (*range(0x20), 0x7F) if code != 0x09}


def public_line(text: str) -> str:
    """``text`` as one line of a public Actions log, starting no workflow command: ``%``, CR and
    LF (and the other control characters) escaped as the Actions toolkit escapes command data,
    ``##[`` written ``##%5B``, and a leading ``::`` written ``%3A:``."""
    escaped = "".join(_CONTROL.get(char, char) for char in text.replace("%", "%25"))
    escaped = escaped.replace("##[", "##%5B")
    start = 0
    while start < len(escaped) and _blank(escaped[start]):
        start += 1
    if escaped.startswith("::", start):
        escaped = f"{escaped[:start]}%3A{escaped[start + 1:]}"
    return escaped


def _blank(char: str) -> bool:
    """Is ``char`` one the runner may trim before looking for ``::`` (wider than it, to be safe)?"""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def running_in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def say(text: str, *, stderr: bool = False) -> None:
    """Print a message (stdout, or stderr): in GitHub Actions, whose log is public, through
    ``public_line``, so that nothing in it can act as a workflow command."""
    print(public_line(text) if running_in_actions() else text,
          file=sys.stderr if stderr else sys.stdout)


def say_lines(lines: Iterable[str], *, stderr: bool = False) -> None:
    """``say`` each of ``lines``: the line breaks between them are the tool's own, kept."""
    for line in lines:
        say(line, stderr=stderr)


def say_json(text: str) -> None:
    """Write JSON to stdout, where a redirect may read it as data: in GitHub Actions with
    ``##[`` written ``##\\u005b``, the same value, but no command for the log. (JSON escapes
    every control character, and none of its lines starts with ``::``.)"""
    sys.stdout.write(text.replace("##[", "##\\u005b") if running_in_actions() else text)


def say_annotation(level: str, message: str) -> None:
    """Print an annotation (its message through ``public_line``)."""
    print(annotation(level, message))
