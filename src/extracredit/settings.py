"""Numeric settings from the environment (timeouts, throttles), read alike by both adapters."""

from __future__ import annotations

import os

from extracredit.errors import UserError
from extracredit.text import messages


def env_number(name: str, default: float, unit: str = "seconds") -> float:
    """A numeric setting from the environment (in ``unit``); a bad value is an error that names it."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UserError(messages.bad_env_number(name, text, unit)) from None
    if value < 0:
        raise UserError(messages.bad_env_number(name, text, unit))
    return value
