"""The course configuration: the shipped file parses, and every bad key is named with a fix."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from extracredit.core.config import _checked_events, _FromEvents, parse_config
from extracredit.errors import ConfigError
from extracredit.text.config import describe

ROOT = Path(__file__).parent.parent.parent
CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent.parent / "cases" / "config.yaml").read_text(encoding="utf-8"))
VALID = """
course: "Deep Learning, Fall 2023"
tag: DLFL23
timezone: America/New_York
window: {opens: 2023-09-05, closes: 2023-12-15}
cap: 5
kinds: {typo: {credit: 0.5}, bug: {credit: 1}, material: {credit: 1.5}, translation: {credit: 0}}
claims: {required: true, expire_after_days: 14}
repos: [Atcold/NYU-DLFL23]
labels: {accepted: "extra-credit: accepted", rejected: ["extra-credit: rejected", spam, invalid]}
registry: {backend: files, path: registry/demo}
"""


def test_valid_config_parses_to_exact_values() -> None:
    config = parse_config(VALID)
    assert config.tag == "DLFL23"
    assert config.window.opens == date(2023, 9, 5)
    assert config.cap == Decimal(5)
    assert config.kind_credit == {"typo": Decimal("0.5"), "bug": Decimal(1),
                                  "material": Decimal("1.5"), "translation": Decimal(0)}
    assert config.repos == ("Atcold/NYU-DLFL23",)
    assert config.labels.rejected == ("extra-credit: rejected", "spam", "invalid")
    assert config.registry.path == "registry/demo"


def test_shipped_course_config_parses() -> None:
    config = parse_config((ROOT / ".github" / "extra-credit.yml").read_text(encoding="utf-8"))
    assert config.bracketed_tag == "[DLFL23]"


def test_sheets_backend_defaults_staff_to_claims() -> None:
    data = yaml.safe_load(VALID)
    data["registry"] = {"backend": "sheets", "claims": "KEY1"}
    config = parse_config(yaml.safe_dump(data))
    assert (config.registry.claims, config.registry.staff) == ("KEY1", "KEY1")


@pytest.mark.parametrize("case", CASES, ids=[case["error"].split("'")[1] for case in CASES])
def test_bad_config_names_the_key(case: dict[str, Any]) -> None:
    data = yaml.safe_load(VALID)
    for key, value in case["patch"].items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    with pytest.raises(ConfigError) as raised:
        parse_config(yaml.safe_dump(data, allow_unicode=True))
    assert describe(raised.value) == case["error"]


def test_config_that_is_not_yaml() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config("tag: [DLFL23\n", "course.yml")
    assert describe(raised.value) == ("configuration error: course.yml is not valid YAML (line 2); "
                                 "fix the indentation or quoting there")


def test_config_that_is_a_list() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config("- a\n")
    assert describe(raised.value) == "configuration error at '(top level)': expected a mapping, got ['a']"


@pytest.mark.parametrize(("tag", "term"), [
    ("DLFL23", None),
    ("[CSGY6953S27]", None),
    ("CS231N-W24", None),
    ("CS-101-F2025", None),
    ("MATH2410FA24", None),
    ("ECE.5545.SP26", None),
    ("6.S191_IAP24", "IAP24"),
    ("6.S191_IAP24", "iap24"),
    ("CSCI_GA.2565", None),
], ids=lambda value: str(value))
def test_tags_of_other_courses_are_accepted(tag: str, term: str | None) -> None:
    data = yaml.safe_load(VALID)
    data["tag"] = tag
    if term is not None:
        data["term"] = term
    config = parse_config(yaml.safe_dump(data))
    assert (config.tag, config.term) == (tag.strip("[]"), term)
    assert config.bracketed_tag == f"[{tag.strip('[]')}]"


# A few hundred bytes that expand to gigabytes when aliases are followed.
ALIAS_BOMB = "".join(f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10))
WHOLE_FILE_CASES = [
    ("anchor", VALID.replace("bug: {credit: 1}", "bug: &b {credit: 1}"),
     "configuration error: course.yml uses a YAML anchor or alias (line 7); write the value out in "
     "full instead"),
    ("alias bomb", "l0: &l0 [lol]\n" + ALIAS_BOMB + VALID,
     "configuration error: course.yml uses a YAML anchor or alias (line 1); write the value out in "
     "full instead"),
    ("deep nesting", VALID + "x: " + "[" * 30000 + "]" * 30000 + "\n",
     "configuration error: course.yml nests more than 8 levels deep (line 12); no key of the "
     "configuration needs that"),
    ("too big", VALID + "#" * 70000 + "\n",
     "configuration error: course.yml is longer than 65536 characters; a course configuration is a "
     "page of YAML"),
    ("python object", VALID + "x: !!python/object/apply:os.system [echo]\n",
     "configuration error: course.yml is not valid YAML (line 12); fix the indentation or quoting there"),
    ("an empty float", VALID.replace("cap: 5", "cap: !!float"),
     "configuration error: course.yml is not valid YAML (somewhere); fix the indentation or quoting there"),
    ("an integer Python will not convert", VALID.replace("cap: 5", "cap: " + "9" * 5000),
     "configuration error: course.yml is not valid YAML (somewhere); fix the indentation or quoting there"),
]


@pytest.mark.parametrize(("text", "error"), [case[1:] for case in WHOLE_FILE_CASES],
                         ids=[case[0] for case in WHOLE_FILE_CASES])
def test_a_configuration_beyond_its_bounds_is_refused_before_it_is_built(text: str, error: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "course.yml")
    assert describe(raised.value) == error


@pytest.mark.parametrize(("patch", "error"), [
    ({"cap": 0.00001}, "configuration error at 'cap': has more than 4 decimals (0.00001); round it"),
    ({"cap": ".inf"}, "configuration error at 'cap': expected a number, got '.inf'"),
    ({"cap": float("nan")}, "configuration error at 'cap': expected a number, got nan"),
    ({"kinds": {"bug": {"credit": "1e-1000000"}}},
     "configuration error at 'kinds.bug.credit': has more than 4 decimals (1E-1000000); round it"),
    ({"kinds": {"bug": {"credit": "1e1000000"}}},
     "configuration error at 'kinds.bug.credit': a default credit of 1E+1000000 is more than the cap of 5"),
])
def test_numbers_are_bounded_in_size_and_precision(patch: dict[str, Any], error: str) -> None:
    data = {**yaml.safe_load(VALID), **patch}
    with pytest.raises(ConfigError) as raised:
        parse_config(yaml.safe_dump(data))
    assert describe(raised.value) == error


@pytest.mark.parametrize(("cap", "credit"), [("100", "100"), ("0.0001", "0.0001"), ("5.50", "5.5000")])
def test_the_bounds_themselves_are_accepted(cap: str, credit: str) -> None:
    data = {**yaml.safe_load(VALID), "cap": cap, "kinds": {"typo": {"credit": credit}}}
    config = parse_config(yaml.safe_dump(data))
    assert (config.cap, config.kind_credit["typo"]) == (Decimal(cap), Decimal(credit))


def test_the_command_line_refuses_a_bad_configuration_file_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from extracredit.cli import main

    bomb = tmp_path / "bomb.yml"
    bomb.write_text("l0: &l0 [lol]\n" + ALIAS_BOMB, encoding="utf-8")
    assert len(bomb.read_bytes()) < 512  # 9**9 leaves, followed
    latin = tmp_path / "latin.yml"
    latin.write_bytes(VALID.replace("Deep Learning", "Apprentissage profond, été").encode("latin-1"))
    endless = tmp_path / "endless.yml"
    endless.write_text("course: x\n" + "#" * (1 << 20), encoding="utf-8")
    for path, error in [
        (bomb, f"{bomb} uses a YAML anchor or alias (line 1)"),
        (latin, f"cannot read {latin} (not UTF-8 text)"),
        (endless, f"{endless} is longer than 65536 characters"),
    ]:
        assert main(["registry", "lint", "--config", str(path)]) == 2
        assert error in capsys.readouterr().err


YAMLISH = st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{},'\"#!|>?%@`0.9\\é")), max_size=60)


def _outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        return "data", load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return type(error).__name__, None if mark is None else mark.line
    except (ValueError, LookupError, TypeError, ArithmeticError) as error:
        return type(error).__name__, None


@given(st.one_of(YAMLISH, st.sampled_from(["a: 1\n---\nb: 2\n", "", "---\n", "a: !!float\n",
                                            "x: !!python/object/apply:os.system [echo]\n",
                                            (ROOT / ".github" / "extra-credit.yml").read_text()])))
@settings(max_examples=300, deadline=None)
def test_the_checked_events_load_as_yaml_safe_load_loads_the_text(text: str) -> None:
    # The configuration is parsed once: its checked events are loaded, not the text again.
    try:
        events = _checked_events(text, "course.yml")
    except (ConfigError, yaml.YAMLError):
        return
    assert _outcome(lambda _: _FromEvents(events).get_single_data(), text) == _outcome(
        yaml.safe_load, text)
