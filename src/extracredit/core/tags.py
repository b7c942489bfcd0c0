"""A course tag split into its course part and its term part (CSGY6953S27: CSGY6953, spring 2027)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# How courses write a season in their tags; the longest spelling is tried first, so that DLFL23
# reads as DL + FL23 and never as DLF + L23.
SEASONS = {
    "FALL": "fall", "FL": "fall", "FA": "fall", "F": "fall",
    "SPRING": "spring", "SP": "spring", "S": "spring",
    "SUMMER": "summer", "SU": "summer",
    "WINTER": "winter", "WI": "winter", "W": "winter",
}
SEASON_CODES = tuple(sorted(SEASONS, key=len, reverse=True))
# First and last day of each season (month, day), for a first guess at the window.
SEASON_DAYS = {
    "fall": ((9, 1), (12, 31)),
    "spring": ((1, 1), (5, 31)),
    "summer": ((6, 1), (8, 31)),
    "winter": ((1, 1), (3, 31)),  # a winter quarter runs to March; an intersession ends sooner
}
TAG_SEPARATORS = "-_."
MAX_TAG_LENGTH = 24

# Letters and digits in runs joined by one separator, with a letter somewhere.
TAG_SHAPE = re.compile(r"^(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$")
# A term as the configuration's `term:` names it: a term name, then a 2- or 4-digit year.
TERM_SHAPE = re.compile(r"^(?P<name>[A-Za-z]{1,10})(?P<year>\d{2}|\d{4})$")
_YEAR = r"(?:20)?\d{2}"
_TRAILING_TERM = re.compile(
    rf"^(?P<course>.*?[A-Za-z0-9])[-_.]?(?P<name>{'|'.join(SEASON_CODES)})(?P<year>{_YEAR})$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """A tag's term: the season and the year it names."""

    name: str  # as the tag writes it: FL, S, IAP
    season: str  # fall, spring, summer, winter; else the name in capitals (IAP)
    year: int  # with its century: 2027

    def same_as(self, name: str, year: str) -> bool:
        """Whether a term written NAME YEAR (two or four digits) is this one."""
        return season_of(name) == self.season and int(year) % 100 == self.year % 100


@dataclass(frozen=True)
class TagParts:
    """A tag split into its course and its term."""

    course: str  # the tag without its term: CSGY6953, CS-101, 6.S191
    term: Term | None  # None when the tag names no term this module can tell


def season_of(name: str) -> str:
    return SEASONS.get(name.upper(), name.upper())


def _term(name: str, year: str) -> Term:
    full_year = int(year) if len(year) == 4 else 2000 + int(year)
    return Term(name=name, season=season_of(name), year=full_year)


def is_tag(tag: str) -> bool:
    return 2 <= len(tag) <= MAX_TAG_LENGTH and TAG_SHAPE.match(tag) is not None


def course_of(tag: str, term: str) -> str | None:
    """The tag without TERM at its end (and the separator before it), or None if it does not end so."""
    if not TERM_SHAPE.match(term) or len(term) >= len(tag) or not tag.lower().endswith(term.lower()):
        return None
    course = tag[:-len(term)]
    if course[-1] in TAG_SEPARATORS:
        course = course[:-1]
    return course if course and course[-1] not in TAG_SEPARATORS else None


def split_tag(tag: str, term: str | None = None) -> TagParts:
    """The course and term parts of a valid tag; TERM (the configuration's `term:`) overrides a guess."""
    if term is not None:
        course = course_of(tag, term)
        named = TERM_SHAPE.match(term)
        if course is not None and named is not None:
            return TagParts(course, _term(named["name"], named["year"]))
    found = _TRAILING_TERM.match(tag)
    if found is None:
        return TagParts(tag, None)
    return TagParts(found["course"], _term(found["name"], found["year"]))


def term_dates(term: Term) -> tuple[date, date] | None:
    """The first and last day of a term of a known season, else None (IAP: the course knows)."""
    days = SEASON_DAYS.get(term.season)
    if days is None:
        return None
    (open_month, open_day), (close_month, close_day) = days
    return date(term.year, open_month, open_day), date(term.year, close_month, close_day)
