"""A registry problem in words: what is wrong with the cell or row, and how a TA fixes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from extracredit.core.cells import FIRST_YEAR, LAST_YEAR, nearest
from extracredit.core.model import Problem
from extracredit.core.vocab import KINDS

CELL_EMPTY = "is empty"
KINDS_TEXT = "typo, bug, material or translation"

FIX_CLAIM_ID = "clear the cell; the sync fills in a fresh id"
FIX_TIME = "write a date and time such as 2023-09-14 13:05 (course time zone)"
FIX_LOGIN = "write the GitHub username, such as alice"
FIX_NETID = "write the student's NetID"
FIX_TARGET = "list the repo paths the work will touch, separated by commas"
FIX_STATUS = "leave it empty (the tool fills it) or write withdrawn"
FIX_FORMULA = "remove the leading '=' or prefix it with an apostrophe"
FIX_DECISION = "write accept, reject or credit"
FIX_CREDIT = "write a number from 0 to 100 with at most 4 decimals, such as 0.5"
FIX_TIME_RANGE = f"write a date and time between {FIRST_YEAR} and {LAST_YEAR}, such as 2023-09-14 13:05"
FIX_GITHUB_ID = "clear the cell (the sync fills it in), or write the account's number id"
FIX_PR_URL = "paste the PR's URL"
FIX_CLAIMED_TWICE = "merge the two rows, or withdraw one"
FIX_ROSTER_LOGIN = "correct the GitHub cell (or the roster, if the student changed accounts)"
FIX_ONE_PERSON = "find out who is who and correct the rows"
FIX_TARGET_PATH = "write a path that exists in the course repo (folders end with /)"
FIX_BACKDATED = "check with the student; set Submitted to when the row was really added"
FIX_CHANGED_AFTER_PR = "restore the old value, or open a new claim for the new work"
FIX_DUPLICATE = "tell the student the work is taken; a TA may withdraw one of the claims"
FIX_NARROW = "narrow it to the files the work will touch"
FIX_EDITED = ("restore the cell; or, to accept the edit, write yes in the Accepted edit column of "
              "this claim's row of the Claims log")
FIX_NOT_ON_ROSTER = "add the student to the roster, or correct the NetID"
HEADER_DUPLICATE = "the header names this column twice; only the first is read"
HEADER_DUPLICATE_FIX = "rename or delete the second column"
CELL_FORMULA = "holds a formula; it is read as text and never evaluated"

# The fix for an empty cell depends on the column.
_FIX_EMPTY = {"NetID": FIX_NETID, "Target": FIX_TARGET, "PR": FIX_PR_URL, "Submitted": FIX_TIME,
              "When": FIX_TIME, "GitHub": FIX_LOGIN, "Kind": f"write one of {KINDS_TEXT}",
              "Decision": FIX_DECISION, "Credit": FIX_CREDIT}


def _quoted_or_empty(template: str) -> Callable[[Problem], str]:
    def render(problem: Problem) -> str:
        value = str(problem.value("value"))
        return template.format(value=value) if value else CELL_EMPTY
    return render


def _day(moment: object) -> str:
    assert isinstance(moment, datetime)
    return moment.date().isoformat()


def fix_kind(value: str, kinds: Sequence[str]) -> str:
    near = nearest(value, kinds, cutoff=0.5)
    return f"write '{near}'" if near else f"write one of {KINDS_TEXT}"


_PROBLEMS: dict[str, Callable[[Problem], str]] = {
    "empty": lambda p: CELL_EMPTY,
    "bad-claim-id": lambda p: f"'{p.value('value')}' is not a claim id like C-0007",
    "repeated-claim-id": lambda p: f"'{p.value('value')}' is already used on row {p.value('first_row')}",
    "bad-time": _quoted_or_empty("'{value}' is not a date and time"),
    "bad-login": _quoted_or_empty("'{value}' is not a GitHub username"),
    "bad-kind": _quoted_or_empty("'{value}' is not a kind (" + KINDS_TEXT + ")"),
    "bad-status": lambda p: f"'{p.value('value')}' is not a status",
    "formula": lambda p: CELL_FORMULA,
    "bad-decision": _quoted_or_empty("'{value}' is not a decision"),
    "bad-credit": _quoted_or_empty("'{value}' is not an amount from 0 to 100"),
    "time-out-of-range": lambda p: (f"'{p.value('value')}' is not between the years {FIRST_YEAR} "
                                    f"and {LAST_YEAR}"),
    "bad-github-id": lambda p: f"'{p.value('value')}' is not a GitHub account id (digits 0-9)",
    "header-duplicate": lambda p: HEADER_DUPLICATE,
    "claimed-twice": lambda p: (f"the same student already claimed these files as "
                                f"{p.value('earlier')} (row {p.value('earlier_row')})"),
    "not-roster-login": lambda p: (f"'{p.value('cell')}' is not the GitHub account the roster has "
                                   f"for this NetID ('{p.value('roster')}')"),
    "login-on-two-netids": lambda p: (f"the account '{p.value('account')}' appears under "
                                      f"{p.value('count')} NetIDs (also on {p.value('also_tab')} "
                                      f"row {p.value('also_row')})"),
    "netid-with-two-logins": lambda p: (f"this NetID appears with {p.value('count')} GitHub accounts "
                                        f"(also on {p.value('also_tab')} row {p.value('also_row')})"),
    "target-matches-nothing": lambda p: (f"the target '{p.value('entry')}' matches no file of the "
                                         "course repo"),
    "backdated": lambda p: ("Submitted is more than two days before the row first appeared "
                            f"({_day(p.value('first_seen'))})"),
    "changed-after-pr": lambda p: f"{p.column} changed after a PR started carrying this claim",
    "header-unreadable": lambda p: ("the header row lacks a column the tool needs, so no row of the tab "
                                    "could be read; the claims seen before still count as recorded"),
    "vanished": lambda p: (f"claim {p.value('claim')} was seen before but no row of the Claims tab "
                           "carries its id any more; it still counts as first seen"),
    "edited-after-seen": lambda p: (f"{p.column} was edited after the tool first saw this claim; "
                                    "the value first seen still counts"),
    "netid-not-on-roster": lambda p: "this NetID is not on the roster, so the claim counts for nothing",
    "overbroad-target": lambda p: (f"the target '{p.value('entry')}' names the whole repository; it "
                                   "holds no files against other claims"),
    "target-too-broad": lambda p: (f"the target '{p.value('entry')}' matches {p.value('share')}% of the "
                                   "course repo's files: it would keep every later claim of its kind "
                                   "off them"),
    "duplicate": lambda p: (f"duplicate of {p.value('earlier')} (row {p.value('earlier_row')}, "
                            f"submitted {_day(p.value('submitted'))}), which held the same files "
                            "of the same kind"),
}

_FIXES: dict[str, Callable[[Problem], str]] = {
    "empty": lambda p: _FIX_EMPTY.get(p.column, "fill in the cell"),
    "bad-claim-id": lambda p: FIX_CLAIM_ID,
    "repeated-claim-id": lambda p: FIX_CLAIM_ID,
    "bad-time": lambda p: FIX_TIME,
    "bad-login": lambda p: FIX_LOGIN,
    "bad-kind": lambda p: fix_kind(str(p.value("value")).lower(), KINDS),
    "bad-status": lambda p: FIX_STATUS,
    "formula": lambda p: FIX_FORMULA,
    "bad-decision": lambda p: FIX_DECISION,
    "bad-credit": lambda p: FIX_CREDIT,
    "time-out-of-range": lambda p: FIX_TIME_RANGE,
    "bad-github-id": lambda p: FIX_GITHUB_ID,
    "header-duplicate": lambda p: HEADER_DUPLICATE_FIX,
    "claimed-twice": lambda p: FIX_CLAIMED_TWICE,
    "not-roster-login": lambda p: FIX_ROSTER_LOGIN,
    "login-on-two-netids": lambda p: FIX_ONE_PERSON,
    "netid-with-two-logins": lambda p: FIX_ONE_PERSON,
    "target-matches-nothing": lambda p: FIX_TARGET_PATH,
    "backdated": lambda p: FIX_BACKDATED,
    "changed-after-pr": lambda p: FIX_CHANGED_AFTER_PR,
    "duplicate": lambda p: FIX_DUPLICATE,
    "edited-after-seen": lambda p: FIX_EDITED,
    "header-unreadable": lambda p: f"restore the header row: {p.value('columns')}",
    "vanished": lambda p: ("restore the row, or, if the claim is withdrawn for good, write withdrawn in "
                           "its Status (deleting its Claims log row forgets it entirely)"),
    "netid-not-on-roster": lambda p: FIX_NOT_ON_ROSTER,
    "overbroad-target": lambda p: FIX_TARGET_PATH,
    "target-too-broad": lambda p: FIX_NARROW,
}


def what(problem: Problem) -> str:
    """What is wrong, in the words the Problems tab and the lint show."""
    return _PROBLEMS[problem.code](problem)


def fix(problem: Problem) -> str:
    """How a TA fixes it."""
    return _FIXES[problem.code](problem)


def lint_line(problem: Problem) -> str:
    return f"{problem.tab} row {problem.row}, {problem.column}: {what(problem)}. Fix: {fix(problem)}."


def lint_summary(count: int) -> str:
    if count == 0:
        return "the registry is clean: no problems found"
    return f"{count} problem{'s' if count != 1 else ''} found in the registry"


def ordered(problems: Sequence[Problem]) -> list[Problem]:
    """Claims first, then by tab, row, column and the words of the problem."""
    return sorted(problems, key=lambda p: (p.tab != "Claims", p.tab, p.row, p.column, what(p)))


def problems_rows(problems: Sequence[Problem], stamp: str) -> list[list[str]]:
    """The Problems tab as rows (header first)."""
    header = ["Tab", "Row", "Column", "Problem", "Fix", "Found"]
    return [header] + [[p.tab, str(p.row), p.column, what(p), fix(p), stamp] for p in problems]
