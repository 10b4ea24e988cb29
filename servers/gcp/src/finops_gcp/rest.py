"""Google REST APIs called through the clients' authorized session (``google.auth``'s own ``requests`` session),
with no generated client: Compute Engine (its client library takes seconds to import, which the first inventory
call would wait for), Cloud SQL Admin (no REST-capable client here) and Cloud Monitoring (its client speaks only
gRPC).

Each call is retried as ``retries`` says; an error answer becomes a finops error through ``errors.response_error``
(the one mapping of Google's statuses), and a dropped connection or timeout through ``gcp_errors``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from finops_core.errors import ProviderError

from finops_gcp.errors import gcp_errors, response_error
from finops_gcp.retries import retried

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

MAX_PAGES = 1000


def api_url(ctx: GcpContext, api: str, default: str, path: str) -> str:
    """``path`` under the API's endpoint (``endpoints.<api>`` in ``[gcp]``, else Google's ``default`` host)."""
    return (ctx.settings.endpoint(api) or default).rstrip("/") + "/" + path.lstrip("/")


async def call(
    ctx: GcpContext,
    method: str,
    url: str,
    what: str,
    *,
    params: Mapping[str, str] | None = None,
    body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One REST call's JSON answer (``{}`` for an empty one). A POST or DELETE is retried only when the API makes it
    safe to (Compute Engine's ``requestId``): the caller decides by what it sends."""
    session = ctx.clients.session()

    async def attempt(seconds: float) -> dict[str, Any]:
        with gcp_errors(what):
            response = await ctx.run(
                session.request,
                method,
                url,
                params=dict(params or {}),
                json=dict(body) if body is not None else None,
                timeout=seconds,
            )
        status = int(response.status_code)
        try:
            parsed = response.json() if response.content else {}
        except ValueError:
            parsed = None
        if 200 <= status < 300:
            if not isinstance(parsed, dict):
                raise ProviderError(f"Google answered with a body we could not read while {what}.", provider="gcp")
            return parsed  # pyright: ignore[reportUnknownVariableType]
        raise response_error(status, parsed, response.headers, what)

    return await retried(ctx, what, attempt)


async def pages(ctx: GcpContext, url: str, params: Mapping[str, str], what: str) -> AsyncIterator[dict[str, Any]]:
    """Every page of ``GET url?params`` (``pageToken`` / ``nextPageToken``), each retried on its own."""
    token = ""
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        query = {**params, **({"pageToken": token} if token else {})}
        body = await call(ctx, "GET", url, what, params=query)
        yield body
        token = str(body.get("nextPageToken") or "")
        if not token or token in seen:  # a repeated token would loop forever
            return
        seen.add(token)
    raise ProviderError(f"Google kept paging past {MAX_PAGES} pages while {what}.", provider="gcp")


async def get_pages(ctx: GcpContext, url: str, params: Mapping[str, str], key: str, what: str) -> list[dict[str, Any]]:
    """Every item under ``key`` of every page of ``GET url?params``."""
    items: list[dict[str, Any]] = []
    async for body in pages(ctx, url, params, what):
        items.extend(body.get(key) or [])
    return items
