"""The ``registry`` commands for TAs: lint, init, export and import."""

from __future__ import annotations

import argparse
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extracredit.core.config import Config
from extracredit.core.lint import lint
from extracredit.core.vocab import KINDS, STATUSES
from extracredit.errors import EXIT_FIX, EXIT_OK, EXIT_UNDECIDED, RegistryError, UserError
from extracredit.forge.actions import running_in_actions, say
from extracredit.jobs import folders
from extracredit.registry.files import TAB_FILES, FilesRegistry, render_csv, table_rows
from extracredit.registry.opening import load_config, open_backend
from extracredit.registry.parse import build_registry
from extracredit.registry.schema import TAB_COLUMNS, TOOL_CLAIMS_COLUMNS, CellWrite
from extracredit.text import messages, usage
from extracredit.text import problems as problem_words

LINT_TABS = ("Claims", "Roster", "Ledger", "Claims log")
PROTECTION_NOTE = "extracredit: written by the tool; edits here are overwritten"
TEXT_COLUMNS = {"Claims": ("NetID", "GitHub ID"), "Roster": ("NetID", "GitHub ID")}
TOOL_TABS = ("Tally", "Problems", "Checks", "Claims log")


def _repo_files(path: Path | None) -> list[str] | None:
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise UserError(messages.unreadable_file(str(path), error.strerror or str(error))) from None
    return [line.strip().lstrip("./") for line in lines if line.strip()]


def run_lint(args: argparse.Namespace, config: Config) -> int:
    backend = open_backend(config, args.registry)
    tables = backend.read(LINT_TABS)
    registry = build_registry(tables, config.zone)
    problems = problem_words.ordered(lint(registry, config, repo_files=_repo_files(args.repo_files),
                                          claims_log=tables.get("Claims log")))
    if running_in_actions():
        # The details name rows of students: they go to the private Problems tab, not the log.
        stamp = datetime.now(UTC).astimezone(config.zone).isoformat(timespec="seconds")
        if config.registry.backend == "sheets" and args.registry is None:
            backend.replace_tab("Problems", problem_words.problems_rows(problems, stamp))
    else:
        for problem in problems:
            say(problem_words.lint_line(problem))
    say(problem_words.lint_summary(len(problems)))
    return EXIT_FIX if problems else EXIT_OK


def run_export(args: argparse.Namespace, config: Config) -> int:
    target: Path = args.to
    folders.refuse_a_file(target, "--to", usage.EXPORT_FOLDER_HOLDS)
    backend = open_backend(config, args.registry)
    tables = backend.read(tuple(TAB_COLUMNS))
    with folders.writing_into(target, "--to"):
        target.mkdir(parents=True, exist_ok=True)
        for tab, table in tables.items():
            (target / TAB_FILES[tab]).write_text(render_csv(table_rows(table)), encoding="utf-8")
    say(messages.exported(len(tables), str(target)))
    return EXIT_OK


def run_import(args: argparse.Namespace, config: Config) -> int:
    # Checked here: the files backend would blame registry.path, which --from is not.
    if not args.source.is_dir():
        raise UserError(usage.import_source_missing(str(args.source), exists=args.source.exists()))
    source = FilesRegistry(args.source)
    tables = source.read(tuple(TAB_COLUMNS))
    if not tables:
        raise UserError(messages.nothing_to_import(str(args.source)))
    backend = open_backend(config, args.registry)
    current = backend.read(tuple(tables))
    busy = [tab for tab in tables if tab in current and current[tab].rows]
    if busy and not args.force:
        raise UserError(messages.import_would_overwrite(busy))
    for tab, table in tables.items():
        backend.replace_tab(tab, table_rows(table))
    say(messages.imported(len(tables)))
    return EXIT_OK


def _column_rule_requests(sheet_id: int, header: Sequence[str], tab: str,
                          protect: bool = True) -> list[dict[str, Any]]:
    """Freeze the header, keep ids as text, offer Kind and Status as lists, mark tool columns."""
    def column(name: str) -> int | None:
        return next((i for i, cell in enumerate(header) if cell.strip() == name), None)

    def span(index: int) -> dict[str, int]:
        return {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": index,
                "endColumnIndex": index + 1}

    requests: list[dict[str, Any]] = [{"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
        "fields": "gridProperties.frozenRowCount"}}]
    for name in TEXT_COLUMNS.get(tab, ()):
        index = column(name)
        if index is not None:
            requests.append({"repeatCell": {
                "range": span(index),
                "cell": {"userEnteredFormat": {"numberFormat": {"type": "TEXT"}}},
                "fields": "userEnteredFormat.numberFormat"}})
    lists = {"Kind": KINDS, "Status": STATUSES} if tab == "Claims" else {}
    for name, values in lists.items():
        index = column(name)
        if index is not None:
            requests.append({"setDataValidation": {"range": span(index), "rule": {
                "condition": {"type": "ONE_OF_LIST",
                              "values": [{"userEnteredValue": value} for value in values]},
                "showCustomUi": True, "strict": False}}})
    owned = TOOL_CLAIMS_COLUMNS if tab == "Claims" else ()
    ranges = [span(index) for name in owned if (index := column(name)) is not None]
    if tab in TOOL_TABS:
        ranges = [{"sheetId": sheet_id}]
    for protected in ranges if protect else []:
        requests.append({"addProtectedRange": {"protectedRange": {
            "range": protected, "description": PROTECTION_NOTE, "warningOnly": True}}})
    return requests


def _protects(tab: str) -> bool:
    """Whether the tool marks some of the tab's cells as its own."""
    return tab == "Claims" or tab in TOOL_TABS


def _sheet_id_for(tab: str) -> int:
    """A stable id for a tab the tool creates, so that one request can create and format it."""
    return zlib.crc32(tab.encode()) & 0x3FFFFFFF


def init_sheets(backend: Any, tabs_by_key: dict[str, list[str]]) -> int:
    """Create missing tabs with their header, then format each tab the tool has not formatted."""
    changed = 0
    for key, tabs in tabs_by_key.items():
        metadata = backend.http.fetch_sheet_metadata(key, params={
            "fields": "sheets(properties(sheetId,title,gridProperties(frozenRowCount)),"
                      "protectedRanges(description))"})
        existing = {sheet["properties"]["title"]: sheet for sheet in metadata.get("sheets") or []}
        headers = {tab: table.header for tab, table in backend.read(
            [tab for tab in tabs if tab in existing]).items()}
        requests: list[dict[str, Any]] = []
        header_writes = []
        for tab in tabs:
            if tab not in existing:
                sheet_id = _sheet_id_for(tab)
                requests.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": tab}}})
                header = TAB_COLUMNS[tab]
                header_writes.append((tab, header))
                requests += _column_rule_requests(sheet_id, header, tab)
                continue
            sheet = existing[tab]
            properties = sheet["properties"]
            protected = PROTECTION_NOTE in [p.get("description")
                                            for p in sheet.get("protectedRanges") or []]
            frozen = (properties.get("gridProperties") or {}).get("frozenRowCount", 0) >= 1
            if frozen and (protected or not _protects(tab)):
                continue  # set up before: a second run changes nothing
            header = headers.get(tab) or TAB_COLUMNS[tab]
            if not headers.get(tab):
                header_writes.append((tab, header))
            requests += _column_rule_requests(properties["sheetId"], header, tab,
                                              protect=not protected)
        if requests:
            backend.batch_update(key, {"requests": requests})
            changed += 1
        if header_writes:
            backend.write_cells([CellWrite(tab, 1, 0, tuple(header)) for tab, header in header_writes])
    return changed


def run_init(args: argparse.Namespace, config: Config) -> int:
    if config.registry.backend == "sheets" and args.registry is None:
        from extracredit.registry.sheets import CLAIMS_SHEET_TABS

        backend: Any = open_backend(config)
        claims_key = args.claims or backend.claims_key
        staff_key = args.staff or backend.staff_key
        backend.claims_key, backend.staff_key = claims_key, staff_key
        by_key: dict[str, list[str]] = {}
        for tab in TAB_COLUMNS:
            by_key.setdefault(claims_key if tab in CLAIMS_SHEET_TABS else staff_key, []).append(tab)
        changed = init_sheets(backend, by_key)
        say(messages.initialised(changed))
        return EXIT_OK
    folder = args.registry or Path(config.registry.path or "registry")
    folder.mkdir(parents=True, exist_ok=True)
    created = 0
    for tab, columns in TAB_COLUMNS.items():
        path = folder / TAB_FILES[tab]
        if not path.exists():
            path.write_text(render_csv([list(columns)]), encoding="utf-8")
            created += 1
    say(messages.initialised_files(created, str(folder)))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit registry ACTION`` as parsed by the command line."""
    config = load_config(args.config)
    actions = {"lint": run_lint, "init": run_init, "export": run_export, "import": run_import}
    try:
        return actions[args.action](args, config)
    except RegistryError as error:
        say(messages.REGISTRY_UNREADABLE.format(reason=error))
        return EXIT_UNDECIDED

