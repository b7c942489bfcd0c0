"""What ``init`` chooses beyond its options: the pinned commit, the nightly's time, Google access.

Each choice is a pure function of what init knows (the installed package's metadata, the course
repository's name, the options), so the same course always gets the same files.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from extracredit.errors import UserError
from extracredit.text import setup as setup_words

PROJECT = "nyu-dl/extracredit"
SCHEMA_PATH = "docs/extra-credit.schema.json"
SCHEMA_URL = "https://raw.githubusercontent.com/{project}/{ref}/{path}"
# The nightly runs at a minute of one of these hours (UTC): 05:00-10:59 UTC is 00:00-06:59 in New
# York, the night of the courses this was written for, and the morning in Europe.
NIGHT_HOURS_UTC = range(5, 11)
# Never on the hour or a quarter past it: GitHub's scheduler is busiest then (everyone's
# "0 * * * *"), and scheduled runs are delayed or dropped at busy times.
NIGHT_MINUTES = tuple(minute for minute in range(60) if minute % 15)

# The caller workflows' note on Google access (comment lines after "# ").
KEY_ROUTE = ("Google Sheets access: a service-account key in the repository secret\n"
             "# EXTRACREDIT_GOOGLE_CREDENTIALS (a files registry needs none). For Workload Identity\n"
             "# Federation instead, with no key stored: extracredit init --wif-provider ... --force.")
WIF_ROUTE = ("Google Sheets access by Workload Identity Federation: short-lived credentials of the\n"
             "# service account for each run, and no key stored anywhere.")

_SHA = re.compile(r"^[0-9a-f]{40}$")
_PROJECT_URL = re.compile(r"^(?:git\+)?(?:https://|ssh://git@|git@)github\.com[:/]"
                          + re.escape(PROJECT) + r"(?:\.git)?/?$", re.IGNORECASE)
# Google's formats: pool and provider ids are 4-32 lowercase letters, digits and dashes; a service
# account is NAME@PROJECT.iam.gserviceaccount.com (NAME 6-30 characters).
_WIF_PROVIDER = re.compile(
    r"^projects/\d{1,20}/locations/global/workloadIdentityPools/[a-z0-9-]{4,32}"
    r"/providers/[a-z0-9-]{4,32}$")
_SERVICE_ACCOUNT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]"
                              r"\.iam\.gserviceaccount\.com$")


@dataclass(frozen=True)
class Wif:
    """Google credentials by Workload Identity Federation: the provider and the account."""

    provider: str
    service_account: str


def release_commit(direct_url_json: str | None) -> str | None:
    """The commit of this project a package was installed from, read from its PEP 610
    ``direct_url.json`` (pip writes it for ``pip install git+https://github.com/...@SHA``).

    None for anything else: an editable or local install (development), an index, or a fork,
    whose commits the workflows' ``uses:`` would have to name in another repository.
    """
    if not direct_url_json:
        return None
    try:
        record = json.loads(direct_url_json)
    except ValueError:
        return None
    if not isinstance(record, dict) or not _PROJECT_URL.match(str(record.get("url", ""))):
        return None
    vcs = record.get("vcs_info")
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git":
        return None
    commit = str(vcs.get("commit_id", "")).lower()
    return commit if _SHA.match(commit) else None


def installed_release_commit() -> str | None:
    """The commit the installed extracredit came from, or None for a development install."""
    # Imported here: importlib.metadata is slow to load, and every command builds init's parser.
    from importlib import metadata

    try:
        record = metadata.distribution("extracredit").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    return release_commit(record)


def schema_url(ref: str) -> str:
    """Where an editor finds the configuration's JSON Schema, at the commit the workflows run."""
    return SCHEMA_URL.format(project=PROJECT, ref=ref, path=SCHEMA_PATH)


def nightly_time(repo: str) -> tuple[int, int]:
    """(minute, hour) UTC of the course's nightly run, from a hash of OWNER/REPO.

    Stable (the same repository always gets the same time; GitHub names ignore case) and spread
    over len(NIGHT_MINUTES) x len(NIGHT_HOURS_UTC) slots, so that many courses sharing one Google
    project do not all read and write their sheets in the same minute.
    """
    digest = int.from_bytes(hashlib.sha256(repo.strip().lower().encode("utf-8")).digest()[:8], "big")
    slot = digest % (len(NIGHT_MINUTES) * len(NIGHT_HOURS_UTC))
    hour, minute = divmod(slot, len(NIGHT_MINUTES))
    return NIGHT_MINUTES[minute], NIGHT_HOURS_UTC[hour]


def wif_settings(provider: str | None, service_account: str | None, *,
                 sheets: bool) -> Wif | None:
    """The --wif-provider and --wif-service-account options, checked: both or neither."""
    if provider is None and service_account is None:
        return None
    if provider is None or service_account is None:
        raise UserError(setup_words.INIT_WIF_NEEDS_BOTH)
    if not sheets:
        raise UserError(setup_words.INIT_WIF_NEEDS_SHEETS)
    provider, service_account = provider.strip(), service_account.strip()
    if not _WIF_PROVIDER.match(provider):
        raise UserError(setup_words.init_bad_wif_provider(provider))
    if not _SERVICE_ACCOUNT.match(service_account):
        raise UserError(setup_words.init_bad_service_account(service_account))
    return Wif(provider=provider, service_account=service_account)


def caller_settings(name: str, wif: Wif | None) -> dict[str, str]:
    """The template values of one caller workflow that depend on the Google route.

    WORKFLOW is the called workflow (NAME or NAME-wif); IDTOKEN and GOOGLE are whole lines: the
    job's `id-token: write` grant, and its `with:` (WIF) or `secrets:` (key) settings. The tally
    template has a `with:` of its own, which the WIF settings join.
    """
    if wif is None:
        return {"WORKFLOW": name, "IDTOKEN": "", "GOOGLEROUTE": KEY_ROUTE,
                "GOOGLE": ("    secrets:\n"
                           "      google-credentials: ${{ secrets.EXTRACREDIT_GOOGLE_CREDENTIALS }}\n")}
    settings = (f"      workload-identity-provider: {wif.provider}\n"
                f"      service-account: {wif.service_account}\n")
    return {
        "WORKFLOW": f"{name}-wif", "GOOGLEROUTE": WIF_ROUTE,
        "IDTOKEN": ("      id-token: write       # an OIDC token for Google credentials "
                    "(Workload Identity Federation)\n"),
        "GOOGLE": settings if name == "tally" else "    with:\n" + settings,
    }
