"""The string table of the command line, the logs and the TA's messages (the comment is text.comment's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from extracredit.text.markdown import code

TAB_MISSING_CLAIMS = ("the registry has no Claims tab (claims.csv); create it with "
                      "`extracredit registry init`")


def header_missing(tab: str, missing: Sequence[str], filled: int, known: Sequence[str], *,
                   columns: Sequence[str], meant: Mapping[str, str] | None = None) -> str:
    """Row 1 is not the header. The class can edit every cell, so no cell is quoted but a header
    cell ``meant`` as a missing column (registry.parse picks only near misses of a column's name,
    in a row 1 that is clearly the header): the columns the tool knows by name, how many cells
    row 1 holds, and the header to write."""
    wanted = ", ".join(f"'{name}'" for name in missing)
    if filled == 0:
        held = "row 1 is empty"
    elif known:
        held = (f"it has {filled} cell{'s' if filled != 1 else ''}; the columns found are "
                f"{', '.join(known)}")
    else:
        held = f"it has {filled} cell{'s' if filled != 1 else ''}, none of them a known column"
    start = f"row 1 of the {tab} tab does not hold the header: no column {wanted} ({held})"
    if meant:
        guesses = ", ".join(f"'{column}' for the header cell '{cell}'" for column, cell in meant.items())
        return (f"{start}; did you mean {guesses}? Write each column's name exactly; the header "
                f"is {', '.join(columns)}")
    return (f"{start}; put the header back in row 1 (sorting the whole tab moves it): "
            f"{', '.join(columns)}")


# Command line ----------------------------------------------------------------------------------

BAD_PR_REF = "--pr must look like OWNER/REPO#N (for example Atcold/NYU-DLFL23#12), got {!r}"
PR_NOT_IN_SNAPSHOT = "{pr} is not in the snapshot {path}; it holds {count} PRs of {repos}"
SNAPSHOT_UNREADABLE = "cannot use the snapshot {path}: {reason}"
PRS_CACHE_MISSING = "no PR cache at {path} yet: listing every PR since the window opened"
PRS_CACHE_UNUSABLE = "{reason}; listing every PR since the window opened instead"
PRS_CACHE_WRITTEN = "PR cache written: {path} ({count} PRs)"
PRS_CACHE_NOT_WRITABLE = ("cannot write the PR cache {path} ({reason}); nothing was written to the "
                          "registry: pass another --prs-cache FILE")
PRS_CACHE_NOT_WRITTEN = "the registry is up to date, but the PR cache {path} could not be written ({reason})"
EVENT_UNREADABLE = "cannot read the event file {path}: {reason}"
EVENT_NOT_A_PR = ("the '{event}' event carries no pull request; run the check on "
                  "pull_request_target or pull_request, or pass --pr OWNER/REPO#N")
EVENT_IGNORED = "nothing to check: '{event}' action '{action}' does not change the verdict"
REGISTRY_UNREADABLE = "the registry could not be read: {reason}"
GITHUB_FAILED = "GitHub did not answer as expected ({reason}); nothing was changed, try again later"
GITHUB_PR_NOT_FOUND = "{pr} was not found on GitHub (deleted, or the token cannot see it)"
DRY_RUN_HEADER = "dry run: nothing is published; this is what would be"


def registry_folder_missing(folder: str) -> str:
    return f"the registry folder '{folder}' does not exist; check registry.path or --registry"


def registry_file_unreadable(name: str, error: Exception) -> str:
    return f"{name} cannot be read ({error}); save it as UTF-8 CSV"


def internal_error(kind: str) -> str:
    return (f"an unexpected {kind} stopped the command; this is a bug of extracredit, please "
            "report it with this log (it shows where, not the data)")


WORKER_ENDED = ("the process deciding the check ended without an answer (stopped from outside, or "
                "out of memory); run the check again")


def worker_failed(kind: str) -> str:
    return (f"the process deciding the check stopped on an unexpected {kind} (where, just above); "
            "this is a bug of extracredit, please report it with this log")


NOTHING_TO_CHECK = "name the PR to check with --pr OWNER/REPO#N (or --all with --snapshot)"
ALL_NEEDS_SNAPSHOT = "--all checks the open PRs of a snapshot; add --snapshot FILE"
NOTHING_CHANGED = "nothing to change on GitHub: the PR already shows this verdict"
CONFIG_BROKEN_STATUS = "Course config is broken; a TA must fix it"


def registry_problems_count(count: int) -> str:
    return (f"the registry has {count} row{'s' if count != 1 else ''} that could not be read "
            f"and {'are' if count != 1 else 'is'} left out; a TA should fix them")


def describe_changes(changes: Any) -> str:
    """A log line per write, naming no student data beyond the PR's own labels and states."""
    return "\n".join(change_lines(changes))


def change_lines(changes: Any) -> list[str]:
    """The lines of ``describe_changes``, each printed on its own (``NOTHING_CHANGED`` if none)."""
    lines = []
    if changes.comment in ("create", "edit"):
        lines.append(f"comment: {changes.comment}")
    for status in changes.statuses:
        lines.append(f"status {status.context}: {status.state} ({status.description})")
    for label in changes.add_labels:
        lines.append(f"label added: {label}")
    for label in changes.remove_labels:
        lines.append(f"label removed: {label}")
    return lines or [NOTHING_CHANGED]


def offline_summary_header(count: int) -> str:
    return f"Summary: {count} PRs (title, claim)"


def bad_env_number(name: str, value: str, unit: str = "seconds") -> str:
    return f"{name} must be a number of {unit}, got {value!r}"


def snapshot_too_large(limit: int, setting: str) -> str:
    mib = limit / (1024 * 1024)
    return f"larger than {mib:g} MiB; set {setting} to a larger number of MiB to read it"


# Tally -----------------------------------------------------------------------------------------

TALLY_NO_NETID = "no NetID in the Claims tab: add it so that the credit reaches the gradebook"
TALLY_UNMATCHED_REASONS = {
    "bot": "bot",
    "staff": "staff (owner, member or collaborator)",
    "not-a-student": "not on the roster or in the claims",
    "not-on-roster": "claims under a NetID that is not on the roster",
}
TALLY_DECIDED_BY = {"ledger": "Ledger", "label": "label"}
TALLY_ACCEPTED_BY = {"ledger": "Ledger accept", "label": "accepted label", "merge": "merged"}
TALLY_SUMMARY_TITLE = "### Extra-credit tally: {course}"
TALLY_SUMMARY_PRIVACY = ("Counts only. The per-student tally stays in the staff sheet and the "
                         "TA's local files.")
TALLY_SUMMARY_COUNT_HEADER = ("", "count")
TALLY_SUMMARY_STUDENTS = "Students (roster and claims)"
TALLY_SUMMARY_CREDITED = "Students with credit"
TALLY_SUMMARY_AT_CAP = "Students at the cap ({cap}%)"
TALLY_SUMMARY_UNMATCHED = "Candidate PRs by non-students (no credit)"
TALLY_SUMMARY_KIND_HEADER = ("kind", "accepted", "pending", "rejected", "closed unmerged")
TALLY_SUMMARY_NO_CLAIM = "no claim"
TALLY_CHART_TITLE = "Students by extra credit (%)"
TALLY_CHART_X = "credit up to (%)"
TALLY_CHART_Y = "students"
TALLY_SUMMARY_BUCKETS = "Buckets: 0 is exactly 0; each other label L counts credit above L - {step} up to L."


def tally_award_note(pr: str, claim: str | None, amount: str, *, decided_by: str | None,
                     ledger_amount: bool, duplicate_of: str | None) -> str:
    """What a PR earned for its unit of credit (its claim, or itself when it carries none)."""
    how = "Ledger credit" if ledger_amount else TALLY_ACCEPTED_BY.get(decided_by or "", "merged")
    if claim is None:
        return f"{pr} {amount} ({how}, no claim)"
    if duplicate_of:
        how += f"; {claim} duplicates {duplicate_of}"
    return f"{claim} {amount} ({pr}, {how})"


def tally_no_credit_note(reason: str, pr: str, *, claim: str | None, kind: str | None,
                         duplicate_of: str | None, decided_by: str | None,
                         credited_by: str | None, opened_on: str, tag: str) -> str:
    """Why a student's PR earned nothing, for the TA (the Tally's Notes column)."""
    carried = claim or "no claim"
    if claim and duplicate_of:
        carried = f"{claim}, a duplicate of {duplicate_of}"
    if reason == "outside-window":
        return f"{pr} opened {opened_on}, outside the window"
    if reason == "bad-title":
        return f"{pr} not a candidate: the title lacks {tag}"
    if reason == "rejected":
        return f"{pr} rejected ({TALLY_DECIDED_BY.get(decided_by or '', 'Ledger')})"
    if reason == "pending":
        return f"{pr} pending ({carried})"
    if reason == "closed-unmerged":
        return f"{pr} closed without merge ({carried})"
    if reason == "no-claim":
        return f"{pr} accepted, but carries no claim and the Ledger gives no amount"
    if reason == "duplicate":
        return f"{pr} accepted, but {claim} duplicates {duplicate_of} and the Ledger gives no amount"
    if reason == "zero-kind":
        return f"{pr} {claim}: {kind} earns no credit"
    return f"{pr} {claim} already counted for {credited_by}"


# Google Sheets ---------------------------------------------------------------------------------

SHEETS_BAD_CREDENTIALS = ("EXTRACREDIT_GOOGLE_CREDENTIALS is not a service-account key (JSON); "
                          "paste the whole key file into the secret")
SHEETS_NO_CREDENTIALS = ("no Google credentials: set EXTRACREDIT_GOOGLE_CREDENTIALS to a "
                         "service-account key, run google-github-actions/auth first, or set "
                         "GOOGLE_APPLICATION_CREDENTIALS")


def sheets_bad_key(text: str) -> str:
    return (f"'{text}' is neither a spreadsheet key nor a Google Sheets URL; copy the URL of the "
            "sheet from the browser")


def sheets_failed(reason: str) -> str:
    return f"Google Sheets did not answer as expected ({reason})"


def sheets_no_tab(tab: str) -> str:
    return f"the spreadsheet has no tab '{tab}'; run 'extracredit registry init' to create it"


def registry_not_configured(backend: str) -> str:
    return (f"the '{backend}' registry is not fully configured; set registry.path (files) or "
            "registry.claims (sheets) in the configuration")


# Sync ------------------------------------------------------------------------------------------

def sync_summary(pulls: int, updated: int, assigned: int, logged: int, problems: int) -> str:
    return (f"sync: {pulls} PRs read; {updated} claim rows updated ({assigned} new ids); "
            f"{logged} first sightings logged; {problems} registry problems")


def sync_skipped(labels: Sequence[str]) -> str:
    return (f"skipped {len(labels)} claim(s) whose row moved or vanished while syncing "
            f"({', '.join(labels)}); the next sync retries them")


# Registry tools --------------------------------------------------------------------------------

def unreadable_file(path: str, reason: str) -> str:
    return f"cannot read {path} ({reason})"


def exported(count: int, folder: str) -> str:
    return f"exported {count} tab{'s' if count != 1 else ''} to {folder}"


def nothing_to_import(folder: str) -> str:
    return f"{folder} holds no registry CSV files (claims.csv, roster.csv, ...)"


def import_would_overwrite(tabs: Sequence[str]) -> str:
    return (f"the tab(s) {', '.join(tabs)} already hold rows; nothing was imported. Pass --force "
            "to replace them (export them first as a backup)")


def imported(count: int) -> str:
    return f"imported {count} tab{'s' if count != 1 else ''}"


def initialised(changed: int) -> str:
    if changed == 0:
        return "the registry is already set up: nothing changed"
    return f"set up {changed} spreadsheet{'s' if changed != 1 else ''}"


def initialised_files(created: int, folder: str) -> str:
    if created == 0:
        return f"the registry folder {folder} is already set up: nothing changed"
    return f"created {created} CSV file{'s' if created != 1 else ''} in {folder}"


def tally_written(names: Sequence[str], folder: str) -> str:
    return f"wrote {', '.join(names)} to {folder}"


def tally_line(credited: int, students: int, at_cap: int, unmatched: int) -> str:
    return (f"tally: {credited} of {students} students have credit; {at_cap} at the cap; "
            f"{unmatched} tagged PR{'s' if unmatched != 1 else ''} by non-students "
            "(unmatched.csv)")


def snapshot_written(count: int, path: str) -> str:
    return f"froze {count} PR{'s' if count != 1 else ''} in {path}"


# Comment commands ------------------------------------------------------------------------------

COMMAND_NOT_FOR_US = "nothing to do: the comment carries no /credit or /recheck command"
COMMAND_RECHECK = "/recheck: checking the PR again"
COMMAND_REFUSED_LOG = "/credit from a user without write access: refused, nothing recorded"


def reply_marker(comment_id: int) -> str:
    return f"<!-- extracredit:reply {comment_id} -->"


def command_syntax(login: str, command: Any, cap: Decimal) -> str:
    problems = {
        "no-decision": "says no decision",
        "not-a-decision": "is not one of the forms below",
        "over-cap": f"gives more than the cap of {cap}",
    }
    return (f"@{login} the command {code(command.text)} {problems[command.problem]}, so nothing "
            "was recorded. Write one of:\n\n"
            "- `/credit accept [reason]`: the claim's default credit\n"
            "- `/credit reject [reason]`: no credit\n"
            f"- `/credit N [reason]`: exactly N, from 0 to {cap} (better kept in the staff "
            "sheet's Ledger, as a comment makes the amount public)\n"
            "- `/recheck`: run the check again")


def command_malformed_log(problem: str) -> str:
    return f"/credit not understood ({problem}): the syntax was posted as a reply"


def command_refused(login: str) -> str:
    return (f"@{login} thanks! Only the course staff can record credit decisions, so nothing was "
            "recorded. Anyone can comment `/recheck` to run the check again.")


def command_recorded_log(decision: str, appended: bool) -> str:
    if not appended:
        return f"/credit {decision}: already in the Ledger (a re-run), nothing appended"
    return f"/credit {decision}: recorded in the Ledger"


def recheck_summary(published: int, unchanged: int) -> str:
    return (f"recheck: {published} PR{'s' if published != 1 else ''} published again; "
            f"{unchanged} unchanged since the last run (no request)")


def waiting_for_github(reason: str, until: datetime, seconds: float) -> str:
    # Imported here: `extracredit title` loads this module and starts without the progress words.
    from extracredit.text.progress import duration

    return (f"GitHub: {reason}; waiting until {until.strftime('%H:%M:%S')} UTC "
            f"({duration(seconds)}) before going on")
