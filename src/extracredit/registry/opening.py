"""Opens what every command reads: the configuration file and the registry it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from extracredit.core.config import Config
from extracredit.core.model import Registry, Table
from extracredit.errors import RegistryError
from extracredit.registry.config_file import load_config as load_config  # where it always was
from extracredit.registry.files import FilesRegistry
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import RegistryBackend
from extracredit.settings import env_number
from extracredit.text import messages

CHECK_TABS = ("Claims", "Roster", "Ledger", "Claims log")


class MappedHeaders:
    """A backend whose header cells read as the configuration maps them (a Google Form writes
    its questions as headers: "What is your GitHub username?" stands for GitHub)."""

    def __init__(self, inner: RegistryBackend, columns: Mapping[str, str]) -> None:
        self.inner = inner
        self.columns = {header.casefold(): name for header, name in columns.items()}

    def read(self, tabs: Sequence[str]) -> dict[str, Table]:
        return {name: replace(table, header=tuple(
                    self.columns.get(cell.strip().casefold(), cell) for cell in table.header))
                for name, table in self.inner.read(tabs).items()}

    def __getattr__(self, name: str) -> Any:  # writes and backend-specific tools pass through
        return getattr(self.inner, name)


def open_backend(config: Config, folder: Path | None = None) -> RegistryBackend:
    """The registry's backend: ``folder`` if given, else what the configuration names; headers
    renamed as ``registry.columns`` says."""
    backend = _open(config, folder)
    if config.registry.columns:
        return MappedHeaders(backend, dict(config.registry.columns))
    return backend


def _open(config: Config, folder: Path | None) -> RegistryBackend:
    if folder is not None:
        return FilesRegistry(folder)
    settings = config.registry
    if settings.backend == "files" and settings.path is not None:
        return FilesRegistry(Path(settings.path))
    if settings.backend == "sheets" and settings.claims and settings.staff:
        # Imported here: only a course on Google Sheets pays for loading gspread.
        from extracredit.registry import sheets

        timeout = env_number("EXTRACREDIT_SHEETS_TIMEOUT", sheets.REQUEST_TIMEOUT)
        client = sheets.connect(sheets.credentials_from_environment(), timeout)
        return sheets.SheetsRegistry(client, settings.claims, settings.staff, settle=timeout)
    raise RegistryError(messages.registry_not_configured(settings.backend))


def read_registry(config: Config, folder: Path | None = None,
                  tabs: Sequence[str] = CHECK_TABS) -> Registry:
    """Read and parse the registry; RegistryError when it cannot be read at all."""
    return build_registry(open_backend(config, folder).read(tabs), config.zone)
