"""Where the Google credentials come from on a laptop, and what a TA is told when they are wrong:
a key file that GOOGLE_APPLICATION_CREDENTIALS names is blamed as that file, never as "no
credentials", and its text is never quoted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import google.auth
import pytest
from google.auth.exceptions import DefaultCredentialsError

from extracredit.registry.sheets import SheetsError, credentials_from_environment

NOT_VALID = ("GOOGLE_APPLICATION_CREDENTIALS names {path}, which is not a valid Google key file (a "
             "service-account key is JSON with type, client_email and private_key); download the "
             "key again, or unset the variable")


@pytest.fixture(autouse=True)
def no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXTRACREDIT_GOOGLE_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)


@pytest.mark.parametrize("text", [
    "secretcanary, not JSON",
    '{"type": "service_account", "private_key": "secretcanary"}',
    '{"type": "secretcanary"}',
    '["secretcanary"]',
    "",
], ids=["not-json", "missing-fields", "unknown-type", "not-an-object", "empty"])
def test_a_key_file_that_is_not_a_key_is_named(text: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "key.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    with pytest.raises(SheetsError) as raised:
        credentials_from_environment()
    assert str(raised.value) == NOT_VALID.format(path=path)
    assert "secretcanary" not in str(raised.value)


def test_a_key_file_that_does_not_exist_is_named(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    with pytest.raises(SheetsError) as raised:
        credentials_from_environment()
    assert str(raised.value) == (
        f"GOOGLE_APPLICATION_CREDENTIALS names {tmp_path / 'gone.json'}, which does not exist; "
        "set it to the path of a service-account key file (JSON), or unset it")


def test_a_valid_key_file_gives_its_service_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    service_account_info: dict[str, str]) -> None:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(service_account_info), encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    credentials = credentials_from_environment()
    assert credentials.service_account_email == service_account_info["client_email"]


def test_without_any_credentials_the_ways_to_give_them_are_listed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def nothing_found(**_: Any) -> Any:  # what google-auth raises on a machine with no credentials
        raise DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(google.auth, "default", nothing_found)
    with pytest.raises(SheetsError) as raised:
        credentials_from_environment()
    assert str(raised.value) == (
        "no Google credentials: set EXTRACREDIT_GOOGLE_CREDENTIALS to a service-account key, run "
        "google-github-actions/auth first, or set GOOGLE_APPLICATION_CREDENTIALS")
