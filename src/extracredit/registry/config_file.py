"""Reads the course configuration file: all that `extracredit title` needs of the registry layer."""

from __future__ import annotations

from pathlib import Path

from extracredit.core.config import Config, parse_config
from extracredit.errors import ConfigError
from extracredit.text.config import config_unreadable


def load_config(path: str) -> Config:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(str(path), "unreadable",
                          message=config_unreadable(str(path), error.strerror or str(error))) from None
    return parse_config(text, path)
