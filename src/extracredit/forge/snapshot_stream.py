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
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# The json module's own string and value scanners (C), which its typing stubs do not list.
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

_BLANK = re.compile(r"[ \t\n\r]*")  # what json itself skips between tokens


class _Irregular(Exception):
    """Not a snapshot of the regular shape: the caller reads it the ordinary way."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class _Reader:
    def __init__(self, text: str, max_depth: int, depth_of: Callable[[Any], int]) -> None:
        self.text = text
        self.max_depth = max_depth
        self.depth_of = depth_of
        decoder = json.JSONDecoder(parse_constant=_refuse_constant)
        self.scan_once: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]

    def skip(self, at: int) -> int:
        match = _BLANK.match(self.text, at)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def value(self, at: int, level: int) -> tuple[Any, int]:
        """The JSON value at ``at``, inside ``level`` containers, and where it ends."""
        try:
            found, end = self.scan_once(self.text, at)
        except StopIteration:
            raise _Irregular from None
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
            key, at = scanstring(self.text, at + 1, True)
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


def read_regular(text: str, convert: Callable[[str, Any, str], T], max_depth: int,
                 depth_of: Callable[[Any], int]) -> tuple[Any, dict[str, tuple[T, ...]]] | None:
    """``{"taken_at": ..., "repos": {REPO: {"pulls": [PR, ...]}}}`` read with each PR given to
    ``convert(repo, pr, where)`` as it is parsed: the ``taken_at`` value and the converted PRs
    by repo; None when the text is not of that shape (or ``convert`` raises ValueError)."""
    reader = _Reader(text, max_depth, depth_of)
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
    if end != len(text) or "taken_at" not in top or "repos" not in top:
        return None
    return top["taken_at"], pulls
