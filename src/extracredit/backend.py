"""Opens what every command reads: the configuration file and the registry it names."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from extracredit import messages
from extracredit.config import Config, ConfigError, parse_config
from extracredit.errors import UserError
from extracredit.files import FilesRegistry
from extracredit.registry import Registry, RegistryBackend, RegistryError, build_registry

CHECK_TABS = ("Claims", "Roster", "Ledger")


def load_config(path: str) -> Config:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(messages.config_unreadable(path, error.strerror or str(error))) from None
    return parse_config(text, path)


def open_backend(config: Config, folder: Path | None = None) -> RegistryBackend:
    """The registry's backend: ``folder`` if given, else what the configuration names."""
    if folder is not None:
        return FilesRegistry(folder)
    settings = config.registry
    if settings.backend == "files" and settings.path is not None:
        return FilesRegistry(Path(settings.path))
    if settings.backend == "sheets" and settings.claims and settings.staff:
        # Imported here: only a course on Google Sheets pays for loading gspread.
        from extracredit import sheets

        timeout = env_number("EXTRACREDIT_SHEETS_TIMEOUT", sheets.REQUEST_TIMEOUT)
        client = sheets.connect(sheets.credentials_from_environment(), timeout)
        return sheets.SheetsRegistry(client, settings.claims, settings.staff, settle=timeout)
    raise RegistryError(messages.registry_not_configured(settings.backend))


def read_registry(config: Config, folder: Path | None = None,
                  tabs: Sequence[str] = CHECK_TABS) -> Registry:
    """Read and parse the registry; RegistryError when it cannot be read at all."""
    return build_registry(open_backend(config, folder).read(tabs), config.zone)


def env_number(name: str, default: float) -> float:
    """A numeric setting from the environment (seconds); a bad value is an error that names it."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UserError(messages.bad_env_number(name, text)) from None
    if value < 0:
        raise UserError(messages.bad_env_number(name, text))
    return value
