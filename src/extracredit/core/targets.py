"""Targets: which repo paths a claim's entries match, and which claims' entries overlap."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from extracredit.core.model import (
    Claim,
)

_GLOB_CHARS = frozenset("*?[")


def _is_glob(entry: str) -> bool:
    return not _GLOB_CHARS.isdisjoint(entry)


def is_literal(entry: str) -> bool:
    """A literal file path: no glob, not a folder."""
    return not _is_glob(entry) and not entry.endswith("/")


@lru_cache(maxsize=4096)
def _glob_regex(entry: str) -> re.Pattern[str]:
    parts = []
    index = 0
    while index < len(entry):
        char = entry[index]
        if entry.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if entry.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts) + r"\Z")


def entry_matches(entry: str, path: str) -> bool:
    """Does one target entry match one repo path (compared case-sensitively)?"""
    if entry.endswith("/"):
        return path.startswith(entry)
    if "/" not in entry:
        name = path.rsplit("/", 1)[-1]
        return bool(_glob_regex(entry).match(name)) if _is_glob(entry) else name == entry
    if _is_glob(entry):
        return bool(_glob_regex(entry).match(path))
    return path == entry


def covers(claim: Claim, path: str) -> bool:
    return any(entry_matches(entry, path) for entry in claim.targets)


def targets_overlap(first: Sequence[str], second: Sequence[str],
                    repo_files: Iterable[str] = ()) -> bool:
    """Two target lists overlap when one names a path the other matches (registry/README.md, Targets)."""
    for one in first:
        for other in second:
            if one == other:
                return True
            if is_literal(other) and entry_matches(one, other):
                return True
            if is_literal(one) and entry_matches(other, one):
                return True
            if one.endswith("/") and other.endswith("/") and (
                    one.startswith(other) or other.startswith(one)):
                return True
    files = list(repo_files)
    if files:
        mine = {path for path in files if any(entry_matches(entry, path) for entry in first)}
        return any(entry_matches(entry, path) for path in mine for entry in second)
    return False


def _folders_of(path: str) -> list[str]:
    """The folders an entry or path lies in, as folder entries: ``a/b/c`` gives ``a/``, ``a/b/``."""
    folders = []
    at = path.find("/")
    while at != -1:
        folders.append(path[:at + 1])
        at = path.find("/", at + 1)
    return folders


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _glob_folder(glob: str) -> str:
    """The folder every path a glob matches lies in ("" when it starts with a wildcard)."""
    first = min((at for at in map(glob.find, _GLOB_CHARS) if at != -1), default=len(glob))
    return glob[:glob.rfind("/", 0, first) + 1]


class _Shape(NamedTuple):
    """What filing or finding an entry (or a repo path) needs to know of it."""

    folder: bool  # a folder entry: ends with "/"
    glob: bool  # a glob that is not a folder entry
    name: str  # the part after the last "/"
    folders: tuple[str, ...]  # the folders it lies in, itself too when it is a folder
    glob_folder: str  # for a glob: the folder every path it matches lies in


@lru_cache(maxsize=1 << 16)
def _shape(entry: str) -> _Shape:
    """An entry's shape. A registry names the same files over and over (every file of a crowded
    course about 80 times), so each distinct entry is taken apart once, not once per lookup."""
    folder = entry.endswith("/")
    glob = not folder and _is_glob(entry)
    return _Shape(folder, glob, _name(entry), tuple(_folders_of(entry)),
                  _glob_folder(entry) if glob else "")


def _positions() -> defaultdict[str, list[int]]:
    return defaultdict(list)


class _Tested:
    """Which strings of a list that only ever grows pass a test. Each string is tested once, the
    first time it is asked about: a glob looked up again is not matched again against every
    file name it was matched against before, only against those filed since."""

    __slots__ = ("passed", "tested")

    def __init__(self) -> None:
        self.passed: list[str] = []
        self.tested = 0

    def among(self, strings: list[str], test: Callable[[str], object]) -> list[str]:
        if self.tested < len(strings):
            self.passed += filter(test, islice(strings, self.tested, None))
            self.tested = len(strings)
        return self.passed


def _tested(known: dict[str, _Tested], key: str) -> _Tested:
    found = known.get(key)
    if found is None:
        found = known[key] = _Tested()
    return found


class TargetIndex:
    """Target entries filed by path, file name and folder, so that the entries that overlap an
    entry, or match a path, are found without comparing against all the others.

    Each entry is filed under a number (a claim's position), numbers filed in increasing order,
    so each list of numbers is in that order too. A lookup returns lists of numbers, and the
    lookups are exact: every entry that overlaps (``targets_overlap`` without repo files) or
    matches (``entry_matches``) is in one of the lists, and every entry there does. A number
    may come more than once. A caller may drop numbers from the lists it is given, for good.
    """

    def __init__(self) -> None:
        self.exact = _positions()  # entry -> numbers
        self.literal_names = _positions()  # a literal entry's file name -> numbers
        self.literals_in = _positions()  # folder -> numbers of literal entries inside it
        # Distinct literal entries, by folder ("" = all), and their distinct file names: what
        # a glob is matched against.
        self.literal_paths_in: defaultdict[str, list[str]] = defaultdict(list)
        self.literal_name_list: list[str] = []
        self.folders_in = _positions()  # folder -> numbers of folder entries it is or holds
        self.name_globs: list[str] = []  # distinct globs without "/"
        self.path_globs_in: defaultdict[str, list[str]] = defaultdict(list)  # by their glob folder
        # What was found matching so far, per glob and per file name: see _Tested.
        self._literals_of_glob: dict[str, _Tested] = {}
        self._globs_of_name: dict[str, _Tested] = {}
        # Whether every entry filed is a file's path (literal, with a "/"), as in most courses:
        # then such an entry overlaps only the same path.
        self.only_paths = True
        self._unfiled: list[tuple[int, str, bool]] = []  # literal entries not yet filed by folder

    def add(self, number: int, entries: Iterable[str]) -> None:
        for entry in dict.fromkeys(entries):
            # Tested against "exact", not the list, which a caller may have emptied meanwhile.
            new = entry not in self.exact
            self.exact[entry].append(number)
            shape = _shape(entry)
            if shape.folder or shape.glob or "/" not in entry:
                self.only_paths = False
            if shape.folder:
                for folder in shape.folders:
                    self.folders_in[folder].append(number)
            elif shape.glob:
                if new:
                    if "/" in entry:
                        self.path_globs_in[shape.glob_folder].append(entry)
                    else:
                        self.name_globs.append(entry)
            else:
                if shape.name not in self.literal_names:
                    self.literal_name_list.append(shape.name)
                self.literal_names[shape.name].append(number)
                # Filed by folder only when a folder or a glob is looked up: in many courses
                # none is, and most of the work of filing would be for nothing.
                self._unfiled.append((number, entry, new))

    def _file_by_folder(self) -> None:
        """File the literal entries added since the last lookup of a folder or a glob by the
        folders they lie in, in the order they came (so each list stays in order)."""
        for number, entry, new in self._unfiled:
            if new:
                self.literal_paths_in[""].append(entry)
            for folder in _shape(entry).folders:
                self.literals_in[folder].append(number)
                if new:
                    self.literal_paths_in[folder].append(entry)
        self._unfiled.clear()

    def matching(self, path: str) -> list[list[int]]:
        """Numbers of the entries that match the repo path ``path``."""
        return [numbers for numbers in self._matching(path) if numbers]

    def _matching(self, path: str) -> list[list[int] | None]:
        """The lists ``matching`` gives, with the absent and empty ones still among them."""
        get = self.exact.get
        _, _, name, folders, _ = _shape(path)
        found = [get(path), get(name), *map(get, folders)]
        if self.name_globs:
            globs = _tested(self._globs_of_name, name).among(
                self.name_globs, lambda glob: _glob_regex(glob).match(name))
            found += map(get, globs)
        # Not remembered per path, unlike the rest: a path is tested only against the globs of
        # its own folders, a handful, and remembering each path's answers would keep an object
        # per path alive, which the garbage collector then sweeps again and again.
        for folder in ("", *folders) if self.path_globs_in else ():
            for glob in self.path_globs_in.get(folder, ()):
                if _glob_regex(glob).match(path):
                    found.append(get(glob))
        return found

    def overlapping(self, entry: str) -> list[list[int]]:
        """Numbers of the entries that overlap ``entry`` (``targets_overlap`` without repo files)."""
        get = self.exact.get
        shape = _shape(entry)
        if self.only_paths and not shape.folder and not shape.glob and "/" in entry:
            numbers = get(entry)
            return [numbers] if numbers else []
        if not (shape.folder or shape.glob or self.folders_in or self.name_globs or self.path_globs_in):
            # Literal entries only, as in most courses: a literal entry overlaps the same entry
            # and those of its file name (a path's, or, for a bare file name, every path's).
            others = get(shape.name) if "/" in entry else self.literal_names.get(entry)
            return [numbers for numbers in (get(entry), others) if numbers]
        if self._unfiled and (shape.folder or shape.glob):
            self._file_by_folder()
        if shape.folder:
            found = [self.literals_in.get(entry), self.folders_in.get(entry), *map(get, shape.folders)]
        elif not shape.glob:
            found = self._matching(entry)
            if "/" not in entry:
                found.append(self.literal_names.get(entry))
        elif "/" not in entry:
            names = _tested(self._literals_of_glob, entry).among(
                self.literal_name_list, _glob_regex(entry).match)
            found = [get(entry), *map(self.literal_names.get, names)]
        else:
            paths = _tested(self._literals_of_glob, entry).among(
                self.literal_paths_in.get(shape.glob_folder, []), _glob_regex(entry).match)
            found = [get(entry), *map(get, paths)]
        return [numbers for numbers in found if numbers]


class FewTargets:
    """The entries of a few claims (one student's) filed by the path or the file name a literal
    entry matches, with the claims that have a folder or a glob set aside to be matched one by
    one with ``covers``. A set of claims is a bit mask of their numbers: an index per student
    of a large course stays small."""

    __slots__ = ("loose", "names", "paths")

    def __init__(self) -> None:
        self.paths: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.loose = 0

    def add(self, number: int, entries: Iterable[str]) -> None:
        bit = 1 << number
        for entry in entries:
            if entry.endswith("/") or _is_glob(entry):
                self.loose |= bit
            elif "/" in entry:
                self.paths[entry] = self.paths.get(entry, 0) | bit
            else:
                self.names[entry] = self.names.get(entry, 0) | bit

    def matching(self, paths: Iterable[str]) -> tuple[int, int]:
        """The claims whose literal entries match one of ``paths``, and the claims that may match
        through a folder or a glob (for the caller to check), as bit masks."""
        found = 0
        for path in paths:
            found |= self.paths.get(path, 0) | self.names.get(path.rsplit("/", 1)[-1], 0)
        return found, self.loose


def numbers_in(mask: int) -> Iterator[int]:
    """The numbers of a bit mask's set bits, smallest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


_WILD_SEGMENT = re.compile(r"^[*?.]*$")


@lru_cache(maxsize=1 << 16)
def is_overbroad(entry: str) -> bool:
    """An entry that names no folder and no file of its own (``*``, ``**``, ``**/*``, ``*.*``, the
    repository root): it would hold the whole repository against every later claim."""
    segments = [segment for segment in entry.strip().split("/") if segment]
    return all(_WILD_SEGMENT.match(segment) for segment in segments)


def holding_targets(claim: Claim) -> tuple[str, ...]:
    """The entries of a claim that hold files against other students' claims."""
    targets = claim.targets
    if not any(map(is_overbroad, targets)):
        return targets
    return tuple(entry for entry in targets if not is_overbroad(entry))
