"""Keep a folder of wheels that the lock files vouch for, and take uv out of its wheel.

Usage:
  python -P wheels.py keep FOLDER LOCK...     delete every file of FOLDER whose sha256 is not one
                                              the locks give for its package; print, one a line,
                                              the pinned packages left without a wheel
  python -P wheels.py uv FOLDER LOCK TARGET   put the uv binary of the one uv wheel in FOLDER
                                              that LOCK vouches for in the folder TARGET, checked
                                              against the wheel's RECORD (one kept there from an
                                              earlier run is used when it matches); print its
                                              path (exit 3: no single such wheel)

The folder is a cache that the setup action restores (actions/cache), so anyone who could write
that cache could put anything in it. Nothing in it is trusted: `keep` hashes every file again and
deletes what the locks do not name, so that what is left is exactly what a hash-checked download
would have given, and a poisoned entry costs a download, never an install. uv is then run from
its verified wheel (the binary is checked again against the wheel's RECORD as it is unpacked),
instead of being installed by pip, which takes a second of pip's start-up on every run.

Only the standard library is used.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
import zipfile
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==")
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
CHUNK = 1 << 20


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_hashes(lock: Path) -> dict[str, set[str]]:
    """The sha256 hashes a requirements file (pip-compile --generate-hashes) allows, by package."""
    hashes: dict[str, set[str]] = {}
    current: str | None = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        pinned = PIN.match(line)
        if pinned:
            current = normalize(pinned[1])
            hashes.setdefault(current, set())
        if current is not None:
            hashes[current].update(HASH.findall(line))
    return hashes


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def wheel_name(path: Path) -> str | None:
    """The package a wheel file is of, from its file name; None for anything not a wheel."""
    if path.suffix != ".whl" or path.name.count("-") < 4:
        return None
    return normalize(path.name.split("-", 1)[0])


def keep(folder: Path, locks: list[Path]) -> list[str]:
    """Delete what the locks do not vouch for; return the pinned packages without a wheel."""
    allowed: dict[str, set[str]] = {}
    for lock in locks:
        for pinned, hashes in lock_hashes(lock).items():
            allowed.setdefault(pinned, set()).update(hashes)
    folder.mkdir(parents=True, exist_ok=True)
    present: set[str] = set()
    for path in sorted(folder.iterdir()):
        name = wheel_name(path)
        if (name is not None and path.is_file() and not path.is_symlink()
                and sha256(path) in allowed.get(name, set())):
            present.add(name)
        elif path.is_dir() and not path.is_symlink():
            _remove_tree(path)
        else:
            path.unlink()
    return sorted(set(allowed) - present)


def _remove_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    folder.rmdir()


def _record_digest(record: str, member: str) -> str:
    for line in record.splitlines():
        path, _, rest = line.partition(",")
        if path == member:
            algorithm, _, value = rest.split(",")[0].partition("=")
            if algorithm == "sha256":
                return value
    raise SystemExit(f"wheels.py: the wheel's RECORD has no sha256 for {member}")


def unpack_uv(folder: Path, lock: Path, target: Path) -> Path | None:
    """Put the uv binary of the one uv wheel in `folder` that `lock` vouches for into `target`:
    kept from an earlier run when it matches the wheel's RECORD, unpacked again otherwise."""
    allowed = lock_hashes(lock).get("uv", set())
    found = sorted(path for path in folder.glob("*.whl")
                   if wheel_name(path) == "uv" and not path.is_symlink() and sha256(path) in allowed)
    if len(found) != 1:
        return None
    binary = "uv.exe" if os.name == "nt" else "uv"
    with zipfile.ZipFile(found[0]) as wheel:
        names = wheel.namelist()
        records = [name for name in names if re.fullmatch(r"uv-[^/]+\.dist-info/RECORD", name)]
        members = [name for name in names if re.fullmatch(rf"uv-[^/]+\.data/scripts/{binary}", name)]
        if len(records) != 1 or len(members) != 1:
            raise SystemExit(f"wheels.py: {found[0].name} is not laid out as a uv wheel")
        expected = _record_digest(wheel.read(records[0]).decode("utf-8"), members[0])
        path = target / binary
        # Hashing a kept binary again costs a fifth of unpacking it.
        if path.is_file() and not path.is_symlink() and _digest_of(path) == expected:
            path.chmod(0o755)
            return path
        target.mkdir(parents=True, exist_ok=True)
        partial = target / f".{binary}.partial"
        digest = hashlib.sha256()
        with wheel.open(members[0]) as source, partial.open("wb") as sink:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                sink.write(chunk)
    if _urlsafe(digest) != expected:
        partial.unlink()
        raise SystemExit(f"wheels.py: the uv binary in {found[0].name} does not match its RECORD")
    partial.chmod(0o755)
    partial.replace(path)
    return path


def _urlsafe(digest: hashlib._Hash) -> str:
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def _digest_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return _urlsafe(digest)


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "keep":
        for name in keep(Path(argv[1]), [Path(lock) for lock in argv[2:]]):
            print(name)
        return 0
    if len(argv) == 4 and argv[0] == "uv":
        path = unpack_uv(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        if path is None:
            return 3
        print(path)
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
