"""Oversized input: a 5 MB PR body, a 10,000-file PR and a 100,000-row sheet are handled."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from extracredit.core.config import parse_config
from extracredit.core.model import Account, ChangedFile, PullRequest, Table
from extracredit.core.verdict import decide
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import CLAIMS_COLUMNS
from extracredit.text.report import build_report

NY = ZoneInfo("America/New_York")
CONFIG = parse_config((Path(__file__).parent.parent.parent / ".github" / "extra-credit.yml")
                      .read_text(encoding="utf-8"))


def registry_of(rows: list[tuple[str, ...]]):  # type: ignore[no-untyped-def]
    return build_registry({"Claims": Table("Claims", CLAIMS_COLUMNS, tuple(
        (number, row) for number, row in enumerate(rows, start=2)))}, NY)


def pull(body: str, files: int) -> PullRequest:
    return PullRequest("Atcold/NYU-DLFL23", 9, "[DLFL23] Big", body, "open", False,
                       datetime(2023, 10, 1, tzinfo=NY), None, None,
                       "https://github.com/Atcold/NYU-DLFL23/pull/9", "NONE",
                       Account("alice", 11), (), "c" * 40,
                       tuple(ChangedFile(f"docs/f{index}.md") for index in range(files)))


CLAIM = ("C-0001", "2023-09-10 09:00", "alice", "aa1", "Alice", "typo", "docs/f1.md", "p", "",
         "", "", "")


def test_a_five_megabyte_body_with_many_claim_ids() -> None:
    body = ("See C-9999 " + "x" * 1000 + "\n") * 5000
    verdict = decide(pull(body, 2), registry_of([CLAIM]), CONFIG, datetime(2023, 10, 2, tzinfo=NY))
    assert verdict.claim.claim_id == "C-0001"
    assert verdict.claim.named_unknown == ("C-9999",)
    report = build_report(verdict)
    assert report.comment is not None
    assert len(report.comment) < 5000  # the body is never echoed


def test_a_ten_thousand_file_pr_lists_ten_files_and_a_count() -> None:
    verdict = decide(pull("", 10_000), registry_of([CLAIM]), CONFIG,
                     datetime(2023, 10, 2, tzinfo=NY))
    assert len(verdict.claim.uncovered) == 9_999
    report = build_report(verdict)
    assert report.comment is not None
    assert "and 9989 more" in report.comment
    assert len(report.comment) < 5000


def test_a_hundred_thousand_row_claims_tab_is_read() -> None:
    rows = [(f"C-{index:06d}", "2023-09-10 09:00", f"user{index}", f"n{index}", "N", "typo",
             f"docs/f{index}.md", "p", "", "", "", "") for index in range(1, 100_001)]
    registry = registry_of(rows)
    assert len(registry.claims) == 100_000
    assert registry.problems == ()
