"""The job summaries' words: one shape, counts and kinds only."""

from __future__ import annotations

from typing import get_args

import pytest

from extracredit.core.vocab import CommandOutcome
from extracredit.text import summary


def test_every_command_outcome_has_words() -> None:
    assert set(get_args(CommandOutcome)) == set(summary._COMMAND_OUTCOMES)


@pytest.mark.parametrize(("recheck", "tail"), [
    (None, ""),
    ((3, 40), "| PRs re-checked and published (comment, statuses, labels) | 3 |\n"
              "| PRs unchanged since the last run | 40 |\n"),
])
def test_sync_summary_is_exact(recheck: tuple[int, int] | None, tail: str) -> None:
    assert summary.sync_summary(1200, 5, 2, 2, 1, 7, recheck) == (
        "### Extra-credit sync\n\n| what | count |\n|---|---|\n| PRs read | 1200 |\n"
        "| claim rows updated | 5 |\n| new claim ids | 2 |\n| first sightings logged | 2 |\n"
        "| claim rows left for the next run | 1 |\n| registry problems (Problems tab) | 7 |\n"
        + tail)
