"""``RestFake``: a local HTTP endpoint for JSON REST APIs (Azure Resource Manager, Google Cloud's REST APIs).

Real SDK clients are pointed at ``fake.url``. A test registers routes by method and path pattern; a handler gets
the ``RestRequest`` (path, query, JSON body, headers) and returns a ``RestResponse`` or a dict (200 JSON), or raises
``RestError``, answered in the cloud's own error shape (``error_body``). Faults can be queued per route name:
``throttle`` (429 with the headers you choose), ``error5xx``, ``bad_body``, ``slow`` (no answer until the
client's timeout). Every request is recorded
(``fake.requests``); when ``require_bearer`` is set, a request without a bearer token gets 401.

Handlers build next-page and operation-status URLs with ``fake.url`` so paging and long-running operations come
back to the fake, as they come back to the cloud. ``tests/fakes/azure/arm.py`` and ``tests/fakes/gcp/`` specialize it.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.local_server import FakeHandler, LocalServer


@dataclass(frozen=True)
class RestRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class RestResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=lambda: dict[str, str]())


class RestError(Exception):
    """An error answer: HTTP status, the cloud's error code, a message, extra headers."""

    def __init__(self, status: int, code: str, message: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


Handler = Callable[[RestRequest], "RestResponse | dict[str, Any]"]


@dataclass
class _Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    anonymous: bool = False  # served without a bearer token (a public API such as Azure Retail Prices)


@dataclass
class _Fault:
    kind: str
    headers: dict[str, str]


class RestFake(LocalServer):
    """Start with ``with SomeFake() as fake:``. Subclasses set ``require_bearer`` and ``error_body``."""

    require_bearer = False

    def error_body(self, status: int, code: str, message: str) -> dict[str, Any]:
        return {"error": {"code": code, "message": message}}

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.requests: list[tuple[str, RestRequest]] = []  # (route name, request)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._lock = threading.Lock()

    def route(self, name: str, method: str, pattern: str, handler: Handler, *, anonymous: bool = False) -> None:
        """Serve ``method`` requests whose path matches the regular expression ``pattern`` (case-insensitive,
        whole path) with ``handler``; ``name`` is how tests count calls and queue faults. An ``anonymous``
        route answers without a bearer token even when the fake requires one."""
        self.routes.append(_Route(name, method.upper(), re.compile(pattern, re.IGNORECASE), handler, anonymous))

    def fail(self, name: str, kind: str, times: int = 1, *, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            for _ in range(times):
                self._faults[name].append(_Fault(kind, headers or {}))

    def calls(self, name: str) -> list[RestRequest]:
        return [r for n, r in self.requests if n == name]

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _handler_class(self)

    def answer(self, request: RestRequest) -> RestResponse:
        signed = not self.require_bearer or request.headers.get("authorization", "").startswith("Bearer ")
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
                        body = self.error_body(429, "TooManyRequests", "Too many requests. Please retry.")
                        return RestResponse(429, body, fault.headers)
                    if fault.kind == "error5xx":
                        body = self.error_body(503, "ServiceUnavailable", "The service is unavailable.")
                        return RestResponse(503, body, fault.headers)
                    if fault.kind == "bad_body":
                        return RestResponse(200, b"{not json")
                    if fault.kind == "slow":
                        self.hang()
                try:
                    answer = r.handler(request)
                except RestError as exc:
                    return RestResponse(exc.status, self.error_body(exc.status, exc.code, exc.message), exc.headers)
                return answer if isinstance(answer, RestResponse) else RestResponse(200, answer)
        if not signed:
            return RestResponse(401, self.error_body(401, "AuthenticationFailed", "No bearer token."))
        self.requests.append(("(no route)", request))
        return RestResponse(
            404, {"error": {"code": "NoRoute", "message": f"fake has no {request.method} {request.path}"}}
        )


def _handler_class(fake: RestFake) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def serve(self) -> None:
            raw = self.read_body()
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake.answer(RestRequest(self.command, parts.path, query, body, headers))
            if isinstance(answer.body, bytes):
                payload = answer.body
            elif answer.body is None:
                payload = b""
            else:
                payload = json.dumps(answer.body).encode()
            sent = [
                ("Content-Type", "application/json; charset=utf-8"),
                ("x-ms-request-id", "00000000-0000-0000-0000-000000000000"),
                *answer.headers.items(),
            ]
            self.reply(answer.status, sent, payload)

    return Handler
