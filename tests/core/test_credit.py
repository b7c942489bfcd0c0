"""The tally: the credit rules (registry/README.md) on small registries and PRs, and on the demo semester."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from extracredit.core.cells import parse_time
from extracredit.core.config import Config, parse_config
from extracredit.core.credit import HistogramBucket, KindCounts, Tally, pull_key_of, tally, two_decimals
from extracredit.core.model import Account, ChangedFile, PullRequest, Registry, Table
from extracredit.forge.snapshot import load_snapshot
from extracredit.registry.files import FilesRegistry
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import CLAIMS_COLUMNS, LEDGER_COLUMNS, ROSTER_COLUMNS
from extracredit.text.gradebook import note_text

NY = ZoneInfo("America/New_York")
ROOT = Path(__file__).parent.parent.parent
CASES = Path(__file__).parent.parent / "cases"
REPO = "Atcold/NYU-DLFL23"
SCENARIOS: list[dict[str, Any]] = yaml.safe_load((CASES / "credit.yaml").read_text(encoding="utf-8"))
DEMO: dict[str, Any] = yaml.safe_load((CASES / "demo_tally.yaml").read_text(encoding="utf-8"))
BASE_CONFIG: dict[str, Any] = {
    "course": "Deep Learning, Fall 2023",
    "tag": "DLFL23",
    "timezone": "America/New_York",
    "window": {"opens": "2023-09-05", "closes": "2023-12-15"},
    "cap": 5,
    "kinds": {"typo": {"credit": 0.5}, "bug": {"credit": 1}, "material": {"credit": 1.5},
              "translation": {"credit": 0}},
    "claims": {"required": True, "expire_after_days": 14},
    "repos": [REPO],
    "registry": {"backend": "files", "path": "registry/demo"},
}


def moment(text: str) -> datetime:
    parsed = parse_time(text, NY)
    assert parsed is not None, text
    return parsed


def url(pr: int | str) -> str:
    return f"https://github.com/{REPO}/pull/{pr}" if isinstance(pr, int) else pr


def table(name: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Table:
    """A tab as typed: the header, then one sheet row per dict (row 2 onwards)."""
    cells = [tuple(str(row.get(column, "")) for column in columns) for row in rows]
    return Table(name, columns, tuple((number, row) for number, row in enumerate(cells, start=2)))


def scenario_registry(case: dict[str, Any]) -> Registry:
    roster = [dict(zip(ROSTER_COLUMNS, row, strict=True)) for row in case.get("roster", [])]
    ledger = [{**row, "PR": url(row["PR"])} for row in case.get("ledger", [])]
    return build_registry({
        "Claims": table("Claims", CLAIMS_COLUMNS, case.get("claims", [])),
        "Roster": table("Roster", ROSTER_COLUMNS, roster),
        "Ledger": table("Ledger", LEDGER_COLUMNS, ledger),
    }, NY)


def scenario_pull(spec: dict[str, Any]) -> PullRequest:
    """A PR from a short spec: opened, and merged/closed as a time or as a state one day later."""
    opened = moment(spec["opened"])
    state = spec.get("state", "open")
    merged = moment(spec["merged"]) if "merged" in spec else (
        opened + timedelta(days=1) if state == "merged" else None)
    closed = merged or (opened + timedelta(days=1) if state == "closed" else None)
    repo = spec.get("repo", REPO)
    return PullRequest(
        repo=repo, number=spec["number"], title=spec.get("title", "[DLFL23] Fix"),
        body=spec.get("body", ""), state="closed" if closed else "open",
        draft=bool(spec.get("draft")), created_at=opened, closed_at=closed, merged_at=merged,
        html_url=f"https://github.com/{repo}/pull/{spec['number']}",
        author_association=spec.get("association", "CONTRIBUTOR"),
        user=Account(spec["login"], spec.get("id"), spec.get("type", "User")),
        labels=tuple(spec.get("labels", [])), head_sha="0" * 40,
        files=tuple(ChangedFile(name) for name in spec.get("files", [])))


def scenario_config(case: dict[str, Any]) -> Config:
    return parse_config(yaml.safe_dump({**BASE_CONFIG, **case.get("config", {})}))


def run(case: dict[str, Any]) -> Tally:
    return tally([scenario_pull(spec) for spec in case["pulls"]], scenario_registry(case),
                 scenario_config(case))


def student_view(result: Tally, expected: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The tally in the YAML's shape, with only the optional fields the case names."""
    view = {}
    for student in result.students:
        shown: dict[str, Any] = {
            "raw": two_decimals(student.raw),
            "credit": two_decimals(student.credit),
            "capped": student.capped,
            "accepted": [int(link.rsplit("/", 1)[1]) for link in student.accepted_urls],
            "notes": [note_text(note) for note in student.notes],
        }
        for field in ("netid", "name", "github"):
            if field in expected.get(student.key, {}):
                shown[field] = getattr(student, field)
        view[student.key] = shown
    return view


@pytest.mark.parametrize("case", SCENARIOS, ids=[case["name"] for case in SCENARIOS])
def test_tally_scenario(case: dict[str, Any]) -> None:
    registry = scenario_registry(case)
    assert len(registry.problems) == case.get("problems", 0), registry.problems
    result = run(case)
    expected = {key: {"accepted": [], "notes": [], "capped": False, **value}
                for key, value in case["expect"].items()}
    assert student_view(result, expected) == expected
    assert [[int(u.url.rsplit("/", 1)[1]), u.login, u.reason] for u in result.unmatched] == (
        case.get("unmatched", []))
    assert list(result.stray_ledger_rows) == case.get("stray_ledger_rows", [])
    if "aggregates" in case:
        assert aggregates_view(result) == case["aggregates"]


def aggregates_view(result: Tally) -> dict[str, Any]:
    aggregates = result.aggregates
    return {
        "students": aggregates.students,
        "credited": aggregates.credited,
        "reached_cap": aggregates.reached_cap,
        "unmatched": aggregates.unmatched,
        "by_kind": {counts.kind or "none": [counts.accepted, counts.pending, counts.rejected,
                                            counts.closed] for counts in aggregates.by_kind},
        "histogram": {format(bucket.high.normalize(), "f"): bucket.students
                      for bucket in aggregates.histogram},
    }


def test_same_sources_in_any_order_give_the_same_tally() -> None:
    case = next(c for c in SCENARIOS if c["name"] == "latest Ledger row by When then row order")
    registry = scenario_registry(case)
    pulls = [scenario_pull(spec) for spec in case["pulls"]]
    config = scenario_config(case)
    first = tally(pulls, registry, config)
    shuffler = random.Random(7)
    for _ in range(5):
        shuffled_pulls = pulls[:]
        shuffler.shuffle(shuffled_pulls)
        ledger = list(registry.ledger)
        shuffler.shuffle(ledger)
        claims = list(registry.claims)
        shuffler.shuffle(claims)
        again = replace(registry, ledger=tuple(ledger), claims=tuple(claims))
        assert tally(shuffled_pulls, again, config) == first


@pytest.mark.parametrize(("cell", "key"), [
    ("https://github.com/Atcold/NYU-DLFL23/pull/48", ("atcold/nyu-dlfl23", 48)),
    ("http://www.github.com/atcold/nyu-dlfl23/pull/48/files#diff", ("atcold/nyu-dlfl23", 48)),
    ("github.com/Atcold/NYU-DLFL23/pulls/7", ("atcold/nyu-dlfl23", 7)),
    ("Atcold/NYU-DLFL23#12", ("atcold/nyu-dlfl23", 12)),
    ("#12", None),
    ("https://github.com/Atcold/NYU-DLFL23/issues/12", None),
])
def test_ledger_cells_name_prs(cell: str, key: tuple[str, int] | None) -> None:
    assert pull_key_of(cell) == key


@pytest.mark.parametrize(("amount", "shown"), [
    (Decimal("0.5"), "0.50"), (Decimal("0.125"), "0.13"), (Decimal("0.135"), "0.14"),
    (Decimal(5), "5.00"), (Decimal("6.5"), "6.50"), (Decimal("1E+1"), "10.00"),
])
def test_two_decimals_round_half_up(amount: Decimal, shown: str) -> None:
    assert two_decimals(amount) == shown


def test_histogram_buckets_up_to_a_cap_that_is_no_multiple_of_the_step() -> None:
    case = {"config": {"cap": 1.2, "kinds": {"typo": {"credit": 0.5}, "bug": {"credit": 1},
                                             "material": {"credit": 1.2},
                                             "translation": {"credit": 0}}},
            "roster": [["ab1234", "A", "alice", "1"], ["cd5678", "B", "bob", "2"],
                       ["ef9012", "C", "carol", "3"]],
            "claims": [{"Claim": "C-0001", "Submitted": "2023-09-06 10:00", "GitHub": "bob",
                        "NetID": "cd5678", "Kind": "bug", "Target": "b.md"},
                       {"Claim": "C-0002", "Submitted": "2023-09-06 10:00", "GitHub": "carol",
                        "NetID": "ef9012", "Kind": "material", "Target": "c.md"}],
            "pulls": [{"number": 1, "login": "bob", "id": 2, "opened": "2023-09-07 10:00",
                       "state": "merged", "files": ["b.md"]},
                      {"number": 2, "login": "carol", "id": 3, "opened": "2023-09-07 10:00",
                       "state": "merged", "files": ["c.md"]}]}
    histogram = run(case).aggregates.histogram
    assert histogram == (
        HistogramBucket(Decimal(0), Decimal(0), 1),
        HistogramBucket(Decimal(0), Decimal("0.5"), 0),
        HistogramBucket(Decimal("0.5"), Decimal(1), 1),
        HistogramBucket(Decimal(1), Decimal("1.2"), 1),
    )


# The demo semester ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo() -> Tally:
    config = parse_config((ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8"))
    tables = FilesRegistry(ROOT / "registry" / "demo").read(["Claims", "Roster", "Ledger"])
    registry = build_registry(tables, config.zone)
    snapshot = load_snapshot(ROOT / "registry" / "demo" / "semester.json")
    return tally(snapshot.all_pulls(), registry, config)


def test_demo_tally_every_student(demo: Tally) -> None:
    expected = {key: {"accepted": [], "notes": [], "capped": False, **value}
                for key, value in DEMO["students"].items()}
    assert student_view(demo, expected) == expected


def test_demo_tally_unmatched_and_ledger(demo: Tally) -> None:
    assert [[int(u.url.rsplit("/", 1)[1]), u.login, u.reason] for u in demo.unmatched] == (
        DEMO["unmatched"])
    assert list(demo.stray_ledger_rows) == DEMO["stray_ledger_rows"]


def test_demo_tally_aggregates(demo: Tally) -> None:
    assert aggregates_view(demo) == DEMO["aggregates"]
    assert demo.aggregates.by_kind[0] == KindCounts("typo", 19, 3, 0, 1)


def test_demo_tally_matches_the_readme_table(demo: Tally) -> None:
    """registry/demo/README.md lists every student with credit; all others have 0.00."""
    readme = (ROOT / "registry" / "demo" / "README.md").read_text(encoding="utf-8")
    table_text = readme.split("Expected tally", 1)[1]
    rows = [line.split("|")[1:-1] for line in table_text.splitlines()
            if line.startswith("| ") and not line.startswith("| NetID")]
    listed = {cells[0].strip(): (cells[2].strip(), cells[3].strip().split()[0]) for cells in rows}
    credited = {s.netid: (two_decimals(s.raw), two_decimals(s.credit))
                for s in demo.students if s.raw > 0}
    assert credited == listed
