"""The naive way: what a first version would ask of GitHub and of the Sheets, job by job."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from extracredit.core.config import Config
from extracredit.core.credit import tally
from extracredit.core.lifecycle import lifecycle
from extracredit.core.lint import lint
from extracredit.core.model import PullRequest, Table
from extracredit.core.titles import check_title
from extracredit.core.verdict import decide
from extracredit.forge.snapshot import pull_from_json
from extracredit.jobs.sync import problems_rows
from extracredit.registry.opening import CHECK_TABS
from extracredit.registry.parse import build_registry
from extracredit.registry.sheets import cell_text, quote_tab
from extracredit.text import gradebook
from extracredit.text.changes import labels_we_set, state_line
from extracredit.text.report import build_report

from .semester import CLAIMS_KEY, STAFF_KEY
from .world import Run, World, measured


class NaiveGitHub:
    """What a first version would do: list every PR, then read each field of each PR on its own
    (the PR, its files, its issue for the labels), read every page of comments to find the bot's,
    and rewrite the comment, both statuses and the labels on every check.

    The fake serves no Search API, so the PRs are listed 100 a page with the pulls endpoint
    instead (Search would cost more: the same pages, plus a request per hit for the PR itself,
    under a limit of 30 searches a minute), which makes these counts a lower bound."""

    def __init__(self, world: World) -> None:
        self.base = world.github.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = "token bench-token"

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(self.base + path, params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def pages(self, path: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        page = 1
        while True:
            chunk = self.get(path, per_page=100, page=page, **params)
            items += chunk
            if len(chunk) < 100:
                return items
            page += 1

    def send(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, self.base + path, json=body, timeout=30)
        if answer.status_code != 404:
            answer.raise_for_status()
        return answer.json() if answer.content else None

    def numbers(self, repo: str) -> list[int]:
        return [pull["number"] for pull in self.pages(f"/repos/{repo}/pulls", state="all")]

    def pull(self, repo: str, number: int) -> PullRequest:
        data = self.get(f"/repos/{repo}/pulls/{number}")
        data["files"] = self.pages(f"/repos/{repo}/pulls/{number}/files")
        data["labels"] = self.get(f"/repos/{repo}/issues/{number}")["labels"]
        return pull_from_json(repo, data, f"{repo}#{number}")

    def course_pulls(self, config: Config) -> list[PullRequest]:
        opens = datetime.combine(config.window.opens, datetime.min.time(), config.zone)
        pulls = []
        for repo in config.repos:
            for number in self.numbers(repo):
                pr = self.pull(repo, number)
                if pr.created_at >= opens:
                    pulls.append(pr)
        return pulls

    def publish(self, pr: PullRequest, report: Any) -> None:
        """Rewrite everything the verdict shows, whatever the PR shows already."""
        comments = self.pages(f"/repos/{pr.repo}/issues/{pr.number}/comments")
        self.get(f"/repos/{pr.repo}/commits/{pr.head_sha}/status", per_page=100)
        ours = next((c for c in comments if c["body"].startswith("<!-- extracredit:check -->")
                     and c["user"]["type"] == "Bot"), None)
        url = ours["html_url"] if ours else None
        if report.comment is not None:
            body = report.comment + "\n" + state_line(sorted(report.labels))
            if ours is None:
                url = self.send("POST", f"/repos/{pr.repo}/issues/{pr.number}/comments",
                                {"body": body})["html_url"]
            else:
                self.send("PATCH", f"/repos/{pr.repo}/issues/comments/{ours['id']}", {"body": body})
        for status in report.statuses:
            self.send("POST", f"/repos/{pr.repo}/statuses/{pr.head_sha}",
                      {"state": status.state, "context": status.context,
                       "description": status.description, **({"target_url": url} if url else {})})
        if report.labels:
            self.send("POST", f"/repos/{pr.repo}/issues/{pr.number}/labels",
                      {"labels": sorted(report.labels)})
        ours_before = labels_we_set(ours["body"] if ours else None)
        for label in sorted((ours_before & report.managed) - report.labels):
            self.send("DELETE", f"/repos/{pr.repo}/issues/{pr.number}/labels/{quote(label)}")


class NaiveSheets:
    """Each tab read on its own after opening its spreadsheet, and rows written one by one."""

    def __init__(self, world: World) -> None:
        self.base = world.sheets.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer bench"
        self.zone = world.config.zone

    @staticmethod
    def key_of(tab: str) -> str:
        return CLAIMS_KEY if tab == "Claims" else STAFF_KEY

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        answer = self.http.request(method, f"{self.base}/v4/spreadsheets/{path}", params=params,
                                   json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def read(self, tabs: Sequence[str]) -> dict[str, Table]:
        tables = {}
        for key in dict.fromkeys(self.key_of(tab) for tab in tabs):
            self.call("GET", key, fields="sheets.properties")  # open_by_key
        for tab in tabs:
            values = self.call("GET", f"{self.key_of(tab)}/values/{quote(quote_tab(tab))}",
                               valueRenderOption="FORMULA",
                               dateTimeRenderOption="SERIAL_NUMBER").get("values") or []
            tables[tab] = Table(tab, tuple(cell_text(c) for c in values[0]) if values else (),
                                tuple((i, tuple(cell_text(c) for c in cells))
                                      for i, cells in enumerate(values[1:], start=2)))
        return tables

    def write_row(self, tab: str, cells: str, values: Sequence[str]) -> None:
        where = f"{quote_tab(tab)}!{cells}"
        self.call("PUT", f"{self.key_of(tab)}/values/{quote(where)}",
                  {"range": where, "majorDimension": "ROWS", "values": [list(values)]},
                  valueInputOption="RAW")

    def append_row(self, tab: str, values: Sequence[str]) -> None:
        self.call("POST", f"{self.key_of(tab)}/values/{quote(quote_tab(tab))}:append",
                  {"majorDimension": "ROWS", "values": [list(values)]},
                  valueInputOption="RAW", insertDataOption="INSERT_ROWS")

    def rewrite_tab(self, tab: str, rows: Sequence[Sequence[str]]) -> None:
        self.call("POST", f"{self.key_of(tab)}/values/{quote(quote_tab(tab))}:clear", {})
        for row in rows:
            self.append_row(tab, row)


def naive_check(world: World, repo: str, number: int) -> None:
    github, sheets = NaiveGitHub(world), NaiveSheets(world)
    pr = github.pull(repo, number)
    registry = build_registry(sheets.read(CHECK_TABS), world.config.zone)
    verdict = decide(pr, registry, world.config, datetime.now(UTC))
    github.publish(pr, build_report(verdict, world.config.registry.claims))


def naive_nightly(world: World) -> dict[tuple[str, int], str]:
    """The nightly run the naive way; returns the fingerprint it published for each PR."""
    github, sheets, config = NaiveGitHub(world), NaiveSheets(world), world.config
    now = datetime.now(UTC)
    tables = sheets.read(("Claims", "Roster", "Ledger", "Claims log", "Checks"))
    registry = build_registry(tables, config.zone)
    pulls = github.course_pulls(config)
    stamp = now.astimezone(config.zone).isoformat(timespec="seconds")
    for record in lifecycle(registry, pulls, config, now):  # every row, changed or not
        row = record.claim.row
        if record.claim.id is None:
            sheets.write_row("Claims", f"A{row}", [record.id])
        sheets.write_row("Claims", f"I{row}:L{row}", [
            record.status, " ".join(record.pr_urls),
            "" if record.github_id is None else str(record.github_id), stamp])
    problems = lint(registry, config)
    sheets.rewrite_tab("Problems", problems_rows(problems, stamp))
    registry = build_registry(sheets.read(("Claims", "Roster", "Ledger")), config.zone)
    published = {}
    for pr in pulls:
        # The same PRs as the nightly re-checks: open, with the tag.
        if not pr.is_open or not check_title(pr.title, config.tag).passed:
            continue
        verdict = decide(pr, registry, config, now, known_pulls=pulls)
        if verdict.skip is not None:
            continue
        report = build_report(verdict, config.registry.claims)
        github.publish(pr, report)
        published[(pr.repo, pr.number)] = report.fingerprint
    return published


def naive_tally(world: World) -> str:
    github, sheets, config = NaiveGitHub(world), NaiveSheets(world), world.config
    registry = build_registry(sheets.read(("Claims", "Roster", "Ledger")), config.zone)
    result = tally(github.course_pulls(config), registry, config)
    text = gradebook.tally_csv(result)
    rows = list(csv.reader(io.StringIO(text)))
    sheets.rewrite_tab("Tally", rows)
    return text


def naive_run(world: World, job: Callable[[], Any], live: bool) -> tuple[Run, Any]:
    """A naive job, sequential: at the latency when ``live``, else without it and its wall
    time projected as the time measured plus one latency per request."""
    with measured(world, latency=world.latency if live else 0) as box:
        value = job()
    run = Run(box["github"], box["sheets"], box["wall"], projected=not live)
    if not live:
        run.wall += run.total * world.latency
    return run, value
