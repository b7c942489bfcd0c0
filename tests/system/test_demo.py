"""The recorded semester in registry/demo: every expected verdict, through the CLI as the demo runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from extracredit.cli import main

ROOT = Path(__file__).parent.parent.parent
SNAPSHOT = ROOT / "registry" / "demo" / "semester.json"
CONFIG = ROOT / ".github" / "extra-credit.yml"
EXPECTED: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "demo_expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def verdicts() -> dict[int, dict[str, Any]]:
    """One offline check of every expected PR, run as `extracredit check --json` would."""
    argv = ["check", "--snapshot", str(SNAPSHOT), "--config", str(CONFIG),
            "--registry", str(ROOT / "registry" / "demo"), "--json"]
    for case in EXPECTED:
        argv += ["--pr", f"Atcold/NYU-DLFL23#{case['pr']}"]
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(argv)
    found = {}
    for line in out.getvalue().splitlines():
        verdict = json.loads(line)
        found[int(verdict["pr"].rsplit("#", 1)[1])] = verdict
    return found


@pytest.mark.parametrize("case", EXPECTED, ids=[f"#{case['pr']}" for case in EXPECTED])
def test_demo_verdict(case: dict[str, Any], verdicts: dict[int, dict[str, Any]]) -> None:
    got = verdicts[case["pr"]]
    assert got["title"] == case["title"], case["why"]
    assert got["claim"] == case["claim"], case["why"]


def test_demo_runs_every_open_pr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--snapshot", str(SNAPSHOT), "--config", str(CONFIG), "--all"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count("<!-- extracredit:check -->") + out.count("Not an extra-credit PR") + out.count(
        "Staff PR: not checked") + out.count("Bot PR: not an extra-credit PR") >= 42
    assert "Summary: 42 PRs (title, claim)" in out
