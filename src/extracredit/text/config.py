"""A configuration error in words: the key path, what is wrong there, and the fix."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from extracredit.errors import ConfigError

CONFIG_MISSING = "is required but missing"


def _unknown_key(values: Mapping[str, object]) -> str:
    near = values["near"]
    allowed = values["allowed"]
    assert isinstance(allowed, list | tuple)
    hint = f"did you mean '{near}'?" if near else f"expected one of: {', '.join(map(str, allowed))}"
    return f"unknown key; {hint}"


def _bad_backend(values: Mapping[str, object]) -> str:
    near = values["near"]
    hint = f"did you mean '{near}'? " if near else ""
    return f"unknown backend '{values['backend']}'; {hint}use 'files' or 'sheets'"


def _bad_column(values: Mapping[str, object]) -> str:
    near, allowed = values["near"], values["allowed"]
    assert isinstance(allowed, list | tuple)
    hint = f"did you mean '{near}'? " if near else ""
    return f"'{values['name']}' is not a column of Claims; {hint}use one of {', '.join(map(str, allowed))}"


def _out_of_range(values: Mapping[str, object]) -> str:
    low, high, value = values["low"], values["high"], values["value"]
    if values.get("low_open"):
        return f"must be more than {low} and at most {high}, got {value}"
    return f"must be from {low} to {high}, got {value}"


_PROBLEMS: dict[str, Callable[[Mapping[str, object]], str]] = {
    "missing": lambda v: CONFIG_MISSING,
    "negative": lambda v: "must be zero or more",
    "key-not-text": lambda v: "keys must be text",
    "unknown-key": _unknown_key,
    "wrong-type": lambda v: f"expected {v['expected']}, got {v['value']!r}",
    "bad-tag": lambda v: (f"'{v['tag']}' is not a tag; write it like DLFL23, CSGY6953S27 or CS231N-W24: "
                          "letters and digits, a single - _ or . between them, no spaces or brackets "
                          "(a term other than fall, spring, summer or winter, such as IAP24, is "
                          "named again in term:)"),
    "bad-term": lambda v: (f"'{v['term']}' is not the term at the end of the tag '{v['tag']}'; write it "
                           "as a name then a 2- or 4-digit year (IAP24 for 6.S191_IAP24), or leave "
                           "term: out when the tag ends in a term such as F23, SP24, SU25 or W2024"),
    "bad-timezone": lambda v: (f"'{v['zone']}' is not a known time zone; use an IANA name such as "
                               "America/New_York"),
    "window-backwards": lambda v: "closes before it opens; swap window.opens and window.closes",
    "over-cap": lambda v: f"a default credit of {v['credit']} is more than the cap of {v['cap']}",
    "bad-repo": lambda v: f"'{v['name']}' is not OWNER/REPO",
    "not-for-backend": lambda v: f"does not apply to the '{v['backend']}' backend; remove it",
    "bad-backend": _bad_backend,
    "bad-column": _bad_column,
    "out-of-range": _out_of_range,
    "too-precise": lambda v: f"has more than {v['places']} decimals ({v['value']}); round it",
}
# Problems of the whole file: a sentence of their own, with no key path.
_WHOLE_FILE: dict[str, Callable[[Mapping[str, object]], str]] = {
    "not-yaml": lambda v: config_not_yaml(str(v["source"]), str(v["where"])),
    "too-big": lambda v: (f"configuration error: {v['source']} is longer than {v['limit']} characters; "
                          "a course configuration is a page of YAML"),
    "yaml-alias": lambda v: (f"configuration error: {v['source']} uses a YAML anchor or alias "
                             f"({v['where']}); write the value out in full instead"),
    "too-deep": lambda v: (f"configuration error: {v['source']} nests more than {v['limit']} levels "
                           f"deep ({v['where']}); no key of the configuration needs that"),
}


def config_not_yaml(source: str, where: str) -> str:
    return f"configuration error: {source} is not valid YAML ({where}); fix the indentation or quoting there"


def config_unreadable(source: str, reason: str) -> str:
    return f"configuration error: cannot read {source} ({reason}); pass --config PATH to use another file"


def problem(code: str, **values: object) -> str:
    """The words of one configuration problem, without the key path."""
    return _PROBLEMS[code](values)


def describe(error: ConfigError) -> str:
    """The one paragraph a TA reads for a configuration error."""
    if error.message is not None:
        return error.message
    if error.code in _WHOLE_FILE:
        return _WHOLE_FILE[error.code](error.values)
    return f"configuration error at '{error.path}': {_PROBLEMS[error.code](error.values)}"
