"""What a verdict publishes, and the least change from what a PR shows now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from extracredit.core.titles import check_title
from extracredit.core.verdict import CheckVerdict, ClaimCheck, Holder, TitleCheck
from extracredit.text.changes import Existing, Report, Status, labels_we_set, plan_changes
from extracredit.text.report import build_report

NY = ZoneInfo("America/New_York")
URL = "https://github.com/Atcold/NYU-DLFL23/pull/5"
COMMENT_URL = URL + "#issuecomment-9"


def verdict(title: str = "Fix typo", claim: ClaimCheck | None = None,
            skip: str | None = None) -> CheckVerdict:
    result = check_title(title, "DLFL23")
    outcome = "skip" if skip else ("pass" if result.passed else "fail")
    return CheckVerdict("Atcold/NYU-DLFL23#5", URL, "alice", "0123456789abcdef" * 2 + "01234567",
                        "DLFL23", skip,  # type: ignore[arg-type]
                        TitleCheck(outcome, title, result),  # type: ignore[arg-type]
                        claim or ClaimCheck("pass", None, "C-0007", "typo"))


def test_failing_pr_comment_is_exact() -> None:
    claim = ClaimCheck("fail", "duplicate", "C-0012", "typo", uncovered=("README.md",),
                       duplicate_of=Holder("bob", "C-0003", datetime(2023, 9, 10, 9, tzinfo=NY)))
    report = build_report(verdict("Fix typo [EN]14-2.md", claim))
    assert report.comment == """<!-- extracredit:check -->

### Extra-credit check for @alice

**Title** ❌ Your title has no semester tag `[DLFL23]` (language tags such as `[EN]` don't count). \
Edit the title (the pencil next to it) and paste:

```text
[DLFL23] Fix typo [EN]14-2.md
```

**Claim** ❌ Your claim C-0012 (typo) came after [bob](https://github.com/bob) (C-0003, claimed \
2023-09-10) for the same files, while theirs was still active: first come, first served. Pick \
other work, or agree with them and ask a TA.
- ⚠️ Files your claim does not cover: `README.md`. Add them to its Target, or they may not count.

**Next** Fix what is marked ❌; this comment updates itself after every edit or push.

<sub>Checked at 0123456. The check runs again on every push, on edits of the title or \
description, every night, and when anyone comments `/recheck`.</sub>"""
    assert report.statuses == (
        Status("extra-credit/title", "failure", "Title needs [DLFL23]; see the comment"),
        Status("extra-credit/claim", "failure", "Duplicate of an earlier claim"),
    )
    assert report.labels == {"bad title", "duplicate claim"}
    assert all(len(status.description) <= 50 for status in report.statuses)


def test_a_pr_without_a_claim_is_not_told_of_its_claim() -> None:
    """With no claim there is nothing for the files to fall outside: they go in the one line."""
    claim = ClaimCheck("fail", "no-claim", uncovered=("docs/a.md", "docs/b.md"))
    report = build_report(verdict("[DLFL23] Fix typo", claim))
    assert report.comment is not None
    section = report.comment.split("\n\n")[3]
    assert section == (
        "**Claim** ❌ There is no claim of yours in the claims spreadsheet. Add a row with your "
        "GitHub username, your NetID, the kind of work and the files you change (`docs/a.md`, "
        "`docs/b.md`), then comment `/recheck` (or push a commit) to run this check again.")
    assert "your claim" not in report.comment.lower()


def test_title_with_backticks_cannot_break_out_of_its_fence() -> None:
    report = build_report(verdict("```\n@everyone <img src=x>"))
    assert report.comment is not None
    assert "````text\n[DLFL23] ``` @everyone <img src=x>\n````" in report.comment


def test_skipped_pr_gets_success_statuses_and_no_comment() -> None:
    report = build_report(verdict("Bump deps", skip="bot"))
    assert report.comment is None
    assert {s.state for s in report.statuses} == {"success"}
    assert report.labels == frozenset()


def test_registry_error_is_not_the_students_fault() -> None:
    report = build_report(verdict("[DLFL23] x", ClaimCheck("error", "registry-error")))
    assert report.comment is not None
    assert "This is not your fault" in report.comment
    assert report.statuses[1] == Status("extra-credit/claim", "error",
                                        "Registry unreadable; not your fault, will retry")


def existing_for(report: Report, labels: frozenset[str]) -> Existing:
    first = plan_changes(report, Existing(None, None, {}, frozenset()), None)
    return Existing(9, first.comment_body,
                    {s.context: (s.state, s.description, COMMENT_URL) for s in report.statuses},
                    labels)


def test_first_run_creates_everything_and_a_rerun_changes_nothing() -> None:
    report = build_report(verdict("[DLFL23] Fix typo"))
    first = plan_changes(report, Existing(None, None, {}, frozenset()), None)
    assert (first.comment, first.add_labels, first.remove_labels) == ("create", ("DLFL23",), ())
    assert len(first.statuses) == 2
    assert labels_we_set(first.comment_body) == {"DLFL23"}
    again = plan_changes(report, existing_for(report, frozenset({"DLFL23"})), COMMENT_URL)
    assert again.nothing


def test_labels_follow_the_state_but_a_tas_labels_stay() -> None:
    failing = build_report(verdict("Fix typo", ClaimCheck("fail", "no-claim")))
    shown = existing_for(failing, frozenset({"bad title", "needs claim", "extra-credit: accepted"}))
    fixed = build_report(verdict("[DLFL23] Fix typo"))
    changes = plan_changes(fixed, shown, COMMENT_URL)
    assert changes.comment == "edit"
    assert (changes.add_labels, changes.remove_labels) == (("DLFL23",), ("bad title", "needs claim"))
    assert labels_we_set(changes.comment_body) == {"DLFL23"}


def test_a_label_a_ta_added_first_is_never_ours() -> None:
    failing = build_report(verdict("Fix typo", ClaimCheck("fail", "no-claim")))
    first = plan_changes(failing, Existing(None, None, {}, frozenset({"needs claim"})), None)
    assert first.add_labels == ("bad title",)
    assert labels_we_set(first.comment_body) == {"bad title"}
    passing = build_report(verdict("[DLFL23] Fix typo"))
    later = plan_changes(passing, Existing(9, first.comment_body, {}, frozenset({"needs claim",
                                                                                  "bad title"})),
                         COMMENT_URL)
    assert later.remove_labels == ("bad title",)


def test_forged_state_line_from_a_student_is_not_read() -> None:
    assert labels_we_set("hello\n<!-- extracredit:state {not json} -->") == frozenset()
    assert labels_we_set("<!-- extracredit:state [1, 2] -->") == frozenset()


def test_only_validated_values_reach_the_comment_and_statuses() -> None:
    """Claims are the class's to edit: a value of the wrong shape is left out or named
    generically, never interpolated (in the pipeline they are validated earlier too)."""
    when = datetime(2023, 9, 10, 9, tzinfo=NY)
    claim = ClaimCheck(
        "pass", None, "C-0007<!--", "typo<img src=x>",
        own_claims=("C-0001",),
        held_by=(Holder("bob", "C-0003", when), Holder("@eve <img src=x>", "[x](https://evil)", when)),
        in_review=(("bob", "https://github.com/Atcold/NYU-DLFL23/pull/2"),
                   ("bob", "https://evil.example/Atcold/NYU-DLFL23/pull/3"),
                   ("bob", "https://github.com/Atcold/NYU-DLFL23/pull/4 <!--"),
                   ("eve]", "https://github.com/a/../pull/5")),
        named_unknown=("C-0009", "::error::x"),
    )
    report = build_report(verdict("[DLFL23] Fix typo", claim))
    assert report.comment is not None
    lines = report.comment.splitlines()
    assert lines[6:10] == [
        "**Claim** ✅ This PR carries claim a claim (unknown kind).",
        "- ⚠️ The description names C-0009, a claim, which is not in the registry; check the id.",
        "- ℹ️ Claimed by someone else on these files: [bob](https://github.com/bob) (C-0003, "
        "claimed 2023-09-10); another student (a claim, claimed 2023-09-10).",
        "- ℹ️ Heads-up, other PRs in review on these files: "
        "[Atcold/NYU-DLFL23#2](https://github.com/Atcold/NYU-DLFL23/pull/2) by "
        "[bob](https://github.com/bob).",
    ]
    assert report.statuses[1] == Status("extra-credit/claim", "success", "Claim a claim (unknown kind)")


def test_the_author_is_mentioned_only_by_a_login_and_the_commit_only_by_its_sha() -> None:
    from dataclasses import replace

    report = build_report(replace(verdict("[DLFL23] x"), author="x <img src=x>", head_sha="<!--"))
    assert report.comment is not None
    assert "### Extra-credit check for the author" in report.comment
    assert "<sub>Checked at this commit." in report.comment
