"""The title rule, table-driven from cases/titles.yaml, through the function and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from extracredit.cli import main
from extracredit.core.titles import check_title

COURSE_CONFIG = Path(__file__).parent.parent.parent / ".github" / "extra-credit.yml"
CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "titles.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["title"] for case in CASES])
def test_title_rule(case: dict[str, Any]) -> None:
    verdict = check_title(case["title"], "DLFL23")
    assert verdict.problem == case["problem"]
    assert verdict.passed is (case["problem"] is None)
    assert verdict.suggestion == case.get("suggestion")
    if verdict.suggestion is not None:
        assert check_title(verdict.suggestion, "DLFL23").passed


@pytest.mark.parametrize("case", CASES[::4], ids=[case["title"] for case in CASES[::4]])
def test_title_command(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["title", case["title"], "--config", str(COURSE_CONFIG)])
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "verdict": "pass" if case["problem"] is None else "fail",
        "problem": case["problem"],
        "suggestion": case.get("suggestion"),
    }
    assert code == (0 if case["problem"] is None else 1)


def test_title_of_another_course_tag() -> None:
    verdict = check_title("(ML24) fix", "ML24")
    assert (verdict.problem, verdict.suggestion) == ("malformed", "[ML24] fix")
    assert check_title("[ml24] fix", "ML24").passed


def test_title_command_without_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["title", "x", "--config", str(tmp_path / "missing.yml")])
    assert code == 2
    assert capsys.readouterr().err == (
        f"extracredit: configuration error: cannot read {tmp_path / 'missing.yml'} "
        "(No such file or directory); pass --config PATH to use another file\n")


SCHEMES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "titles_courses.yaml").read_text(encoding="utf-8"))
SCHEME_CASES = [(scheme["tag"], scheme.get("term"), case)
                for scheme in SCHEMES for case in scheme["cases"]]


@pytest.mark.parametrize(("tag", "term", "case"), SCHEME_CASES,
                         ids=[f"{tag}+{term}: {case['title']}" for tag, term, case in SCHEME_CASES])
def test_title_rule_for_other_tag_schemes(tag: str, term: str | None, case: dict[str, Any]) -> None:
    verdict = check_title(case["title"], tag, term)
    assert verdict.problem == case["problem"]
    assert verdict.passed is (case["problem"] is None)
    assert verdict.suggestion == case.get("suggestion")
    if verdict.suggestion is not None:
        assert check_title(verdict.suggestion, tag, term).passed
        assert verdict.suggestion.upper().count(f"[{tag.upper()}]") == 1


def test_title_command_reads_the_term_from_the_config(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = yaml.safe_load(COURSE_CONFIG.read_text(encoding="utf-8"))
    config.update(tag="6.S191_IAP24", term="IAP24")
    path = tmp_path / "extra-credit.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert main(["title", "[6.S191_IAP23] Fix lab 1", "--config", str(path)]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "verdict": "fail", "problem": "wrong-semester", "suggestion": "[6.S191_IAP24] Fix lab 1"}
