"""No edit of another student's rows changes a student's verdict or credit (the trust rule).

A random semester (a roster, claims, PRs, a Ledger) goes through a first sync, which records
every claim in the Claims log. Then an attacker edits the claims sheet at will, except the
victim's own rows: any cell of any other row (identity cells included), the header, the order
of the rows, rows added with any Submitted time. The victim's verdict on every one of their PRs,
and their credit in the tally, stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.core.config import Config, parse_config
from extracredit.core.credit import tally
from extracredit.core.model import Account, ChangedFile, PullRequest, Table
from extracredit.core.verdict import decide
from extracredit.core.vocab import KINDS
from extracredit.jobs.sync import first_sightings
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import CLAIMS_COLUMNS, CLAIMS_LOG_COLUMNS, LEDGER_COLUMNS, ROSTER_COLUMNS

ROOT = Path(__file__).resolve().parent.parent.parent
NY = ZoneInfo("America/New_York")
CONFIG: Config = parse_config((ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8"))
REPO = CONFIG.repos[0]
PATHS = ("a.md", "b.md", "docs/c.md", "docs/d.md", "notes/e.ipynb")
TARGETS = ("a.md", "b.md", "docs/", "docs/c.md", "*.md", "notes/", "e.ipynb", "docs/*.md")
# Everything the semester holds happens before the first sync, and the checks come after it.
FIRST_SYNC = datetime(2023, 9, 30, 12, tzinfo=NY)
NOW = datetime(2023, 10, 2, 9, tzinfo=NY)
VICTIM = "s0"


@dataclass(frozen=True)
class Semester:
    claims: Table  # as the first sync found it (ids filled in)
    victim_rows: frozenset[int]
    roster: Table
    ledger: Table
    log: Table
    pulls: tuple[PullRequest, ...]

    def tables(self, claims: Table) -> dict[str, Table]:
        return {"Claims": claims, "Roster": self.roster, "Ledger": self.ledger, "Claims log": self.log}


def _stamp(day: int, hour: int) -> str:
    return f"2023-09-{day:02d} {hour:02d}:00"


@st.composite
def semesters(draw: st.DrawFn) -> Semester:
    students = draw(st.integers(2, 4))
    roster_rows = tuple((number + 2, (f"s{i}", f"Student {i}", f"user{i}", str(100 + i)))
                        for number, i in enumerate(range(students)))
    claim_cells: list[tuple[str, ...]] = []
    owners: list[int] = []
    for i in range(students):
        for _ in range(draw(st.integers(1 if i == 0 else 0, 3))):
            targets = draw(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=2, unique=True))
            claim_cells.append((
                "", _stamp(draw(st.integers(6, 20)), draw(st.integers(0, 23))), f"user{i}", f"s{i}",
                f"Student {i}", draw(st.sampled_from(KINDS)), ", ".join(targets), "plan",
                draw(st.sampled_from(["", "", "", "withdrawn"])), "", "", ""))
            owners.append(i)
    order = draw(st.permutations(range(len(claim_cells))))
    rows = []
    victim_rows = set()
    for position, index in enumerate(order):
        cells = (f"C-{position + 1:04d}", *claim_cells[index][1:])
        rows.append((position + 2, cells))
        if owners[index] == 0:
            victim_rows.add(position + 2)
    claims = Table("Claims", CLAIMS_COLUMNS, tuple(rows))
    pulls = []
    number = 1
    for i in range(students):
        for _ in range(draw(st.integers(1 if i == 0 else 0, 2))):
            files = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=2, unique=True))
            created = datetime(2023, 9, draw(st.integers(8, 25)), draw(st.integers(0, 23)), tzinfo=NY)
            state = draw(st.sampled_from(["open", "merged", "closed"]))
            body = draw(st.sampled_from(["", "", f"Claim C-{draw(st.integers(1, max(len(rows), 1))):04d}"]))
            decided = created + timedelta(days=1) if state != "open" else None
            pulls.append(PullRequest(
                REPO, number, "[DLFL23] Fix", body, "closed" if decided else "open", False, created,
                decided, decided if state == "merged" else None,
                f"https://github.com/{REPO}/pull/{number}", "NONE", Account(f"user{i}", 100 + i),
                (), f"{number:040x}", tuple(ChangedFile(path) for path in files)))
            number += 1
    roster = Table("Roster", ROSTER_COLUMNS, roster_rows)
    ledger = Table("Ledger", LEDGER_COLUMNS, ())
    registry = build_registry({"Claims": claims, "Roster": roster, "Ledger": ledger}, NY)
    stamp = FIRST_SYNC.isoformat(timespec="seconds")
    log_rows = first_sightings(registry, None, {}, claims, stamp)
    log = Table("Claims log", CLAIMS_LOG_COLUMNS,
                tuple((number + 2, tuple(cells)) for number, cells in enumerate(log_rows)))
    return Semester(claims, frozenset(victim_rows), roster, ledger, log, tuple(pulls))


def victim_outcome(semester: Semester, claims: Table) -> tuple[Any, ...]:
    """The victim's verdict on each of their PRs, and their credit."""
    registry = build_registry(semester.tables(claims), NY)
    verdicts = []
    for pr in semester.pulls:
        if pr.user.login == "user0":
            verdict = decide(pr, registry, CONFIG, NOW, known_pulls=semester.pulls)
            verdicts.append((pr.number, verdict.title.outcome, verdict.claim.outcome,
                             verdict.claim.problem, verdict.claim.claim_id))
    # The live check lists no PRs: what the sync recorded stands in for them.
    for pr in semester.pulls:
        if pr.user.login == "user0":
            verdict = decide(pr, registry, CONFIG, NOW)
            verdicts.append((pr.number, verdict.claim.outcome, verdict.claim.problem,
                             verdict.claim.claim_id))
    student = next(s for s in tally(semester.pulls, registry, CONFIG).students if s.key == VICTIM)
    return (tuple(verdicts), student.raw, student.credit,
            tuple((p.ref, p.claim, p.earned) for p in student.pulls))


# What an attacker types: the victim's own values first (identity, ids, targets), then anything.
def hostile_values(semester: Semester) -> st.SearchStrategy[str]:
    victim_cells = [cells for number, cells in semester.claims.rows if number in semester.victim_rows]
    own = sorted({cell for cells in victim_cells for cell in cells if cell})
    return st.one_of(
        st.sampled_from(["s0", "user0", "@user0", "https://github.com/user0", "100", "S0 ",
                         "*", "**", "docs/", "a.md, b.md, docs/c.md", "withdrawn", "accepted",
                         "in review", "2023-09-01 00:00", "2023-10-30 00:00", "9999-12-31 23:59",
                         "1/1/2000", "material", "typo", ""]),
        st.sampled_from(own) if own else st.just("s0"),
        st.text(max_size=12))


@st.composite
def attacks(draw: st.DrawFn, semester: Semester) -> Table:
    """The claims sheet after an attacker's edits (the victim's rows themselves untouched)."""
    values = hostile_values(semester)
    header = list(semester.claims.header)
    rows = [list(cells) for _, cells in semester.claims.rows]
    victims = [number in semester.victim_rows for number, _ in semester.claims.rows]
    for _ in range(draw(st.integers(1, 8))):
        move = draw(st.sampled_from(["cell", "cell", "cell", "row", "header", "sort"]))
        if move == "cell":
            others = [index for index, victim in enumerate(victims) if not victim]
            if not others:
                continue
            row = draw(st.sampled_from(others))
            rows[row][draw(st.integers(0, len(header) - 1))] = draw(values)
        elif move == "row":
            rows.append([draw(values) for _ in header])
            victims.append(False)
        elif move == "header":
            header[draw(st.integers(0, len(header) - 1))] = draw(st.one_of(
                st.sampled_from(CLAIMS_COLUMNS), st.text(max_size=8)))
        else:
            order = draw(st.permutations(range(len(rows))))
            rows, victims = [rows[i] for i in order], [victims[i] for i in order]
    return Table("Claims", tuple(header), tuple((n + 2, tuple(cells)) for n, cells in enumerate(rows)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_edit_of_other_rows_changes_a_victims_verdict_or_credit(data: st.DataObject) -> None:
    semester = data.draw(semesters())
    before = victim_outcome(semester, semester.claims)
    attacked = data.draw(attacks(semester))
    assert victim_outcome(semester, attacked) == before


def test_a_copied_id_with_the_victims_identity_cannot_withdraw_their_claim() -> None:
    """The one edit the property cannot reach by chance, written out: another row copies the
    victim's whole row, says withdrawn, and is sorted above it."""
    claims = Table("Claims", CLAIMS_COLUMNS, ((2, (
        "C-0001", "2023-09-06 10:00", "user0", "s0", "Student 0", "typo", "a.md", "p", "", "", "", "")),))
    semester = Semester(
        claims, frozenset({2}),
        Table("Roster", ROSTER_COLUMNS, ((2, ("s0", "Student 0", "user0", "100")),)),
        Table("Ledger", LEDGER_COLUMNS, ()), Table("Claims log", CLAIMS_LOG_COLUMNS, ()),
        (PullRequest(REPO, 1, "[DLFL23] Fix", "", "open", False, datetime(2023, 9, 8, tzinfo=NY),
                     None, None, f"https://github.com/{REPO}/pull/1", "NONE", Account("user0", 100),
                     (), "1" * 40, (ChangedFile("a.md"),)),))
    registry = build_registry({"Claims": claims, "Roster": semester.roster}, NY)
    log_rows = first_sightings(registry, None, {}, claims, FIRST_SYNC.isoformat())
    semester = replace(semester, log=Table("Claims log", CLAIMS_LOG_COLUMNS,
                                            tuple((n + 2, tuple(c)) for n, c in enumerate(log_rows))))
    before = victim_outcome(semester, claims)
    copy = ("C-0001", "2023-09-06 10:00", "user0", "s0", "Student 0", "typo", "a.md", "p", "withdrawn",
            "", "", "")
    attacked = Table("Claims", CLAIMS_COLUMNS, ((2, copy), (3, claims.rows[0][1])))
    assert victim_outcome(semester, attacked) == before
    assert before[0][0][2:] == ("pass", None, "C-0001")


@pytest.mark.parametrize("edit", ["header", "sort"])
def test_the_claims_seen_survive_a_broken_header_and_a_sort(edit: str) -> None:
    claims = Table("Claims", CLAIMS_COLUMNS, (
        (2, ("C-0001", "2023-09-06 10:00", "user1", "s1", "S1", "typo", "b.md", "p", "", "", "", "")),
        (3, ("C-0002", "2023-09-07 10:00", "user0", "s0", "S0", "typo", "a.md", "p", "", "", "", ""))))
    roster = Table("Roster", ROSTER_COLUMNS, ((2, ("s0", "S0", "user0", "100")),
                                              (3, ("s1", "S1", "user1", "101"))))
    registry = build_registry({"Claims": claims, "Roster": roster}, NY)
    log_rows = first_sightings(registry, None, {}, claims, FIRST_SYNC.isoformat())
    log = Table("Claims log", CLAIMS_LOG_COLUMNS, tuple((n + 2, tuple(c)) for n, c in enumerate(log_rows)))
    if edit == "header":
        attacked = Table("Claims", ("Claim", "When?", *CLAIMS_COLUMNS[2:]), claims.rows)
    else:
        attacked = Table("Claims", CLAIMS_COLUMNS, ((2, claims.rows[1][1]), (3, claims.rows[0][1])))
    after = build_registry({"Claims": attacked, "Roster": roster, "Claims log": log}, NY)
    assert sorted((c.id, c.netid, c.targets) for c in after.claims) == [
        ("C-0001", "s1", ("b.md",)), ("C-0002", "s0", ("a.md",))]
