"""``AwsJsonFake``: a local HTTP endpoint speaking the AWS JSON 1.0/1.1 and Smithy RPC v2 CBOR protocols.

It serves the AWS APIs moto does not (Cost Explorer beyond canned costs, Compute Optimizer, Cost
Optimization Hub, Pricing) to real boto3 clients pointed at ``fake.url``. A test registers handlers by
target (``"AWSInsightsIndexService.GetCostForecast"``): each gets the request body as a dict and returns the
response dict, or raises ``AwsFault``. Faults can be queued per operation: throttle N times, 5xx, a proxy's HTML
error page, bad body, slow (no answer until the client's timeout), or any AWS error.
Every request is recorded (``fake.requests``) so tests can count paid calls, and every answer (``fake.answers``)
so they can be checked against botocore's model of the operation (``tests/fakes/aws/shapes.py``). A handler
serving a regional API reads the region the client signed for with ``fake.current_region()`` (one endpoint
serves every region).
botocore 1.44 prefers AWS JSON when a service offers it besides CBOR (Compute Optimizer, CloudWatch offer both).

JSON protocols send ``X-Amz-Target: <prefix>.<Operation>``; CBOR sends ``POST /service/<Svc>/operation/<Op>``.
Both are routed by ``<prefix or Svc>.<Operation>``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

import cbor2

from tests.fakes.local_server import FakeHandler, LocalServer

Handler = Callable[[dict[str, Any]], dict[str, Any]]
PROXY_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1>"
    b"</center><hr><center>nginx</center>\n" + b"<!-- padding -->\n" * 40 + b"</body></html>\n"
)


class AwsFault(Exception):
    """An AWS error answer: ``__type`` code, message and HTTP status."""

    def __init__(self, code: str, message: str = "", status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Fault:
    kind: str  # "throttle", "error5xx", "proxy_page", "bad_body", "slow", "fault"
    fault: AwsFault | None = None


@dataclass(frozen=True)
class Answer:
    """What the fake sent back: HTTP status and body (a dict as the handler built it, or raw bytes)."""

    target: str
    status: int
    body: dict[str, Any] | bytes
    cbor: bool = False


@dataclass(frozen=True)
class Request:
    target: str
    body: dict[str, Any]
    region: str = ""  # the region in the request's SigV4 credential scope
    cbor: bool = False  # sent as Smithy RPC v2 CBOR (else AWS JSON)


def credential_scope(authorization: str) -> list[str]:
    """The SigV4 credential of ``Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/ce/aws4_request,
    ...``: key id, date, region, service, ``aws4_request``."""
    return authorization.partition("Credential=")[2].split(",")[0].split("/")


def signing_region(authorization: str) -> str:
    scope = credential_scope(authorization)
    return scope[2] if len(scope) >= 5 else ""


class AwsJsonFake(LocalServer):
    """Start with ``with AwsJsonFake() as fake:``; ``fake.url`` is the endpoint for every service it serves."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.answers: list[Answer] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._local = threading.local()  # the request being served, per server thread

    # -- set-up ----------------------------------------------------------------------------------

    def route(self, target: str, handler: Handler) -> None:
        self.handlers[target] = handler

    def fail(self, target: str, kind: str, times: int = 1, *, fault: AwsFault | None = None) -> None:
        """Answer the next ``times`` calls of ``target`` with a fault instead of the handler's answer."""
        with self._lock:
            for _ in range(times):
                self._faults[target].append(Fault(kind, fault))

    def calls(self, target: str) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.target == target]

    def current_request(self) -> Request:
        """For a handler: the request being answered (its signing region, its protocol)."""
        return self._local.request

    def current_region(self) -> str:
        """For a handler: the region the request being answered was signed for."""
        return self.current_request().region

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _handler_class(self)

    # -- serving ---------------------------------------------------------------------------------

    def _next_fault(self, target: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(target)
            return queue.popleft() if queue else None

    def answer(
        self, target: str, body: dict[str, Any], *, region: str = "", cbor: bool = False
    ) -> tuple[int, dict[str, Any] | bytes]:
        status, answer = self._answer(target, body, region=region, cbor=cbor)
        self.answers.append(Answer(target, status, answer, cbor))
        return status, answer

    def _answer(
        self, target: str, body: dict[str, Any], *, region: str = "", cbor: bool = False
    ) -> tuple[int, dict[str, Any] | bytes]:
        self._local.request = Request(target, body, region, cbor)
        self.requests.append(self._local.request)
        fault = self._next_fault(target)
        if fault is not None:
            if fault.kind == "throttle":
                return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
            if fault.kind == "error5xx":
                return 503, {"__type": "ServiceUnavailableException", "message": "Service unavailable"}
            if fault.kind == "bad_body":
                return 200, b"{not json"
            if fault.kind == "proxy_page":  # a proxy or load balancer in front of AWS answering for it
                return 502, PROXY_PAGE
            if fault.kind == "slow":
                self.hang()
            if fault.kind == "fault" and fault.fault is not None:
                return fault.fault.status, {"__type": fault.fault.code, "message": fault.fault.message}
        handler = self.handlers.get(target)
        if handler is None:
            return 400, {"__type": "UnknownOperationException", "message": f"fake has no {target}"}
        try:
            return 200, handler(body)
        except AwsFault as exc:
            return exc.status, {"__type": exc.code, "message": exc.message}


def _handler_class(fake: AwsJsonFake) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        methods = frozenset({"POST"})

        def serve(self) -> None:
            raw = self.read_body()
            cbor = self.path.startswith("/service/")
            if cbor:  # /service/ComputeOptimizerService/operation/GetEC2InstanceRecommendations
                parts = self.path.strip("/").split("/")
                target = f"{parts[1]}.{parts[3]}"
                body = cbor2.loads(raw) if raw else {}
            else:
                target = self.headers.get("X-Amz-Target", "")
                body = json.loads(raw or b"{}")
            region = signing_region(self.headers.get("Authorization", ""))
            status, answer = fake.answer(target, body, region=region, cbor=cbor)
            if isinstance(answer, bytes):
                payload = answer
            elif cbor:
                payload = cbor2.dumps(answer)
            else:
                payload = json.dumps(answer).encode()
            if cbor:
                headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
            else:
                headers = [("Content-Type", "application/x-amz-json-1.1")]
            if status != 200 and isinstance(answer, dict):
                headers.append(("x-amzn-ErrorType", str(answer.get("__type", ""))))
            self.reply(status, headers, payload)

    return Handler
