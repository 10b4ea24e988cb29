"""Telling the Recommender what became of a recommendation, after remediation acted on it.

Each call needs the recommendation's current ``etag`` (optimistic locking: the Recommender refuses a stale one)
and returns the new etag, for a later call. ``note`` lands in the recommendation's state metadata under
``finops-mcp`` (Google allows only letters, digits and ``_ . / -`` there).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from finops_core.errors import InvalidInput, InvalidQuery

from finops_gcp.errors import gcp_errors

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

METADATA_KEY = "finops-mcp"
_VALUE = re.compile(r"[a-zA-Z0-9_./-]{0,255}")
_NAME = re.compile(
    r"(projects|billingAccounts|folders|organizations)/[^/]+/locations/[^/]+/recommenders/[^/]+/recommendations/[^/]+"
)


def _mark(ctx: GcpContext, method: str, state: str, name: str, etag: str, note: str) -> str:
    from google.cloud.recommender_v1 import RecommenderClient

    client: Any = ctx.clients.gapic(RecommenderClient, "recommender")
    what = f"marking recommendation {name} {state}"
    try:
        with gcp_errors(what):
            # retry=None: a retried mark after a lost answer would meet a changed etag.
            answer = getattr(client, method)(
                request={"name": name, "etag": etag, "state_metadata": {METADATA_KEY: note}},
                retry=None,
                timeout=ctx.settings.timeout_seconds,
            )
    except InvalidQuery as exc:
        if "etag" in str(exc).lower():
            raise InvalidQuery(
                f"The recommendation {name} changed since it was listed (etag {etag} no longer matches), so it was "
                f"not marked {state}. List recommendations again and use the new recommendation_etag.",
                provider="gcp",
            ) from exc
        raise
    return str(answer.etag)


def _check(name: str, etag: str, note: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"{name!r} is not a recommendation name (projects/P/locations/L/recommenders/R/recommendations/ID)."
        )
    if not etag:
        raise InvalidInput("The recommendation's etag is needed (recommendation_etag of its action).")
    if not _VALUE.fullmatch(note):
        raise InvalidInput(f"note {note!r} may hold only letters, digits and _ . / - (at most 255).")


async def mark_claimed(ctx: GcpContext, name: str, etag: str, note: str = "claimed") -> str:
    """Mark recommendation ``name`` CLAIMED (someone is acting on it); returns its new etag."""
    _check(name, etag, note)
    return await ctx.run(_mark, ctx, "mark_recommendation_claimed", "claimed", name, etag, note)


async def mark_succeeded(ctx: GcpContext, name: str, etag: str, note: str = "applied") -> str:
    """Mark recommendation ``name`` SUCCEEDED (the change was applied); returns its new etag."""
    _check(name, etag, note)
    return await ctx.run(_mark, ctx, "mark_recommendation_succeeded", "succeeded", name, etag, note)


async def mark_failed(ctx: GcpContext, name: str, etag: str, note: str = "failed") -> str:
    """Mark recommendation ``name`` FAILED (applying it did not work); returns its new etag."""
    _check(name, etag, note)
    return await ctx.run(_mark, ctx, "mark_recommendation_failed", "failed", name, etag, note)
