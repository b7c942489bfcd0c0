"""Route gspread's requests for https://sheets.googleapis.com to a loopback port, over plain HTTP.

gspread sends everything through ``client.http_client.session`` (google-auth's
``AuthorizedSession``, a ``requests.Session``) to URLs it copied from ``gspread.urls`` at import, so
patching the URLs does nothing. Instead each session gets ``requests`` adapters: one for
``https://sheets.googleapis.com/`` that rewrites the URL to ``http://127.0.0.1:PORT/``, one for
``http://127.0.0.1:`` (a service account's ``token_uri`` pointed at the fake), and catch-alls for
``https://`` and ``http://`` that refuse, so that nothing can leave the machine (Drive, or Google's
real token endpoint). The session google-auth keeps for token refreshes gets the same guard.

``install(port)`` wraps ``gspread.http_client.HTTPClient.__init__`` so that every client created
in the process afterwards is routed, including those of ``gspread.service_account_from_dict`` and
the ``BackOffHTTPClient`` subclass; ``route_session`` routes one session already made.
``SheetsRoute`` builds the clients tests use.

This file is imported in-process by the test fixtures and, through ``sitecustomize.py`` beside
it, at the start of subprocesses whose PYTHONPATH holds this directory.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import gspread
import requests
from google.oauth2.credentials import Credentials
from gspread.http_client import HTTPClient

SHEETS_PREFIX = "https://sheets.googleapis.com/"
LOOPBACK_PREFIX = "http://127.0.0.1:"


class RefusedOutsideLoopback(requests.exceptions.RequestException):
    """A request the tests did not route to loopback (it would have left the machine). Not a
    ConnectionError, so that code retrying transient failures gives up at once."""


class _RewriteAdapter(requests.adapters.HTTPAdapter):
    """Sends each request to http://127.0.0.1:``port`` with the same path and query, and never
    through a proxy (requests chose one from the environment for the original host)."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

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
        request.url = urlunsplit(parts._replace(scheme="http", netloc=f"127.0.0.1:{self.port}"))
        return super().send(request, stream, timeout, verify, cert, proxies={})


class _DirectAdapter(requests.adapters.HTTPAdapter):
    """Sends loopback requests as they are, never through a proxy."""

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        return super().send(request, stream, timeout, verify, cert, proxies={})


class _RefuseAdapter(requests.adapters.BaseAdapter):
    """Fails every request at once, naming the URL."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        raise RefusedOutsideLoopback(
            f"refused {request.method} {request.url}: only Google Sheets is routed to loopback in tests",
            request=request,
        )

    def close(self) -> None:
        pass


def route_session(session: requests.Session, port: int | None) -> None:
    """Mount the loopback adapters on ``session`` (Sheets to ``port``; with ``port`` None, only
    the guard), and on the session google-auth keeps beside it for token refreshes."""
    if port is not None:
        session.mount(SHEETS_PREFIX, _RewriteAdapter(port))
    session.mount(LOOPBACK_PREFIX, _DirectAdapter())
    session.mount("https://", _RefuseAdapter())
    session.mount("http://", _RefuseAdapter())
    refresh_session = getattr(session, "_auth_request_session", None)  # AuthorizedSession's own
    if isinstance(refresh_session, requests.Session):
        route_session(refresh_session, None)


def route_client(client: gspread.Client, port: int) -> gspread.Client:
    """Route one gspread client to ``port``; return it."""
    route_session(client.http_client.session, port)
    return client


_original_init: Any = None


def install(port: int) -> None:
    """Route every gspread client created in this process to ``port`` until ``uninstall``."""
    global _original_init
    uninstall()
    original = HTTPClient.__init__

    @functools.wraps(original)
    def __init__(self: HTTPClient, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        route_session(self.session, port)

    _original_init = original
    HTTPClient.__init__ = __init__  # type: ignore[method-assign]


def uninstall() -> None:
    global _original_init
    if _original_init is not None:
        HTTPClient.__init__ = _original_init  # type: ignore[method-assign]
        _original_init = None


@contextmanager
def route_gspread(port: int) -> Iterator[None]:
    install(port)
    try:
        yield
    finally:
        uninstall()


@dataclass
class SheetsRoute:
    """Where gspread is routed for the test (``port``), and a factory of test clients."""

    port: int
    _clients: list[gspread.Client] = field(default_factory=list)

    def client(
        self,
        *,
        token: str = "test",
        http_client: type[HTTPClient] = HTTPClient,
        timeout: float | None = None,
    ) -> gspread.Client:
        """A ``gspread.Client`` with a static bearer ``token`` (the production path builds one from
        a service-account key instead), routed to ``port`` whether or not ``install`` is on."""
        client = gspread.Client(auth=Credentials(token=token), http_client=http_client)
        route_client(client, self.port)
        client.set_timeout(timeout)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.http_client.session.close()
