"""The one place Google Cloud client exceptions become finops errors.

Every Google call runs inside ``gcp_errors(what)``; ``what`` says what we were doing ("listing recommendations
of google.compute.disk.IdleResourceRecommender in project p, zone z") so the message tells the user which call
failed and what to do next. Messages pass through ``redact_text``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from finops_core.errors import (
    AuthError,
    FinOpsError,
    Unavailable,
    http_status_error,
    translated_errors,
)
from finops_core.redact import redact_text

P = "gcp"
CREDENTIALS_HINT = (
    "Configure Google credentials the standard way: `gcloud auth application-default login`, "
    "GOOGLE_APPLICATION_CREDENTIALS=<service-account key file>, or the workload's attached service account "
    "(impersonate_service_account in [gcp] to act as another)."
)


# 403 reasons that mean "too fast", not "not allowed" (Compute Engine and BigQuery answer rate limits so).
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})


def map_status(status: int, message: str, what: str, *, retry_after: float | None = None) -> FinOpsError:
    """The finops error for an HTTP ``status`` from a Google API met while ``what``."""
    return http_status_error(
        P,
        status,
        cloud="Google",
        what=what,
        detail=redact_text(message)[:500],
        credentials_hint=CREDENTIALS_HINT,
        permission_hint="Grant the role listed in docs/gcp-roles.md, or enable the API in the project if the "
        "message says it is disabled.",
        not_found_hint="Check the id, project and zone.",
        invalid=(400, 409, 412),
        retry_after=retry_after,
    )


def reasons_of(error: Mapping[str, Any]) -> set[str]:
    """The ``reason`` of each of a Google error body's ``errors`` (v1 APIs) and ``details`` (ErrorInfo)."""
    found: set[str] = set()
    for part in [*(error.get("errors") or []), *(error.get("details") or [])]:
        if isinstance(part, Mapping) and part.get("reason"):
            found.add(str(part["reason"]))  # pyright: ignore[reportUnknownArgumentType]
    return found


def response_error(status: int, body: Any, headers: Mapping[str, str], what: str) -> FinOpsError:
    """The finops error for a Google REST API's error answer (``{"error": {"code", "message", "status",
    "errors"}}``); a 403 for a rate limit is a 429, and ``Retry-After`` (seconds) is kept."""
    error: Mapping[str, Any] = {}
    if isinstance(body, Mapping):
        inner = body.get("error")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        if isinstance(inner, Mapping):
            error = inner  # pyright: ignore[reportUnknownVariableType]
    message = str(error.get("message") or error.get("status") or f"HTTP {status}")
    if status == 403 and reasons_of(error) & RATE_LIMIT_REASONS:
        status = 429
    retry_after: float | None = None
    try:
        retry_after = float(headers.get("Retry-After") or headers.get("retry-after") or "") or None
    except ValueError:
        retry_after = None  # an HTTP date: back off as usual
    return map_status(status, message, what, retry_after=retry_after)


def gcp_errors(what: str) -> AbstractContextManager[None]:
    """Run a Google client call, turning its exceptions into finops errors that say what to do next."""
    return translated_errors(functools.partial(_translate, what))


def _translate(what: str, exc: Exception) -> FinOpsError | None:
    """The finops error for a Google client's ``exc`` met while ``what``; None for an exception not theirs."""
    import requests  # the REST transport's HTTP library
    from google.api_core import exceptions as gx  # imported when a call fails: the clients are slow to import
    from google.auth import exceptions as ax

    if isinstance(exc, gx.GoogleAPICallError):
        status = int(exc.code or 0) if isinstance(exc.code, int) else 0
        if not status and isinstance(exc, gx.DeadlineExceeded):
            status = 504
        errors = [e for e in (exc.errors or []) if isinstance(e, Mapping)]
        if status == 403 and (reasons_of({"errors": errors}) | {exc.reason or ""}) & RATE_LIMIT_REASONS:
            status = 429
        return map_status(status, str(exc.message), what)
    if isinstance(exc, gx.RetryError):
        return Unavailable(
            f"Google did not answer in time while {what}, after retries ({redact_text(str(exc))[:300]}). Try again.",
            provider=P,
        )
    if isinstance(exc, ax.DefaultCredentialsError):
        return AuthError(
            f"No Google credentials for {what} ({redact_text(str(exc))[:200]}). {CREDENTIALS_HINT}", provider=P
        )
    if isinstance(exc, (ax.RefreshError, ax.TransportError)):
        return AuthError(
            f"Google credentials could not be refreshed while {what} ({redact_text(str(exc))[:300]}). "
            f"{CREDENTIALS_HINT}",
            provider=P,
        )
    if isinstance(exc, ax.GoogleAuthError):
        return AuthError(f"Google authentication failed while {what}. {CREDENTIALS_HINT}", provider=P)
    if isinstance(exc, (requests.RequestException, ConnectionError, TimeoutError)):
        return Unavailable(
            f"Could not reach Google while {what} ({type(exc).__name__}). Check the network, proxy or [gcp] "
            "endpoints, then try again.",
            provider=P,
        )
    return None
