"""The public Actions log: every line the tool prints there goes through one escaping function."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.cli import main
from extracredit.errors import RegistryError
from extracredit.forge.actions import annotation, public_line, say, say_annotation, say_json


@pytest.mark.parametrize(("text", "line"), [
    ("sync: 3 PRs read", "sync: 3 PRs read"),
    ("50% of\tthem", "50%25 of\tthem"),
    ("a\nb", "a%0Ab"),
    ("a\r\nb", "a%0D%0Ab"),
    ("%0A", "%250A"),
    ("::error::x", "%3A:error::x"),
    ("::stop-commands::tok", "%3A:stop-commands::tok"),
    ("  ::add-mask::secret", "  %3A:add-mask::secret"),
    ("\t::warning::x", "\t%3A:warning::x"),
    ("\u2028::notice::x", "\u2028%3A:notice::x"),
    ("\ufeff::error::x", "\ufeff%3A:error::x"),
    ("\x00::error::x", "%00::error::x"),
    ("x ::error::y", "x ::error::y"),  # not at the start: the runner does not read it
    ("name\n::error::x", "name%0A::error::x"),
    ("cell ##[error]x", "cell ##%5Berror]x"),
    ("###[group]x", "###%5Bgroup]x"),
    ("\x1b[8mhidden\x1b[0m", "%1B[8mhidden%1B[0m"),
    ("", ""),
])
def test_public_line_is_exact(text: str, line: str) -> None:
    assert public_line(text) == line


def test_annotation_escapes_its_message() -> None:
    assert annotation("error", "row 1\n::stop-commands::tok 5%") == (
        "::error::row 1%0A::stop-commands::tok 5%25")


def _commands(line: str) -> bool:
    """Would the Actions runner obey this line (see ``unmeant_commands`` of the system tests)?"""
    return "##[" in line or line.lstrip().startswith("::")


@settings(max_examples=500)
@given(st.text())
def test_no_text_becomes_a_command_or_a_second_line(text: str) -> None:
    line = public_line(text)
    assert re.search(r"[\r\n]", line) is None
    assert not _commands(line)
    assert not _commands(annotation("error", text)[len("::error::"):])


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12))
def test_json_keeps_its_value_and_starts_no_command(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str],
                                                    value: object) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    say_json(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    printed = capsys.readouterr().out
    assert json.loads(printed) == value
    assert not any(_commands(line) for line in re.split(r"\r\n|\r|\n", printed))


@pytest.mark.parametrize(("actions", "out", "err"), [
    ("true", "%3A:error::x%0Ay\n::warning::5%25\n", "%3A:stop-commands::t\n"),
    ("", "::error::x\ny\n::warning::5%25\n", "::stop-commands::t\n"),  # a terminal: as written
])
def test_say_escapes_in_actions_only(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str], actions: str, out: str,
                                     err: str) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", actions)
    say("::error::x\ny")
    say_annotation("warning", "5%")
    say("::stop-commands::t", stderr=True)
    assert capsys.readouterr() == (out, err)


@pytest.mark.parametrize(("error", "first_line"), [
    (ValueError("row 7: qq9876\n::error::forged"),
     "extracredit: an unexpected ValueError stopped the command; this is a bug of extracredit, "
     "please report it with this log (it shows where, not the data)"),
    (RegistryError("cannot read claims.csv\n::stop-commands::tok"),
     "extracredit: cannot read claims.csv%0A::stop-commands::tok"),
])
def test_an_error_escaping_a_command_in_actions_prints_no_cell(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        error: Exception, first_line: str) -> None:
    def fail(args: object) -> int:
        raise error

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setattr("extracredit.jobs.registry.run", fail)
    assert main(["registry", "lint"]) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()[0]) == ("", first_line)
    assert "qq9876" not in err
    assert not any(line.lstrip().startswith("::") for line in err.splitlines())


def test_outside_actions_an_unexpected_error_keeps_its_traceback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(args: object) -> int:
        raise ValueError("on a TA's terminal")

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setattr("extracredit.jobs.registry.run", fail)
    with pytest.raises(ValueError, match="on a TA's terminal"):
        main(["registry", "lint"])
