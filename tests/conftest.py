"""The GitHub and Google Sheets test harness: loopback fakes of the two APIs, a Prism in front of
each checking both directions against the official description, and the routing of PyGithub and
gspread to them.

GitHub fixtures:
- ``github_fake``: the fake (``tests/fakes/github.py``), emptied before each test;
- ``github_api``: routes PyGithub in this process to Prism for the test; ``.client()`` builds a
  ``Github`` for tests (no politeness throttle, ``per_page=100``);
- ``github_api_direct``: the same, straight to the fake, for what Prism cannot pass on as is (a
  dropped connection or a malformed body reaches the client through Prism as a 500);
- ``github_subprocess_env``: environment for a subprocess (``python -m ...``) routed to Prism;
- ``github_prism``: the Prism process itself (``take_violations()`` consumes expected ones).

Google Sheets fixtures:
- ``sheets_fake``: the fake (``tests/fakes/sheets.py``, with the OAuth ``/token`` endpoint),
  emptied before each test;
- ``sheets_api``: routes gspread in this process to Prism for the test (every client created,
  including by ``gspread.service_account_from_dict``); ``.client()`` builds a ``gspread.Client``
  with a static bearer token;
- ``sheets_api_direct``: the same, straight to the fake;
- ``sheets_subprocess_env``: environment for a subprocess routed to Prism;
- ``service_account_info``: a service-account key (a key file's JSON as a dict) with a fresh RSA
  key, whose ``token_uri`` is the fake's ``/token``;
- ``sheets_prism``: the Prism process itself.

``github_subprocess_env`` and ``sheets_subprocess_env`` are the same dict when a test asks for
both (``subprocess_env``), so one subprocess can be routed to both services.

A test that used a Prism fails when that Prism logged a violation (``✖``) during it, even if the
code under test swallowed the error response. Without ``tests/node_modules`` (``npm ci --prefix
tests``) those tests are skipped with a warning, except under ``CI=true`` where they error.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fakes.github import GitHubFake
from fakes.prism import PrismProxy
from fakes.pythonpath.gspread_loopback import SheetsRoute, route_gspread
from fakes.pythonpath.pygithub_loopback import PyGithubRoute, route_pygithub
from fakes.sheets import SheetsFake

TESTS = Path(__file__).resolve().parent
PRISM_BINARY = TESTS / "node_modules" / ".bin" / "prism"
GITHUB_SPEC = TESTS / "contract" / "github.json"
SHEETS_SPEC = TESTS / "contract" / "sheets.json"
SUBPROCESS_PYTHONPATH = TESTS / "fakes" / "pythonpath"
SUBPROCESS_PORT_VARIABLE = "EXTRACREDIT_TEST_GITHUB_PORT"
SHEETS_PORT_VARIABLE = "EXTRACREDIT_TEST_SHEETS_PORT"
PRISM_MISSING = "Prism is not installed (run: npm ci --prefix tests)"
# The fixtures that are a Prism process, by the name of the API it checks.
PRISM_FIXTURES = {"github_prism": "GitHub", "sheets_prism": "Google Sheets"}
SERVICE_ACCOUNT_EMAIL = "extracredit-bot@extracredit-tests.iam.gserviceaccount.com"

_harness_notes: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PRISM_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.contract)


def _take_violations(prisms: dict[str, PrismProxy]) -> dict[str, list[str]]:
    return {name: found for name, prism in prisms.items() if (found := prism.take_violations())}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    funcargs = getattr(item, "funcargs", {})
    prisms = {name: funcargs[name] for name in PRISM_FIXTURES if name in funcargs}
    if not prisms:
        return (yield)
    try:
        result = yield
    except BaseException:
        for name, violations in _take_violations(prisms).items():
            item.add_report_section(
                "call", f"Prism violations ({PRISM_FIXTURES[name]})", "\n".join(violations)
            )
        raise
    found = _take_violations(prisms)
    if found:
        pytest.fail(
            "\n".join(
                f"Prism ({PRISM_FIXTURES[name]}) flagged {len(violations)} contract violation(s) "
                f"(log: {prisms[name].log_path}):\n" + "\n".join(violations)
                for name, violations in found.items()
            ),
            pytrace=False,
        )
    return result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for note in _harness_notes:
        if note.startswith(PRISM_MISSING):
            terminalreporter.write_sep("!", note, red=True, bold=True)
        else:
            terminalreporter.write_sep("-", note)


def _start_prism(
    fixture: str, spec: Path, upstream: str, tmp_path_factory: pytest.TempPathFactory
) -> PrismProxy:
    """Start a Prism proxy for one API, or skip (fail under CI=true) when Prism is missing."""
    if not PRISM_BINARY.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PRISM_MISSING}; CI=true requires the contract tests", pytrace=False)
        note = f"{PRISM_MISSING}: the contract tests were SKIPPED"
        if note not in _harness_notes:
            _harness_notes.append(note)
        pytest.skip(PRISM_MISSING)
    name = PRISM_FIXTURES[fixture]
    log_path = tmp_path_factory.mktemp("prism") / f"{spec.stem}.log"
    prism = PrismProxy(PRISM_BINARY, spec, upstream, log_path)
    seconds = prism.start()
    _harness_notes.append(f"Prism ({name}) started in {seconds:.2f} s; log: {log_path}")
    return prism


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """Environment for a subprocess with the test-only start-up hook on PYTHONPATH; the
    ``*_subprocess_env`` fixtures add their routes to this same dict."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUBPROCESS_PYTHONPATH), env.get("PYTHONPATH")]))
    return env


# -- GitHub -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def github_fake_server() -> Iterator[GitHubFake]:
    fake = GitHubFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def github_fake(github_fake_server: GitHubFake) -> GitHubFake:
    github_fake_server.reset()
    return github_fake_server


@pytest.fixture(scope="session")
def github_prism(
    github_fake_server: GitHubFake, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrismProxy]:
    prism = _start_prism("github_prism", GITHUB_SPEC, github_fake_server.url, tmp_path_factory)
    yield prism
    prism.stop()


@pytest.fixture
def github_api(github_fake: GitHubFake, github_prism: PrismProxy) -> Iterator[PyGithubRoute]:
    route = PyGithubRoute(github_prism.port)
    with route_pygithub(route.port):
        yield route
        route.close()


@pytest.fixture
def github_api_direct(github_fake: GitHubFake) -> Iterator[PyGithubRoute]:
    route = PyGithubRoute(github_fake.port)
    with route_pygithub(route.port):
        yield route
        route.close()


@pytest.fixture
def github_subprocess_env(
    subprocess_env: dict[str, str], github_fake: GitHubFake, github_prism: PrismProxy
) -> dict[str, str]:
    subprocess_env[SUBPROCESS_PORT_VARIABLE] = str(github_prism.port)
    return subprocess_env


# -- Google Sheets ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sheets_fake_server() -> Iterator[SheetsFake]:
    fake = SheetsFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def sheets_fake(sheets_fake_server: SheetsFake) -> SheetsFake:
    sheets_fake_server.reset()
    return sheets_fake_server


@pytest.fixture(scope="session")
def sheets_prism(
    sheets_fake_server: SheetsFake, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrismProxy]:
    prism = _start_prism("sheets_prism", SHEETS_SPEC, sheets_fake_server.url, tmp_path_factory)
    yield prism
    prism.stop()


@pytest.fixture
def sheets_api(sheets_fake: SheetsFake, sheets_prism: PrismProxy) -> Iterator[SheetsRoute]:
    route = SheetsRoute(sheets_prism.port)
    with route_gspread(route.port):
        yield route
        route.close()


@pytest.fixture
def sheets_api_direct(sheets_fake: SheetsFake) -> Iterator[SheetsRoute]:
    route = SheetsRoute(sheets_fake.port)
    with route_gspread(route.port):
        yield route
        route.close()


@pytest.fixture
def sheets_subprocess_env(
    subprocess_env: dict[str, str], sheets_fake: SheetsFake, sheets_prism: PrismProxy
) -> dict[str, str]:
    subprocess_env[SHEETS_PORT_VARIABLE] = str(sheets_prism.port)
    return subprocess_env


@pytest.fixture(scope="session")
def _service_account_key() -> str:
    """One RSA key per session (generating one takes a noticeable fraction of a second)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def service_account_info(sheets_fake: SheetsFake, _service_account_key: str) -> dict[str, str]:
    """A service-account key as Google's key file holds it, registered with the fake, whose
    ``token_uri`` is the fake's ``/token`` (straight, not through Prism: the OAuth endpoint is
    not part of the Sheets description)."""
    key_id = hashlib.sha1(_service_account_key.encode()).hexdigest()
    info = {
        "type": "service_account",
        "project_id": "extracredit-tests",
        "private_key_id": key_id,
        "private_key": _service_account_key,
        "client_email": SERVICE_ACCOUNT_EMAIL,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": sheets_fake.token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + SERVICE_ACCOUNT_EMAIL.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    sheets_fake.add_service_account(info)
    return info
