"""Claims: targets, identity, which claim a PR carries, holding and duplicates; and the indexed
answers (duplicates, claims on a PR's files, the carried claim) are exactly what comparing every
pair gives, on adversarial targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from extracredit.core.cells import split_targets
from extracredit.core.claims import Carried, carried_claim, carried_claims, claim_ids_in
from extracredit.core.holds import find_duplicates, holds, others_on_files
from extracredit.core.identity import build_directory
from extracredit.core.model import Account, Activity, ChangedFile, Claim, PullRequest, Registry, RosterEntry
from extracredit.core.targets import covers, entry_matches, is_overbroad, targets_overlap

from fakes.all_pairs import duplicates_all_pairs

NY = ZoneInfo("America/New_York")
CASES: dict[str, list[Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "targets.yaml").read_text(encoding="utf-8"))
DAYS14 = timedelta(days=14)
WINDOW_OPENS = datetime(2023, 9, 5, 9, tzinfo=NY)


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
    claims = [claim(2, "ab1", "alice", 2, ("a.md",)), claim(3, "ab1", "alice", 3, ("docs/",)),
              claim(4, "cd2", "bob", 1, ("a.md",))]
    carried = carried_claim(pull(("docs/a.md",), body="Closes C-4 and c-0003, see C-0099"), "ab1",
                            claims)
    assert carried.claim == claims[1]
    assert carried.named_foreign == ("C-0004",)
    assert carried.named_unknown == ("C-0099",)
    assert carried.uncovered == ()


def test_a_named_claim_that_covers_no_changed_file_is_not_carried() -> None:
    # Naming a higher-value claim in the body must not carry it to unrelated files.
    claims = [claim(2, "ab1", "alice", 2, ("a.md",)), claim(3, "ab1", "alice", 3, ("zzz.md",))]
    carried = carried_claim(pull(("a.md",), body="Closes C-0003"), "ab1", claims)
    assert carried.claim == claims[0]
    assert carried.named_unusable == ("C-0003",)
    assert carried.uncovered == ()


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


# The rules as first written: every pair compared with the pairwise rule ----------------------

def ordered(claims: Sequence[Claim]) -> list[Claim]:
    return sorted(claims, key=lambda claim: claim.order)


def others_all_pairs(pr: PullRequest, owner: str | None, claims: Sequence[Claim],
                     activity: Mapping[Claim, Activity],
                     at: datetime) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    holding, reviewing = [], []
    for claim in ordered(claims):
        if claim.owner == owner or not any(covers(claim, path) for path in pr.filenames):
            continue
        known = activity.get(claim)
        # An entry naming the whole repository holds nothing.
        held = [entry for entry in claim.targets if not is_overbroad(entry)]
        if holds(claim, at, known, DAYS14) and any(entry_matches(entry, path) for entry in held
                                                   for path in pr.filenames):
            holding.append(claim)
        for url in known.in_review if known else ():
            if url != pr.html_url:
                reviewing.append((claim, url))
    return holding, reviewing


def carried_all_pairs(pr: PullRequest, owner: str | None, claims: Sequence[Claim]) -> Carried:
    mine = ordered([c for c in claims if owner is not None and c.owner == owner and c.active])
    by_id = {c.id: c for c in claims if c.id}

    def usable(claim: Claim) -> bool:
        return claim.submitted <= pr.created_at and any(covers(claim, p) for p in pr.filenames)

    chosen, foreign, unknown, unusable = None, [], [], []
    for claim_id in dict.fromkeys(claim_ids_in(pr.body)):
        named = by_id.get(claim_id)
        if named is None:
            unknown.append(claim_id)
        elif named in mine and usable(named):
            chosen = chosen or named
        elif named in mine:
            unusable.append(claim_id)
        elif named.owner != owner:
            foreign.append(claim_id)
    if chosen is None:
        chosen = next((c for c in mine if usable(c)), None)
    uncovered = tuple(p for p in pr.filenames if not covers(chosen, p)) if chosen else ()
    too_late = () if chosen else tuple(
        c.label for c in mine if c.submitted > pr.created_at and any(covers(c, p) for p in pr.filenames))
    return Carried(chosen, tuple(foreign), tuple(unknown), uncovered, bool(mine), tuple(unusable), too_late)


# Adversarial registries ----------------------------------------------------------------------

SEGMENTS = ("a", "b", "x.md", "*", "?", "*.md", "[ab]", "**", "a*")
segment = st.sampled_from(SEGMENTS)
entries = st.builds(lambda parts, folder: "/".join(parts) + ("/" if folder else ""),
                    st.lists(segment, min_size=1, max_size=3), st.booleans())
paths = st.lists(st.sampled_from(("a", "b", "ab", "x.md", "y.md")), min_size=1, max_size=3).map(
    "/".join)
OVERLAP_CASES = [
    (["docs/en/week01/01-1.md"], ["01-1.md"], True),
    (["docs/en/week01/"], ["docs/en/week01/01-1.md"], True),
    (["docs/en/"], ["docs/en/week01/"], True),
    (["docs/en/week01/*.md"], ["docs/en/week01/01-1.md"], True),
    (["docs/en/week01/*.md"], ["docs/en/week01/*.md"], True),
    (["docs/en/week01/01-1.md"], ["docs/en/week01/01-2.md"], False),
    (["docs/en/week01/*.md"], ["docs/zh/**"], False),
    (["01-1.md"], ["01-2.md"], False),
    (["*.ipynb"], ["06-convnets.ipynb"], True),
    (["*.ipynb"], ["notebooks/06-convnets.ipynb"], True),
    (["0?-*.md"], ["docs/en/week01/01-1.md"], True),
    (["**"], ["README.md"], True),
    (["**/01-1.md"], ["01-1.md"], True),
    (["docs/**/01-1.md"], ["docs/en/week01/01-1.md"], True),
    (["docs/*/"], ["docs/*/x.md"], False),
    (["docs/*/"], ["docs/*/week01/"], True),
    (["docs/en"], ["docs/en/"], False),
    (["docs/"], ["docs/*.md"], False),
    (["docs/en/week01/"], ["week01/"], False),
    (["docs/a.md", "b.md"], ["c.md", "docs/b.md"], True),
    (["[ab].md"], ["docs/a.md"], False),  # brackets are matched as written
    (["*.md"], ["*.ipynb"], False),
]


@st.composite
def registries(draw: st.DrawFn) -> tuple[list[Claim], dict[Claim, Activity]]:
    count = draw(st.integers(min_value=0, max_value=40))
    claims = []
    for row in range(2, count + 2):
        owner = draw(st.sampled_from(("aa1", "bb2", "cc3", "dd4")))
        claims.append(Claim(
            id=draw(st.sampled_from((f"C-{row:04d}", None, "C-0002"))), row=row,
            submitted=WINDOW_OPENS + timedelta(days=draw(st.integers(0, 40)),
                                        hours=draw(st.sampled_from((0, 0, 5)))),
            github=owner, github_id=None, netid=owner, name="", kind=draw(
                st.sampled_from(("typo", "bug"))),
            targets=tuple(draw(st.lists(entries, min_size=1, max_size=3))), plan="",
            status=draw(st.sampled_from(("", "open", "withdrawn", "rejected", "in review"))),
            pr_urls=(), updated=None))
    activity = {}
    for claim in claims:
        if draw(st.booleans()):
            opened = claim.submitted + timedelta(days=draw(st.integers(0, 30)))
            decided = draw(st.sampled_from((None, opened + timedelta(days=3))))
            activity[claim] = Activity(opened, decided, tuple(
                f"https://github.com/o/r/pull/{n}" for n in draw(st.lists(
                    st.integers(1, 3), max_size=2))))
    return claims, activity


def a_pull(files: Sequence[str], body: str, number: int = 1) -> PullRequest:
    return PullRequest("o/r", number, "[DLFL23] x", body, "open", False, WINDOW_OPENS, None, None,
                       f"https://github.com/o/r/pull/{number}", "NONE", Account("aa1", None), (),
                       "a" * 40, tuple(ChangedFile(path) for path in files))


@settings(max_examples=200, deadline=None)
@given(registries())
def test_duplicates_are_those_all_pairs_find(registry: tuple[list[Claim], dict[Claim, Activity]],
                                            ) -> None:
    claims, activity = registry
    expected = duplicates_all_pairs(claims, activity, DAYS14)
    assert find_duplicates(tuple(claims), activity, DAYS14) == expected
    assert find_duplicates(claims, activity, DAYS14) == expected


@settings(max_examples=150, deadline=None)
@given(registries(), st.lists(paths, min_size=1, max_size=4),
       st.sampled_from(("", "Carries C-0002 and c-3", "C-0005, C-0004")),
       st.sampled_from(("aa1", "bb2", None)), st.integers(0, 60))
def test_claims_on_files_and_the_carried_claim_are_those_all_pairs_find(
        registry: tuple[list[Claim], dict[Claim, Activity]], files: list[str], body: str,
        owner: str | None, day: int) -> None:
    claims, activity = registry
    pr = a_pull(files, body)
    at = WINDOW_OPENS + timedelta(days=day)
    found = others_on_files(pr, owner, Registry(claims=tuple(claims)), activity, at, DAYS14)
    assert found == others_all_pairs(pr, owner, claims, activity, at)
    assert carried_claim(pr, owner, tuple(claims)) == carried_all_pairs(pr, owner, claims)
    assert carried_claim(pr, owner, claims) == carried_all_pairs(pr, owner, claims)
    assert carried_claims([pr], [owner], tuple(claims)) == [carried_all_pairs(pr, owner, claims).claim]


@settings(max_examples=200, deadline=None)
@given(registries(), st.lists(st.tuples(
    st.lists(paths, min_size=1, max_size=3),
    st.sampled_from(("", "Carries C-0002 and c-3", "C-0005, C-0004")),
    st.sampled_from(("aa1", "bb2", None)), st.integers(0, 60)), max_size=6))
def test_the_claims_a_tally_finds_carried_are_those_all_pairs_find(
        registry: tuple[list[Claim], dict[Claim, Activity]],
        asked: list[tuple[list[str], str, str | None, int]]) -> None:
    claims, _ = registry
    pulls = [replace(a_pull(files, body, number), created_at=WINDOW_OPENS + timedelta(days=day))
             for number, (files, body, _, day) in enumerate(asked, start=1)]
    owners = [owner for _, _, owner, _ in asked]
    assert carried_claims(pulls, owners, tuple(claims)) == [
        carried_all_pairs(pr, owner, claims).claim for pr, owner in zip(pulls, owners, strict=True)]


def indexed_claim(row: int, owner: str, day: int, targets: tuple[str, ...]) -> Claim:
    """A claim of ``owner``'s, ``day`` days after the window opened."""
    return Claim(f"C-{row:04d}", row, WINDOW_OPENS + timedelta(days=day), owner, None, owner, "", "typo",
                 targets, "", "", (), None)


@pytest.mark.parametrize(("first", "second", "expected"), OVERLAP_CASES)
def test_each_way_of_overlapping_is_found(first: list[str], second: list[str],
                                          expected: bool) -> None:
    for earlier, later in ((first, second), (second, first)):
        claims = (indexed_claim(2, "aa1", 0, tuple(earlier)), indexed_claim(3, "bb2", 1, tuple(later)))
        assert targets_overlap(earlier, later) is expected
        # An entry naming the whole repository (``**``) holds nothing, but is still found overlapping.
        held = expected and not all(is_overbroad(entry) for entry in earlier)
        assert find_duplicates(claims, {}, DAYS14) == ({claims[1]: claims[0]} if held else {})


def test_asked_again_the_answers_follow_the_claims_and_the_activity() -> None:
    first, second = indexed_claim(2, "aa1", 0, ("docs/",)), indexed_claim(3, "bb2", 1, ("docs/a.md",))
    claims = (first, second)
    assert find_duplicates(claims, {}, DAYS14) == {second: first}
    assert find_duplicates(claims, {}, DAYS14) == {second: first}  # remembered, same answer
    decided = {first: Activity(first.submitted, first.submitted, ())}  # decided at once
    assert find_duplicates(claims, decided, DAYS14) == {}
    assert find_duplicates(claims, {}, timedelta(hours=1)) == {}  # expired before the second


def test_a_list_changed_in_place_is_indexed_again() -> None:
    alice = indexed_claim(2, "aa1", 0, ("docs/a.md",))
    pr = a_pull(["docs/b.md"], "")
    claims = [alice]
    assert carried_claim(pr, "aa1", claims).claim is None
    claims[0] = indexed_claim(2, "aa1", 0, ("docs/b.md",))
    assert carried_claim(pr, "aa1", claims).claim == claims[0]
    claims.append(indexed_claim(3, "bb2", 1, ("b.md",)))
    assert find_duplicates(claims, {}, DAYS14) == {claims[1]: claims[0]}


def test_thousands_of_claims_on_few_files_stay_fast() -> None:
    """The index keeps the work near the number of claims: 20,000 claims, most on 50 files."""
    claims = tuple(indexed_claim(row, f"s{row % 5000}", row % 90, (f"docs/week{row % 50:02d}/notes.md",
                                                           f"w{row % 7}.md"))
                   for row in range(2, 20002))
    found = find_duplicates(claims, {}, DAYS14)
    assert len(found) > 10000
    some = claims[5000]
    assert found[some].submitted <= some.submitted
