"""Claims: targets, identity, which claim a PR carries, holding and duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from extracredit.claims import (
    Activity,
    build_directory,
    carried_claim,
    entry_matches,
    find_duplicates,
    holds,
    targets_overlap,
)
from extracredit.model import Account, ChangedFile, PullRequest
from extracredit.registry import Claim, RosterEntry, split_targets

NY = ZoneInfo("America/New_York")
CASES: dict[str, list[Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "targets.yaml").read_text(encoding="utf-8"))
DAYS14 = timedelta(days=14)


def claim(row: int, netid: str, login: str, day: int, targets: tuple[str, ...],
          kind: str = "typo", status: str = "open", claim_id: str | None = None,
          hour: int = 12) -> Claim:
    return Claim(claim_id or f"C-{row:04d}", row, datetime(2023, 9, day, hour, tzinfo=NY), login,
                 None, netid, "Name", kind, targets, "plan", status, (), None)


def pull(files: tuple[str, ...], body: str = "", login: str = "alice", user_id: int = 1,
         day: int = 20) -> PullRequest:
    return PullRequest("Atcold/NYU-DLFL23", 5, "[DLFL23] x", body, "open", False,
                       datetime(2023, 9, day, tzinfo=NY), None, None,
                       "https://github.com/Atcold/NYU-DLFL23/pull/5", "NONE",
                       Account(login, user_id), (), "a" * 40,
                       tuple(ChangedFile(name) for name in files))


@pytest.mark.parametrize(("entry", "path", "expected"), CASES["matches"])
def test_entry_matches(entry: str, path: str, expected: bool) -> None:
    assert entry_matches(entry, path) is expected


@pytest.mark.parametrize(("cell", "expected"), CASES["split"])
def test_split_targets(cell: str, expected: list[str]) -> None:
    assert list(split_targets(cell)) == expected


@pytest.mark.parametrize(("first", "second", "expected"), CASES["overlap"])
def test_targets_overlap_both_ways(first: list[str], second: list[str], expected: bool) -> None:
    assert targets_overlap(first, second) is expected
    assert targets_overlap(second, first) is expected


def test_overlap_through_repo_files() -> None:
    assert targets_overlap(["docs/en/*/01-1.md"], ["docs/**/week01/*"],
                           repo_files=["docs/en/week01/01-1.md"])


def test_directory_prefers_numeric_id_then_roster_login() -> None:
    roster = [RosterEntry(2, "ab1234", "A", "alice-old", 77)]
    claims = [claim(2, "zz9999", "alice", 1, ("a.md",))]
    directory = build_directory(roster, claims)
    assert directory.resolve(Account("alice-renamed", 77)) == "ab1234"
    assert directory.resolve(Account("ALICE-OLD", None)) == "ab1234"
    assert directory.resolve(Account("Alice", 5)) == "zz9999"
    assert directory.resolve(Account("nobody", 5)) is None


def test_carried_claim_is_earliest_covering() -> None:
    claims = [claim(3, "ab1", "alice", 3, ("b.md",)), claim(2, "ab1", "alice", 2, ("a.md",)),
              claim(4, "ab1", "alice", 1, ("zzz.md",))]
    carried = carried_claim(pull(("docs/a.md", "docs/c.md")), "ab1", claims)
    assert carried.claim == claims[1]
    assert carried.uncovered == ("docs/c.md",)


def test_body_names_the_claim_and_foreign_ids_are_ignored() -> None:
    claims = [claim(2, "ab1", "alice", 2, ("a.md",)), claim(3, "ab1", "alice", 3, ("zzz.md",)),
              claim(4, "cd2", "bob", 1, ("a.md",))]
    carried = carried_claim(pull(("a.md",), body="Closes C-4 and c-0003, see C-0099"), "ab1",
                            claims)
    assert carried.claim == claims[1]
    assert carried.named_foreign == ("C-0004",)
    assert carried.named_unknown == ("C-0099",)
    assert carried.uncovered == ("a.md",)


def test_withdrawn_claims_are_not_carried() -> None:
    claims = [claim(2, "ab1", "alice", 2, ("a.md",), status="withdrawn")]
    carried = carried_claim(pull(("a.md",)), "ab1", claims)
    assert (carried.claim, carried.has_claims) == (None, False)


def test_holds_until_expiry_without_a_pr() -> None:
    early = claim(2, "ab1", "alice", 1, ("a.md",))
    assert holds(early, early.submitted + DAYS14 - timedelta(seconds=1), None, DAYS14)
    assert not holds(early, early.submitted + DAYS14, None, DAYS14)
    late_pr = Activity(first_pr_opened=early.submitted + DAYS14 + timedelta(hours=1))
    assert not holds(early, early.submitted + timedelta(days=20), late_pr, DAYS14)
    timely_pr = Activity(first_pr_opened=early.submitted + timedelta(days=3))
    assert holds(early, early.submitted + timedelta(days=60), timely_pr, DAYS14)


def test_holds_until_decided() -> None:
    early = claim(2, "ab1", "alice", 1, ("a.md",))
    decided = Activity(early.submitted + timedelta(days=1), early.submitted + timedelta(days=2))
    assert holds(early, early.submitted + timedelta(days=1), decided, DAYS14)
    assert not holds(early, early.submitted + timedelta(days=2), decided, DAYS14)


def test_duplicates_first_come_first_served() -> None:
    first = claim(2, "ab1", "alice", 1, ("docs/en/week01/01-1.md",))
    same_day_later_row = claim(5, "cd2", "bob", 1, ("01-1.md",))
    other_kind = claim(3, "ef3", "carol", 2, ("01-1.md",), kind="bug")
    own_again = claim(4, "ab1", "alice", 3, ("01-1.md",))
    after_expiry = claim(6, "gh4", "dan", 20, ("01-1.md",))
    duplicates = find_duplicates([first, same_day_later_row, other_kind, own_again, after_expiry],
                                 {}, DAYS14)
    assert duplicates == {same_day_later_row: first}


def test_tie_on_time_goes_to_row_order() -> None:
    upper = claim(2, "ab1", "alice", 1, ("a.md",))
    lower = claim(3, "cd2", "bob", 1, ("a.md",))
    assert find_duplicates([lower, upper], {}, DAYS14) == {lower: upper}
