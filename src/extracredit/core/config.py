"""The course configuration: strict YAML in, frozen dataclasses out."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from extracredit.core.cells import (
    CREDIT_DECIMALS,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_CREDIT,
    decimal_places,
    nearest,
)
from extracredit.core.tags import course_of, is_tag
from extracredit.core.vocab import DEFAULT_CONFIG_PATH, KINDS, ConfigProblem
from extracredit.errors import ConfigError

# A course configuration is a page of YAML: anything much larger is not one, and parsing it
# would only spend memory. Nothing in it nests deeper than kinds.typo.credit.
MAX_CONFIG_CHARS = 64 * 1024
MAX_CONFIG_DEPTH = 8
# Claims are held for days or weeks; a year is already more than a semester.
MAX_EXPIRE_DAYS = 365


@dataclass(frozen=True)
class Window:
    """The days, both included, on which extra-credit PRs count."""

    opens: date
    closes: date

    def contains(self, day: date) -> bool:
        return self.opens <= day <= self.closes


@dataclass(frozen=True)
class Labels:
    """The labels that mark a PR accepted or rejected."""

    accepted: str = "extra-credit: accepted"
    rejected: tuple[str, ...] = ("extra-credit: rejected", "spam", "invalid")


@dataclass(frozen=True)
class ClaimsPolicy:
    """How claims are held: whether a PR needs one, when a hold ends, how wide a target may be."""

    required: bool = True
    expire_after_days: int = 14
    # A target matching more than this percentage of the repository's files holds nothing.
    max_target_share: Decimal = Decimal(25)


@dataclass(frozen=True)
class RegistrySettings:
    """Where the registry is kept: its backend, folder or spreadsheets, and the headers it
    reads as columns."""

    backend: str
    path: str | None = None
    claims: str | None = None
    staff: str | None = None
    # Header text (e.g. a Google Form's question) -> the registry column it stands for.
    columns: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Config:
    """The course configuration, as .github/extra-credit.yml gives it."""

    course: str
    tag: str
    timezone: str
    window: Window
    cap: Decimal
    kind_credit: dict[str, Decimal] = field(hash=False)
    claims: ClaimsPolicy
    repos: tuple[str, ...]
    labels: Labels
    registry: RegistrySettings
    term: str | None = None  # the tag's term, when the tag alone does not tell it

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def bracketed_tag(self) -> str:
        return f"[{self.tag}]"


_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")

_SCHEMA: dict[str, Any] = {
    "course": str,
    "tag": str,
    "term": str,
    "timezone": str,
    "window": {"opens": date, "closes": date},
    "cap": "number",
    "kinds": "kinds",
    "claims": {"required": bool, "expire_after_days": int, "max_target_share": int},
    "repos": "repos",
    "labels": {"accepted": str, "rejected": "strings"},
    "registry": {"backend": str, "path": str, "claims": str, "staff": str, "columns": dict},
}
_REQUIRED = ("course", "tag", "window", "repos", "registry")


def _fail(path: str, code: ConfigProblem, **values: object) -> ConfigError:
    return ConfigError(path, code, values)


def _wrong(expected: str, value: Any) -> dict[str, object]:
    return {"expected": expected, "value": value}


def _check_keys(mapping: dict[str, Any], allowed: dict[str, Any], prefix: str) -> None:
    for key in mapping:
        if not isinstance(key, str):
            raise _fail(f"{prefix}{key!r}", "key-not-text")
        if key not in allowed:
            raise _fail(prefix + key, "unknown-key", near=nearest(key, allowed, cutoff=0.6),
                        allowed=sorted(allowed))


def _mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "wrong-type", **_wrong("a mapping", value))
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "wrong-type", **_wrong("non-empty text", value))
    return value.strip()


def _day(value: Any, path: str) -> date:
    day: date | None = None
    if isinstance(value, datetime):  # YAML reads 2023-09-05 10:00 as a moment, not a day
        value = value.isoformat(sep=" ")
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(value.strip())
    if day is None:
        raise _fail(path, "wrong-type", **_wrong("a date such as 2023-09-05", value))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _fail(path, "out-of-range", low=date(FIRST_YEAR, 1, 1), high=date(LAST_YEAR, 12, 31),
                    value=day)
    return day


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(path, "wrong-type", **_wrong("a number", value))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(path, "wrong-type", **_wrong("a number", value)) from None
    if not number.is_finite():
        raise _fail(path, "wrong-type", **_wrong("a number", value))
    return number


def _number(value: Any, path: str) -> Decimal:
    number = _decimal(value, path)
    if number < 0:
        raise _fail(path, "negative")
    return number


def _precise_enough(number: Decimal, path: str) -> Decimal:
    if decimal_places(number) > CREDIT_DECIMALS:
        raise _fail(path, "too-precise", places=CREDIT_DECIMALS, value=number)
    return number


def _parse_cap(value: Any) -> Decimal:
    """Percent of the final grade: more than 0, at most MAX_CREDIT (a histogram of the tally has
    a bar per half point up to the cap)."""
    cap = _decimal(value, "cap")
    if not 0 < cap <= MAX_CREDIT:
        raise _fail("cap", "out-of-range", low=0, high=MAX_CREDIT, value=cap, low_open=True)
    return _precise_enough(cap, "cap")


def _checked_events(text: str, source: str) -> list[yaml.Event]:
    """The text's YAML events, refused with a ConfigError when they use anchors or aliases (a
    few hundred bytes can expand to gigabytes) or nest too deep (it exhausts the parser's stack):
    a course configuration needs neither."""
    depth = 0
    events = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = f"line {event.start_mark.line + 1}" if event.start_mark is not None else "somewhere"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ConfigError("", "yaml-alias", {"source": source, "where": line})
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise ConfigError("", "too-deep", {"source": source, "where": line,
                                                   "limit": MAX_CONFIG_DEPTH})
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        events.append(event)
    return events


class _FromEvents(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """yaml.safe_load's composer, safe constructor and resolver, fed the events already parsed
    and checked: the text is parsed once, not once to check it and again to load it."""

    def __init__(self, events: list[yaml.Event]) -> None:
        self._events = events
        self._next = 0
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices: type[yaml.Event]) -> bool:
        if self._next >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._next], choices)

    def peek_event(self) -> yaml.Event | None:
        return self._events[self._next] if self._next < len(self._events) else None

    def get_event(self) -> yaml.Event | None:
        event = self.peek_event()
        self._next += 1
        return event


def parse_config(text: str, source: str = DEFAULT_CONFIG_PATH) -> Config:
    """Parse and validate the YAML text of a course configuration."""
    if len(text) > MAX_CONFIG_CHARS:
        raise ConfigError("", "too-big", {"source": source, "limit": MAX_CONFIG_CHARS})
    try:
        data = _FromEvents(_checked_events(text, source)).get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise ConfigError("", "not-yaml", {"source": source, "where": where}) from None
    except (ValueError, LookupError, TypeError, ArithmeticError):
        # PyYAML's constructors fail this way on some scalars: an integer of more digits than
        # Python converts, an empty !!float.
        raise ConfigError("", "not-yaml", {"source": source, "where": "somewhere"}) from None
    if data is None:
        data = {}
    root = _mapping(data, "(top level)")
    _check_keys(root, _SCHEMA, "")
    for key in _REQUIRED:
        if key not in root:
            raise _fail(key, "missing")

    tag = _text(root["tag"], "tag").strip("[]")
    if not is_tag(tag):
        raise _fail("tag", "bad-tag", tag=tag)
    term = _parse_term(root["term"], tag) if "term" in root else None

    timezone = _text(root.get("timezone", "America/New_York"), "timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("timezone", "bad-timezone", zone=timezone) from None

    window_map = _mapping(root["window"], "window")
    _check_keys(window_map, _SCHEMA["window"], "window.")
    for key in ("opens", "closes"):
        if key not in window_map:
            raise _fail(f"window.{key}", "missing")
    window = Window(_day(window_map["opens"], "window.opens"),
                    _day(window_map["closes"], "window.closes"))
    if window.closes < window.opens:
        raise _fail("window", "window-backwards")

    cap = _parse_cap(root.get("cap", 5))
    kind_credit = _parse_kinds(root.get("kinds", {}), cap)
    claims = _parse_claims_policy(root.get("claims", {}))
    repos = _parse_repos(root["repos"])
    labels = _parse_labels(root.get("labels", {}))
    registry = _parse_registry(root["registry"])
    return Config(
        course=_text(root["course"], "course"),
        tag=tag,
        timezone=timezone,
        window=window,
        cap=cap,
        kind_credit=kind_credit,
        claims=claims,
        repos=repos,
        labels=labels,
        registry=registry,
        term=term,
    )


def _parse_term(value: Any, tag: str) -> str:
    term = _text(value, "term")
    if course_of(tag, term) is None:
        raise _fail("term", "bad-term", term=term, tag=tag)
    return term


def _parse_kinds(value: Any, cap: Decimal) -> dict[str, Decimal]:
    defaults = {"typo": Decimal("0.5"), "bug": Decimal(1), "material": Decimal("1.5"),
                "translation": Decimal(0)}
    kinds = _mapping(value, "kinds")
    _check_keys(kinds, dict.fromkeys(KINDS), "kinds.")
    for kind, settings in kinds.items():
        settings_map = _mapping(settings, f"kinds.{kind}")
        _check_keys(settings_map, {"credit": None}, f"kinds.{kind}.")
        if "credit" in settings_map:
            credit = _number(settings_map["credit"], f"kinds.{kind}.credit")
            if credit > cap:
                raise _fail(f"kinds.{kind}.credit", "over-cap", credit=credit, cap=cap)
            defaults[kind] = _precise_enough(credit, f"kinds.{kind}.credit")
    return defaults


def _parse_claims_policy(value: Any) -> ClaimsPolicy:
    policy = _mapping(value, "claims")
    _check_keys(policy, _SCHEMA["claims"], "claims.")
    required = policy.get("required", True)
    if not isinstance(required, bool):
        raise _fail("claims.required", "wrong-type", **_wrong("true or false", required))
    days = policy.get("expire_after_days", 14)
    if isinstance(days, bool) or not isinstance(days, int):
        raise _fail("claims.expire_after_days",
                    "wrong-type", **_wrong("a whole number of days, 1 or more", days))
    if not 1 <= days <= MAX_EXPIRE_DAYS:
        raise _fail("claims.expire_after_days", "out-of-range", low=1, high=MAX_EXPIRE_DAYS, value=days)
    share = _number(policy.get("max_target_share", 25), "claims.max_target_share")
    if not 0 < share <= 100:
        raise _fail("claims.max_target_share", "wrong-type",
                    **_wrong("a percentage above 0, at most 100", policy.get("max_target_share")))
    return ClaimsPolicy(required=required, expire_after_days=days, max_target_share=share)


def _parse_repos(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail("repos", "wrong-type", **_wrong("a list of OWNER/REPO names", value))
    repos = []
    for index, repo in enumerate(value):
        name = _text(repo, f"repos[{index}]")
        if not _REPO.match(name):
            raise _fail(f"repos[{index}]", "bad-repo", name=name)
        repos.append(name)
    return tuple(repos)


def _parse_labels(value: Any) -> Labels:
    labels = _mapping(value, "labels")
    _check_keys(labels, _SCHEMA["labels"], "labels.")
    accepted = _text(labels.get("accepted", Labels.accepted), "labels.accepted")
    rejected_value = labels.get("rejected", list(Labels.rejected))
    if isinstance(rejected_value, str):
        rejected_value = [rejected_value]
    if not isinstance(rejected_value, list):
        raise _fail("labels.rejected", "wrong-type", **_wrong("a list of labels",
                                                                   rejected_value))
    rejected = tuple(_text(item, f"labels.rejected[{i}]") for i, item in enumerate(rejected_value))
    return Labels(accepted=accepted, rejected=rejected)


# The registry's column names a header may be mapped to (the tabs' contract: registry/README.md).
MAPPABLE_COLUMNS = ("Claim", "Submitted", "GitHub", "NetID", "Name", "Kind", "Target", "Plan")


def _parse_columns(value: Any) -> tuple[tuple[str, str], ...]:
    columns = _mapping(value, "registry.columns")
    pairs = []
    for header, column in columns.items():
        path = f"registry.columns.{header}"
        name = _text(column, path)
        if name not in MAPPABLE_COLUMNS:
            raise _fail(path, "bad-column", name=name, near=nearest(name, MAPPABLE_COLUMNS, cutoff=0.5),
                        allowed=MAPPABLE_COLUMNS)
        pairs.append((str(header).strip(), name))
    return tuple(pairs)


def _parse_registry(value: Any) -> RegistrySettings:
    registry = _mapping(value, "registry")
    _check_keys(registry, _SCHEMA["registry"], "registry.")
    backend = _text(registry.get("backend", ""), "registry.backend")
    columns = _parse_columns(registry.get("columns", {}))
    if backend == "files":
        if "path" not in registry:
            raise _fail("registry.path", "missing")
        extra = sorted(set(registry) - {"backend", "path", "columns"})
        if extra:
            raise _fail(f"registry.{extra[0]}", "not-for-backend", backend="files")
        return RegistrySettings(backend="files", path=_text(registry["path"], "registry.path"),
                                columns=columns)
    if backend == "sheets":
        if "claims" not in registry:
            raise _fail("registry.claims", "missing")
        if "path" in registry:
            raise _fail("registry.path", "not-for-backend", backend="sheets")
        claims = _text(registry["claims"], "registry.claims")
        staff = _text(registry.get("staff", claims), "registry.staff")
        return RegistrySettings(backend="sheets", claims=claims, staff=staff, columns=columns)
    raise _fail("registry.backend", "bad-backend", backend=backend,
                near=nearest(backend, ["files", "sheets"], cutoff=0.5))
