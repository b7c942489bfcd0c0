"""The tally as text: exact CSV bytes, inert cells, Brightspace's import, and a summary of counts only."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from extracredit.core.config import Config, parse_config
from extracredit.core.credit import (
    Aggregates,
    HistogramBucket,
    KindCounts,
    Note,
    PullCredit,
    StudentCredit,
    Tally,
    Unmatched,
    tally,
)
from extracredit.core.model import PullRequest, Registry
from extracredit.forge.snapshot import load_snapshot
from extracredit.registry.files import FilesRegistry
from extracredit.registry.parse import build_registry
from extracredit.text.gradebook import (
    brightspace_csv,
    gradebook_csv,
    inert,
    summary_markdown,
    tally_csv,
    unmatched_csv,
)

ROOT = Path(__file__).parent.parent.parent
URL = "https://github.com/Atcold/NYU-DLFL23/pull/"
DemoSources = tuple[list[PullRequest], Registry, Config]


def accepted(number: int, earned: str) -> PullCredit:
    return PullCredit(f"#{number}", f"{URL}{number}", date(2023, 9, 7), True, "accepted", "merge",
                      f"C-{number:04d}", "typo", None, None, Decimal(earned), True, None, None)


def student(key: str, name: str, github: str, pulls: tuple[PullCredit, ...], raw: str,
            notes: tuple[Note, ...] = (), netid: str | None = None) -> StudentCredit:
    amount = Decimal(raw)
    return StudentCredit(key, key if netid is None else netid, name, github, pulls, amount,
                         min(amount, Decimal(5)), amount > 5, notes)


AGGREGATES = Aggregates(
    course="Deep Learning, Fall 2023", cap=Decimal(2), students=4, credited=3, reached_cap=1,
    unmatched=1,
    by_kind=(KindCounts("typo", 3, 1, 0, 1), KindCounts("bug", 1, 0, 0, 0),
             KindCounts("material", 0, 0, 0, 0), KindCounts("translation", 0, 2, 0, 0),
             KindCounts(None, 1, 0, 1, 0)),
    histogram=(HistogramBucket(Decimal(0), Decimal(0), 1),
               HistogramBucket(Decimal(0), Decimal("0.5"), 2),
               HistogramBucket(Decimal("0.5"), Decimal(1), 0),
               HistogramBucket(Decimal(1), Decimal("1.5"), 0),
               HistogramBucket(Decimal("1.5"), Decimal(2), 1)),
)
TALLY = Tally(
    students=(
        student("ab1234", "Aisha Bello", "aishab", (accepted(7, "0.5"),), "0.5",
                (Note("earned", "#7", "C-0007", "0.50", decided_by="merge"),
                 Note("bad-title", "#63", tag="[DLFL23]"))),
        student("cd5678", "=HYPERLINK(\"http://x\",\"Bob\")", "bob", (), "0"),
        student("ef9012", "Chen, \"Carol\"", "carol",
                (accepted(10, "1.5"), accepted(30, "2"), accepted(42, "1.5"), accepted(60, "1.5")),
                "6.5", (Note("rejected", "-1", decided_by="ledger"), Note("pending", "+", claim="C-1"))),
        student("@ghost", "@Gus", "ghost", (accepted(3, "0.125"),), "0.125", netid=""),
        student("jd0042", "Jamal Davis", "jdavis42", (), "0"),
    ),
    unmatched=(Unmatched("#47", f"{URL}47", "sanjay-audit", "not-a-student"),
               Unmatched("#84", f"{URL}84", "Atcold", "staff"),
               Unmatched("#89", f"{URL}89", "dependabot[bot]", "bot")),
    aggregates=AGGREGATES,
    stray_ledger_rows=(),
)


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("a=b", "a=b"), ("#12", "#12"), ("", ""),
    ("'=already", "'=already"),
])
def test_inert(cell: str, shown: str) -> None:
    assert inert(cell) == shown


def test_tally_csv() -> None:
    assert tally_csv(TALLY) == (
        "NetID,Name,GitHub,Accepted PRs,Raw credit,Credit,Capped,Notes\n"
        "ab1234,Aisha Bello,aishab,https://github.com/Atcold/NYU-DLFL23/pull/7,0.50,0.50,no,"
        "\"C-0007 0.50 (#7, merged); #63 not a candidate: the title lacks [DLFL23]\"\n"
        "cd5678,\"'=HYPERLINK(\"\"http://x\"\",\"\"Bob\"\")\",bob,,0.00,0.00,no,\n"
        "ef9012,\"Chen, \"\"Carol\"\"\",carol,https://github.com/Atcold/NYU-DLFL23/pull/10 "
        "https://github.com/Atcold/NYU-DLFL23/pull/30 https://github.com/Atcold/NYU-DLFL23/pull/42 "
        "https://github.com/Atcold/NYU-DLFL23/pull/60,6.50,5.00,yes,'-1 rejected (Ledger); + pending (C-1)\n"
        ",'@Gus,ghost,https://github.com/Atcold/NYU-DLFL23/pull/3,0.13,0.13,no,\n"
        "jd0042,Jamal Davis,jdavis42,,0.00,0.00,no,\n"
    )


def test_gradebook_csv_has_every_student_with_a_netid() -> None:
    assert gradebook_csv(TALLY) == (
        "NetID,Extra credit\n"
        "ab1234,0.50\n"
        "cd5678,0.00\n"
        "ef9012,5.00\n"
        "jd0042,0.00\n"
    )


def test_brightspace_csv_follows_the_grade_import_format() -> None:
    assert brightspace_csv(TALLY) == (
        "OrgDefinedId,Extra Credit Points Grade,End-of-Line Indicator\n"
        "#ab1234,0.50,#\n"
        "#cd5678,0.00,#\n"
        "#ef9012,5.00,#\n"
        "#jd0042,0.00,#\n"
    )
    assert brightspace_csv(TALLY, item="PR Bonus", key="Username").splitlines()[:2] == [
        "Username,PR Bonus Points Grade,End-of-Line Indicator", "#ab1234,0.50,#"]


def test_unmatched_csv() -> None:
    assert unmatched_csv(TALLY) == (
        "PR,GitHub,Reason\n"
        "https://github.com/Atcold/NYU-DLFL23/pull/47,sanjay-audit,not on the roster or in the claims\n"
        "https://github.com/Atcold/NYU-DLFL23/pull/84,Atcold,\"staff (owner, member or collaborator)\"\n"
        "https://github.com/Atcold/NYU-DLFL23/pull/89,dependabot[bot],bot\n"
    )


def test_summary_markdown_shows_counts_and_a_mermaid_histogram() -> None:
    assert summary_markdown(AGGREGATES) == """\
### Extra-credit tally: Deep Learning, Fall 2023

Counts only. The per-student tally stays in the staff sheet and the TA's local files.

|  | count |
|---|---:|
| Students (roster and claims) | 4 |
| Students with credit | 3 |
| Students at the cap (2%) | 1 |
| Candidate PRs by non-students (no credit) | 1 |

| kind | accepted | pending | rejected | closed unmerged |
|---|---:|---:|---:|---:|
| typo | 3 | 1 | 0 | 1 |
| bug | 1 | 0 | 0 | 0 |
| material | 0 | 0 | 0 | 0 |
| translation | 0 | 2 | 0 | 0 |
| no claim | 1 | 0 | 1 | 0 |

```mermaid
xychart-beta
    title "Students by extra credit (%)"
    x-axis "credit up to (%)" ["0", "0.5", "1", "1.5", "2"]
    y-axis "students" 0 --> 2
    bar [1, 2, 0, 0, 1]
```

Buckets: 0 is exactly 0; each other label L counts credit above L - 0.5 up to L.
"""


# The demo semester: the same sources give the same bytes, and the public summary names no one --

@pytest.fixture(scope="module")
def demo_sources() -> DemoSources:
    config = parse_config((ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8"))
    registry = build_registry(FilesRegistry(ROOT / "registry" / "demo").read(
        ["Claims", "Roster", "Ledger"]), config.zone)
    pulls = load_snapshot(ROOT / "registry" / "demo" / "semester.json").all_pulls()
    return pulls, registry, config


def _texts(result: Tally) -> list[str]:
    return [tally_csv(result), gradebook_csv(result), brightspace_csv(result),
            unmatched_csv(result), summary_markdown(result.aggregates)]


def test_demo_outputs_are_byte_identical_from_the_same_sources(demo_sources: DemoSources) -> None:
    pulls, registry, config = demo_sources
    first = _texts(tally(pulls, registry, config))
    shuffled = pulls[:]
    random.Random(3).shuffle(shuffled)
    assert _texts(tally(shuffled, registry, config)) == first
    assert all("\r" not in text and text.endswith("\n") for text in first)
    assert first[0].count("\n") == 31  # the header and the 30 students of the roster


def test_demo_summary_names_no_student(demo_sources: DemoSources) -> None:
    pulls, registry, config = demo_sources
    result = tally(pulls, registry, config)
    summary = summary_markdown(result.aggregates).lower()
    for entry in result.students:
        for private in (entry.netid, entry.name, entry.github):
            if private:
                assert private.lower() not in summary
    for unmatched in result.unmatched:
        assert unmatched.login.lower() not in summary
