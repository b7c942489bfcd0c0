"""The title rule: does a PR title carry the semester tag, and what title would."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from extracredit.core.tags import SEASON_CODES, TagParts, split_tag
from extracredit.core.vocab import TitleProblem

_OPENERS = "[({<【〔〖「『〈《"
_CLOSERS = "])}>】〕〗」』〉》"
# Spaces around at most one separator; atomic, so that a hostile run of spaces cannot make the
# pattern try every way of splitting it.
_SEPARATOR = r"(?>\s*[\-_./:]?\s*)"


@dataclass(frozen=True)
class TitleVerdict:
    """The title rule's answer for one title: passed, or the problem and a suggested title."""

    passed: bool
    problem: TitleProblem | None
    suggestion: str | None
    found: str | None  # the mangled or foreign tag as written, to quote back


@dataclass(frozen=True)
class _Candidate:
    """Something in a title that may be the tag, and where it stands."""

    start: int
    end: int
    text: str
    same_term: bool
    bracketed: bool


def _fold(title: str) -> str:
    """Map full-width and compatibility characters to ASCII one for one, keeping positions."""
    folded = []
    for char in title:
        plain = unicodedata.normalize("NFKC", char)
        folded.append(plain if len(plain) == 1 else char)
    return "".join(folded)


def _candidate_pattern(parts: TagParts) -> re.Pattern[str]:
    # The course part may be spaced or split anywhere (CSGY 6953, DL-FL), its separators dropped.
    course = _SEPARATOR.join(re.escape(char) for char in parts.course if char.isalnum())
    if parts.term is None:
        core = rf"(?P<course>{course})(?P<term>)(?P<year>)"
    else:
        names = sorted({*SEASON_CODES, parts.term.name.upper()}, key=len, reverse=True)
        terms = "|".join(re.escape(name) for name in names)
        core = (rf"(?P<course>{course}){_SEPARATOR}(?P<term>{terms}){_SEPARATOR}"
                rf"(?P<year>\d{{4}}|\d{{2}})(?!\d)")
    openers = re.escape(_OPENERS)
    closers = re.escape(_CLOSERS)
    return re.compile(
        rf"(?P<open>[{openers}])?\s*(?<![A-Za-z0-9]){core}(?![A-Za-z0-9])\s*(?P<close>[{closers}])?",
        re.IGNORECASE,
    )


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _ascii_lower(text: str) -> str:
    # Only ASCII letters fold, so that no look-alike (the long s, the Kelvin sign) passes as the tag.
    return text.translate(_ASCII_LOWER)


def _candidates(title: str, tag: str, term: str | None) -> list[_Candidate]:
    parts = split_tag(tag, term)
    folded = _fold(title)
    found = []
    for match in _candidate_pattern(parts).finditer(folded):
        same_term = parts.term is None or parts.term.same_as(match["term"], match["year"])
        raw = title[match.start():match.end()]
        found.append(_Candidate(
            start=match.start(),
            end=match.end(),
            text=raw.strip(),
            same_term=same_term,
            bracketed=bool(match["open"] and match["close"]),
        ))
    return found


def _replace(title: str, candidate: _Candidate, tag: str) -> str:
    before = title[:candidate.start].rstrip()
    after = re.sub(r"^[\s\-:–—|]+", "", title[candidate.end:])
    words = [part for part in (before, f"[{tag}]", after) if part]
    return " ".join(words)


def check_title(title: str, tag: str, term: str | None = None) -> TitleVerdict:
    """Apply the tag rule to a title; a failure comes with a passing title that keeps its words.

    TERM is the configuration's `term:`, for a tag whose term cannot be told from the tag alone.
    """
    if _ascii_lower(f"[{tag}]") in _ascii_lower(title):
        return TitleVerdict(True, None, None, None)
    candidates = _candidates(title, tag, term)
    mangled = [c for c in candidates if c.same_term]
    foreign = [c for c in candidates if not c.same_term and c.bracketed]
    if mangled:
        first = mangled[0]
        return TitleVerdict(False, "malformed", _replace(title, first, tag), first.text)
    if foreign:
        first = foreign[0]
        return TitleVerdict(False, "wrong-semester", _replace(title, first, tag), first.text)
    rest = " ".join(title.split())
    suggestion = f"[{tag}] {rest}" if rest else f"[{tag}]"
    return TitleVerdict(False, "missing", suggestion, None)


def titles_passing(titles: Iterable[str], tag: str, term: str | None = None) -> dict[str, bool]:
    """Whether each of ``titles`` passes ``check_title``: a course's tens of thousands of titles
    nearly all hold the tag as written, and are told so without a verdict made for each."""
    needle = _ascii_lower(f"[{tag}]")
    return {title: needle in _ascii_lower(title) or check_title(title, tag, term).passed
            for title in titles}
