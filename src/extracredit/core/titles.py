"""The title rule: does a PR title carry the semester tag, and what title would."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extracredit.core.vocab import TitleProblem

# Term codes the course family has used in its tags (fall, spring, summer, winter).
_TERMS = ("FL", "FA", "SP", "SU", "WI")
_OPENERS = "[({<【〔〖「『〈《"
_CLOSERS = "])}>】〕〗」』〉》"
_TAG_SHAPE = re.compile(r"^(?P<course>[A-Za-z]+?)(?P<term>FL|FA|SP|SU|WI)(?P<year>\d{2})$",
                        re.IGNORECASE)
_SEPARATOR = r"[\s\-_./:]?\s*"


@dataclass(frozen=True)
class TitleVerdict:
    passed: bool
    problem: TitleProblem | None
    suggestion: str | None
    found: str | None  # the mangled or foreign tag as written, to quote back


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    text: str
    same_term: bool
    bracketed: bool
    exact: bool


def _fold(title: str) -> str:
    """Map full-width and compatibility characters to ASCII one for one, keeping positions."""
    folded = []
    for char in title:
        plain = unicodedata.normalize("NFKC", char)
        folded.append(plain if len(plain) == 1 else char)
    return "".join(folded)


def _candidate_pattern(tag: str) -> re.Pattern[str]:
    shape = _TAG_SHAPE.match(tag)
    if shape is None:
        course = re.escape(tag)
        core = rf"(?P<course>{course})(?P<term>)(?P<year>)"
    else:
        course = _SEPARATOR.join(re.escape(letter) for letter in shape["course"])
        terms = "|".join(_TERMS)
        core = (rf"(?P<course>{course}){_SEPARATOR}(?P<term>{terms}){_SEPARATOR}"
                rf"(?P<year>\d{{4}}|\d{{2}})(?!\d)")
    openers = re.escape(_OPENERS)
    closers = re.escape(_CLOSERS)
    return re.compile(
        rf"(?P<open>[{openers}])?\s*(?<![A-Za-z0-9]){core}(?![A-Za-z0-9])\s*(?P<close>[{closers}])?",
        re.IGNORECASE,
    )


def _candidates(title: str, tag: str) -> list[_Candidate]:
    shape = _TAG_SHAPE.match(tag)
    folded = _fold(title)
    found = []
    for match in _candidate_pattern(tag).finditer(folded):
        if shape is None:
            same_term = True
        else:
            year = match["year"][-2:]
            same_term = (match["term"].upper() == shape["term"].upper()
                         and year == shape["year"])
        raw = title[match.start():match.end()]
        found.append(_Candidate(
            start=match.start(),
            end=match.end(),
            text=raw.strip(),
            same_term=same_term,
            bracketed=bool(match["open"] and match["close"]),
            exact=raw.upper() == f"[{tag.upper()}]",
        ))
    return found


def _replace(title: str, candidate: _Candidate, tag: str) -> str:
    before = title[:candidate.start].rstrip()
    after = re.sub(r"^[\s\-:–—|]+", "", title[candidate.end:])
    words = [part for part in (before, f"[{tag}]", after) if part]
    return " ".join(words)


def check_title(title: str, tag: str) -> TitleVerdict:
    """Apply the tag rule to a title; a failure comes with a passing title that keeps its words."""
    candidates = _candidates(title, tag)
    if any(candidate.exact for candidate in candidates):
        return TitleVerdict(True, None, None, None)
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
