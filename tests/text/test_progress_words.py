"""How long runs word their progress and their waits: exact, table-driven."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extracredit.text.progress import duration, progress_done_tail, progress_tail


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "0 s"),
    (0.2, "1 s"),  # never said shorter than it is
    (-3, "0 s"),
    (1, "1 s"),
    (42, "42 s"),
    (59, "59 s"),
    (59.5, "1 min 00 s"),
    (60, "1 min 00 s"),
    (65, "1 min 05 s"),
    (599, "9 min 59 s"),
    (3599, "59 min 59 s"),
    (3600, "1 h 00 min 00 s"),
    (3725, "1 h 02 min 05 s"),
])
def test_duration_is_exact(seconds: float, words: str) -> None:
    assert duration(seconds) == words


@given(st.floats(min_value=0, max_value=10**7, allow_nan=False))
def test_duration_reads_back_to_the_whole_seconds(seconds: float) -> None:
    parts = duration(seconds).split()
    units = {"h": 3600, "min": 60, "s": 1}
    total = sum(int(parts[i]) * units[parts[i + 1]] for i in range(0, len(parts), 2))
    assert total == math.ceil(seconds)


@pytest.mark.parametrize(("done", "total", "tail"), [
    (0, 3400, "0 of 3,400 (0 %)"),
    (1200, 3400, "1,200 of 3,400 (35 %)"),
    (3400, 3400, "3,400 of 3,400 (100 %)"),
    (5, 0, "5 of 0 (100 %)"),
    (1200, None, "1,200 so far"),
])
def test_progress_tail_is_exact(done: int, total: int | None, tail: str) -> None:
    assert progress_tail(done, total) == tail


@pytest.mark.parametrize(("done", "total", "tail"), [
    (3400, 3400, "3,400 done"),
    (12, None, "12 done"),
    (3, 5, "3 of 5 done"),
])
def test_progress_done_tail_is_exact(done: int, total: int | None, tail: str) -> None:
    assert progress_done_tail(done, total) == tail
