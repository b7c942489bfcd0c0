"""A snapshot is a file anyone may have edited: whatever it holds, a command refuses it in one line
naming what is wrong (exit 2), or reads it; never a traceback, never a number that is not one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extracredit.cli import main
from extracredit.errors import SnapshotError, UserError
from extracredit.forge.snapshot import MAX_SNAPSHOT_BYTES, load_snapshot, nesting_depth

ROOT = Path(__file__).parent.parent.parent
DEMO = json.loads((ROOT / "registry" / "demo" / "semester.json").read_text(encoding="utf-8"))
REPO = "Atcold/NYU-DLFL23"
FIRST = f"repos['{REPO}'].pulls[0]"


def with_first_pull(**fields: Any) -> str:
    data = json.loads(json.dumps(DEMO))
    data["repos"][REPO]["pulls"][0].update(fields)
    return json.dumps(data)


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 2):  # the snapshot's own object and "x" add two levels
        value = [value]
    return value


CASES = [
    ("deep", "[" * 100_000 + "]" * 100_000, "not JSON (nested more than 32 levels deep)"),
    ("a little deep", json.dumps({**DEMO, "x": nested(33)}), "not JSON (nested more than 32 levels deep)"),
    ("infinity", with_first_pull(number=float("inf")), "not JSON (Infinity is not a number JSON allows)"),
    ("nan", with_first_pull(additions=float("nan")), "not JSON (NaN is not a number JSON allows)"),
    ("year 1", with_first_pull(created_at="0001-01-01T00:00:00+05:00"),
     f"{FIRST}.created_at: '0001-01-01T00:00:00+05:00' is not between the years 2000 and 2100"),
    ("year 9999", with_first_pull(merged_at="9999-12-31T23:59:59-05:00"),
     f"{FIRST}.merged_at: '9999-12-31T23:59:59-05:00' is not between the years 2000 and 2100"),
    ("huge number", with_first_pull(number=10**30),
     f"{FIRST}.number: expected a PR number, got {10**30}"),
    ("files as text", with_first_pull(files="README.md"),
     f"{FIRST}: string indices must be integers, not 'str'"),
    ("null", "null", "expected a JSON object with 'taken_at' and 'repos'"),
]


@pytest.mark.parametrize(("text", "reason"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_broken_snapshot_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  text: str, reason: str) -> None:
    snapshot = tmp_path / "semester.json"
    snapshot.write_text(text, encoding="utf-8")
    assert main(["check", "--snapshot", str(snapshot), "--all",
                 "--config", str(ROOT / ".github" / "extra-credit.yml")]) == 2
    assert capsys.readouterr().err == f"extracredit: cannot use the snapshot {snapshot}: {reason}\n"


@pytest.mark.parametrize(("setting", "size", "reason"), [
    (None, MAX_SNAPSHOT_BYTES + 1, "not JSON (larger than 256 MiB; set EXTRACREDIT_SNAPSHOT_MAX_MIB "
                                   "to a larger number of MiB to read it)"),
    ("0.5", 512 * 1024 + 1, "not JSON (larger than 0.5 MiB; set EXTRACREDIT_SNAPSHOT_MAX_MIB "
                            "to a larger number of MiB to read it)"),
])
def test_a_snapshot_larger_than_the_bound_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      setting: str | None, size: int, reason: str) -> None:
    if setting is not None:
        monkeypatch.setenv("EXTRACREDIT_SNAPSHOT_MAX_MIB", setting)
    snapshot = tmp_path / "semester.json"
    with snapshot.open("wb") as handle:
        handle.truncate(size)  # sparse: no disk spent
    with pytest.raises(SnapshotError) as raised:
        load_snapshot(snapshot)
    assert str(raised.value) == f"cannot use the snapshot {snapshot}: {reason}"


def test_the_bound_moves_with_its_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = tmp_path / "semester.json"
    snapshot.write_text(json.dumps(DEMO), encoding="utf-8")
    monkeypatch.setenv("EXTRACREDIT_SNAPSHOT_MAX_MIB", "1")
    assert len(load_snapshot(snapshot).all_pulls()) == 80
    monkeypatch.setenv("EXTRACREDIT_SNAPSHOT_MAX_MIB", "lots")
    with pytest.raises(UserError) as raised:
        load_snapshot(snapshot)
    assert str(raised.value) == "EXTRACREDIT_SNAPSHOT_MAX_MIB must be a number of MiB, got 'lots'"


def test_an_odd_but_usable_pull_is_read(tmp_path: Path) -> None:
    snapshot = tmp_path / "semester.json"
    snapshot.write_text(with_first_pull(user={"login": "x", "id": 10**40}, title=[["t"]],
                                        labels=[1, None, {"name": {"a": 1}}]), encoding="utf-8")
    first = load_snapshot(snapshot).pulls[REPO][0]
    assert (first.user.login, first.user.id, first.title, first.labels) == ("x", None, "[['t']]",
                                                                           ("{'a': 1}",))
    # The labels' {"name": {...}} is the deepest: the top, repos, the repo, pulls, the PR, labels,
    # the label and its name.
    assert nesting_depth(json.loads(snapshot.read_text(encoding="utf-8"))) == 8


def test_an_integer_of_more_digits_than_python_converts_is_not_json(tmp_path: Path) -> None:
    snapshot = tmp_path / "semester.json"
    snapshot.write_text('{"taken_at": 1' + "0" * 5000 + "}", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"^cannot use the snapshot .*: not JSON \(Exceeds the limit"):
        load_snapshot(snapshot)
