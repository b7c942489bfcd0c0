"""A live check's deciding half in a process of its own, forked before PyGithub loads.

Loading PyGithub takes most of a live check's start, and one core. Meanwhile another core reads
the configuration and the registry, loads the rules and gets the course's claims ready: the
student waits for the slower of the two halves, not for both. The halves speak over two pipes,
one pickled message at a time; the child prints nothing but an internal error's frames, and
ends with ``os._exit`` so that nothing of the parent (buffers, exit handlers) runs twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from extracredit.core.model import PullRequest
from extracredit.errors import ConfigError, WorkerError
from extracredit.forge import actions
from extracredit.publish.live import Decided
from extracredit.text import messages


def can_fork() -> bool:
    return hasattr(os, "fork")


class ForkedDecider:
    """A ``Decider`` whose deciding half runs in a child process; a context manager that ends
    the child (it sees its input close, and the parent waits for it)."""

    def __init__(self, config_path: str, registry_folder: Path | None) -> None:
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        # Whatever this process buffered is written before the fork, and only by this process.
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(requests_write)
            os.close(answers_read)
            _serve(os.fdopen(requests_read, "rb"), os.fdopen(answers_write, "wb"),
                   config_path, registry_folder)
        os.close(requests_read)
        os.close(answers_write)
        self._requests: BinaryIO = os.fdopen(requests_write, "wb")
        self._answers: BinaryIO = os.fdopen(answers_read, "rb")
        self._config: tuple[str | None] | None = None

    def _receive(self) -> Any:
        try:
            kind, value = pickle.load(self._answers)
        except (EOFError, OSError, pickle.UnpicklingError):
            raise WorkerError(messages.WORKER_ENDED) from None
        if kind == "crash":
            raise WorkerError(messages.worker_failed(str(value)))
        return value

    def config_error(self) -> str | None:
        if self._config is None:
            self._config = (self._receive(),)
        return self._config[0]

    def decide(self, pr: PullRequest, has_write_access: bool, now: datetime) -> Decided:
        self.config_error()  # the first answer, always sent first
        try:
            pickle.dump((pr, has_write_access, now), self._requests)
            self._requests.flush()
        except OSError:
            raise WorkerError(messages.WORKER_ENDED) from None
        decided: Decided = self._receive()
        return decided

    def __enter__(self) -> ForkedDecider:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for pipe in (self._requests, self._answers):
            with contextlib.suppress(OSError):  # the child is gone already
                pipe.close()
        # The child only reads (the configuration, the registry): after its last answer, or
        # when the check stopped early, nothing it still does is wanted, so it is not waited for.
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def _serve(requests: BinaryIO, answers: BinaryIO, config_path: str,
           registry_folder: Path | None) -> None:
    """The child: answer the configuration's state, then each PR sent, until the input ends."""
    code = 0
    try:
        # Imported here, in the child: the parent never loads the rules, the registry or YAML.
        from extracredit.core.holds import prepare_duplicates
        from extracredit.publish.deciding import decided, read_or_error
        from extracredit.registry.opening import load_config
        from extracredit.text import config as config_words

        try:
            config, config_error = load_config(config_path), None
        except ConfigError as error:
            config, config_error = None, config_words.describe(error)
        _send(answers, "config", config_error)
        if config is not None:
            registry, registry_error = read_or_error(config, registry_folder)
            if registry is not None:
                prepare_duplicates(registry.claims)  # while the parent still waits for GitHub
            while True:
                try:
                    pr, has_write_access, now = pickle.load(requests)
                except EOFError:
                    break
                _send(answers, "decided", decided(pr, registry, registry_error, config,
                                                  has_write_access, now))
    except BaseException as error:  # the parent must hear of it, whatever it is
        code = 1
        # As the command line shows an unexpected error in a public log: its type and where,
        # never its message, which may quote a cell.
        actions.say(f"extracredit: {messages.internal_error(type(error).__name__)}", stderr=True)
        for frame in traceback.format_tb(error.__traceback__):
            actions.say_lines(frame.rstrip("\n").split("\n"), stderr=True)
        with contextlib.suppress(BaseException):  # else the parent sees the pipe close
            _send(answers, "crash", type(error).__name__)
    finally:
        sys.stderr.flush()
        os._exit(code)


def _send(answers: BinaryIO, kind: str, value: object) -> None:
    pickle.dump((kind, value), answers, protocol=pickle.HIGHEST_PROTOCOL)
    answers.flush()
