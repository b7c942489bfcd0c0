"""Every command that talks to GitHub takes its settings from one place: the GITHUB_* variables
read once (ActionsEnv), and one factory for the client (token, timeout, spacing of writes)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from extracredit.cli import _parser, main
from extracredit.forge.actions import ActionsEnv, read_environment
from extracredit.text.usage import MISSING_ENV_HINTS

REPO = "Atcold/NYU-DLFL23"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
CLAIMS = ("Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
          "C-0001,2023-09-06 09:00,alice,aa1,Alice Canary,typo,01-1.md,p,,,,\n")
CONFIG = """
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""
TOKEN = "a token that can read the course's PRs (`gh auth token` prints yours)"
# Each command's way around a missing variable names options that command has.
HINTS = {
    "check": "outside GitHub Actions use --snapshot FILE --pr OWNER/REPO#N (or --all)",
    "command": ("extracredit command runs in GitHub Actions only, for a comment on a PR (the "
                "issue_comment event); outside it, see a PR's verdict with extracredit check "
                "--snapshot FILE --pr OWNER/REPO#N"),
    "sync": (f"outside GitHub Actions set GITHUB_TOKEN to {TOKEN}, or read the PRs from "
             "--snapshot FILE (--recheck needs the token all the same: it publishes on GitHub)"),
    "tally": f"outside GitHub Actions set GITHUB_TOKEN to {TOKEN}, or grade from --snapshot FILE",
    "snapshot": f"set GITHUB_TOKEN to {TOKEN}",
}
MISSING_TOKEN = "GITHUB_TOKEN is not set; {hint}"

ENVIRONMENTS = [
    ({}, ActionsEnv(running=False, event_name="", event_path="", repository="", output="",
                    step_summary="", token="")),
    ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target",
      "GITHUB_EVENT_PATH": "/runner/event.json", "GITHUB_REPOSITORY": REPO,
      "GITHUB_OUTPUT": "/runner/output", "GITHUB_STEP_SUMMARY": "/runner/summary",
      "GITHUB_TOKEN": "ghs_secret"},
     ActionsEnv(running=True, event_name="pull_request_target", event_path="/runner/event.json",
                repository=REPO, output="/runner/output", step_summary="/runner/summary",
                token="ghs_secret")),
    ({"GITHUB_ACTIONS": "false"}, ActionsEnv(running=False, event_name="", event_path="",
                                             repository="", output="", step_summary="",
                                             token="")),
    ({"GITHUB_ACTIONS": "1"}, ActionsEnv(running=False, event_name="", event_path="",
                                         repository="", output="", step_summary="", token="")),
]


@pytest.mark.parametrize(("environ", "expected"), ENVIRONMENTS)
def test_actions_environment_is_read_as_github_sets_it(environ: dict[str, str],
                                                       expected: ActionsEnv) -> None:
    assert read_environment(environ) == expected


def test_the_token_never_shows_in_the_environment_printed() -> None:
    env = read_environment({"GITHUB_TOKEN": "ghs_secret", "GITHUB_REPOSITORY": REPO})
    assert "ghs_secret" not in repr(env)
    assert "ghs_secret" not in str(env)
    assert REPO in repr(env)


def test_the_environment_is_this_process_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    env = read_environment()
    assert (env.repository, env.running) == (REPO, True)


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_api: Any) -> Path:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "course.yml").write_text(CONFIG.format(repo=REPO, registry=registry),
                                         encoding="utf-8")
    event = json.loads((FIXTURES / "issue_comment.created.pull_request.json").read_text("utf-8"))
    event["comment"]["body"] = "/recheck"
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    for name, value in {
        "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "test", "EXTRACREDIT_GITHUB_THROTTLE": "0",
        "EXTRACREDIT_GITHUB_TIMEOUT": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


COMMANDS = {
    "check": ["check", "--pr", f"{REPO}#2"],
    "command": ["command"],
    "sync": ["sync", "--recheck"],
    "tally": ["tally"],
    "snapshot": ["snapshot"],
}
SETTINGS = [
    ({"GITHUB_TOKEN": None}, MISSING_TOKEN),
    ({"GITHUB_TOKEN": ""}, MISSING_TOKEN),
    ({"EXTRACREDIT_GITHUB_TIMEOUT": "soon"},
     "EXTRACREDIT_GITHUB_TIMEOUT must be a number of seconds, got 'soon'"),
    ({"EXTRACREDIT_GITHUB_TIMEOUT": "-1"},
     "EXTRACREDIT_GITHUB_TIMEOUT must be a number of seconds, got '-1'"),
    ({"EXTRACREDIT_GITHUB_THROTTLE": "fast"},
     "EXTRACREDIT_GITHUB_THROTTLE must be a number of seconds, got 'fast'"),
]


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("changes", "message"), SETTINGS)
def test_every_command_builds_its_github_client_from_the_same_settings(
        command: str, changes: dict[str, str | None], message: str, course: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert main([*COMMANDS[command], "--config", str(course / "course.yml")]) == 2
    captured = capsys.readouterr()
    message = message.format(hint=HINTS[command])
    assert (captured.out, captured.err) == ("", f"extracredit: {message}\n")


@pytest.mark.parametrize("command", ["check", "command"])
def test_without_an_event_each_command_names_its_own_way(
        command: str, course: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    assert main([command, "--config", str(course / "course.yml")]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "", f"extracredit: GITHUB_EVENT_PATH is not set; {HINTS[command]}\n")


@pytest.mark.parametrize("command", sorted(MISSING_ENV_HINTS))
def test_every_hint_names_only_options_its_command_has(command: str) -> None:
    subcommands = next(action for action in _parser()._actions
                       if isinstance(action, argparse._SubParsersAction))
    known = {option for action in subcommands.choices[command]._actions
             for option in action.option_strings}
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", MISSING_ENV_HINTS[command]))
    # The hint for `command` names the other command's options, after "extracredit check".
    if command == "command":
        known = {option for action in subcommands.choices["check"]._actions
                 for option in action.option_strings}
    assert named <= known, named - known
