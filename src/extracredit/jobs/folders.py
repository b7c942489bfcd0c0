"""The folders a TA names for a command's files (tally --out, registry export --to), or a refusal in words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from extracredit.errors import UserError
from extracredit.text import usage


def refuse_a_file(folder: Path, option: str, holds: str) -> None:
    """Refuse ``folder`` before any work is done (listing the PRs can take minutes) when it is a
    file: writing into it could only fail at the end."""
    if folder.exists() and not folder.is_dir():
        raise UserError(usage.output_not_a_folder(option, str(folder), holds))


@contextmanager
def writing_into(folder: Path, option: str) -> Iterator[None]:
    """Create ``folder`` and write into it; a failure (no permission, a file in the way, a full
    disk) is the TA's to fix, said in words, not a traceback."""
    try:
        yield
    except OSError as error:
        raise UserError(usage.output_unwritable(
            option, str(folder), error.strerror or type(error).__name__)) from None
