"""Bad input, fuzzed: titles, registry cells, configurations, commands and events never crash."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extracredit.core.config import parse_config
from extracredit.core.model import Table
from extracredit.core.slash import parse_command
from extracredit.core.titles import check_title
from extracredit.errors import ConfigError, EventError, RegistryError
from extracredit.forge.actions import trigger_from_event
from extracredit.registry.files import parse_csv
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import CLAIMS_COLUMNS
from extracredit.text.config import describe

NY = ZoneInfo("America/New_York")
# Brackets, digits and spaces that look like the tag's (full-width, CJK, zero-width).
LOOKALIKES = ("[]\uff3b\uff3d\u3010\u3011()\uff08\uff09\u3014\u3015{}<>DLFLSP23\uff12\uff13"
              " -_:/\u200b\u00a0\t\n\r\x00")
titles = st.one_of(st.text(max_size=200), st.text(alphabet=LOOKALIKES, max_size=40),
                   st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(titles)
def test_any_title_gets_a_verdict_and_a_passing_suggestion(title: str) -> None:
    verdict = check_title(title, "DLFL23")
    assert verdict.passed is (verdict.problem is None)
    if not verdict.passed:
        assert verdict.suggestion is not None
        assert check_title(verdict.suggestion, "DLFL23").passed


cells = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", " ", "=SUM(A1)", "00123", "@alice", "https://github.com/bob", "typo", "TYPO ", "bug",
     "2023-09-14", "9/14/2023 13:05:00", "45183.5", "C-0007", "c-7", "withdrawn", "docs/", "**",
     "a.md;b.md\nc.md", "\x00", "\uff11\uff12\uff13"]))
rows = st.lists(st.lists(cells, max_size=14), max_size=60)


@FAST
@given(rows)
def test_any_claims_rows_read_without_a_crash(data: list[list[str]]) -> None:
    table = Table("Claims", CLAIMS_COLUMNS, tuple((number, tuple(cells))
                                                  for number, cells in enumerate(data, start=2)))
    registry = build_registry({"Claims": table}, NY)
    assert len(registry.claims) <= len(data)
    for problem in registry.problems:
        assert problem.tab == "Claims"
        assert 1 <= problem.row <= len(data) + 1


@FAST
@given(st.text(max_size=2000))
def test_any_csv_text_reads_or_is_refused_clearly(text: str) -> None:
    message = None
    try:
        build_registry({"Claims": parse_csv("Claims", text)}, NY)
    except RegistryError as error:
        message = str(error)
    assert message is None or message.startswith(
        ("the ", "row 1 of the Claims tab does not hold the header: "))


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["course", "tag", "window", "opens", "closes", "cap", "kinds",
                                 "typo", "credit", "claims", "repos", "labels", "registry",
                                 "backend", "path", "timezone", "tagg", "x"]), inner, max_size=5)),
    max_leaves=20)


@FAST
@given(yaml_values)
def test_any_configuration_parses_or_names_the_problem(value: Any) -> None:
    message = "configuration error"
    try:
        parse_config(yaml.safe_dump(value))
    except ConfigError as error:
        message = describe(error)
    assert message.startswith("configuration error")


@FAST
@given(st.text(max_size=300))
def test_any_comment_parses(body: str) -> None:
    parse_command(body, Decimal(5))
    parse_command("/credit " + body, Decimal(5))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(
                                ["action", "pull_request", "number", "repository", "full_name",
                                 "changes", "title", "issue", "comment"]), inner, max_size=4),
                            st.fixed_dictionaries({"pull_request": inner, "number": inner}),
                            st.fixed_dictionaries({"issue": st.fixed_dictionaries(
                                {"pull_request": inner, "number": inner})})),
    max_leaves=15)


@FAST
@given(st.sampled_from(["pull_request", "pull_request_target", "issue_comment", "push"]),
       json_values)
def test_any_event_gives_a_trigger_or_a_clear_error(name: str, payload: Any) -> None:
    event = payload if isinstance(payload, dict) else {"payload": payload}
    try:
        trigger = trigger_from_event(name, json.loads(json.dumps(event)), "o/r")
    except EventError as error:
        message = str(error)
        assert "carries no pull request" in message, message
        return
    assert isinstance(trigger.number, int)
    assert isinstance(trigger.repo, str)
    assert trigger.repo


@pytest.mark.parametrize("issue", [
    {"pull_request": {}}, {"pull_request": {"url": "x"}, "number": "7"},
    {"pull_request": {"url": "x"}, "number": True}])
def test_comment_event_with_a_broken_issue_is_a_clear_error(issue: dict[str, Any]) -> None:
    with pytest.raises(EventError, match="carries no pull request"):
        trigger_from_event("issue_comment", {"issue": issue}, "o/r")
