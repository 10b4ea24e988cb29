"""The insights behind recommendations (``associatedInsights``), summarized in one line each for the detail.

We do not guess insight type ids: each associated insight's name (``projects/P/locations/L/insightTypes/T/
insights/I``) names its insight type, and each distinct type and location is listed once (paged), only where a
recommendation points to it. An insight list that fails is named in ``missing``; the recommendations stand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
from finops_core.errors import FinOpsError

from finops_gcp.errors import gcp_errors
from finops_gcp.recommendations.normalize import duration_seconds
from finops_gcp.recommendations.recommenders import PAGE_SIZE, Listed, to_json
from finops_gcp.retries import retried_blocking

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext


def insight_parent(name: str) -> str | None:
    """``.../insightTypes/T`` of an insight's name; None when it is not one."""
    head, sep, _ = name.partition("/insights/")
    return head if sep and "/insightTypes/" in head else None


def associated(listed: Listed) -> list[str]:
    return [str(ref.get("insight")) for ref in listed.item.get("associatedInsights") or [] if ref.get("insight")]


def summarize(insight: dict[str, Any]) -> str:
    """One line: what Google observed, its category and over how long."""
    text = str(insight.get("description") or insight.get("insightSubtype") or "insight").rstrip(".")
    facts = [
        str(x).lower() for x in (insight.get("category"), insight.get("severity")) if x and "UNSPECIFIED" not in str(x)
    ]
    seconds = duration_seconds(insight.get("observationPeriod"))
    if seconds is not None:
        facts.append(f"observed over {(seconds / 86400).normalize():f} days")
    return f"insight: {text}" + (f" ({', '.join(facts)})" if facts else "")


def list_insights_page(
    ctx: GcpContext, parent: str, token: str | None, timeout: float
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of an insight type's insights in one place (blocking)."""
    from google.cloud.recommender_v1 import RecommenderClient

    client = ctx.clients.gapic(RecommenderClient, "recommender")
    request: dict[str, Any] = {"parent": parent, "page_size": PAGE_SIZE}
    if token:
        request["page_token"] = token
    with gcp_errors(f"listing insights of {parent}"):
        page = client.list_insights(request=request, retry=None, timeout=timeout)
        return [to_json(i) for i in page.insights], page.next_page_token or None


async def list_insights(ctx: GcpContext, parent: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    while True:
        what = f"listing insights of {parent}"
        items, token = await retried_blocking(ctx, what, list_insights_page, ctx, parent, token)
        out.extend(items)
        if not token or token in seen:
            return out
        seen.add(token)


async def insight_summaries(ctx: GcpContext, items: list[Listed]) -> tuple[dict[str, str], list[str]]:
    """Insight name -> one-line summary, for every insight the recommendations name; and what could not be
    listed."""
    parents = sorted({p for listed in items for name in associated(listed) if (p := insight_parent(name))})
    summaries: dict[str, str] = {}
    missing: list[str] = []

    async def one(parent: str) -> None:
        try:
            for insight in await list_insights(ctx, parent):
                summaries[str(insight.get("name"))] = summarize(insight)
        except FinOpsError as exc:
            missing.append(f"insights {parent}: {exc}")

    async with anyio.create_task_group() as tg:
        for parent in parents:
            tg.start_soon(one, parent)
    return summaries, sorted(missing)


def insights_for(listed: Listed, summaries: dict[str, str]) -> list[str]:
    return [summaries[name] for name in associated(listed) if name in summaries]
