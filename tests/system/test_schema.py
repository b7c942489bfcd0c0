"""The published JSON Schema of the course configuration agrees with the strict validator.

Editors read docs/extra-credit.schema.json (init's configuration names it on its first line);
every configuration the validator accepts must pass it, and what it cannot express (a known time
zone, a window that does not run backwards, no credit above the cap) is listed here, by name.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from extracredit.core.config import parse_config
from extracredit.jobs import init as initializing

ROOT = Path(__file__).parent.parent.parent
SCHEMA = json.loads((ROOT / "docs" / "extra-credit.schema.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "config.yaml").read_text(encoding="utf-8"))
# The validator's rules the schema leaves to it (the key each one's error names).
BEYOND_THE_SCHEMA = {"timezone", "window", "kinds.material.credit"}


def as_an_editor_reads(value: Any) -> Any:
    """YAML as JSON: an editor's YAML 1.2 reads 2023-09-05 as text, not as a date."""
    if isinstance(value, dict):
        return {key: as_an_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_an_editor_reads(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def problems(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [error.message for error in validator.iter_errors(as_an_editor_reads(data))]


def test_the_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def init_configs() -> dict[str, str]:
    sheets: dict[str, tuple[str | None, str | None]] = {
        "files": (None, None), "one-sheet": ("1" * 44, None), "two-sheets": ("1" * 44, "2" * 44)}
    return {name: initializing.render(tag="DLSP24", repo="Atcold/NYU-DLSP24", spreadsheet=claims,
                                      staff=staff, ref=None, today=date(2024, 1, 2)).files[
                                          ".github/extra-credit.yml"]
            for name, (claims, staff) in sheets.items()}


@pytest.mark.parametrize("name", [".github/extra-credit.yml", *init_configs()])
def test_the_schema_accepts_the_demo_and_what_init_writes(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8") if name.startswith(".") else init_configs()[name]
    parse_config(text)
    assert problems(yaml.safe_load(text)) == []


def valid() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("case", CASES, ids=[case["error"].split("'")[1] for case in CASES])
def test_the_schema_rejects_what_the_validator_rejects(case: dict[str, Any]) -> None:
    data = valid()
    for key, value in case["patch"].items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    key = case["error"].split("'")[1]
    assert (problems(data) == []) is (key in BEYOND_THE_SCHEMA), problems(data)


@pytest.mark.parametrize(("patch", "message"), [
    ({"tag": "[DLFL23]"}, None),  # brackets are stripped, by both
    ({"repos": "Atcold/NYU-DLFL23"}, None),  # one repository as text
    ({"cap": "5"}, None),
    ({"registry": {"backend": "sheets", "claims": "k", "columns": {"Q?": "GitHub"}}}, None),
    ({"registry": {"backend": "sheets", "claims": "k", "path": "x"}}, "is not valid under any"),
    ({"registry": {"backend": "sheets"}}, "is not valid under any"),
    ({"repos": []}, "is not valid under any"),
    ({"claims": {"required": "yes"}}, "'yes' is not of type 'boolean'"),
    ({"claims": {"expire_after_days": 1.5}}, "1.5 is not of type 'integer'"),
    ({"kinds": {"typo": {"credit": -0.5}}}, "-0.5 is less than the minimum of 0"),
    ({"course": "  "}, "'  ' does not match '\\\\S'"),
])
def test_the_schema_on_the_edges(patch: dict[str, Any], message: str | None) -> None:
    data = {**valid(), **patch}
    found = problems(data)
    if message is None:
        assert found == []
        parse_config(yaml.safe_dump(data))
    else:
        assert any(message in problem for problem in found), found
