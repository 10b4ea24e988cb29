"""``finops_cost_query``: where the money goes, across every loaded cloud, in the compact answer every cost tool
shares (``finops_core.cost_answers``: columns and rows, a short text table, a byte ceiling).

Asked to ``convert``, it adds amounts in the report currency at the rate table from finops.toml
``[currency]`` and names that table (rates used, as-of day, source); the per-currency totals stay.

No ``from __future__ import annotations``: the SDK reads the tool's annotations at registration.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

import anyio.to_thread
from finops_core.cost_answers import CostAnswer, cost_answer
from finops_core.currency import CurrencySettings, no_rate_table
from finops_core.models import CostBreakdown, CostQuery
from finops_core.parameters import (
    AccountsParam,
    EndParam,
    GranularityParam,
    GroupByParam,
    MetricParam,
    ProvidersParam,
    RegionsParam,
    ServicesParam,
    StartParam,
    TagKeyParam,
    TopNParam,
)
from finops_core.server import READ, compact_tool, cost_query_of
from mcp.server import MCPServer
from mcp.types import CallToolResult
from pydantic import Field

ConvertParam = Annotated[
    bool,
    Field(
        description="Also convert amounts into the report currency at the finops.toml [currency] rates (named in "
        "the answer with their date and source); totals per currency stay."
    ),
]

DESCRIPTION = (
    "Start here for where money goes. Costs across every loaded cloud from the local store (free; as fresh as the "
    "last sync or ingest) for a period, grouped by up to two dimensions (and a tag key), as a total or a "
    "daily/weekly/monthly trend: top groups plus '(other)', totals per currency, the metric used (default "
    "effective = amortized); convert=true adds amounts in one report currency at the configured rates. Why a total "
    "moved: finops_explain_change; what these tools cannot ask: finops_sql. Structured content holds columns and "
    "rows; the text is that table rounded to cents."
)


def register_finops_cost_query(
    server: MCPServer,
    *,
    answer: Callable[[CostQuery], Awaitable[CostBreakdown]],
    today: Callable[[], date],
    currency: CurrencySettings | None,
) -> None:
    """Register ``finops_cost_query`` answered by ``answer`` (the store); ``currency`` is the rate table, if any."""

    @compact_tool(server, name="finops_cost_query", annotations=READ, description=DESCRIPTION, output=CostAnswer)
    async def finops_cost_query(
        start: StartParam = None,
        end: EndParam = None,
        group_by: GroupByParam = None,
        tag_key: TagKeyParam = None,
        granularity: GranularityParam = "total",
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        services: ServicesParam = None,
        accounts: AccountsParam = None,
        regions: RegionsParam = None,
        top_n: TopNParam = 15,
        convert: ConvertParam = False,
    ) -> CallToolResult:
        query = cost_query_of(
            start=start,
            end=end,
            group_by=group_by,
            tag_key=tag_key,
            granularity=granularity,
            metric=metric,
            providers=providers,
            services=services,
            accounts=accounts,
            regions=regions,
            top_n=top_n,
            today=today(),
        )
        if convert and currency is None:
            raise no_rate_table()
        breakdown = await answer(query)
        # Folding a large answer to the ceiling is CPU work: off the loop that serves the other clients.
        return await anyio.to_thread.run_sync(cost_answer, breakdown, currency if convert else None)
