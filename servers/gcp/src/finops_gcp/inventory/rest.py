"""Paged GETs over Google REST APIs that have no REST-capable generated client here (Cloud SQL Admin, and Cloud
Monitoring, whose Python client speaks only gRPC), through the clients' authorized session.

Rate limits (429) and unavailability (503) are retried with back-off through ``ctx.sleep``; other failures become
finops errors via ``map_status`` / ``gcp_errors``, as for the generated clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from finops_core.errors import ProviderError

from finops_gcp.errors import gcp_errors, map_status

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

RETRIED = frozenset({429, 500, 502, 503, 504})
BACKOFF = (1.0, 2.0, 4.0)
MAX_PAGES = 1000


def _message(response: Any) -> str:
    try:
        error = response.json().get("error") or {}
        return str(error.get("message") or error.get("status") or response.reason)
    except ValueError:
        return str(response.reason or "")


async def get_pages(ctx: GcpContext, url: str, params: Mapping[str, str], key: str, what: str) -> list[dict[str, Any]]:
    """Every item under ``key`` of every page of ``GET url?params`` (``pageToken`` / ``nextPageToken``)."""
    session = ctx.clients.session()
    items: list[dict[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        query = {**params, **({"pageToken": token} if token else {})}
        body = await _get(ctx, session, url, query, what)
        items.extend(body.get(key) or [])
        token = str(body.get("nextPageToken") or "")
        if not token:
            return items
    raise ProviderError(f"Google kept paging past {MAX_PAGES} pages while {what}.", provider="gcp")


async def _get(ctx: GcpContext, session: Any, url: str, query: Mapping[str, str], what: str) -> dict[str, Any]:
    for attempt in range(len(BACKOFF) + 1):
        with gcp_errors(what):
            response = await ctx.run(session.get, url, params=dict(query), timeout=ctx.settings.timeout_seconds)
        status = int(response.status_code)
        if status == 200:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise ProviderError(f"Google answered with a body we could not read while {what}.", provider="gcp")
            return body
        if status in RETRIED and attempt < len(BACKOFF):
            await ctx.sleep(BACKOFF[attempt])
            continue
        raise map_status(status, _message(response), what)
    raise AssertionError("unreachable")
