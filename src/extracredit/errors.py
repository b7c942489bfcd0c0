"""Errors a person can fix, and the exit codes every command shares."""

EXIT_OK, EXIT_FIX, EXIT_UNDECIDED = 0, 1, 2


class UserError(Exception):
    """A problem the person running the command can fix; printed as one paragraph, exit 2."""
