"""The verdict in words: the student's comment, the statuses' descriptions, labels and summaries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from extracredit.core.cells import CLAIM_ID, normalize_login
from extracredit.core.verdict import CheckVerdict, ClaimCheck, Holder, TitleCheck
from extracredit.core.vocab import KINDS
from extracredit.text import problems as problem_words
from extracredit.text.changes import COMMENT_MARKER
from extracredit.text.markdown import code, fence, user_link
from extracredit.text.summary import summary_table

MAX_DESCRIPTION = 50

# The PR comment --------------------------------------------------------------------------------

RERUN_HINT = "comment `/recheck` (or push a commit) to run this check again"


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _title_section(title: TitleCheck, tag: str) -> str:
    bracketed = f"[{tag}]"
    result = title.result
    if title.outcome == "pass" or result is None:
        return f"**Title** ✅ carries {code(bracketed)}."
    if result.problem == "missing":
        why = f"has no semester tag {code(bracketed)} (language tags such as `[EN]` don't count)"
    elif result.problem == "wrong-semester":
        why = (f"carries {code(result.found or '')}, the tag of another semester; this course's "
               f"tag is {code(bracketed)}")
    else:
        why = f"carries the tag as {code(result.found or '')}; write it exactly {code(bracketed)}"
    return (f"**Title** ❌ Your title {why}. Edit the title (the pencil next to it) and paste:\n\n"
            f"{fence(result.suggestion or bracketed)}")


# Everything below is public, and a claim's cells are the whole class's to edit: only values of a
# known shape are interpolated (logins, claim ids, kinds, dates, paths in code spans, PR links
# rebuilt from their parts); anything else is left out or named generically.
_PULL_URL = re.compile(r"https://github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/"
                       r"(?!\.\.?/)([A-Za-z0-9._-]{1,100})/pull/([1-9][0-9]{0,9})")
_ROW_LABEL = re.compile(r"row [1-9][0-9]{0,6}")
_SHA = re.compile(r"[0-9a-f]{7,64}")


def _claim_id(label: str | None) -> str:
    """A claim's id (or "row N" for a claim without one), or "a claim" for anything else."""
    text = label or ""
    return text if CLAIM_ID.fullmatch(text) or _ROW_LABEL.fullmatch(text) else "a claim"


def _claim_ids(labels: Sequence[str]) -> str:
    return ", ".join(_claim_id(label) for label in labels)


def _kind(kind: str | None) -> str:
    return kind if kind in KINDS else "unknown kind"


def _pull_link(url: str) -> str | None:
    """Another PR as a link rebuilt from its parts; None when the URL is not a PR's on GitHub."""
    match = _PULL_URL.fullmatch(url)
    if match is None:
        return None
    owner, repo, number = match.groups()
    return f"[{owner}/{repo}#{number}](https://github.com/{owner}/{repo}/pull/{number})"


def _mention(login: str) -> str:
    """The PR's author, pinged: the one login a comment may @-mention."""
    return f"@{login}" if normalize_login(login) == login else "the author"


def _paths(paths: Sequence[str], shown: int = 10) -> str:
    listed = ", ".join(code(path) for path in paths[:shown])
    return listed + (f" and {len(paths) - shown} more" if len(paths) > shown else "")


def _holders(holders: Sequence[Holder]) -> str:
    return "; ".join(f"{user_link(h.login)} ({_claim_id(h.claim_id)}, claimed {_day(h.submitted)})"
                     for h in holders)


def _claim_section(claim: ClaimCheck, registry_link: str) -> list[str]:
    lines: list[str] = []
    if claim.outcome == "error":
        lines.append("**Claim** ⚠️ The registry of claims could not be read just now. This is "
                     "not your fault and nothing is wrong with your PR; the check runs again "
                     "tonight, or comment `/recheck` later.")
        return lines
    if claim.problem == "no-claim":
        # The files go in this line: with no claim there is no claim to fall short of them.
        files = f" ({_paths(claim.uncovered)})" if claim.uncovered else ""
        lines.append(f"**Claim** ❌ There is no claim of yours in the {registry_link}. Add a row "
                     "with your GitHub username, your NetID, the kind of work and the files you "
                     f"change{files}, then {RERUN_HINT}.")
    elif claim.problem == "not-covered" and claim.too_late:
        lines.append(f"**Claim** ❌ Your claim {', '.join(claim.too_late)} on these files was "
                     "submitted after this PR was opened, so this PR cannot carry it: the claim "
                     "comes first. Open a new PR for the work, or ask a TA to decide this one.")
    elif claim.problem == "not-covered":
        lines.append(f"**Claim** ❌ None of your claims ({_claim_ids(claim.own_claims)}) covers "
                     f"the files this PR changes: {_paths(claim.uncovered)}. Add them to the "
                     f"Target of your claim in the {registry_link}, or write the claim's id in "
                     f"the PR description, then {RERUN_HINT}.")
    elif claim.problem == "duplicate" and claim.duplicate_of is not None:
        lines.append(f"**Claim** ❌ Your claim {_claim_id(claim.claim_id)} ({_kind(claim.kind)}) came after "
                     f"{_holders([claim.duplicate_of])} for the same files, while theirs was "
                     "still active: first come, first served. Pick other work, or agree with "
                     "them and ask a TA.")
    else:
        lines.append(f"**Claim** ✅ This PR carries claim {_claim_id(claim.claim_id)} "
                     f"({_kind(claim.kind)}).")
    if claim.uncovered and claim.problem not in ("not-covered", "no-claim"):
        lines.append(f"- ⚠️ Files your claim does not cover: {_paths(claim.uncovered)}. Add them "
                     "to its Target, or they may not count.")
    if claim.named_foreign:
        lines.append(f"- ⚠️ The description names {_claim_ids(claim.named_foreign)}, which is "
                     "someone else's claim; it was ignored.")
    if claim.named_unusable:
        lines.append(f"- ⚠️ The description names {', '.join(claim.named_unusable)}, which covers "
                     "none of the files this PR changes or was submitted after this PR was opened; "
                     "it was not used.")
    if claim.too_late and claim.problem != "not-covered":
        lines.append(f"- ⚠️ Your claim {', '.join(claim.too_late)} on these files was submitted "
                     "after this PR was opened, so this PR cannot carry it: open a new PR for the "
                     "work (a TA can also decide this one).")
    if claim.misfiled:
        lines.append(f"- ⚠️ Your claim {', '.join(claim.misfiled)} gives another GitHub username "
                     "than the roster has for you, so it counts for nothing: ask a TA to correct "
                     "it.")
    if claim.named_unknown:
        lines.append(f"- ⚠️ The description names {_claim_ids(claim.named_unknown)}, which is not "
                     "in the registry; check the id.")
    if claim.own_problems:
        for problem in claim.own_problems[:5]:
            # The cell's own text is not echoed: it is student input and could carry markup.
            lines.append(f"- ⚠️ Your row {problem.row} of the {problem.tab} tab could not be "
                         f"read (column {problem.column}). Fix: {problem_words.fix(problem)}.")
    held = [holder for holder in claim.held_by if holder != claim.duplicate_of]
    if held:
        lines.append(f"- ℹ️ Claimed by someone else on these files: {_holders(held)}.")
    reviewing = [f"{link} by {user_link(login)}" for login, url in claim.in_review
                 if (link := _pull_link(url)) is not None]
    if reviewing:
        lines.append(f"- ℹ️ Heads-up, other PRs in review on these files: {', '.join(reviewing)}.")
    return lines


def _next_steps(verdict: CheckVerdict) -> str:
    if verdict.claim.outcome == "error":
        return ("**Next** Nothing for you to do about the registry; a TA is notified by the "
                "failed run.")
    if verdict.exit_code == 1:
        return ("**Next** Fix what is marked ❌; this comment updates itself after every edit "
                "or push.")
    return ("**Next** All set. A TA reviews the PR; credit counts once it is accepted, merged or "
            "not.")


def comment_body(verdict: CheckVerdict, registry_link: str) -> str:
    """The bot's one comment on a PR (without the hidden state line)."""
    parts = [
        COMMENT_MARKER,
        f"### Extra-credit check for {_mention(verdict.author)}",
        _title_section(verdict.title, verdict.tag),
        "\n".join(_claim_section(verdict.claim, registry_link)),
        _next_steps(verdict),
        f"<sub>Checked at {_short_sha(verdict.head_sha)}. The check runs again on every push, on edits "
        "of the title or description, every night, and when anyone comments `/recheck`.</sub>",
    ]
    return "\n\n".join(parts)


def _short_sha(sha: str) -> str:
    return sha[:7] if _SHA.fullmatch(sha) else "this commit"


def registry_link(sheet: str | None) -> str:
    """The claims sheet as a link: its URL as configured, or the URL a bare key stands for."""
    if not sheet:
        return "claims spreadsheet"
    url = sheet if sheet.startswith("https://") else f"https://docs.google.com/spreadsheets/d/{sheet}"
    return f"[claims spreadsheet]({url})"


# Commit statuses -------------------------------------------------------------------------------

def _short(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


SKIP_DESCRIPTIONS = {
    "bot": "Bot PR: not an extra-credit PR",
    "staff": "Staff PR: not checked",
    "outsider": "Not an extra-credit PR",
}


def title_description(title: TitleCheck, tag: str) -> str:
    if title.outcome == "pass":
        return _short(f"Title carries [{tag}]")
    problem = title.problem
    if problem == "wrong-semester":
        return _short(f"Wrong semester tag; use [{tag}]")
    if problem == "malformed":
        return _short(f"Tag mangled; write exactly [{tag}]")
    return _short(f"Title needs [{tag}]; see the comment")


def claim_description(claim: ClaimCheck) -> str:
    if claim.outcome == "error":
        return "Registry unreadable; not your fault, will retry"
    if claim.problem == "no-claim":
        return "No claim in the registry; add one"
    if claim.problem == "not-covered":
        return "No claim of yours covers these files"
    if claim.problem == "duplicate":
        return "Duplicate of an earlier claim"
    if claim.uncovered:
        return _short(f"Claim {_claim_id(claim.claim_id)}; {len(claim.uncovered)} file(s) not in it")
    return _short(f"Claim {_claim_id(claim.claim_id)} ({_kind(claim.kind)})")


# Labels ----------------------------------------------------------------------------------------

LABEL_BAD_TITLE = "bad title"
LABEL_NEEDS_CLAIM = "needs claim"
LABEL_DUPLICATE = "duplicate claim"


# Command-line summaries ------------------------------------------------------------------------

def summary_line(verdict: CheckVerdict) -> str:
    if verdict.skip:
        return f"{verdict.pr}: skipped ({SKIP_DESCRIPTIONS[verdict.skip]})"
    title = verdict.title.problem or verdict.title.outcome
    claim = verdict.claim.problem or verdict.claim.outcome
    carried = f" {verdict.claim.claim_id}" if verdict.claim.claim_id else ""
    return f"{verdict.pr} by @{verdict.author}: title {title}, claim {claim}{carried}"


def job_summary(verdict: CheckVerdict) -> str:
    """The Actions job summary: the PR's own verdict only, no registry rows."""
    if verdict.skip:
        return f"### Extra-credit check: {verdict.pr}\n\n{SKIP_DESCRIPTIONS[verdict.skip]}.\n"
    return summary_table(f"Extra-credit check: {verdict.pr}", ("check", "result"), [
        ("title", title_description(verdict.title, verdict.tag)),
        ("claim", claim_description(verdict.claim))])




# The Checks UI ---------------------------------------------------------------------------------

def _title_fix(title: TitleCheck, tag: str) -> str | None:
    if title.outcome != "fail" or title.result is None:
        return None
    suggestion = title.result.suggestion or f"[{tag}]"
    why = {"wrong-semester": f"it carries another semester's tag, not [{tag}]",
           "malformed": f"its tag is mangled, not exactly [{tag}]"}.get(title.problem or "",
                                                                      f"it lacks the tag [{tag}]")
    return f"Fix the title: {why}; change it to \"{suggestion}\"."


def _claim_fix(claim: ClaimCheck) -> str | None:
    if claim.outcome != "fail":
        return None
    if claim.problem == "no-claim":
        return "Fix the claim: there is no claim of yours in the claims spreadsheet; add one."
    if claim.problem == "not-covered" and claim.too_late:
        return (f"Fix the claim: your claim {', '.join(_claim_id(label) for label in claim.too_late)} "
                "came after this PR was opened; open a new PR for the work.")
    if claim.problem == "not-covered":
        return ("Fix the claim: no claim of yours covers the files this PR changes; add them to "
                "your claim's Target.")
    if claim.problem == "duplicate":
        # Whose claim came first is in the comment, with a link: not in a one-line annotation.
        return (f"Fix the claim: your claim {_claim_id(claim.claim_id)} came after an earlier claim "
                "on the same files; pick other work or ask a TA.")
    return "Fix the claim: see the PR comment."


def fix_annotation(verdict: CheckVerdict) -> str | None:
    """What the student must fix, in one line for the Checks UI; None when nothing is to fix
    (a pass, or a check that could not decide, whose error says so itself)."""
    if verdict.skip is not None or verdict.exit_code != 1:
        return None
    fixes = [fix for fix in (_title_fix(verdict.title, verdict.tag), _claim_fix(verdict.claim))
             if fix is not None]
    if not fixes:
        return None
    return f"Extra-credit check of {verdict.pr}. {' '.join(fixes)} The PR comment says more."
