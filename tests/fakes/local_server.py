"""A local HTTP server on a free 127.0.0.1 port, in a thread, for the fakes (``with SomeFake() as fake:``), and
``FakeHandler``, the request handler the fakes' own handlers build on."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


class FakeHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 with no access log; every method in ``methods`` goes to ``serve``, any other is refused
    with 501 as ``BaseHTTPRequestHandler`` refuses a method it has no ``do_`` for."""

    protocol_version = "HTTP/1.1"
    methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def serve(self) -> None:
        raise NotImplementedError

    def _dispatch(self) -> None:
        if self.command not in self.methods:
            self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({self.command!r})")
            return
        self.serve()

    # The names BaseHTTPRequestHandler calls for each method.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def reply(self, status: int, headers: Iterable[tuple[str, str]], payload: bytes) -> None:
        """Send ``headers`` in their order, then the length and ``payload``."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class LocalServer(ABC):
    """Serves ``handler_class()`` from ``__enter__`` to ``__exit__``; ``url`` is where to point a client.

    ``hang()`` is the ``slow`` fault: an answer held back until the fake closes (an event, not a sleep), so a
    client's read timeout is what ends the request, as with a cloud that stopped answering."""

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @abstractmethod
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class bound to this fake."""

    _released: threading.Event | None = None

    def hang(self) -> None:
        """Hold the current answer until the fake closes."""
        assert self._released is not None
        self._released.wait()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutting down waits for it, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        assert self._thread is not None
        assert self._released is not None
        self._released.set()  # let held answers go, so closing does not wait for them
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
