"""The setup action's wheel folder (actions/setup/wheels.py): only what the locks vouch for stays,
and uv comes out of its verified wheel, checked against the wheel's RECORD."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parent.parent.parent
SETUP = ROOT / "actions" / "setup"


wheels = load_script(SETUP / "wheels.py", 'setup_wheels')


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lock(folder: Path, pins: dict[str, list[bytes]]) -> Path:
    """A requirements file in pip-compile's layout, with the hash of each given file."""
    lines = []
    for pin, files in pins.items():
        lines.append(f"{pin} \\")
        hashes = [f"    --hash=sha256:{sha256(data)}" for data in files]
        lines += [line + " \\" for line in hashes[:-1]] + hashes[-1:]
    path = folder / "requirements.txt"
    path.write_text("# a lock\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_real_locks_give_every_pin_its_hashes() -> None:
    uv = wheels.lock_hashes(SETUP / "uv-requirements.txt")
    assert list(uv) == ["uv"]
    assert len(uv["uv"]) >= 10
    dependencies = wheels.lock_hashes(SETUP / "requirements.txt")
    # pyjwt[crypto] is pinned as pyjwt; names are compared normalized, as wheel files spell them.
    assert {"pygithub", "pyjwt", "pyyaml", "charset-normalizer", "typing-extensions"} <= set(dependencies)
    assert all(len(hashes) >= 1 for hashes in dependencies.values())


GOOD, OTHER = b"the wheel the lock names", b"a wheel the lock does not name"


@pytest.mark.parametrize(("name", "content", "kept"), [
    ("pyyaml-6.0.4-cp311-cp311-manylinux_2_17_x86_64.whl", GOOD, True),
    ("PyYAML-6.0.4-cp311-cp311-manylinux_2_17_x86_64.whl", GOOD, True),
    ("pyyaml-6.0.4-cp311-cp311-manylinux_2_17_x86_64.whl", OTHER, False),
    # The right bytes under another package's name: not what the lock pinned for that package.
    ("requests-2.34.2-py3-none-any.whl", GOOD, False),
    ("pyyaml-6.0.4.tar.gz", GOOD, False),
    ("pyyaml.whl", GOOD, False),
    ("notes.txt", b"anything", False),
], ids=["vouched", "name spelt otherwise", "other bytes", "other package", "sdist", "no tags",
        "not a wheel"])
def test_keep_leaves_only_what_the_lock_vouches_for(tmp_path: Path, name: str, content: bytes,
                                                    kept: bool) -> None:
    locked = lock(tmp_path, {"pyyaml==6.0.4": [GOOD]})
    folder = tmp_path / "wheels"
    folder.mkdir()
    (folder / name).write_bytes(content)
    missing = wheels.keep(folder, [locked])
    assert [path.name for path in folder.iterdir()] == ([name] if kept else [])
    assert missing == ([] if kept else ["pyyaml"])


def test_keep_removes_folders_and_links_and_makes_a_missing_folder(tmp_path: Path) -> None:
    locked = lock(tmp_path, {"pyyaml==6.0.4": [GOOD]})
    outside = tmp_path / "pyyaml-6.0.4-py3-none-any.whl"
    outside.write_bytes(GOOD)
    folder = tmp_path / "wheels"
    (folder / "nested" / "deeper").mkdir(parents=True)
    (folder / "nested" / "deeper" / "x.whl").write_bytes(GOOD)
    # A link to a vouched file elsewhere: the folder must hold the file itself.
    (folder / outside.name).symlink_to(outside)
    assert wheels.keep(folder, [locked]) == ["pyyaml"]
    assert list(folder.iterdir()) == []
    assert outside.read_bytes() == GOOD
    assert wheels.keep(tmp_path / "new", [locked]) == ["pyyaml"]
    assert (tmp_path / "new").is_dir()


def uv_wheel(folder: Path, binary: bytes, recorded: bytes | None = None) -> Path:
    """A wheel laid out as uv's: the binary under .data/scripts, its hash in RECORD."""
    name = "uv.exe" if os.name == "nt" else "uv"
    digest = base64.urlsafe_b64encode(hashlib.sha256(recorded or binary).digest()).rstrip(b"=")
    path = folder / "uv-0.13.8-py3-none-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"uv-0.13.8.data/scripts/{name}", binary)
        wheel.writestr("uv-0.13.8.dist-info/RECORD",
                       f"uv-0.13.8.data/scripts/{name},sha256={digest.decode()},{len(binary)}\n"
                       "uv-0.13.8.dist-info/RECORD,,\n")
    return path


def test_uv_comes_out_of_its_verified_wheel(tmp_path: Path) -> None:
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheel = uv_wheel(folder, b"#!/bin/sh\necho uv\n")
    locked = lock(tmp_path, {"uv==0.13.8": [wheel.read_bytes()]})
    path = wheels.unpack_uv(folder, locked, tmp_path / "tools")
    assert path == tmp_path / "tools" / ("uv.exe" if os.name == "nt" else "uv")
    assert path.read_bytes() == b"#!/bin/sh\necho uv\n"
    assert os.access(path, os.X_OK)
    assert [p.name for p in (tmp_path / "tools").iterdir()] == [path.name]


def test_a_uv_wheel_the_lock_does_not_name_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "wheels"
    folder.mkdir()
    uv_wheel(folder, b"#!/bin/sh\necho uv\n")
    locked = lock(tmp_path, {"uv==0.13.8": [b"some other wheel"]})
    assert wheels.unpack_uv(folder, locked, tmp_path / "tools") is None
    assert not (tmp_path / "tools").exists()
    assert wheels.main(["uv", str(folder), str(locked), str(tmp_path / "tools")]) == 3


def test_a_binary_that_does_not_match_its_record_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheel = uv_wheel(folder, b"#!/bin/sh\necho changed\n", recorded=b"#!/bin/sh\necho uv\n")
    locked = lock(tmp_path, {"uv==0.13.8": [wheel.read_bytes()]})
    with pytest.raises(SystemExit, match=r"^wheels\.py: the uv binary in uv-0\.13\.8-py3-none-"
                                         r"manylinux_2_17_x86_64\.whl does not match its RECORD$"):
        wheels.unpack_uv(folder, locked, tmp_path / "tools")
    assert list((tmp_path / "tools").iterdir()) == []


@pytest.mark.parametrize(("kept", "used"), [
    (b"#!/bin/sh\necho uv\n", True),
    (b"#!/bin/sh\necho poisoned\n", False),
], ids=["matches its RECORD", "tampered"])
def test_a_kept_binary_is_used_only_when_it_matches_the_record(tmp_path: Path, kept: bytes,
                                                               used: bool) -> None:
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheel = uv_wheel(folder, b"#!/bin/sh\necho uv\n")
    locked = lock(tmp_path, {"uv==0.13.8": [wheel.read_bytes()]})
    tools = tmp_path / "tools"
    tools.mkdir()
    binary = tools / ("uv.exe" if os.name == "nt" else "uv")
    binary.write_bytes(kept)
    before = binary.stat().st_ino
    assert wheels.unpack_uv(folder, locked, tools) == binary
    assert binary.read_bytes() == b"#!/bin/sh\necho uv\n"
    assert (binary.stat().st_ino == before) is used
