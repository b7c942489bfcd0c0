"""Reading a snapshot PR by PR changes nothing: whatever the text, it gives what the ordinary
reading of the whole tree gives, or leaves the text to that reading."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.errors import SnapshotError
from extracredit.forge.snapshot import Snapshot, _read_regular, parse_json, parse_snapshot

ROOT = Path(__file__).parent.parent.parent
DEMO_TEXT = (ROOT / "registry" / "demo" / "semester.json").read_text(encoding="utf-8")
DEMO = json.loads(DEMO_TEXT)
REPO = "Atcold/NYU-DLFL23"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ordinary(text: str) -> Snapshot | str:
    """The whole tree read, then converted: the snapshot, or why not."""
    try:
        return parse_snapshot(parse_json(text))
    except (ValueError, RecursionError, SnapshotError) as error:
        return f"{type(error).__name__}: {error}"


def agrees(text: str, cut: int = 0) -> bool:
    """PR by PR (in two chunks, cut at ``cut``): None (left to the ordinary reading), or what the
    ordinary reading gives."""
    regular = _read_regular([text[:cut], text[cut:]])
    return regular is None or regular == ordinary(text)


def test_the_demo_is_read_pr_by_pr_as_the_ordinary_reading_reads_it() -> None:
    regular = _read_regular([DEMO_TEXT])
    assert regular is not None
    assert regular == ordinary(DEMO_TEXT)
    assert len(regular.all_pulls()) == 80


TWO_PULLS = json.dumps({"taken_at": DEMO["taken_at"],
                        "repos": {REPO: {"pulls": DEMO["repos"][REPO]["pulls"][:2]}}})
IRREGULAR = [
    ("a key twice", TWO_PULLS.replace('"repos"', '"repos": {}, "repos"')),
    ("a repo twice", TWO_PULLS[:-2] + f', "{REPO}": {{"pulls": []}}}}}}'),
    ("no taken_at", TWO_PULLS.replace('"taken_at"', '"taken"')),
    ("no pulls", TWO_PULLS.replace('"pulls"', '"pull"')),
    ("pulls not a list", json.dumps({"taken_at": DEMO["taken_at"], "repos": {REPO: {"pulls": {}}}})),
    ("a PR not an object", json.dumps({"taken_at": DEMO["taken_at"], "repos": {REPO: {"pulls": [1]}}})),
    ("trailing data", TWO_PULLS + " x"),
    ("a byte order mark", "\ufeff" + TWO_PULLS),
    ("a list", "[]"),
    ("NaN", TWO_PULLS.replace('"additions": 3', '"additions": NaN', 1)),
    ("a bad time", TWO_PULLS.replace(DEMO["taken_at"], "yesterday")),
    ("deep", json.dumps({**json.loads(TWO_PULLS), "x": json.loads("[" * 40 + "]" * 40)})),
]


@pytest.mark.parametrize(("name", "text"), IRREGULAR, ids=[name for name, _ in IRREGULAR])
def test_an_irregular_snapshot_is_left_to_the_ordinary_reading(name: str, text: str) -> None:
    assert _read_regular([text]) is None


@pytest.mark.parametrize("text", [
    TWO_PULLS,
    json.dumps(json.loads(TWO_PULLS), indent=4),
    json.dumps({"repos": json.loads(TWO_PULLS)["repos"], "x": [[{}]], "taken_at": DEMO["taken_at"]}),
    json.dumps({"taken_at": DEMO["taken_at"], "repos": {}}),
    json.dumps({"taken_at": DEMO["taken_at"], "repos": {REPO: {"pulls": [], "more": [1, {"a": []}]}}}),
    # Brackets in strings count towards the bound on depth without making it deeper.
    json.dumps({"taken_at": DEMO["taken_at"], "repos": {REPO: {"pulls": [
        {**DEMO["repos"][REPO]["pulls"][0], "body": "[" * 60}]}}}),
])
def test_a_regular_snapshot_is_read_pr_by_pr(text: str) -> None:
    regular = _read_regular([text])
    assert regular is not None
    assert regular == ordinary(text)


json_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                        st.sampled_from(["2023-09-08T10:00:00Z", "2023-09-08", "open", "[", "{"]))
json_anything = st.recursive(json_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=12)
PIECES = ["{", "}", "[", "]", ",", ":", '"', '"pulls"', '"repos"', '"taken_at"', " ", "\n", "1",
          "null", "NaN", "\\", "\ufeff"]


@FAST
@given(st.integers(0, 1), st.sampled_from(["number", "title", "user", "labels", "files", "created_at",
                                           "head", "x"]), json_anything, st.integers(0, 30))
def test_any_changed_field_reads_alike(index: int, field: str, value: Any, depth: int) -> None:
    data: Any = json.loads(TWO_PULLS)
    for _ in range(depth):
        value = [value]
    data["repos"][REPO]["pulls"][index][field] = value
    assert agrees(json.dumps(data))


@FAST
@given(st.integers(0, len(TWO_PULLS)), st.integers(0, 8),
       st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=4).map("".join),
       st.integers(0, len(TWO_PULLS)))
def test_any_spliced_text_reads_alike(at: int, cut: int, piece: str, chunk: int) -> None:
    """The text with a few characters cut and others put in their place, anywhere."""
    assert agrees(TWO_PULLS[:at] + piece + TWO_PULLS[at + cut:], chunk)


@FAST
@given(st.lists(st.integers(0, len(DEMO_TEXT)), max_size=30))
def test_the_text_cut_in_chunks_anywhere_reads_alike(cuts: list[int]) -> None:
    at = [0, *sorted(cuts), len(DEMO_TEXT)]
    chunks = [DEMO_TEXT[start:end] for start, end in pairwise(at)]
    assert _read_regular(chunks) == ordinary(DEMO_TEXT)


def test_a_number_is_not_read_cut_short_at_a_chunk_end() -> None:
    text = json.dumps({"taken_at": DEMO["taken_at"], "repos": {}, "n": 12345})
    at = text.index("12345") + 2
    assert _read_regular([text[:at], text[at:]]) == ordinary(text)
