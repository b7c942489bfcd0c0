"""Progress of a long loop: a tqdm bar on a terminal, in a log (GitHub Actions) a plain line every 30 s."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import IO, Any, TypeVar

from extracredit.forge.actions import public_line, running_in_actions
from extracredit.text.progress import progress_done_tail, progress_tail

T = TypeVar("T")
PLAIN_EVERY = 30.0  # seconds between two plain lines: a log is read later, not watched
_drawn: list[Any] = []  # the bars on the terminal now, innermost last


class Progress:
    """Counts the steps of one loop and shows them: counts only, never what a step was about.

    On a terminal that is not an Actions runner's, a tqdm bar with counts and ETA; elsewhere (a
    log, a redirect) a plain line at most every ``every`` seconds, and the final count when the
    loop ends. ``bar``, ``stream`` and ``clock`` are chosen from the process unless given (tests).
    """

    def __init__(self, label: str, total: int | None = None, *, unit: str = " PRs",
                 stream: IO[str] | None = None, bar: bool | None = None,
                 clock: Callable[[], float] = time.monotonic, every: float = PLAIN_EVERY) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._public = running_in_actions()
        if bar is None:
            bar = not self._public and _isatty(self._stream)
        self._clock = clock
        self._every = every
        self._last = clock()
        self._bar: Any = None
        if bar:
            # Imported here: the commands that show no progress (title, check) never load tqdm.
            from tqdm import tqdm

            size = _size(self._stream)
            self._bar = tqdm(total=total, desc=label, unit=unit, file=self._stream,
                             ncols=size[0] if size else 80, nrows=size[1] if size else 24,
                             dynamic_ncols=size is not None, mininterval=0.5, leave=True)
            _drawn.append(self._bar)

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self._bar is not None:
            self._bar.update(steps)
            return
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._line(progress_tail(self.done, self.total))

    def close(self, *, finished: bool = True) -> None:
        """End the bar; in a log, say the final count (not after a failure, which says its own)."""
        if self._bar is not None:
            self._bar.close()
            _drawn.remove(self._bar)
            self._bar = None
        elif finished:
            self._line(progress_done_tail(self.done, self.total))

    def _line(self, tail: str) -> None:
        # The label may come from a configuration file: in a public log it is escaped so that it
        # cannot act as a workflow command. The tail is digits and fixed words (its "%" is meant).
        label = public_line(self.label) if self._public else self.label
        print(f"{label}: {tail}", file=self._stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close(finished=kind is None)


def track(items: Sequence[T] | Iterable[T], label: str, total: int | None = None,
          **options: Any) -> Iterator[T]:
    """Yield ``items``, one step of progress each; nothing is shown for an empty sequence."""
    if total is None and isinstance(items, Sequence):
        total = len(items)
    if total == 0:
        yield from items
        return
    with Progress(label, total, **options) as progress:
        for item in items:
            yield item
            progress.advance()


def say_over_bars(text: str, say: Callable[[str], None]) -> None:
    """Say ``text`` with ``say``, or, while a bar is drawn, as a line above it (a wait for the
    rate limit, say), so that the bar is drawn again below it rather than broken."""
    if _drawn:
        _drawn[-1].write(text, file=_drawn[-1].fp)
    else:
        say(text)


def _size(stream: IO[str]) -> tuple[int, int] | None:
    """The terminal's columns and lines, or None when it does not say: a pseudo-terminal of
    size 0 (``script``, some CI shells) would get an empty bar, so tqdm is given 80 by 24."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None
    return (size.columns, size.lines) if size.columns and size.lines else None


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: a log, not a terminal
        return False
