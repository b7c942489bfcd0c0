"""The job summaries of the nightly sync and the comment commands: counts and kinds only, no one named."""

from __future__ import annotations

from collections.abc import Sequence

from extracredit.core.vocab import CommandOutcome


def summary_table(heading: str, columns: tuple[str, str], rows: Sequence[tuple[str, str]]) -> str:
    """A job summary section: a heading and a two-column table (the shape every command shares)."""
    lines = [f"### {heading}", "", f"| {columns[0]} | {columns[1]} |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines) + "\n"


def sync_summary(pulls: int, updated: int, assigned: int, logged: int, skipped: int,
                 problems: int, recheck: tuple[int, int] | None) -> str:
    """The nightly's section: what it read and wrote, in numbers."""
    rows = [("PRs read", str(pulls)), ("claim rows updated", str(updated)),
            ("new claim ids", str(assigned)), ("first sightings logged", str(logged)),
            ("claim rows left for the next run", str(skipped)),
            ("registry problems (Problems tab)", str(problems))]
    if recheck is not None:
        published, unchanged = recheck
        rows += [("PRs re-checked and published (comment, statuses, labels)", str(published)),
                 ("PRs unchanged since the last run", str(unchanged))]
    return summary_table("Extra-credit sync", ("what", "count"), rows)


SYNC_FAILED = ("### Extra-credit sync\n\nThe sync stopped: the registry could not be read or "
               "written (the log says why). The next run tries again.\n")

_COMMAND_OUTCOMES: dict[CommandOutcome, str] = {
    "not-a-command": "nothing to do: no /credit or /recheck in the comment",
    "malformed": "not understood: the syntax was posted as a reply",
    "rechecked": "the PR was checked again",
    "refused": "refused: only the course staff record credit decisions",
    "recorded": "recorded in the Ledger",
    "already-recorded": "already in the Ledger (a re-run): nothing appended",
    "registry-error": "not recorded: the registry could not be read (the log says why)",
    "github-error": "stopped: GitHub did not answer as expected (the log says why)",
}


def command_summary(command: str, outcome: CommandOutcome) -> str:
    """The command job's section: which command (``/credit accept``, never an amount), and what
    became of it."""
    return summary_table("Extra-credit command", ("command", "outcome"),
                         [(command, _COMMAND_OUTCOMES[outcome])])
