"""Duplicates for a few claims: ``duplicates_of`` answers as ``find_duplicates`` over every claim
does, for any claims asked about, on hostile registries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extracredit.core.claims import index_claims
from extracredit.core.holds import duplicates_of, find_duplicates, prepare_duplicates
from extracredit.core.model import Activity, Claim

NY = ZoneInfo("America/New_York")
OPENS = datetime(2023, 9, 5, 9, tzinfo=NY)
DAYS14 = timedelta(days=14)

# Literal paths, bare file names, folders, globs of a name and of a path, and entries naming the
# whole repository (which hold nothing), over a few files so that claims overlap often.
ENTRIES = ("docs/a.md", "docs/b.md", "src/x.py", "src/lib/x.py", "a.md", "x.py", "docs/",
           "src/", "src/lib/", "*.md", "*.py", "src/**/x.py", "docs/*.md", "*", "**")


def claim(row: int, owner: str, day: int, targets: tuple[str, ...], *, kind: str = "typo",
          status: str = "open", withdrawn_at: datetime | None = None) -> Claim:
    return Claim(f"C-{row:04d}", row, OPENS + timedelta(days=day), owner, None, owner, "", kind,
                 targets, "", status, (), None, withdrawn_at)


@st.composite
def registries(draw: st.DrawFn) -> tuple[tuple[Claim, ...], dict[Claim, Activity]]:
    claims = []
    for row in range(2, draw(st.integers(0, 30)) + 2):
        submitted = OPENS + timedelta(hours=draw(st.integers(0, 24 * 40)))
        status = draw(st.sampled_from(("open", "open", "", "in review", "withdrawn", "rejected")))
        withdrawn_at = None
        if status == "withdrawn" and draw(st.booleans()):
            withdrawn_at = submitted + timedelta(hours=draw(st.integers(0, 24 * 20)))
        claims.append(Claim(
            f"C-{row:04d}", row, submitted, None, None, draw(st.sampled_from(("aa1", "bb2", "cc3"))),
            "", draw(st.sampled_from(("typo", "bug", "material"))),
            tuple(draw(st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=3))), "", status,
            (), None, withdrawn_at))
    activity = {}
    for one in claims:
        if draw(st.booleans()):
            opened = one.submitted + timedelta(hours=draw(st.integers(0, 24 * 25)))
            decided = draw(st.sampled_from((None, 1, 3, 30)))
            activity[one] = Activity(opened, None if decided is None else opened + timedelta(
                days=decided), ())
    return tuple(claims), activity


@settings(max_examples=300, deadline=None)
@given(registries(), st.data(), st.sampled_from((DAYS14, timedelta(days=1), timedelta(days=60))),
       st.booleans())
def test_the_duplicates_of_any_claims_are_those_found_over_all(
        registry: tuple[tuple[Claim, ...], dict[Claim, Activity]], data: st.DataObject,
        expire_after: timedelta, prepared: bool) -> None:
    claims, activity = registry
    wanted = data.draw(st.lists(st.sampled_from(claims), max_size=5) if claims else st.just([]))
    if prepared:
        prepare_duplicates(claims)
    expected = find_duplicates(list(claims), activity, expire_after)  # a list: not remembered
    found = {claim: expected[claim] for claim in wanted if claim in expected}
    assert duplicates_of(claims, activity, expire_after, wanted) == found
    # Asked again, the index over all held claims is as it was: the same answers, for all too.
    assert duplicates_of(claims, activity, expire_after, wanted) == found
    assert duplicates_of(claims, activity, expire_after, claims) == expected


A = claim(2, "aa1", 0, ("docs/a.md",))
B = claim(3, "bb2", 1, ("docs/a.md", "docs/b.md"))  # a duplicate of A: it holds nothing
C = claim(4, "cc3", 2, ("docs/b.md",))  # overlaps B alone, which holds nothing: not a duplicate
D = claim(5, "dd4", 3, ("docs/",))  # overlaps A (a holder) and C (a holder): a duplicate of A
E = claim(6, "aa1", 4, ("a.md",), kind="bug")  # another kind: holds against bugs alone
F = claim(7, "bb2", 5, ("*.md",), kind="bug")  # overlaps E, a holder
G = claim(8, "cc3", 6, ("*",), kind="bug")  # over-broad: overlaps E, holds nothing itself
H = claim(9, "dd4", 7, ("docs/b.md",), status="withdrawn", withdrawn_at=OPENS + timedelta(days=8))
CHAIN = (A, B, C, D, E, F, G, H)


@pytest.mark.parametrize(("wanted", "expected"), [
    ((C,), {}),
    ((B,), {B: A}),
    ((C, B), {B: A}),
    ((D,), {D: A}),
    ((A,), {}),
    ((F, G), {F: E, G: E}),
    ((H,), {}),  # withdrawn since: not judged
    ((), {}),
    (CHAIN, {B: A, D: A, F: E, G: E}),
])
def test_a_claim_overlapping_only_a_duplicate_is_no_duplicate(
        wanted: tuple[Claim, ...], expected: dict[Claim, Claim]) -> None:
    assert duplicates_of(CHAIN, {}, DAYS14, wanted) == expected
    assert find_duplicates(list(CHAIN), {}, DAYS14) == {B: A, D: A, F: E, G: E}


def test_a_holder_whose_pr_was_decided_holds_no_more() -> None:
    decided = {A: Activity(A.submitted, A.submitted + timedelta(hours=1), ())}
    # A ended before B came: B holds, so C and D are B's duplicates.
    assert duplicates_of(CHAIN, decided, DAYS14, (B, C, D)) == {C: B, D: B}
    assert duplicates_of(CHAIN, {}, timedelta(hours=12), (B, D)) == {}  # A expired before B


def test_the_index_is_built_once_per_claims_and_not_changed_by_a_lookup() -> None:
    claims = tuple(claim(row, f"s{row % 3}", row, ("docs/a.md",)) for row in range(2, 12))
    prepare_duplicates(claims)
    holding = index_claims(claims).holding()
    numbers = list(holding.by_kind["typo"].exact["docs/a.md"])
    late = {c: Activity(c.submitted, c.submitted + timedelta(hours=1), ()) for c in claims}
    assert duplicates_of(claims, late, DAYS14, claims[-2:]) == {}
    # The first claim holds all along; the last is its owner's own.
    assert duplicates_of(claims, {}, DAYS14, claims[-2:]) == {claims[-2]: claims[0]}
    assert index_claims(claims).holding() is holding
    assert holding.by_kind["typo"].exact["docs/a.md"] == numbers
