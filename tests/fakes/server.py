"""What the fakes share: a threaded HTTP/1.1 server on 127.0.0.1, and a handler that passes each
request to its fake and writes the JSON reply."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple


class Reply(NamedTuple):
    status: int
    body: Any
    headers: Mapping[str, str] = {}


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler; each server subclasses it with its ``fake``."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # otherwise each keep-alive request stalls ~40 ms
    content_type = "application/json; charset=utf-8"
    fake: Any  # the fake answering: its ``_serve(handler)`` reads the request and replies

    def do_GET(self) -> None:
        self.fake._serve(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def extra_headers(self) -> Mapping[str, str]:
        """Headers the service sends with every answer."""
        return {}

    def reply(self, reply: Reply, raw_body: bytes | None = None) -> None:
        body = raw_body if raw_body is not None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**self.extra_headers(), **reply.headers}.items():
            self.send_header(name, value)
        if self.close_connection:
            # Say so: a proxy that keeps the socket for its next request would hang up on it.
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet (the counters say what was called)."""


class LoopbackServer:
    """Starts, stops and addresses a fake's server; a fake names its ``handler_class``."""

    handler_class: type[JsonHandler]
    _server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        handler = type("Handler", (self.handler_class,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        name = f"{type(self).__name__}-server"
        threading.Thread(target=self._server.serve_forever, name=name, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
