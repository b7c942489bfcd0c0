"""Student text made safe to show in Markdown: fenced, inline code, and non-pinging profile links."""

from __future__ import annotations

import re

from extracredit.core.cells import normalize_login


def fence(text: str) -> str:
    """A code fence that the text cannot close, so the title is shown exactly as written."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def code(text: str) -> str:
    """Inline code that survives backticks in student text."""
    cleaned = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", cleaned)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if cleaned.startswith("`") or cleaned.endswith("`") else ""
    return f"{ticks}{pad}{cleaned}{pad}{ticks}"


def user_link(login: str) -> str:
    """Another student's login as a profile link: public, but no @-mention that pings them.
    Only a login of GitHub's syntax is shown: the cell it came from is anyone's to edit."""
    if not login or normalize_login(login) != login:
        return "another student"
    return f"[{login}](https://github.com/{login})"
