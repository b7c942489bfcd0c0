"""Bad input, fuzzed: titles, registry cells, configurations, commands and events never crash."""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
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
from extracredit.errors import ConfigError, EventError, RegistryError, SnapshotError
from extracredit.forge.actions import trigger_from_event
from extracredit.forge.snapshot import load_snapshot
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


VALID_CONFIG = (Path(__file__).parent.parent.parent / ".github" / "extra-credit.yml").read_text(
    encoding="utf-8")
# YAML's own hazards: anchors and aliases, tags, nesting, numbers beyond any range, odd dates.
YAML_PIECES = ["&a ", "*a", "!!python/object:os.system ", "!!binary ", "!!float ", "!!int ",
               "[", "]", "{", "}", ": ", "- ", "\n", "\n  ", "<<: ", "1e1000000", ".inf", ".nan",
               "-1", "0", "500", "99999999999", "0001-01-01", "9999-12-31", "2023-09-05 10:00:00",
               "2023-09-05", "'", '"', "#", "|", ">", "?", "%YAML 1.1\n", "---\n", "...\n", "9" * 5000,
               "cap", "window", "opens", "kinds", "typo", "credit", "claims", "expire_after_days"]
yaml_texts = st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=8)), max_size=40).map("".join)
config_lines = [line for line in VALID_CONFIG.splitlines() if line and not line.startswith("#")]


@FAST
@given(yaml_texts, st.integers(0, len(config_lines)), st.booleans())
def test_any_yaml_text_parses_or_names_the_problem(text: str, at: int, inside: bool) -> None:
    """Random text alone, or spliced into the shipped configuration as a line of its own."""
    source = (text if not inside else
              "\n".join([*config_lines[:at], text, *config_lines[at:]]))
    message = "configuration error"
    try:
        parse_config(source)
    except ConfigError as error:
        message = describe(error)
    assert message.startswith("configuration error")


DEMO_SNAPSHOT = json.loads((Path(__file__).parent.parent.parent / "registry" / "demo" / "semester.json")
                           .read_text(encoding="utf-8"))
json_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                        st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59Z",
                                         "2023-09-08T10:00:00Z", "2023-09-08", "open", "closed"]))
json_anything = st.recursive(json_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=12)
PR_FIELDS = ["number", "title", "body", "state", "draft", "created_at", "closed_at", "merged_at",
             "updated_at", "html_url", "author_association", "user", "labels", "head", "files"]


@FAST
@given(st.integers(0, 79), st.sampled_from(PR_FIELDS), json_anything, st.integers(0, 3))
def test_any_snapshot_loads_or_is_refused_in_one_line(index: int, field: str, value: Any,
                                                       depth: int) -> None:
    """The demo snapshot with one field of one PR replaced by anything JSON (Python's json also
    writes NaN and Infinity) nested a little, or a lot."""
    data = json.loads(json.dumps(DEMO_SNAPSHOT))
    pulls = data["repos"]["Atcold/NYU-DLFL23"]["pulls"]
    for _ in range(depth * 15):
        value = [value]
    pulls[index % len(pulls)][field] = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "semester.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        message = None
        try:
            count = len(load_snapshot(path).all_pulls())
        except SnapshotError as error:
            message = str(error)
    if message is None:
        assert count == len(pulls)
    else:
        assert message.startswith(f"cannot use the snapshot {path}: ")
        assert "\n" not in message
