"""The tally as text: the private Tally and gradebook CSVs, and the public job summary (counts only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal

from extracredit.core.credit import HISTOGRAM_STEP, Aggregates, Note, Tally, two_decimals
from extracredit.text import messages

TALLY_COLUMNS = ("NetID", "Name", "GitHub", "Accepted PRs", "Raw credit", "Credit", "Capped", "Notes")
GRADEBOOK_COLUMNS = ("NetID", "Extra credit")
UNMATCHED_COLUMNS = ("PR", "GitHub", "Reason")
BRIGHTSPACE_ITEM = "Extra Credit"
# Brightspace's own export marks each record's end with '#' in this column and prefixes the key
# with '#' so that a spreadsheet keeps leading zeros; the import strips both.
BRIGHTSPACE_END = "End-of-Line Indicator"
BRIGHTSPACE_MARK = "#"
NOTES_SEPARATOR = "; "
# A spreadsheet evaluates a cell that starts with one of these; an apostrophe keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: str) -> str:
    """A cell a spreadsheet shows as typed, never evaluates."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def tally_csv(tally: Tally) -> str:
    """The Tally tab: every student, with the evidence (accepted PRs, notes)."""
    return _csv(TALLY_COLUMNS, (
        (student.netid, student.name, student.github, " ".join(student.accepted_urls),
         two_decimals(student.raw), two_decimals(student.credit), _yes_no(student.capped),
         NOTES_SEPARATOR.join(map(note_text, student.notes)))
        for student in tally.students))


def gradebook_csv(tally: Tally) -> str:
    """NetID and capped credit of every student with a NetID, for a gradebook."""
    return _csv(GRADEBOOK_COLUMNS, (
        (student.netid, two_decimals(student.credit))
        for student in tally.students if student.netid))


def brightspace_csv(tally: Tally, item: str = BRIGHTSPACE_ITEM,
                    key: Literal["OrgDefinedId", "Username"] = "OrgDefinedId") -> str:
    """Brightspace's grade import: the key (OrgDefinedId or Username), '<item> Points Grade', '#'."""
    return _csv((key, f"{item} Points Grade", BRIGHTSPACE_END), (
        (BRIGHTSPACE_MARK + student.netid, two_decimals(student.credit), BRIGHTSPACE_MARK)
        for student in tally.students if student.netid))


def unmatched_csv(tally: Tally) -> str:
    """Credit candidates whose author is no student: PR, login and why."""
    return _csv(UNMATCHED_COLUMNS, (
        (entry.url, entry.login, messages.TALLY_UNMATCHED_REASONS[entry.reason])
        for entry in tally.unmatched))


def _number(amount: Decimal) -> str:
    """A Decimal without trailing zeros (0.5, 1, 1.5), as an axis label reads best."""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def summary_markdown(aggregates: Aggregates) -> str:
    """The Actions job summary of a tally: counts and a histogram, nothing per student."""
    cap = _number(aggregates.cap)
    lines = [messages.TALLY_SUMMARY_TITLE.format(course=aggregates.course), "",
             messages.TALLY_SUMMARY_PRIVACY, ""]
    lines += _table(messages.TALLY_SUMMARY_COUNT_HEADER, (
        (messages.TALLY_SUMMARY_STUDENTS, aggregates.students),
        (messages.TALLY_SUMMARY_CREDITED, aggregates.credited),
        (messages.TALLY_SUMMARY_AT_CAP.format(cap=cap), aggregates.reached_cap),
        (messages.TALLY_SUMMARY_UNMATCHED, aggregates.unmatched),
    ))
    lines.append("")
    lines += _table(messages.TALLY_SUMMARY_KIND_HEADER, (
        (counts.kind or messages.TALLY_SUMMARY_NO_CLAIM, counts.accepted, counts.pending,
         counts.rejected, counts.closed)
        for counts in aggregates.by_kind))
    labels = ", ".join(f'"{_number(bucket.high)}"' for bucket in aggregates.histogram)
    counts = [bucket.students for bucket in aggregates.histogram]
    lines += [
        "",
        "```mermaid",
        "xychart-beta",
        f'    title "{messages.TALLY_CHART_TITLE}"',
        f'    x-axis "{messages.TALLY_CHART_X}" [{labels}]',
        f'    y-axis "{messages.TALLY_CHART_Y}" 0 --> {max([*counts, 1])}',
        f"    bar [{', '.join(str(count) for count in counts)}]",
        "```",
        "",
        messages.TALLY_SUMMARY_BUCKETS.format(step=_number(HISTOGRAM_STEP)),
    ]
    return "\n".join(lines) + "\n"


def note_text(note: Note) -> str:
    """One entry of the Tally's Notes column, for the TA."""
    if note.reason == "no-netid":
        return messages.TALLY_NO_NETID
    if note.reason == "earned":
        return messages.tally_award_note(note.pr, note.claim, note.amount, decided_by=note.decided_by,
                                         ledger_amount=note.ledger_amount, duplicate_of=note.duplicate_of)
    return messages.tally_no_credit_note(
        note.reason, note.pr, claim=note.claim, kind=note.kind, duplicate_of=note.duplicate_of,
        decided_by=note.decided_by, credited_by=note.credited_by, opened_on=note.opened_on, tag=note.tag)
