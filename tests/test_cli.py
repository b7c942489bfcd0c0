"""The command line's own edges: a title that looks like an option, and JSON that ends its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extracredit.cli import _parser, _plain_check, _plain_title, main

ROOT = Path(__file__).parent.parent
CONFIG = str(ROOT / ".github" / "extra-credit.yml")
SNAPSHOT = str(ROOT / "registry" / "demo" / "semester.json")


@pytest.mark.parametrize(("argv", "printed", "code"), [
    (["title", "--config", CONFIG, "--", "-x"],
     '{"verdict": "fail", "problem": "missing", "suggestion": "[DLFL23] -x"}\n', 1),
    (["title", "--config", CONFIG, "--", "--help"],
     '{"verdict": "fail", "problem": "missing", "suggestion": "[DLFL23] --help"}\n', 1),
    (["title", "--config", CONFIG, "--", "-[DLFL23] fix"],
     '{"verdict": "pass", "problem": null, "suggestion": null}\n', 0),
], ids=["dash", "an-option-name", "dash-then-tag"])
def test_a_title_starting_with_a_dash_goes_after_double_dash(
        argv: list[str], printed: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
    assert capsys.readouterr().out == printed


def test_the_title_help_says_how_to_pass_a_dash(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["title", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert ("A title that starts with '-' goes after '--', options before it: extracredit title "
            '-- "-x".') in out
    assert "the PR title, quoted (after -- when it starts with '-')" in out


@pytest.mark.parametrize("actions", [False, True], ids=["terminal", "actions"])
@pytest.mark.parametrize("prs", [["#2"], ["#2", "#4"]], ids=["one-pr", "two-prs"])
def test_check_json_is_one_line_per_pr_each_ending_in_a_newline(
        actions: bool, prs: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    if actions:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    else:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    argv = ["check", "--snapshot", SNAPSHOT, "--config", CONFIG, "--registry",
            str(ROOT / "registry" / "demo"), "--json"]
    for pr in prs:
        argv += ["--pr", f"Atcold/NYU-DLFL23{pr}"]
    main(argv)
    out = capsys.readouterr().out
    assert out.endswith("}\n")
    assert [line[:36] for line in out.split("\n")] == [
        *(f'{{"pr": "Atcold/NYU-DLFL23{pr}", "title": {{'[:36] for pr in prs), ""]


PLAIN_TITLES = [
    ["title", "[DLFL23] Fix a typo"],
    ["title", "[DLFL23] Fix a typo", "--config", "course.yml"],
    ["title", "--config", "course.yml", "[DLFL23] Fix a typo"],
    ["title", ""],
    ["title", "", "--config", ""],
    ["title", "Fix --config in the docs"],
    ["title", "title", "--config", "title"],
]
NOT_PLAIN = [
    ["title"],
    ["title", "--", "-x"],
    ["title", "-x"],
    ["title", "--help"],
    ["title", "x", "--config=course.yml"],
    ["title", "x", "--conf", "course.yml"],
    ["title", "x", "--config", "-c"],
    ["title", "x", "y"],
    ["title", "x", "--config", "a", "--config", "b"],
    ["check", "x"],
    [],
]


@pytest.mark.parametrize("argv", PLAIN_TITLES)
def test_the_plain_title_forms_are_read_as_argparse_reads_them(argv: list[str]) -> None:
    parsed = _parser().parse_args(argv)
    assert _plain_title(argv) == (parsed.title, parsed.config)


@pytest.mark.parametrize("argv", NOT_PLAIN)
def test_every_other_form_is_left_to_argparse(argv: list[str]) -> None:
    assert _plain_title(argv) is None


@given(st.lists(st.sampled_from(["title", "--config", "--", "-x", "x", "", "c.yml", "--help",
                                 "-1", "--config=c"]), max_size=5))
@settings(max_examples=400, deadline=None)
def test_whatever_is_read_without_argparse_argparse_reads_alike(argv: list[str]) -> None:
    plain = _plain_title(argv)
    if plain is None:
        return
    parsed = _parser().parse_args(argv)
    assert (parsed.command, parsed.title, parsed.config) == ("title", *plain)


PLAIN_CHECKS = [
    ["check"],
    ["check", "--config", "course.yml"],
    ["check", "--config", "course.yml", "--registry", "registry"],
    ["check", "--config", "course.yml", "--dry-run"],
    ["check", "--config", "course.yml", "--registry", "registry", "--dry-run"],
    ["check", "--dry-run", "--registry", "r", "--config", "c.yml"],
    ["check", "--registry", "", "--config", ""],
    ["check", "--config", "check"],
]
NOT_PLAIN_CHECKS = [
    ["check", "--config"],
    ["check", "--config", "-c"],
    ["check", "--config=course.yml"],
    ["check", "--conf", "course.yml"],
    ["check", "--config", "a", "--config", "b"],
    ["check", "--dry-run", "--dry-run"],
    ["check", "--dry-run", "x"],
    ["check", "--json"],
    ["check", "--pr", "o/r#1"],
    ["check", "--snapshot", "s.json", "--all"],
    ["check", "--help"],
    ["check", "--"],
    ["title", "x"],
    [],
]


def _as_argparse_reads(argv: list[str]) -> tuple[object, ...]:
    parsed = _parser().parse_args(argv)
    return (parsed.command, parsed.config, parsed.registry, parsed.dry_run, parsed.snapshot,
            tuple(parsed.pr), parsed.all, parsed.json)


@pytest.mark.parametrize("argv", PLAIN_CHECKS)
def test_the_plain_check_forms_are_read_as_argparse_reads_them(argv: list[str]) -> None:
    plain = _plain_check(argv)
    assert plain is not None
    assert ("check", plain.config, plain.registry, plain.dry_run, plain.snapshot, plain.pr,
            plain.all, plain.json) == _as_argparse_reads(argv)


@pytest.mark.parametrize("argv", NOT_PLAIN_CHECKS)
def test_every_other_check_form_is_left_to_argparse(argv: list[str]) -> None:
    assert _plain_check(argv) is None


@given(st.lists(st.sampled_from(["--config", "--registry", "--dry-run", "--", "-x", "x", "",
                                 "c.yml", "--help", "--config=c", "--json"]), max_size=6))
@settings(max_examples=400, deadline=None)
def test_whatever_check_is_read_without_argparse_argparse_reads_alike(argv: list[str]) -> None:
    plain = _plain_check(["check", *argv])
    if plain is None:
        return
    assert ("check", plain.config, plain.registry, plain.dry_run, plain.snapshot, plain.pr,
            plain.all, plain.json) == _as_argparse_reads(["check", *argv])


@pytest.mark.parametrize(("argv", "collecting"), [
    (["title", "--config", CONFIG, "[DLFL23] Fix"], False),
    (["check", "--snapshot", SNAPSHOT, "--pr", "Atcold/NYU-DLFL23#91", "--config", CONFIG], False),
    (["check", "--config", CONFIG, "--dry-run"], False),
    (["tally", "--snapshot", SNAPSHOT, "--config", CONFIG, "--out", "{out}"], True),
], ids=["title", "check", "check-plain", "tally"])
def test_the_collector_is_back_on_only_for_long_commands(
        argv: list[str], collecting: bool, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # python -m extracredit starts with the cyclic collector off (__main__.py).
    import gc
    import os

    # Outside Actions the plain live check stops at the missing event, asking nothing of GitHub
    # (in a CI job it would otherwise read that job's event).
    for name in [name for name in os.environ if name.startswith("GITHUB_")]:
        monkeypatch.delenv(name)

    gc.disable()
    try:
        main([arg.replace("{out}", str(tmp_path / "out")) for arg in argv])
        assert gc.isenabled() is collecting
    finally:
        gc.enable()
    capsys.readouterr()
