"""``GoogleFake``: a local endpoint for Google Cloud's REST APIs (BigQuery, Recommender, Compute, Billing, ...).

Real Google clients are pointed at ``fake.url`` (``endpoints`` in ``[gcp]``, REST transport, anonymous
credentials). Routes, faults and recorded requests work as in ``tests.fakes.rest.RestFake``; errors come in
Google's shape (``{"error": {"code": 429, "message", "status": "RESOURCE_EXHAUSTED"}}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from tests.fakes.gcp import discovery
from tests.fakes.rest import RestError as GoogleError
from tests.fakes.rest import RestFake
from tests.fakes.rest import RestRequest as GoogleRequest
from tests.fakes.rest import RestResponse as GoogleResponse

__all__ = ["GoogleError", "GoogleFake", "GoogleRequest", "GoogleResponse", "page", "paged"]

T = TypeVar("T")

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GoogleFake(RestFake):
    """Every exchange is checked against Google's discovery documents (``discovery``): what does not fit is kept
    in ``violations`` (the ``google`` fixture fails the test on any), with the methods called in ``methods``."""

    require_bearer = False  # anonymous credentials send no token

    def __init__(self) -> None:
        super().__init__()
        self.violations: list[str] = []
        self.methods: set[str] = set()

    def answer(self, request: GoogleRequest) -> GoogleResponse:
        response = super().answer(request)
        body = response.body if isinstance(response.body, dict) else {}
        unserved = response.status == 404 and (body.get("error") or {}).get("code") == "NoRoute"
        # A path the fake does not serve is checked only for being one Google has (tests probe such paths).
        if not unserved or discovery.find(request.method, request.path) is None:
            method, problems = discovery.check(
                request.method, request.path, request.query, request.body, response.status, response.body
            )
            with self._lock:
                if method is not None:
                    self.methods.add(method)
                self.violations.extend(problems)
        return response

    def error_body(self, status: int, code: str, message: str) -> dict[str, Any]:
        # The v1 APIs' shape (Compute Engine, BigQuery, Cloud SQL): the reason is also in ``errors``, where a 403
        # rate limit (``rateLimitExceeded``) is told apart from a refusal.
        error: dict[str, Any] = {"code": status, "message": message, "status": STATUS.get(status, code)}
        if code:
            error["errors"] = [{"message": message, "domain": "global", "reason": code}]
        return {"error": error}


def page(request: GoogleRequest, items: Sequence[T], size: int) -> tuple[list[T], str | None]:
    """Google's list paging: the ``size`` items from ``pageToken`` (an offset in the fakes), and the next page's
    token (None on the last page)."""
    start = int(request.query.get("pageToken") or 0)
    end = start + size
    return list(items[start:end]), (str(end) if end < len(items) else None)


def paged(
    request: GoogleRequest, items: Sequence[Any], size: int, key: str, head: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A list answer: ``head`` (``kind`` ...), the page under ``key``, and ``nextPageToken`` unless it is the last."""
    found, token = page(request, items, size)
    body: dict[str, Any] = {**(head or {}), key: found}
    if token:
        body["nextPageToken"] = token
    return body
