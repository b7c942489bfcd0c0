"""Privacy, proven: a registry full of canaries runs through every command in Actions mode, and
nothing that becomes public (comments, statuses, labels, logs, outputs, job summaries) names a
student beyond a PR author's login, an amount, or a secret."""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from extracredit.cli import main

from fakes.github import GitHubFake

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
REPO = "Atcold/NYU-DLFL23"
BOT = "github-actions[bot]"
TOKEN = "ghs_CanaryToken0000000000000000000000"
CANARIES = ("Zyxwv", "Qanary", "qq9876", "rr5432", "canary@example.edu", "3.17", "4.42", TOKEN)
CLAIMS = (
    "Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated\n"
    "C-0001,2023-09-06 09:00,alice,qq9876,Zyxwv Qanary,material,01-1.md,"
    "mail canary@example.edu,,,,\n"
    "C-0002,2023-09-07 09:00,bob,rr5432,Qanary Zyxwv,typo,01-1.md,p,,,,\n"
    "C-0003,2023-09-08 09:00,bob,rr5432,Qanary Zyxwv,typos,02-1.md,p,,,,\n"
)
LEDGER = ("When,Actor,PR,Decision,Credit,Reason,Source\n"
          f"2023-10-01 10:00,ta,https://github.com/{REPO}/pull/1,credit,4.42,Zyxwv asked,manual\n")
CONFIG = """
course: Test course
tag: DLFL23
window: {{opens: 2023-09-05, closes: 2023-12-15}}
repos: [{repo}]
registry: {{backend: files, path: {registry}}}
"""


class Public:
    """Everything a run makes public, gathered for the canary scan."""

    def __init__(self, root: Path, fake: GitHubFake) -> None:
        self.root, self.fake, self.texts = root, fake, []  # type: ignore[var-annotated]

    def run(self, argv: list[str], event_name: str, event: dict[str, Any]) -> int:
        output, summary = self.root / "output", self.root / "summary"
        for path in (output, summary):
            path.write_text("", encoding="utf-8")
        (self.root / "event.json").write_text(json.dumps(event), encoding="utf-8")
        with pytest.MonkeyPatch.context() as patch:
            for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
                                "GITHUB_EVENT_PATH": str(self.root / "event.json"),
                                "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN,
                                "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                                "EXTRACREDIT_GITHUB_THROTTLE": "0"}.items():
                patch.setenv(name, value)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([*argv, "--config", str(self.root / "course.yml")])
        self.texts += [out.getvalue(), err.getvalue(), output.read_text("utf-8"),
                       summary.read_text("utf-8")]
        return code

    def scan(self) -> list[str]:
        texts = list(self.texts)
        for number in (1, 2):
            for comment in self.fake.comments(REPO, number):
                if comment.user_login == BOT:  # people's own words are theirs to publish
                    texts.append(comment.body)
            texts += self.fake.labels(REPO, number)
        for sha in ("a" * 40, "b" * 40):
            texts += [f"{s.description} {s.target_url}" for s in self.fake.statuses(REPO, sha)]
        return [canary for canary in CANARIES if any(canary in text for text in texts)]


def test_no_canary_reaches_anything_public(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           github_fake: GitHubFake, github_api: Any) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (registry / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    (tmp_path / "course.yml").write_text(CONFIG.format(repo=REPO, registry=registry), "utf-8")
    monkeypatch.setattr("extracredit.retry.time", SimpleNamespace(
        sleep=lambda seconds: None, monotonic=time.monotonic))
    github_fake.add_repo(REPO)
    github_fake.add_pull(REPO, 1, title="[DLFL23] Add material", user_login="alice", user_id=11,
                         files=[("docs/en/week01/01-1.md", "modified", 9, 1)], head_sha="a" * 40,
                         created_at="2023-09-10T10:00:00Z")
    github_fake.add_pull(REPO, 2, title="Typo", user_login="bob", user_id=22,
                         files=[("docs/en/week01/01-1.md", "modified", 1, 1)], head_sha="b" * 40,
                         created_at="2023-09-11T10:00:00Z")
    github_fake.set_permission(REPO, "ta-alex", "write")
    public = Public(tmp_path, github_fake)
    opened = json.loads((FIXTURES / "pull_request.opened.json").read_text("utf-8"))
    for number in (1, 2):
        event = dict(opened, number=number, pull_request=dict(opened["pull_request"], number=number),
                     repository=dict(opened["repository"], full_name=REPO))
        assert public.run(["check"], "pull_request_target", event) in (0, 1)
    comment = json.loads((FIXTURES / "issue_comment.created.pull_request.json").read_text("utf-8"))
    for comment_id, body, login in ((5001, "/credit 3.17 Zyxwv deserves it", "ta-alex"),
                                    (5002, "/credit 3.17", "bob"), (5003, "/credit lots", "ta-alex"),
                                    (5004, "/recheck", "bob")):
        github_fake.add_comment(REPO, 1, body, login, comment_id=comment_id)
        event = dict(comment, issue=dict(comment["issue"], number=1),
                     comment=dict(comment["comment"], id=comment_id, body=body,
                                  user=dict(comment["comment"]["user"], login=login)),
                     repository=dict(comment["repository"], full_name=REPO))
        public.run(["command"], "issue_comment", event)
    assert public.run(["sync", "--recheck"], "schedule", {}) == 0
    assert public.run(["tally", "--out", str(tmp_path / "private")], "workflow_dispatch", {}) == 0
    assert public.run(["registry", "lint"], "workflow_dispatch", {}) == 1
    bot_comments = [c for n in (1, 2) for c in github_fake.comments(REPO, n) if c.user_login == BOT]
    assert len(bot_comments) == 4  # two checks, a refusal and a syntax reply: all scanned
    assert public.scan() == []
    # The private files do hold the data: the scan would have seen it had it leaked.
    private = (tmp_path / "private" / "tally.csv").read_text("utf-8")
    assert "qq9876" in private
    assert "Zyxwv Qanary" in private


def test_the_google_key_never_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    sheets_fake: Any, sheets_api: Any,
                                    service_account_info: dict[str, str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    key = "1CanarySheetKey000000000000000000000000000"
    sheets_fake.add_spreadsheet(key, {"Claims": [["Claim", "Submitted", "GitHub", "NetID",
                                                  "Kind", "Target"]], "Problems": [["Tab"]]})
    (tmp_path / "course.yml").write_text(
        "course: c\ntag: DLFL23\nwindow: {opens: 2023-09-05, closes: 2023-12-15}\n"
        f"repos: [{REPO}]\nregistry: {{backend: sheets, claims: {key}}}\n", encoding="utf-8")
    secret = json.dumps(service_account_info)
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", secret)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    config = ["--config", str(tmp_path / "course.yml")]
    sheets_fake.fault("GET /v4/spreadsheets/{spreadsheetId}/values:batchGet", "403")
    assert main(["registry", "lint", *config]) == 2  # a refusal: its message is printed
    second = main(["registry", "lint", *config])
    assert second == 0, capsys.readouterr()
    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", secret[:-20])  # a truncated paste
    assert main(["registry", "lint", *config]) == 2
    printed = "".join(capsys.readouterr())
    assert "could not be read" in printed
    for part in (service_account_info["private_key"][40:80], service_account_info["private_key_id"]):
        assert part not in printed
    from extracredit.core.config import parse_config
    from extracredit.registry.opening import open_backend

    monkeypatch.setenv("EXTRACREDIT_GOOGLE_CREDENTIALS", secret)
    backend = open_backend(parse_config((tmp_path / "course.yml").read_text("utf-8")))
    assert service_account_info["private_key_id"] not in repr(backend)
    assert service_account_info["private_key"][40:80] not in repr(vars(backend))
