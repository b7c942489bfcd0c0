"""Run Prism (``@stoplight/prism-cli``) as a validating proxy in front of a loopback fake.

``prism proxy --errors`` checks every request against the API description before forwarding it
(a bad request gets a 422 and never reaches the fake) and every response before returning it (a
bad response becomes a 500 listing the violations). Each such event also writes a ``✖`` line to
Prism's log, which ``PrismProxy.take_violations`` returns, so that a test fails even when the
code under test swallowed the error.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import subprocess
import time
from pathlib import Path

VIOLATION_MARK = "✖"
_MARKER_PATH = "/__prism-harness/mark"  # not in any spec: Prism answers 404 without forwarding


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrismProxy:
    """One ``prism proxy`` process; ``start`` waits until it answers, ``stop`` ends it."""

    def __init__(self, binary: Path, spec: Path, upstream: str, log_path: Path) -> None:
        self.binary = binary
        self.spec = spec
        self.upstream = upstream
        self.log_path = log_path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._markers = itertools.count(1)
        self._read_upto = 0  # bytes of the log already handed out

    def start(self, timeout: float = 30.0) -> float:
        """Start Prism and return how many seconds it took to answer."""
        command = [
            str(self.binary),
            "proxy",
            "--errors",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            str(self.spec),
            self.upstream,
        ]
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = started + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"Prism exited with {self._process.returncode} while starting:\n{self._tail()}"
                )
            if self._answers():
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Prism did not answer within {timeout} s:\n{self._tail()}")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        self.take_violations()  # start-up noise, including the readiness probes
        return elapsed

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def take_violations(self) -> list[str]:
        """The ``✖`` lines Prism logged since the last call.

        A marker request is logged after everything the client already got an answer for, so
        waiting for it makes the cut exact.
        """
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError(f"Prism is not running:\n{self._tail()}")
        marker = f"{_MARKER_PATH}/{next(self._markers)}"
        self._request(marker)
        deadline = time.monotonic() + 5
        new = self._unread()
        while f"{marker} ".encode() not in new and time.monotonic() < deadline:
            time.sleep(0.01)
            new = self._unread()
        complete = new[: new.rfind(b"\n") + 1]
        self._read_upto += len(complete)
        return [
            line.strip()
            for line in complete.decode("utf-8", errors="replace").splitlines()
            if VIOLATION_MARK in line and _MARKER_PATH not in line
        ]

    def _answers(self) -> bool:
        try:
            self._request(f"{_MARKER_PATH}/ready")
        except OSError:
            return False
        return True

    def _request(self, path: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        finally:
            connection.close()

    def _unread(self) -> bytes:
        with self.log_path.open("rb") as log:
            log.seek(self._read_upto)
            return log.read()

    def _tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])
