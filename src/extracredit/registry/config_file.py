"""Reads the course configuration file: all that `extracredit title` needs of the registry layer."""

from __future__ import annotations

from pathlib import Path

from extracredit.core.config import MAX_CONFIG_CHARS, Config, parse_config
from extracredit.errors import ConfigError
from extracredit.text.config import config_unreadable


def load_config(path: str) -> Config:
    try:
        with Path(path).open("rb") as handle:
            # Read no more than a configuration can be (UTF-8 takes at most 4 bytes a character):
            # the path may name something endless. Cut there, it still reads as too long.
            raw = handle.read(4 * MAX_CONFIG_CHARS + 1)
        text = raw.decode("utf-8", errors="replace" if len(raw) > 4 * MAX_CONFIG_CHARS else "strict")
    except OSError as error:
        raise ConfigError(str(path), "unreadable",
                          message=config_unreadable(str(path), error.strerror or str(error))) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "unreadable",
                          message=config_unreadable(str(path), "not UTF-8 text")) from None
    return parse_config(text, path)
