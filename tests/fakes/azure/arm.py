"""``ArmFake``: a local HTTP endpoint standing in for Azure Resource Manager (``management.azure.com``).

Real Azure SDK clients are pointed at ``fake.url`` (``resource_manager_url`` in ``[azure]``). A test registers
routes by method and path pattern; a handler gets the ``ArmRequest`` (path, query, JSON body, headers) and
returns an ``ArmResponse`` or a dict (200 JSON), or raises ``ArmError`` for ARM's error shape
(``{"error": {"code", "message"}}``). Faults can be queued per route name: ``throttle`` (429 with the header
you choose, e.g. ``x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after``), ``error5xx``, ``slow``,
``bad_body``. Every request is recorded (``fake.requests``); a request without a bearer token gets 401.

Handlers build ``nextLink`` / ``Azure-AsyncOperation`` URLs with ``fake.url`` so paging and long-running
operations come back to the fake, as they come back to Azure.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class ArmRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class ArmResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=lambda: dict[str, str]())


class ArmError(Exception):
    """An ARM error answer."""

    def __init__(self, status: int, code: str, message: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


Handler = Callable[[ArmRequest], "ArmResponse | dict[str, Any]"]


@dataclass
class _Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    anonymous: bool = False  # served without a bearer token (the public Retail Prices API)


@dataclass
class _Fault:
    kind: str
    headers: dict[str, str]
    seconds: float


class ArmFake:
    """Start with ``with ArmFake() as fake:``."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.requests: list[tuple[str, ArmRequest]] = []  # (route name, request)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, name: str, method: str, pattern: str, handler: Handler, *, anonymous: bool = False) -> None:
        """Serve ``method`` requests whose path matches the regular expression ``pattern`` (case-insensitive,
        whole path) with ``handler``; ``name`` is how tests count calls and queue faults. An ``anonymous``
        route answers without a bearer token (a public API such as Retail Prices)."""
        self.routes.append(_Route(name, method.upper(), re.compile(pattern, re.IGNORECASE), handler, anonymous))

    def fail(
        self, name: str, kind: str, times: int = 1, *, headers: dict[str, str] | None = None, seconds: float = 0.0
    ) -> None:
        with self._lock:
            for _ in range(times):
                self._faults[name].append(_Fault(kind, headers or {}, seconds))

    def calls(self, name: str) -> list[ArmRequest]:
        return [r for n, r in self.requests if n == name]

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ArmFake:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def answer(self, request: ArmRequest) -> ArmResponse:
        signed = request.headers.get("authorization", "").startswith("Bearer ")
        for r in self.routes:
            if r.method == request.method and r.pattern.fullmatch(request.path):
                if not signed and not r.anonymous:
                    break
                self.requests.append((r.name, request))
                with self._lock:
                    queue = self._faults.get(r.name)
                    fault = queue.popleft() if queue else None
                if fault is not None:
                    if fault.kind == "throttle":
                        body = {"error": {"code": "429", "message": "Too many requests. Please retry."}}
                        return ArmResponse(429, body, fault.headers)
                    if fault.kind == "error5xx":
                        body = {"error": {"code": "ServiceUnavailable", "message": "The service is unavailable."}}
                        return ArmResponse(503, body, fault.headers)
                    if fault.kind == "bad_body":
                        return ArmResponse(200, b"{not json")
                    if fault.kind == "slow":
                        time.sleep(fault.seconds)  # longer than the client's read timeout
                try:
                    answer = r.handler(request)
                except ArmError as exc:
                    return ArmResponse(exc.status, {"error": {"code": exc.code, "message": exc.message}}, exc.headers)
                return answer if isinstance(answer, ArmResponse) else ArmResponse(200, answer)
        if not signed:
            return ArmResponse(401, {"error": {"code": "AuthenticationFailed", "message": "No bearer token."}})
        self.requests.append(("(no route)", request))
        return ArmResponse(
            404, {"error": {"code": "NoRoute", "message": f"fake has no {request.method} {request.path}"}}
        )


def _handler_class(fake: ArmFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake.answer(ArmRequest(self.command, parts.path, query, body, headers))
            if isinstance(answer.body, bytes):
                payload = answer.body
            elif answer.body is None:
                payload = b""
            else:
                payload = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("x-ms-request-id", "00000000-0000-0000-0000-000000000000")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

    return Handler
