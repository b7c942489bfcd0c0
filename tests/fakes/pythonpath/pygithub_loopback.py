"""Route PyGithub's requests for https://api.github.com to a loopback port, over plain HTTP.

PyGithub keeps its default base URL (it follows the ``https://api.github.com/...`` URLs inside
payloads and checks their host), and its own test hook swaps the connection class: ours sends
``http://127.0.0.1:PORT/...`` instead. The connection keeps ``host`` = the API host so that
PyGithub's keep-alive check (``hostname == connection.host``) still reuses it; the hook turns
keep-alive off, so ``install`` turns it back on. ``PyGithubRoute`` builds the clients tests use.

This file is imported in-process by the test fixtures and, through ``sitecustomize.py`` beside
it, at the start of subprocesses whose PYTHONPATH holds this directory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from github import Auth, Github
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester


class _LoopbackAdapter(requests.adapters.HTTPAdapter):
    """Sends each request to 127.0.0.1 on the URL's port, whatever its host, and never through
    a proxy (requests chose one from the environment for the original host)."""

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(str(request.url))
        request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))
        return super().send(request, stream, timeout, verify, cert, proxies={})


def loopback_connection_class(port: int) -> type[HTTPSRequestsConnectionClass]:
    """A PyGithub HTTPS connection class whose requests go to http://127.0.0.1:``port``."""

    class LoopbackConnection(HTTPSRequestsConnectionClass):
        def __init__(self, host: str, *args: Any, **kwargs: Any) -> None:
            super().__init__(host, *args, **kwargs)
            self.protocol = "http"
            self.port = port
            self.session.mount(
                "http://",
                _LoopbackAdapter(
                    max_retries=self.retry,
                    pool_connections=self.pool_size,
                    pool_maxsize=self.pool_size,
                ),
            )

    return LoopbackConnection


def install(port: int) -> None:
    """Route every PyGithub client of this process to ``port`` until ``uninstall``."""
    Requester.injectConnectionClasses(HTTPRequestsConnectionClass, loopback_connection_class(port))
    Requester._Requester__persist = True  # type: ignore[attr-defined]


def uninstall() -> None:
    Requester.resetConnectionClasses()


@contextmanager
def route_pygithub(port: int) -> Iterator[None]:
    install(port)
    try:
        yield
    finally:
        uninstall()


@dataclass
class PyGithubRoute:
    """Where PyGithub is routed for the test (``port``), and a factory of test clients."""

    port: int
    _clients: list[Github] = field(default_factory=list)

    def client(self, **options: Any) -> Github:
        """A ``Github`` as tests use it; ``options`` override (e.g. ``retry=None``)."""
        defaults: dict[str, Any] = {
            "auth": Auth.Token("test"),
            "seconds_between_requests": 0,
            "seconds_between_writes": 0,
            "per_page": 100,
        }
        client = Github(**{**defaults, **options})
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
