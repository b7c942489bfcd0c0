"""The folders a TA names on the command line: a file, or a folder under a file, is refused with
exit 2 and words that name the option, never a traceback; nothing is read or listed first."""

from __future__ import annotations

from pathlib import Path

import pytest

from extracredit.cli import main

ROOT = Path(__file__).parent.parent.parent
SNAPSHOT = ROOT / "registry" / "demo" / "semester.json"
DEMO = ["--config", str(ROOT / ".github" / "extra-credit.yml"), "--registry",
        str(ROOT / "registry" / "demo")]
TALLY = ["tally", "--snapshot", str(SNAPSHOT), *DEMO, "--out"]
EXPORT = ["registry", "export", *DEMO, "--to"]
IMPORT = ["registry", "import", *DEMO, "--from"]


@pytest.mark.parametrize(("argv", "name", "message"), [
    (TALLY, "grades.csv",
     "--out {path} is a file, not a folder: name a folder for tally.csv, gradebook.csv and "
     "unmatched.csv (it is created if it does not exist)"),
    (TALLY, "grades.csv/2023",
     "cannot write into --out {path} (Not a directory); name a folder you can write to"),
    (EXPORT, "grades.csv",
     "--to {path} is a file, not a folder: name a folder for one CSV file per tab (it is created "
     "if it does not exist)"),
    (EXPORT, "grades.csv/backup",
     "cannot write into --to {path} (Not a directory); name a folder you can write to"),
    (IMPORT, "nosuchdir",
     "--from {path} does not exist: name a folder of registry CSV files (claims.csv, roster.csv, "
     "...)"),
    (IMPORT, "grades.csv",
     "--from {path} is a file, not a folder: name a folder of registry CSV files (claims.csv, "
     "roster.csv, ...)"),
], ids=["tally-file", "tally-under-a-file", "export-file", "export-under-a-file",
        "import-missing", "import-file"])
def test_an_unusable_folder_is_refused_in_words(argv: list[str], name: str, message: str,
                                                tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "grades.csv").write_text("mine\n", encoding="utf-8")
    path = tmp_path / name
    assert main([*argv, str(path)]) == 2
    out, err = capsys.readouterr()
    assert err == f"extracredit: {message.format(path=path)}\n"
    assert "tally:" not in out  # no tally line: the command stopped
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == "mine\n"


def test_a_file_in_the_way_inside_the_folder_is_refused_in_words(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tally.csv").mkdir()
    assert main([*TALLY, str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"extracredit: cannot write into --out {tmp_path} (Is a directory); name a folder you can "
        "write to\n")


def test_a_new_folder_is_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*TALLY, str(tmp_path / "a" / "b")]) == 0
    assert sorted(path.name for path in (tmp_path / "a" / "b").iterdir()) == [
        "gradebook.csv", "tally.csv", "unmatched.csv"]
    assert main([*EXPORT, str(tmp_path / "backup")]) == 0
    assert (tmp_path / "backup" / "claims.csv").is_file()
