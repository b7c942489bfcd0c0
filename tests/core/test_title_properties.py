"""The title rule for any valid tag, as properties: a failure's suggestion passes, carries the tag
once and keeps everything else; a variant of the tag is `malformed`, another term `wrong-semester`."""

from __future__ import annotations

import string
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.core.tags import SEASONS, TAG_SEPARATORS, is_tag, split_tag
from extracredit.core.titles import check_title

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# What the suggestion may drop between the near-miss and the words after it ("DLFL23 - fix").
JOINERS = "-:–—|"
# Full-width forms of ASCII letters and digits: the same tag, wider.
WIDE = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}
# Bracket pairs around a tag: whole pairs (full-width and CJK ones too), and unclosed or none.
WHOLE_BRACKETS = [("[", "]"), ("(", ")"), ("{", "}"), ("\u3010", "\u3011"), ("\uff3b", "\uff3d"),
                  ("<", ">")]
HALF_BRACKETS = [("[", ""), ("", "]"), ("", "")]

alnum_runs = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                     min_size=1, max_size=6)
separators = st.sampled_from(["", *TAG_SEPARATORS])


@st.composite
def course_parts(draw: st.DrawFn) -> str:
    runs = draw(st.lists(alnum_runs, min_size=1, max_size=3))
    course = runs[0]
    for run in runs[1:]:
        course += draw(st.sampled_from(TAG_SEPARATORS)) + run
    # A letter first keeps a course part a tag in its own right (6.S191 has one further on).
    return draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + course


@st.composite
def termed_tags(draw: st.DrawFn) -> tuple[str, str | None]:
    """A tag with a term part: a season code the rule infers, or a named term given as term:."""
    course = draw(course_parts())
    year = draw(st.sampled_from(["%02d", "20%02d"])) % draw(st.integers(0, 99))
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(SEASONS)))
        hint = None
    else:
        name = draw(st.sampled_from(["IAP", "Q", "JTERM", "T"]))
        hint = name + year
    name = "".join(draw(st.sampled_from([char.lower(), char])) for char in name)
    return course + draw(separators) + name + year, hint


any_tags = st.one_of(
    termed_tags(),
    st.from_regex(r"[A-Za-z0-9]{1,8}(?:[-_.][A-Za-z0-9]{1,8}){0,2}", fullmatch=True)
    .filter(is_tag).map(lambda tag: (tag, None)),
)
words = st.one_of(
    st.sampled_from(["fix", "Fix typo in 01-1.md", "[EN]", "[ZH]", "翻译", "-", ":", "|", "–",
                     "(", "]", "【", "lab 3", "  ", "S24", "FA", "2024"]),
    st.text(max_size=12),
)


def spelled(tag: str, term: str | None, data: st.DataObject, *, other_term: bool) -> str:
    """The tag as a hurried student writes it: spaced, split, bracketed, wide, in any case."""
    draw = data.draw
    parts = split_tag(tag, term)
    pieces = [char for char in parts.course if char.isalnum()]
    assert parts.term is not None
    season_names = [name for name, season in SEASONS.items() if season == parts.term.season]
    names = season_names or [parts.term.name]
    year = parts.term.year + (draw(st.integers(1, 5)) if other_term else 0)
    pieces.append(draw(st.sampled_from(names)))
    pieces.append(draw(st.sampled_from([f"{year % 100:02d}", f"{year}"])))
    text = pieces[0]
    for piece in pieces[1:]:
        text += draw(st.sampled_from(["", "", " ", "-", "_", ".", " - ", ": "])) + piece
    text = "".join(draw(st.sampled_from([char.lower(), char.upper()])) for char in text)
    if draw(st.booleans()):
        text = text.translate(WIDE)
    brackets = WHOLE_BRACKETS if other_term else WHOLE_BRACKETS + HALF_BRACKETS
    opener, closer = draw(st.sampled_from(brackets))
    return opener + text + closer


def ascii_lower(text: str) -> str:
    return text.translate(str.maketrans(string.ascii_uppercase, string.ascii_lowercase))


def kept(text: str) -> Counter[str]:
    return Counter(char for char in text if not char.isspace())


def assert_a_good_suggestion(title: str, tag: str, term: str | None) -> None:
    verdict = check_title(title, tag, term)
    bracketed = ascii_lower(f"[{tag}]")
    assert verdict.passed is (bracketed in ascii_lower(title))
    if verdict.passed:
        return
    suggestion = verdict.suggestion
    assert suggestion is not None
    assert check_title(suggestion, tag, term).passed
    assert ascii_lower(suggestion).count(bracketed) == 1
    # Every other character of the title is kept; only joiners after the near-miss may go.
    expected = kept(title) - kept(verdict.found or "")
    got = kept(suggestion) - kept(f"[{tag}]")
    assert not got - expected, (title, suggestion)
    assert set((expected - got).elements()) <= set(JOINERS), (title, suggestion)


@FAST
@given(any_tags, st.lists(words, max_size=6))
def test_a_failing_title_gets_a_suggestion_with_the_tag_once(tag_and_term: tuple[str, str | None],
                                                             title_words: list[str]) -> None:
    tag, term = tag_and_term
    assert_a_good_suggestion(" ".join(title_words), tag, term)


@FAST
@given(termed_tags(), st.lists(words, max_size=3), st.lists(words, max_size=3), st.data())
def test_a_variant_of_the_tag_is_malformed(tag_and_term: tuple[str, str | None], before: list[str],
                                           after: list[str], data: st.DataObject) -> None:
    tag, term = tag_and_term
    variant = spelled(tag, term, data, other_term=False)
    title = " ".join(["fix", *before, " ", variant, " ", *after])
    verdict = check_title(title, tag, term)
    if f"[{tag}]".lower() not in title.lower():
        assert verdict.problem == "malformed", (title, verdict)
    assert_a_good_suggestion(title, tag, term)


@FAST
@given(termed_tags(), st.sampled_from(["fix", "[EN] fix", "翻译"]), st.data())
def test_another_term_of_the_course_is_wrong_semester(tag_and_term: tuple[str, str | None],
                                                      rest: str, data: st.DataObject) -> None:
    tag, term = tag_and_term
    title = f"{spelled(tag, term, data, other_term=True)} {rest}"
    verdict = check_title(title, tag, term)
    assert (verdict.problem, verdict.suggestion) == ("wrong-semester", f"[{tag}] {rest}"), title
