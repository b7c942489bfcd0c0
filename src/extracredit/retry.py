"""Retries for remote calls: capped, full-jitter exponential backoff under an overall deadline."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

T = TypeVar("T")


NOTIFY_AFTER = 5.0  # seconds: shorter waits pass without a word


def patient(notify: Callable[[float, str], None]) -> RetryPolicy:
    """For long runs (a snapshot, a tally): wait out a used-up rate limit, up to an hour a wait,
    saying until when."""
    return RetryPolicy(attempts=8, cap=3600.0, deadline=4 * 3600.0, notify=notify)


class TransientError(Exception):
    """A failure worth another try (rate limit, 5xx, timeout, dropped connection)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class GaveUp(Exception):
    """Retries ran out or the deadline passed; ``reason`` is the last failure."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(f"{reason} (after {attempts} attempt{'s' if attempts != 1 else ''})")
        self.reason = reason
        self.attempts = attempts


@dataclass
class RetryPolicy:
    """How often and how long a request is retried."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    deadline: float = 30.0
    # Looked up at call time, so that a test can stand in for the clock.
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds), repr=False)
    clock: Callable[[], float] = field(default=lambda: time.monotonic(), repr=False)
    jitter: Callable[[float], float] = field(default=lambda top: random.uniform(0, top), repr=False)
    # Told of every wait longer than a few seconds (seconds, reason), to say so on a terminal.
    notify: Callable[[float, str], None] | None = field(default=None, repr=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """The wait before try ``attempt + 1``: a server's Retry-After, else full jitter."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        return self.jitter(min(self.cap, self.base * 2 ** (attempt - 1)))

    def run(self, call: Callable[[], T], classify: Callable[[Exception], TransientError | None],
            before_retry: Callable[[], None] | None = None) -> T:
        """Call until it succeeds, a failure is not transient, or time or tries run out.

        ``before_retry`` runs before every further try: a non-idempotent write uses it to look
        whether the previous try landed after all, and raises ``Done`` with the value if so.
        """
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                if attempt > 1 and before_retry is not None:
                    before_retry()
                return call()
            except Done as done:
                return cast(T, done.value)
            except Exception as error:
                transient = error if isinstance(error, TransientError) else classify(error)
                if transient is None:
                    raise
                wait = self.delay(attempt, transient.retry_after)
                spent = self.clock() - started
                if attempt >= self.attempts or spent + wait > self.deadline:
                    raise GaveUp(transient.reason, attempt) from error
                if self.notify is not None and wait >= NOTIFY_AFTER:
                    self.notify(wait, transient.reason)
                self.sleep(wait)


class Done(Exception):
    """Raised by a ``before_retry`` check that found the write already done."""

    def __init__(self, value: object) -> None:
        super().__init__("already done")
        self.value = value
