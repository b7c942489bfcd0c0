"""Check that the version in src/extracredit/__init__.py is ready to release, and write its notes.

Run by the release workflow (.github/workflows/release.yml) on main, with nothing but the
standard library: it prints the version (X.Y.Z) and writes the CHANGELOG.md section of that version
to the --notes file, or exits 1 saying what to fix. Ready means: a version X.Y.Z, a
"## [X.Y.Z] - YYYY-MM-DD" section with entries, and an Unreleased section without any (entries
left there would ship in this release without being in its notes).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = ROOT / "src" / "extracredit" / "__init__.py"
CHANGELOG = ROOT / "CHANGELOG.md"

_VERSION_LINE = re.compile(r'^__version__ = "([^"]*)"$', re.MULTILINE)
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?[ \t]*$",
                      re.MULTILINE)
_LINK_DEFINITIONS = re.compile(r"^\[[^\]]+\]: \S+[ \t]*$", re.MULTILINE)


class NotReady(Exception):
    """The version cannot be released as it is; the message says what to change."""


@dataclass(frozen=True)
class Release:
    version: str
    notes: str


def version_in(init_text: str) -> str:
    found = _VERSION_LINE.search(init_text)
    if found is None:
        raise NotReady('src/extracredit/__init__.py has no line __version__ = "X.Y.Z"')
    if not _SEMVER.match(found[1]):
        raise NotReady(f"__version__ {found[1]!r} is not X.Y.Z (three numbers)")
    return found[1]


def sections(changelog: str) -> dict[str, tuple[str | None, str]]:
    """Each '## [name] - date' section: name -> (date, body without link definitions)."""
    headings = list(_HEADING.finditer(changelog))
    found = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = changelog[heading.end():following.start() if following else len(changelog)]
        found[heading["name"]] = (heading["date"], _LINK_DEFINITIONS.sub("", body).strip())
    return found


def has_entries(body: str) -> bool:
    return any(line.lstrip().startswith(("- ", "* ")) for line in body.splitlines())


def release(init_text: str, changelog: str) -> Release:
    """The version to release and its notes, or NotReady."""
    version = version_in(init_text)
    found = sections(changelog)
    if has_entries(found.get("Unreleased", (None, ""))[1]):
        raise NotReady(f"CHANGELOG.md: the Unreleased section has entries; move them under "
                       f"'## [{version}] - YYYY-MM-DD' before releasing {version}")
    if version not in found:
        raise NotReady(f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' section")
    day, body = found[version]
    if day is None:
        raise NotReady(f"CHANGELOG.md: the heading of {version} has no date: "
                       f"'## [{version}] - YYYY-MM-DD'")
    if not has_entries(body):
        raise NotReady(f"CHANGELOG.md: the section of {version} lists no changes")
    return Release(version=version, notes=body + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=Path, required=True, help="where to write the notes")
    args = parser.parse_args(argv)
    try:
        ready = release(VERSION_FILE.read_text(encoding="utf-8"),
                        CHANGELOG.read_text(encoding="utf-8"))
    except NotReady as problem:
        print(f"not ready to release: {problem}", file=sys.stderr)
        return 1
    args.notes.write_text(ready.notes, encoding="utf-8")
    print(ready.version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
