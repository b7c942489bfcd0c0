"""The registry lint, table-driven from cases/lint.yaml through `extracredit registry lint`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from extracredit.cli import main

ROOT = Path(__file__).parent.parent.parent
CONFIG = ROOT / ".github" / "extra-credit.yml"
CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "lint.yaml").read_text(encoding="utf-8"))
HEADERS = {
    "claims": "Claim,Submitted,GitHub,NetID,Name,Kind,Target,Plan,Status,PR,GitHub ID,Updated",
    "roster": "NetID,Name,GitHub,GitHub ID",
    "log": "Claim,First seen,Row",
}
FILES = {"claims": "claims.csv", "roster": "roster.csv", "log": "claims-log.csv"}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_lint(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for key, name in FILES.items():
        if key in case:
            (tmp_path / name).write_text("\n".join([HEADERS[key], *case[key]]) + "\n",
                                         encoding="utf-8")
    argv = ["registry", "lint", "--registry", str(tmp_path), "--config", str(CONFIG)]
    if "files" in case:
        (tmp_path / "files.txt").write_text("\n".join(case["files"]) + "\n", encoding="utf-8")
        argv += ["--repo-files", str(tmp_path / "files.txt")]
    code = main(argv)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == case["lines"]
    count = len(case["lines"])
    assert lines[-1] == ("the registry is clean: no problems found" if count == 0 else
                         f"{count} problem{'s' if count != 1 else ''} found in the registry")
    assert code == (1 if count else 0)


def test_lint_in_actions_prints_only_the_count(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (tmp_path / "claims.csv").write_text(
        HEADERS["claims"] + "\nC-0001,soon,alice,aa1,Alice Canary,typos,a.md,p,,,,\n",
        encoding="utf-8")
    assert main(["registry", "lint", "--registry", str(tmp_path), "--config", str(CONFIG)]) == 1
    assert capsys.readouterr().out == "2 problems found in the registry\n"


def test_lint_of_an_unreadable_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "lint", "--registry", str(tmp_path / "missing"),
                 "--config", str(CONFIG)]) == 2
    assert capsys.readouterr().out == (
        f"the registry could not be read: the registry folder '{tmp_path / 'missing'}' does not "
        "exist; check registry.path or --registry\n")


def test_a_google_form_feeds_the_claims_tab(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A Form writes its questions as headers; the configuration maps them to the columns."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "claims.csv").write_text(
        "Timestamp,Email Address,What is your GitHub username?,NetID,Your name,"
        "Kind of work,Which files will you change?,What will you do?\n"
        "9/14/2023 13:05:09,a@x.edu,@alice,aa1,Alice,typos,docs/a.md,fix\n", encoding="utf-8")
    config = (CONFIG.read_text(encoding="utf-8").replace(
        "registry: {backend: files, path: registry/demo}",
        "registry:\n  backend: files\n  path: registry/demo\n  columns:\n"
        "    What is your GitHub username?: GitHub\n    Your name: Name\n"
        "    Kind of work: Kind\n    Which files will you change?: Target\n"
        "    What will you do?: Plan\n"))
    assert "columns:" in config
    (tmp_path / "course.yml").write_text(config, encoding="utf-8")
    assert main(["registry", "lint", "--registry", str(tmp_path),
                 "--config", str(tmp_path / "course.yml")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "Claims row 2, Kind: 'typos' is not a kind (typo, bug, material or translation). "
        "Fix: write 'typo'.",
        "1 problem found in the registry"]
