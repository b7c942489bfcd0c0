"""The GitHub test harness: a loopback fake of the REST API, Prism in front of it checking both
directions against the official description, and the routing of PyGithub to them.

Fixtures:
- ``github_fake``: the fake (``tests/fakes/github.py``), emptied before each test;
- ``github_api``: routes PyGithub in this process to Prism for the test; ``.client()`` builds a
  ``Github`` for tests (no politeness throttle, ``per_page=100``);
- ``github_api_direct``: the same, straight to the fake, for what Prism cannot pass on as is (a
  dropped connection or a malformed body reaches the client through Prism as a 500);
- ``github_subprocess_env``: environment for a subprocess (``python -m ...``) routed to Prism;
- ``github_prism``: the Prism process itself (``take_violations()`` consumes expected ones).

A test that used Prism fails when Prism logged a violation (``✖``) during it, even if the code
under test swallowed the error response. Without ``tests/node_modules`` (``npm ci --prefix
tests``) those tests are skipped with a warning, except under ``CI=true`` where they error.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes.github import GitHubFake
from fakes.prism import PrismProxy
from fakes.pythonpath.pygithub_loopback import PyGithubRoute, route_pygithub

TESTS = Path(__file__).resolve().parent
PRISM_BINARY = TESTS / "node_modules" / ".bin" / "prism"
GITHUB_SPEC = TESTS / "contract" / "github.json"
SUBPROCESS_PYTHONPATH = TESTS / "fakes" / "pythonpath"
SUBPROCESS_PORT_VARIABLE = "EXTRACREDIT_TEST_GITHUB_PORT"
PRISM_MISSING = "Prism is not installed (run: npm ci --prefix tests)"

_harness_notes: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "github_prism" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.contract)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    prism = getattr(item, "funcargs", {}).get("github_prism")
    if prism is None:
        return (yield)
    try:
        result = yield
    except BaseException:
        violations = prism.take_violations()
        if violations:
            item.add_report_section("call", "Prism violations", "\n".join(violations))
        raise
    violations = prism.take_violations()
    if violations:
        pytest.fail(
            f"Prism flagged {len(violations)} contract violation(s) (log: {prism.log_path}):\n"
            + "\n".join(violations),
            pytrace=False,
        )
    return result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for note in _harness_notes:
        if note.startswith(PRISM_MISSING):
            terminalreporter.write_sep("!", note, red=True, bold=True)
        else:
            terminalreporter.write_sep("-", note)


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
    if not PRISM_BINARY.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PRISM_MISSING}; CI=true requires the contract tests", pytrace=False)
        _harness_notes.append(f"{PRISM_MISSING}: the contract tests were SKIPPED")
        pytest.skip(PRISM_MISSING)
    log_path = tmp_path_factory.mktemp("prism") / "github.log"
    prism = PrismProxy(PRISM_BINARY, GITHUB_SPEC, github_fake_server.url, log_path)
    seconds = prism.start()
    _harness_notes.append(f"Prism (GitHub) started in {seconds:.2f} s; log: {log_path}")
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
def github_subprocess_env(github_fake: GitHubFake, github_prism: PrismProxy) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUBPROCESS_PYTHONPATH), env.get("PYTHONPATH")]))
    env[SUBPROCESS_PORT_VARIABLE] = str(github_prism.port)
    return env
