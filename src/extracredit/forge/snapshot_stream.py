"""A regular snapshot's JSON read one PR at a time, so a large course never holds its whole tree.

The JSON tree of 100,000 PRs takes several times the file's size; read PR by PR, each PR's
tree is converted and dropped at once. Only a snapshot of the exact shape the tool writes, with
no repeated key and every part within the depth bound, is read this way: anything else (not
JSON, too deep, a key given twice, a PR the converter refuses) gives None, and the caller reads
it the ordinary way, which words what is wrong as it always has.
"""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

# The json module's own string and value scanners (C), which its typing stubs do not list.
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

_BLANK = re.compile(r"[ \t\n\r]*")  # what json itself skips between tokens


class _Irregular(Exception):
    """Not a snapshot of the regular shape: the caller reads it the ordinary way."""


_AHEAD = 1 << 20  # the text held past where a value starts, so that a number is read whole


def refuse_constant(name: str) -> Any:
    """json's ``parse_constant``: ``NaN`` and ``Infinity``, which Python's json reads, are not JSON."""
    raise ValueError(f"{name} is not a number JSON allows")


def _key(text: str, at: int) -> tuple[str, int]:
    """The object key whose opening quote is at ``at``."""
    return scanstring(text, at + 1, True)


class _Reader:
    """The text as it comes, chunk by chunk: what has been read is dropped, so positions are in
    the text held now, and every method returns where the text it read ends."""

    def __init__(self, chunks: Iterable[str], max_depth: int, depth_of: Callable[[Any], int]) -> None:
        self.chunks = iter(chunks)
        self.text = ""
        self.done = False  # the last chunk is in ``text``
        self.max_depth = max_depth
        self.depth_of = depth_of
        decoder = json.JSONDecoder(parse_constant=refuse_constant)
        self.scan_once: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]

    def refill(self, at: int) -> int:
        """Drop the text before ``at`` and add the next chunk; where ``at`` is now."""
        chunk = next(self.chunks, None)
        if chunk is None:
            self.done = True
            return at
        self.text = self.text[at:] + chunk
        return 0

    def skip(self, at: int) -> int:
        """Past the blanks at ``at``: to a character, or to the end of the whole text."""
        while True:
            match = _BLANK.match(self.text, at)
            assert match is not None  # the pattern matches the empty string
            at = match.end()
            if at < len(self.text) or self.done:
                return at
            at = self.refill(at)

    def token(self, at: int, parse: Callable[[str, int], tuple[Any, int]]) -> tuple[Any, int, int]:
        """``parse`` at ``at``, with more text until it succeeds: what it read, where that starts
        and where it ends. Whatever it reads is followed by a chunk's worth of text or the end,
        so a number is never read cut short."""
        while len(self.text) - at < _AHEAD and not self.done:
            at = self.refill(at)
        while True:
            try:
                found, end = parse(self.text, at)
            except (ValueError, StopIteration, RecursionError):
                if self.done:
                    raise _Irregular from None
                at = self.refill(at)
                continue
            return found, at, end

    def value(self, at: int, level: int) -> tuple[Any, int]:
        """The JSON value at ``at``, inside ``level`` containers, and where it ends."""
        found, at, end = self.token(at, self.scan_once)
        # Its brackets bound its depth from above (those in strings only add to the count), so
        # the tree is walked only when the count is over the bound.
        brackets = self.text.count("{", at, end) + self.text.count("[", at, end)
        if level + brackets > self.max_depth and level + self.depth_of(found) > self.max_depth:
            raise _Irregular
        return found, end

    def members(self, at: int, member: Callable[[str, int], int]) -> int:
        """Walk the object whose ``{`` is at ``at``: ``member(key, where its value starts)``
        returns where that value ends. Returns where the object ends."""
        if not self.text.startswith("{", at):
            raise _Irregular
        keys: set[str] = set()
        at = self.skip(at + 1)
        if self.text.startswith("}", at):
            return at + 1
        while True:
            if not self.text.startswith('"', at):
                raise _Irregular
            key, _, at = self.token(at, _key)
            if key in keys:
                raise _Irregular  # json keeps the last; the ordinary reading decides
            keys.add(key)
            at = self.skip(at)
            if not self.text.startswith(":", at):
                raise _Irregular
            at = self.skip(member(key, self.skip(at + 1)))
            if self.text.startswith(",", at):
                at = self.skip(at + 1)
            elif self.text.startswith("}", at):
                return at + 1
            else:
                raise _Irregular

    def items(self, at: int, level: int, item: Callable[[Any, int], None]) -> int:
        """Walk the array whose ``[`` is at ``at``, each element converted by ``item(value,
        index)`` and then dropped. Returns where the array ends."""
        if not self.text.startswith("[", at):
            raise _Irregular
        at = self.skip(at + 1)
        if self.text.startswith("]", at):
            return at + 1
        index = 0
        while True:
            found, at = self.value(at, level)
            item(found, index)
            del found
            index += 1
            at = self.skip(at)
            if self.text.startswith(",", at):
                at = self.skip(at + 1)
            elif self.text.startswith("]", at):
                return at + 1
            else:
                raise _Irregular


def read_regular(chunks: Iterable[str], convert: Callable[[str, Any, str], T], max_depth: int,
                 depth_of: Callable[[Any], int]) -> tuple[Any, dict[str, tuple[T, ...]]] | None:
    """``{"taken_at": ..., "repos": {REPO: {"pulls": [PR, ...]}}}``, its text in ``chunks``,
    read with each PR given to ``convert(repo, pr, where)`` as it is parsed: the ``taken_at``
    value and the converted PRs by repo; None when the text is not of that shape (or ``convert``
    raises, or ``chunks`` raises ValueError)."""
    reader = _Reader(chunks, max_depth, depth_of)
    top: dict[str, Any] = {}
    pulls: dict[str, tuple[T, ...]] = {}

    def repo_member(repo: str, at: int) -> int:
        converted: list[T] = []
        listed: list[bool] = []

        def pull(data: Any, index: int) -> None:
            try:
                converted.append(convert(repo, data, f"repos[{repo!r}].pulls[{index}]"))
            except Exception:  # the ordinary reading says what is wrong, where
                raise _Irregular from None

        def content_member(key: str, at: int) -> int:
            if key == "pulls":
                listed.append(True)
                return reader.items(at, 4, pull)
            return reader.value(at, 3)[1]

        end = reader.members(at, content_member)
        if not listed:
            raise _Irregular
        pulls[repo] = tuple(converted)
        return end

    def top_member(key: str, at: int) -> int:
        if key == "repos":
            top[key] = True
            return reader.members(at, repo_member)
        found, end = reader.value(at, 1)
        top[key] = found
        return end

    try:
        end = reader.skip(reader.members(reader.skip(0), top_member))
    except (_Irregular, ValueError, RecursionError):
        return None
    if end != len(reader.text) or not reader.done or "taken_at" not in top or "repos" not in top:
        return None
    return top["taken_at"], pulls
