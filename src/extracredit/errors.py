"""The one hierarchy of errors a person can act on, and the exit codes every command shares."""

from __future__ import annotations

from collections.abc import Mapping

EXIT_OK, EXIT_FIX, EXIT_UNDECIDED = 0, 1, 2


class ExtraCreditError(Exception):
    """Anything the command line reports as one paragraph and exit 2 ("could not decide")."""

    exit_code = EXIT_UNDECIDED


class UserError(ExtraCreditError):
    """A problem the person running the command can fix (a flag, a file, the environment)."""


class MissingEnvironment(UserError):
    """A variable GitHub Actions sets is not set. What to do instead depends on the command that
    needs it, so the command line words it (``text.messages.missing_env``)."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} is not set")


class ConfigError(ExtraCreditError):
    """The course configuration cannot be used. The rules raise it with a code and the values that
    explain it, and ``text.config`` words it; adapters that already have the words pass ``message``."""

    def __init__(self, path: str, code: str, values: Mapping[str, object] | None = None,
                 *, message: str | None = None) -> None:
        self.path, self.code, self.values, self.message = path, code, dict(values or {}), message
        super().__init__(message or f"configuration error at '{path}': {code}")


class RegistryError(ExtraCreditError):
    """The registry could not be read at all (unreachable, unreadable, or its header is wrong)."""


class SnapshotError(ExtraCreditError):
    """A snapshot file cannot be used."""


class EventError(ExtraCreditError):
    """The Actions event cannot be used."""


class GitHubError(ExtraCreditError):
    """GitHub did not answer as the check needs (after retries)."""


class WorkerError(ExtraCreditError):
    """The process deciding a live check ended without an answer."""


class NotFound(GitHubError):
    """The PR (or the object asked for) does not exist, or the token cannot see it."""
