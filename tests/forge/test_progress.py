"""Progress of long loops: a tqdm bar on a terminal, throttled plain lines in a log."""

from __future__ import annotations

import io

import pytest

from extracredit.forge.progress import PLAIN_EVERY, Progress, say_over_bars, track


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("actions", ["true", ""])
def test_a_log_gets_a_line_at_most_every_30_seconds_and_the_final_count(
        monkeypatch: pytest.MonkeyPatch, actions: str) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", actions)
    clock, out = Clock(), io.StringIO()
    with Progress("listing PRs of owner/repo", 3400, stream=out, clock=clock) as progress:
        for step in range(3400):
            clock.now += 1 / 32  # 106.25 s in all (exact in binary): lines at 30, 60 and 90 s
            progress.advance()
            if step == 958:
                assert out.getvalue() == ""
    assert out.getvalue().splitlines() == [
        "listing PRs of owner/repo: 960 of 3,400 (28 %)",
        "listing PRs of owner/repo: 1,920 of 3,400 (56 %)",
        "listing PRs of owner/repo: 2,880 of 3,400 (84 %)",
        "listing PRs of owner/repo: 3,400 done",
    ]


def test_the_every_is_30_seconds() -> None:
    assert PLAIN_EVERY == 30.0


def test_an_unknown_total_counts_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    clock, out = Clock(), io.StringIO()
    with Progress("listing PRs of o/r", stream=out, clock=clock) as progress:
        progress.advance(1200)
        clock.now += 30
        progress.advance()
    assert out.getvalue() == "listing PRs of o/r: 1,201 so far\nlisting PRs of o/r: 1,201 done\n"


def test_in_actions_the_percent_sign_is_kept_and_the_label_cannot_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    clock, out = Clock(), io.StringIO()
    with Progress("::error::x%\n", 4, stream=out, clock=clock) as progress:
        clock.now += 31
        progress.advance()
    assert out.getvalue().splitlines() == ["%3A:error::x%25%0A: 1 of 4 (25 %)",
                                           "%3A:error::x%25%0A: 1 of 4 done"]


def test_a_failed_loop_says_no_final_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = io.StringIO()

    def fail() -> None:
        with Progress("x", 2, stream=out, clock=Clock()) as progress:
            progress.advance()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail()
    assert out.getvalue() == ""


def test_track_shows_nothing_for_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = io.StringIO()
    assert list(track([], "fetching", stream=out)) == []
    assert list(track([1, 2], "fetching", stream=out, clock=Clock())) == [1, 2]
    assert out.getvalue() == "fetching: 2 done\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_tqdm_bar_with_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out = Terminal()
    assert list(track(range(7), "re-checking open PRs", stream=out)) == list(range(7))
    shown = out.getvalue()
    assert "\r" in shown  # drawn over itself, a bar and not lines
    assert "re-checking open PRs: 100%" in shown
    assert "7/7 [" in shown  # the counts, then elapsed<ETA
    assert " PRs/s]" in shown


def test_a_terminal_in_actions_gets_lines_not_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = Terminal()
    assert list(track(range(3), "tallying", stream=out, clock=Clock())) == [0, 1, 2]
    assert out.getvalue() == "tallying: 3 done\n"


def test_a_line_said_while_a_bar_is_drawn_goes_above_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out, said = Terminal(), []
    with Progress("listing PRs of o/r", 10, stream=out) as progress:
        progress.advance()
        say_over_bars("GitHub: rate limit used up; waiting (42 s)", said.append)
    assert said == []
    assert "GitHub: rate limit used up; waiting (42 s)\n" in out.getvalue()
    say_over_bars("no bar now", said.append)
    assert said == ["no bar now"]
