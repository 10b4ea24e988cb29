"""The one place Azure SDK exceptions become finops errors.

Every Azure call runs inside ``azure_errors(what)``; ``what`` says what we were doing ("querying costs for
subscriptions/<id>") so the message tells the user which call failed and what to do next. Messages pass
through ``redact_text``: tokens and connection strings never reach a tool answer or a log.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextlib import AbstractContextManager

from finops_core.errors import (
    AuthError,
    FinOpsError,
    ProviderError,
    Unavailable,
    http_status_error,
    translated_errors,
)
from finops_core.redact import redact_text

P = "azure"
CREDENTIALS_HINT = (
    "Configure Azure credentials the standard way: `az login` (Azure CLI), AZURE_CLIENT_ID/AZURE_TENANT_ID/"
    "AZURE_CLIENT_SECRET (or a certificate) in the server's environment, or a managed / workload identity."
)
# Cost Management signals its limits with these headers (seconds), not always with Retry-After.
RETRY_AFTER_HEADERS = (
    "retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-client-retry-after",
)


# Resource Graph says when its per-user quota resets, as hh:mm:ss (Learn: Resource Graph overview, "Throttling").
QUOTA_RESET_HEADER = "x-ms-user-quota-resets-after"


def _hms(value: str) -> float | None:
    parts = value.strip().split(":")
    try:
        hours, minutes, seconds = (float(p) for p in parts) if len(parts) == 3 else (0.0, 0.0, float(value))
    except ValueError:
        return None
    return max(0.0, hours * 3600 + minutes * 60 + seconds)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The longest wait any rate-limit header asks for, in seconds (None when none does)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    waits: list[float] = []
    reset = lowered.get(QUOTA_RESET_HEADER)
    if reset is not None and (found := _hms(reset)) is not None:
        waits.append(found)
    for name in RETRY_AFTER_HEADERS:
        value = lowered.get(name)
        if value is None:
            continue
        try:
            waits.append(max(0.0, float(value)))
        except ValueError:
            continue  # an HTTP date: rare from ARM; the default back-off applies
    return max(waits) if waits else None


def map_http_error(status: int, code: str, message: str, what: str, wait: float | None = None) -> FinOpsError:
    """The finops error for an Azure HTTP ``status`` (and ARM error ``code``) met while ``what``."""
    if code in ("ResourceNotFound", "ResourceGroupNotFound", "SubscriptionNotFound", "NotFound"):
        status = 404
    return http_status_error(
        P,
        status,
        cloud="Azure",
        what=what,
        detail=redact_text(f"{code}: {message}" if code else message)[:500],
        credentials_hint=CREDENTIALS_HINT,
        permission_hint="Assign the role in docs/azure-role.json at this scope, or remove the scope from [azure].",
        not_found_hint="Check the id, subscription and scope.",
        invalid=(400, 409, 422),
        retry_after=wait,
    )


def azure_errors(what: str) -> AbstractContextManager[None]:
    """Run an Azure SDK call, turning its exceptions into finops errors that say what to do next."""
    return translated_errors(functools.partial(_translate, what))


def _translate(what: str, exc: Exception) -> FinOpsError | None:
    """The finops error for the Azure SDK's ``exc`` met while ``what``; None for an exception that is not the SDK's."""
    from azure.core import exceptions as ax  # imported when a call fails: the SDK is slow to import

    if isinstance(exc, ax.ClientAuthenticationError):
        status = getattr(exc, "status_code", None)
        if status == 403:
            return map_http_error(403, "", str(exc.message), what)
        return AuthError(
            f"No usable Azure credentials for {what}: {redact_text(str(exc.message))[:300]}. {CREDENTIALS_HINT}",
            provider=P,
        )
    if isinstance(exc, ax.DecodeError):
        return Unavailable(
            f"Azure sent an answer we could not read while {what} ({redact_text(str(exc))[:200]}). Try again.",
            provider=P,
        )
    if isinstance(exc, ax.HttpResponseError):
        status = int(exc.status_code or 0)
        code = str(getattr(exc.error, "code", "") or "") if exc.error is not None else ""
        headers = dict(getattr(exc.response, "headers", None) or {})
        message = str(getattr(exc.error, "message", "") or exc.message or "")
        return map_http_error(status, code, message, what, retry_after(headers))
    if isinstance(exc, (ax.ServiceRequestError, ax.ServiceResponseError)):
        return Unavailable(
            f"Could not reach Azure while {what} ({type(exc).__name__}: {redact_text(str(exc))[:300]}). Check the "
            "network, proxy or [azure] endpoints, then try again.",
            provider=P,
        )
    if isinstance(exc, ax.AzureError):
        return ProviderError(
            f"The Azure SDK failed while {what} ({type(exc).__name__}: {redact_text(str(exc))[:300]}).", provider=P
        )
    return None
